"""What the end-to-end tests of the bot share: a small archive with known dialogs, what a person should
read about each of them, a parser of the dialog list as it appears on the phone, and running the bot
against the Bot API emulator.

The expected texts here are written out by hand (channel labels, formatted numbers, plurals), not taken
from the bot's own rendering, so that a change in what the person reads makes a test fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot

from bot.app import bot_defaults, build_dispatcher
from bot.runtime import JsonSession
from bot.settings import Settings
from db.engine import Database
from db.importer import store_records
from db.records import DialogRecord, MessageRecord
from db.responses import NO_CLIENT, NO_TRANSCRIPT, UNANSWERED, ResponseTimes, response_times
from db.text import fold
from db.users import Role, add_user
from emulator import BotAPIEmulator, ChatMessage, Reaction, SimulatedUser
from keyboards.columns import Column
from tests.databases import migrated_database

ZONE_NAME = "Asia/Novosibirsk"  # UTC+7 all year: not Moscow, so the TIMEZONE setting must be applied
ZONE = ZoneInfo(ZONE_NAME)
PAGE_SIZE = 5
BASE = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)

ADMIN_ID = 1001  # through ADMIN_IDS
ENGLISH_ADMIN_ID = 1002  # through ADMIN_IDS, Telegram in English
HEAD_ID = 2001
MANAGER_ID = 3001
STRANGER_ID = 5555

BREADCRUMB = "Отдел продаж → Для руководителя → Записи → Список диалогов"

# The channel as the person reads it, with its emoji.
CHANNELS_RU = {
    "whatsapp": "🟢 WhatsApp",
    "telegram": "✈️ Telegram",
    "instagram": "📸 Instagram",
    "vk": "🔵 ВКонтакте",
    "viber": "🟣 Viber",
    "avito": "🏷 Авито",
    "email": "✉️ Почта",
    "webchat": "💬 Чат на сайте",
}
CHANNELS_EN = {
    **CHANNELS_RU,
    "vk": "🔵 VK",
    "avito": "🏷 Avito",
    "email": "✉️ E-mail",
    "webchat": "💬 Web chat",
}

SEMYON_PHONE = "+79161234567"
# E.164 → (as heads and admins read it, as managers read it)
PHONES: dict[str, tuple[str, str]] = {
    SEMYON_PHONE: ("+7 916 123-45-67", "+7 916 ***-**-67"),
    "+79031234567": ("+7 903 123-45-67", "+7 903 ***-**-67"),
    "+79995554567": ("+7 999 555-45-67", "+7 999 ***-**-67"),
    "+12125550187": ("+1 212-555-0187", "+1 212-***-**87"),
    "+442079460958": ("+44 20 7946 0958", "+44 20 **** **58"),
    "+77011112233": ("+7 701 111 2233", "+7 701 *** **33"),
}
# Fifteen more clients, all on +7 916 700-00-NN: a search for "916" finds seventeen dialogs.
GENERATED_NAMES = (
    "Пётр Сидоров",
    "Мария Ким",
    "Дмитрий Волков",
    "Ольга Белова",
    "Игорь Лебедев",
    "Наталья Орлова",
    "Сергей Морозов",
    "Елена Зайцева",
    "Андрей Соколов",
    "Татьяна Павлова",
    "Виктор Андреев",
    "Юлия Ершова",
    "Павел Громов",
    "Ксения Жукова",
    "Пётр Сидоров",
)
for _number in range(1, len(GENERATED_NAMES) + 1):
    PHONES[f"+7916700{_number:04d}"] = (f"+7 916 700-00-{_number:02d}", "+7 916 ***-**-" + f"{_number:02d}")

EMPLOYEES = ("Анна Смирнова", "Фёдор Орлов", "Борис Ким", "Олег <Старший> & Co", None)
CHANNEL_CYCLE = ("whatsapp", "telegram", "viber", "vk", "instagram", "avito", "email", "webchat")
COUNT_CYCLE = (5, 9, 12, 5, 3, 40, 9)
HTML_NAME = "Кафе <b>Уют</b> & Co"


def _transcript(
    client: str, employee: str, start: datetime, count: int, *, text: Callable[[int], str] | None = None
) -> tuple[MessageRecord, ...]:
    lines = []
    for index in range(count):
        from_client = index % 2 == 0
        lines.append(
            MessageRecord(
                at=start + timedelta(minutes=3 * index),
                sender="client" if from_client else "employee",
                author=client if from_client else employee,
                text=text(index) if text else f"Реплика {index + 1}",
            )
        )
    return tuple(lines)


def _record(
    source_id: str,
    name: str | None,
    phone: str | None,
    channel: str,
    employee: str | None,
    completed: datetime,
    count: int,
    *,
    minutes: int | None = 30,
    messages: tuple[MessageRecord, ...] | None = None,
) -> DialogRecord:
    return DialogRecord(
        source_id=source_id,
        client_name=name,
        client_phone=phone,
        channel=channel,
        completed_by=employee,
        started_at=None if minutes is None else completed - timedelta(minutes=minutes),
        completed_at=completed,
        message_count=count,
        messages=messages,
    )


def make_dataset() -> list[DialogRecord]:
    """23 dialogs; ids in the database follow this order. Ties in every sort column."""
    semyon_start = BASE + timedelta(hours=19, minutes=48)
    records = [
        # completed at 03:30 on the 21st in Novosibirsk, still the 20th in UTC and in Moscow
        _record(
            "crm-01",
            "Семён Иванов",
            SEMYON_PHONE,
            "whatsapp",
            "Анна Смирнова",
            BASE + timedelta(hours=20, minutes=30),
            11,
            minutes=42,
            messages=_transcript("Семён Иванов", "Анна Смирнова", semyon_start, 11),
        ),
        _record(
            "crm-02",
            "Семён Иванов",
            SEMYON_PHONE,
            "telegram",
            "Фёдор Орлов",
            BASE + timedelta(hours=2),
            3,
            messages=_transcript("Семён Иванов", "Фёдор Орлов", BASE + timedelta(hours=1, minutes=30), 3),
        ),
        _record(
            "crm-03",
            HTML_NAME,
            "+79031234567",
            "email",
            "Олег <Старший> & Co",
            BASE + timedelta(hours=3),
            5,
            messages=_transcript(
                HTML_NAME,
                "Олег <Старший> & Co",
                BASE + timedelta(hours=2, minutes=40),
                5,
                text=lambda i: f"<script>alert({i})</script> & &amp; <b>не жирный</b>",
            ),
        ),
        _record("crm-04", None, "+79995554567", "avito", "Борис Ким", BASE + timedelta(hours=4), 5),
        _record("crm-05", "John Smith", "+12125550187", "webchat", None, BASE + timedelta(hours=5), 2),
        _record(
            "crm-06",
            "Oliver Brown",
            "+442079460958",
            "instagram",
            "Анна Смирнова",
            BASE + timedelta(hours=6),
            7,
        ),
        _record(
            "crm-07",
            "Айгерим Нурланова",
            "+77011112233",
            "whatsapp",
            "Борис Ким",
            BASE + timedelta(hours=6),  # the same moment as crm-06
            5,
        ),
        _record(
            "crm-08", "Алёна Королёва", None, "vk", "Фёдор Орлов", BASE + timedelta(hours=8), 1, minutes=None
        ),
    ]
    for number, name in enumerate(GENERATED_NAMES, start=1):
        hours = 24 + (number if number != 11 else 10)  # 10 and 11 completed at the same moment
        records.append(
            _record(
                f"crm-{number + 8:02d}",
                name,
                f"+7916700{number:04d}",
                CHANNEL_CYCLE[number % len(CHANNEL_CYCLE)],
                EMPLOYEES[number % len(EMPLOYEES)],
                BASE + timedelta(hours=hours, minutes=7),
                COUNT_CYCLE[number % len(COUNT_CYCLE)],
            )
        )
    return records


DATASET = make_dataset()
RECORDS = {record.source_id: record for record in DATASET}


# --- What the person should read ---------------------------------------------------------------------


def plural_ru(count: int, one: str, few: str, many: str) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return one
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return few
    return many


def messages_ru(count: int) -> str:
    return f"{count} {plural_ru(count, 'сообщение', 'сообщения', 'сообщений')}"


def dialogs_ru(count: int) -> str:
    return f"{count} {plural_ru(count, 'диалог', 'диалога', 'диалогов')}"


def local_time(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%d.%m.%Y %H:%M")


def listed_time(moment: datetime) -> str:
    """A time as a list entry shows it: without the year when it is this year's."""
    local = moment.astimezone(ZONE)
    return local.strftime("%d.%m %H:%M" if local.year == datetime.now(ZONE).year else "%d.%m.%Y %H:%M")


def listed_person(name: str, time: str) -> str:
    """An employee's name as a list entry shows it after `time`: within a line of 32 characters, the
    first name as an initial when the whole one does not fit."""
    room = 32 - len(time) - len(" · ")
    if len(name) <= room:
        return name
    first, last = name.rsplit(" ", 1)
    return f"{first[0]}. {last}" if first.isalpha() else name[: room - 1] + "…"


@dataclass(frozen=True)
class Entry:
    """One dialog of the list as it reads on the phone."""

    number: int
    client: str
    channel: str
    phone: str
    messages: str
    completed_at: str
    completed_by: str


def figures_of(record: DialogRecord) -> ResponseTimes:
    """The response times of a record's transcript (`db.responses`)."""
    return response_times(None if record.messages is None else [(m.sender, m.at) for m in record.messages])


def figure_of(record: DialogRecord, column: Column) -> int:
    times = figures_of(record)
    return times.first_response if column is Column.FIRST_RESPONSE else times.longest_wait


_RESPONSE_STATES_RU = {UNANSWERED: "без ответа", NO_CLIENT: "клиент не писал", NO_TRANSCRIPT: "нет переписки"}


def response_ru(value: int) -> str:
    """A response time as the list and the card write it in Russian."""
    if value in _RESPONSE_STATES_RU:
        return _RESPONSE_STATES_RU[value]
    if value < 60:
        return f"{value} с"
    if value < 3600:
        return f"{value // 60} мин"
    return f"{value // 3600} ч {value % 3600 // 60:02d} мин"


def expected_entry(
    record: DialogRecord,
    number: int,
    *,
    full_phones: bool,
    english: bool = False,
    sort: Column = Column.COMPLETED_AT,
) -> Entry:
    """`sort`: the list's; sorted by a response time, the entry shows it instead of the messages."""
    phone = "—"
    if record.client_phone:
        full, masked = PHONES[record.client_phone]
        phone = full if full_phones else masked
    client = record.client_name or ("No name" if english else "Без имени")
    if english:
        messages = f"{record.message_count} {'message' if record.message_count == 1 else 'messages'}"
        who = record.completed_by or "auto-closed"
        channel = CHANNELS_EN[record.channel]
    else:
        messages = messages_ru(record.message_count)
        who = record.completed_by or "автозакрытие"
        channel = CHANNELS_RU[record.channel]
    when = listed_time(record.completed_at)
    who = listed_person(who, when) if record.completed_by else who
    if sort is Column.FIRST_RESPONSE:
        messages = f"⏱ ответ: {response_ru(figure_of(record, sort))}"
    elif sort is Column.LONGEST_WAIT:
        messages = f"⏳ ждал: {response_ru(figure_of(record, sort))}"
    return Entry(number, client, channel, phone, messages, when, who)


# In `Column` order, as the person reads them.
SORT_BUTTONS = ("Клиент", "Канал", "Номер", "Кто", "Дата", "Сообщ.", "Ответ", "Ждал")
SORT_NAMES = (
    "Клиент",
    "Канал",
    "Номер",
    "Кто завершил",
    "Дата завершения",
    "Сообщений",
    "Первый ответ",
    "Самое долгое ожидание",
)


def sort_key(record: DialogRecord, column: Column) -> Any:
    """The order of each column: names folded (case, ё = е), a client without a name by the number."""
    keys: tuple[Callable[[DialogRecord], Any], ...] = (
        lambda r: fold(r.client_name) if r.client_name else r.client_phone or "",
        lambda r: r.channel,
        lambda r: r.client_phone or "",
        lambda r: fold(r.completed_by) if r.completed_by else "",
        lambda r: r.completed_at,
        lambda r: r.message_count,
        lambda r: figure_of(r, Column.FIRST_RESPONSE),
        lambda r: figure_of(r, Column.LONGEST_WAIT),
    )
    return keys[column](record)


def expected_order(
    column: Column, descending: bool, records: list[DialogRecord] | None = None
) -> list[DialogRecord]:
    """Ties are broken by the dialog's id, in the same direction (keyset paging by `(column, id)`); sorted
    by client, the clients without a name come last either way; by a response time, those without one
    (the client never wrote, then no transcript)."""
    chosen = DATASET if records is None else records
    position = {record.source_id: index for index, record in enumerate(DATASET)}
    groups = [chosen]
    if column is Column.CLIENT:
        groups = [[r for r in chosen if bool(r.client_name) is named] for named in (True, False)]
    if column in (Column.FIRST_RESPONSE, Column.LONGEST_WAIT):
        last = (NO_CLIENT, NO_TRANSCRIPT)
        groups = [[r for r in chosen if figure_of(r, column) not in last]]
        groups += [[r for r in chosen if figure_of(r, column) == state] for state in last]
    return [
        record
        for group in groups
        for record in sorted(
            group, key=lambda r: (sort_key(r, column), position[r.source_id]), reverse=descending
        )
    ]


# --- Reading the list off the screen ---------------------------------------------------------------

_PAGE_RE = re.compile(r"(?:стр\.|page) (\d+) (?:из|of) (\d+)")
_FOUND_RE = re.compile(r"(?:Найдено|Found): (\d+) ")
_ENTRY_RE = re.compile(r"^(\d+)\. ")


@dataclass(frozen=True)
class ListScreen:
    header: list[str]
    entries: list[Entry]
    found: int | None
    page: int | None
    pages: int | None
    tail: str  # what follows the header when there are no entries


def parse_list(text: str) -> ListScreen:
    chunks = text.split("\n\n")
    header = chunks[0].split("\n")
    entries = []
    tail = []
    for chunk in chunks[1:]:
        lines = chunk.split("\n")
        match = _ENTRY_RE.match(lines[0])
        if match is None:
            tail.append(chunk)
            continue
        assert len(lines) == 3, f"an entry takes three lines, not {len(lines)}: {chunk!r}"
        client, channel = lines[0][match.end() :].rsplit(" · ", 1)
        phone, messages = lines[1].rsplit(" · ", 1)
        completed_at, completed_by = lines[2].split(" · ", 1)
        entries.append(Entry(int(match[1]), client, channel, phone, messages, completed_at, completed_by))
    joined = "\n".join(header)
    found = _FOUND_RE.search(joined)
    page = _PAGE_RE.search(joined)
    return ListScreen(
        header=header,
        entries=entries,
        found=int(found[1]) if found else None,
        page=int(page[1]) if page else None,
        pages=int(page[2]) if page else None,
        tail="\n\n".join(tail),
    )


def sort_button(message: ChatMessage, column: Column) -> str:
    """The label of a column's sort button as it is now (with ↑/↓ when it is the active one)."""
    label = SORT_BUTTONS[column]
    for text in message.button_texts():
        if text in (label, f"{label} ↑", f"{label} ↓"):
            return text
    raise AssertionError(f"no sort button {label!r} among {message.button_rows()!r}")


def every_text(api: BotAPIEmulator, user: SimulatedUser) -> list[str]:
    """Everything the bot ever showed this person: every version of every message (text and the HTML
    it was sent as), every button label and every callback answer."""
    texts: list[str] = []
    for message in api.messages(user.chat_id, include_deleted=True):
        if not message.from_bot:
            continue
        texts += [message.content, message.source or ""]
        texts += message.button_texts()
        for version in message.history:
            texts += [version.text or "", version.caption or ""]
            markup = version.reply_markup or {}
            texts += [str(button.get("text")) for row in markup.get("inline_keyboard", []) for button in row]
    texts += [answer.text or "" for answer in user.callback_answers]
    return texts


# --- Running the bot ------------------------------------------------------------------------------


def make_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        admin_ids=[ADMIN_ID, ENGLISH_ADMIN_ID],
        page_size=PAGE_SIZE,
        timezone=ZONE_NAME,
        phone_region="RU",
        http_port=0,  # any free port (run_service serves HTTP)
    )


def database_url(database: Database) -> str:
    return database.url.render_as_string(hide_password=False)


def emulator_bot(api: BotAPIEmulator) -> Bot:
    """The bot as `dialogs-bot run` builds it (its session and defaults), talking to the emulator."""
    return api.create_bot(session_class=JsonSession, default=bot_defaults())


@contextlib.asynccontextmanager
async def running_bot(database: Database, settings: Settings) -> AsyncIterator[BotAPIEmulator]:
    """The emulator with the bot polling it; leaving fails the test if the bot made a bad request."""
    async with (
        BotAPIEmulator() as api,
        api.run_polling(build_dispatcher(database, settings), emulator_bot(api)),
    ):
        yield api


@contextlib.asynccontextmanager
async def bot_on(folder: Path, records: list[DialogRecord]) -> AsyncIterator[BotAPIEmulator]:
    """The bot polling the emulator, on a new archive of `folder` holding `records` (the admins of
    `make_settings`)."""
    database = await asyncio.to_thread(migrated_database, folder)
    store_records(database.sync_engine, records, zone=ZONE)
    try:
        async with running_bot(database, make_settings(database_url(database))) as api:
            yield api
    finally:
        database.sync_engine.dispose()


def seeded_archive(folder: Path) -> Database:
    """A migrated archive of DATASET with a head and a manager besides the admins of `make_settings`."""
    database = migrated_database(folder)
    store_records(database.sync_engine, DATASET, zone=ZONE)
    database.run(add_user, HEAD_ID, Role.HEAD, "Ольга")
    database.run(add_user, MANAGER_ID, Role.MANAGER, "Пётр")
    return database


# --- Acting as the person -------------------------------------------------------------------------


async def tap(user: SimulatedUser, message: ChatMessage, label: str) -> Reaction:
    await user.press(message, label)
    return await user.wait_answer()


async def say(user: SimulatedUser, text: str) -> Reaction:
    await user.send_text(text)
    return await user.wait_answer()
