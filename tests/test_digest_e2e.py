"""The morning digest (issue 16, point 5), end to end through the emulator on a real archive (SQLite, and
PostgreSQL under `tests/with-servers`): /digest on, off and at a time (typed too); the digest of yesterday
against a week earlier, each row opening its list; the schedule at a clock the test sets, across both DST
changes of Europe/Berlin; a restart at the scheduled minute; two schedulers on one archive; the pacing of
a hundred digests at once; the alerts of a channel fallen silent, once a silence; a manager refused."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.digests import LEASE, RETRY, DigestScheduler, scheduled_at
from bot.settings import Settings
from db import digest
from db.archive import Archive
from db.engine import Database
from db.importer import store_records
from db.listing import ListSettings
from db.records import DialogRecord, MessageRecord, Sender
from db.review_queue import read_queue
from db.users import Role, add_user, choose_language, find_employee
from emulator import BotAPIEmulator, ChatMessage, FloodLimits
from keyboards.callbacks import DigestAction, DigestCallback, DigestQueueCallback
from tests.bot_harness import (
    ADMIN_ID,
    ENGLISH_ADMIN_ID,
    HEAD_ID,
    MANAGER_ID,
    ZONE,
    database_url,
    emulator_bot,
    make_settings,
    parse_list,
    running_bot,
    say,
    tap,
)
from tests.databases import migrated_database

BERLIN = ZoneInfo("Europe/Berlin")
TODAY = date(2026, 12, 3)  # a Thursday; "yesterday" is Wednesday the 2nd, a week earlier the 25th
NINE = 9 * 60


class Clock:
    """The scheduler's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = ZONE) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).astimezone(UTC)


def dialog(number: int, channel: str, employee: str | None, completed: datetime) -> DialogRecord:
    return DialogRecord(
        source_id=f"d-{number}",
        client_name=f"Клиент {number}",
        client_phone=None,
        channel=channel,
        completed_by=employee,
        started_at=completed - timedelta(minutes=20),
        completed_at=completed,
        message_count=4,
        messages=None,
    )


def archive_of(folder: Path, records: list[DialogRecord], zone: ZoneInfo = ZONE) -> Database:
    database = migrated_database(folder)
    if records:
        store_records(database.sync_engine, records, zone=zone)
    database.run(add_user, HEAD_ID, Role.HEAD, "Ольга")
    database.run(add_user, MANAGER_ID, Role.MANAGER, "Пётр")
    return database


def scheduler(database: Database, api: BotAPIEmulator, settings: Settings, clock: Clock) -> DigestScheduler:
    archive = Archive(database, ListSettings(settings.zone, settings.phone_region, settings.page_size))
    return DigestScheduler(archive, database, emulator_bot(api), settings, clock)


def subscribe(database: Database, telegram_id: int, minute: int = NINE, language: str = "ru") -> None:
    database.run(digest.set_subscription, telegram_id, enabled=True, minute=minute, language=language)


def received(api: BotAPIEmulator, telegram_id: int, mark: str = "Сводка за") -> list[ChatMessage]:
    """The bot's messages in a chat that hold `mark` (the digests, by default)."""
    return [message for message in api.messages(telegram_id) if message.from_bot and mark in message.content]


# Yesterday: Анна 3 in WhatsApp, Фёдор 1 in Telegram, one closed by nobody in the web chat; a week earlier
# Анна 1 in WhatsApp and Борис 2 in VK (none yesterday: not a row).
YESTERDAY, WEEK_BEFORE = TODAY - timedelta(days=1), TODAY - timedelta(days=8)
RECORDS = [
    dialog(1, "whatsapp", "Анна Смирнова", local(YESTERDAY, 10)),
    dialog(2, "whatsapp", "Анна Смирнова", local(YESTERDAY, 12)),
    dialog(3, "whatsapp", "Анна Смирнова", local(YESTERDAY, 23, 50)),
    dialog(4, "telegram", "Фёдор Орлов", local(YESTERDAY, 0, 10)),
    dialog(5, "webchat", None, local(YESTERDAY, 15)),
    dialog(6, "whatsapp", "Анна Смирнова", local(WEEK_BEFORE, 11)),
    dialog(7, "vk", "Борис Ким", local(WEEK_BEFORE, 12)),
    dialog(8, "vk", "Борис Ким", local(WEEK_BEFORE, 13)),
    dialog(9, "whatsapp", "Анна Смирнова", local(TODAY, 0, 5)),  # today: not in yesterday's digest
    dialog(10, "telegram", "Фёдор Орлов", local(YESTERDAY - timedelta(days=1), 23, 55)),  # the day before
]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = archive_of(tmp_path, RECORDS)
    yield database
    database.sync_engine.dispose()


@pytest.fixture
async def api(database: Database) -> AsyncIterator[BotAPIEmulator]:
    async with running_bot(database, make_settings(database_url(database))) as emulator:
        for telegram_id in (HEAD_ID, ADMIN_ID, MANAGER_ID):  # people who have a chat with the bot
            emulator.user(telegram_id)
        yield emulator


# --- /digest -------------------------------------------------------------------------------------------


async def test_a_head_turns_the_digest_on_picks_a_time_types_one_and_turns_it_off(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    screen = (await say(head, "/digest")).message
    assert "Утренняя сводка" in screen.content
    assert "Сейчас: выключена." in screen.content
    assert screen.button_texts()[:4] == ["✅ Включить", "08:00", "09:00", "10:00"]

    screen = (await tap(head, screen, "✅ Включить")).message
    assert "Сейчас: включена, приходит в 09:00 (Asia/Novosibirsk)." in screen.content
    assert "• 09:00" in screen.button_texts()
    assert head.callback_answers[-1].text == "Сводка включена: придёт в 09:00."

    screen = (await tap(head, screen, "08:00")).message
    assert "приходит в 08:00" in screen.content
    assert "• 08:00" in screen.button_texts()

    prompt = (await tap(head, screen, "🕐 Другое время")).message
    assert "Напишите время" in prompt.content
    wrong = await say(head, "25:99")
    assert wrong.text == "Не понял время «25:99». Напишите часы и минуты, например 7:30 или 07:30."
    found = database.run(digest.subscription, HEAD_ID)
    assert found is not None and found.minute == 8 * 60 and found.enabled  # nothing lost
    typed = (await say(head, "7:30")).message
    assert typed.message_id == prompt.message_id  # the question became the screen
    assert "Сводка включена: придёт в 07:30." in typed.content
    assert "приходит в 07:30" in typed.content

    again = (await say(head, "/digest")).message
    assert "приходит в 07:30" in again.content
    off = (await tap(head, again, "🔕 Выключить")).message
    assert "Сейчас: выключена." in off.content
    found = database.run(digest.subscription, HEAD_ID)
    assert found is not None and not found.enabled and found.minute == 7 * 60 + 30

    # a time asked for and /cancel: the settings as they were, in the question's place
    prompt = (await tap(head, off, "🕐 Другое время")).message
    cancelled = (await say(head, "/cancel")).message
    assert cancelled.message_id == prompt.message_id
    assert (
        cancelled.content.startswith("Время сводки не изменено.")
        and "Сейчас: выключена." in cancelled.content
    )
    # typed with a leading zero, it means the same; a time typed turns the digest on
    prompt = (await tap(head, cancelled, "🕐 Другое время")).message
    assert "приходит в 07:45" in (await say(head, "07:45")).message.content


async def test_a_manager_is_refused_the_digest_and_its_forged_buttons(
    api: BotAPIEmulator, database: Database
) -> None:
    manager = api.user(MANAGER_ID)
    assert (await say(manager, "/digest")).text == "Утренняя сводка — для руководителей и администраторов."
    reply = await say(manager, "/dialogs")
    await manager.press_data(reply.message, DigestCallback(action=DigestAction.ON).pack())
    answer = await manager.wait_answer()
    assert answer.callback_answer is not None
    assert answer.callback_answer.text == "Утренняя сводка — для руководителей и администраторов."
    assert database.run(digest.subscription, MANAGER_ID) is None
    # a subscription a manager somehow has (demoted since) brings no digest
    subscribe(database, MANAGER_ID)
    clock = Clock(local(TODAY, 9))
    assert await scheduler(database, api, make_settings(database_url(database)), clock).tick() == 0
    assert received(api, MANAGER_ID) == []


# --- The digest ----------------------------------------------------------------------------------------


async def test_the_digest_tells_yesterday_against_a_week_earlier_and_each_row_opens_its_dialogs(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    subscribe(database, HEAD_ID)
    settings = make_settings(database_url(database))
    assert await scheduler(database, api, settings, Clock(local(TODAY, 9))).tick() == 1
    [sent] = received(api, HEAD_ID)
    assert sent.content.split("\n") == [
        "Сводка за среду, 02.12.2026",
        "Диалогов: 5 (+2 к 25.11)",
        "",
        "👤 Сотрудники",
        "1. Анна Смирнова — 3 (+2)",
        "2. Фёдор Орлов — 1 (+1)",
        "3. Закрыты автоматически — 1 (+1)",
        "",
        "📨 Каналы",
        "4. 🟢 WhatsApp — 3 (+2)",
        "5. ✈️ Telegram — 1 (+1)",
        "6. 💬 Чат на сайте — 1 (+1)",
        "",
        "🔎 Проверка качества",  # the week of 23.11–29.11: Анна's one dialog and Борис's two
        "Осталось проверить 3 из 3 диалогов очереди за неделю 23.11–29.11.",
        "",
        "В скобках — разница с тем же днём неделей раньше. Нажмите номер — откроется список этих диалогов.",
    ]
    assert sent.button_texts() == ["1", "2", "3", "4", "5", "6", "Открыть очередь проверки"]

    anna = (await tap(head, sent, "1")).message
    assert anna.message_id != sent.message_id  # a new message: the digest stays
    listed = parse_list(anna.content)
    assert listed.found == 3
    assert {entry.completed_by for entry in listed.entries} == {"Анна Смирнова"}
    assert "02.12.2026" in anna.content
    still = api.message(HEAD_ID, sent.message_id)
    assert still is not None and still.content == sent.content and not still.history

    nobody = parse_list((await tap(head, sent, "3")).message.content)
    assert nobody.found == 1 and nobody.entries[0].completed_by == "автозакрытие"
    whatsapp = parse_list((await tap(head, sent, "4")).message.content)
    assert whatsapp.found == 3 and {entry.channel for entry in whatsapp.entries} == {"🟢 WhatsApp"}
    telegram = parse_list((await tap(head, sent, "5")).message.content)
    assert telegram.found == 1  # the dialog of the day before is not yesterday's


async def test_a_busy_day_shows_ten_rows_and_the_rest_in_the_analytics(tmp_path: Path) -> None:
    names = [f"Сотрудник {chr(ord('А') + n)}{'ь' * 60}" for n in range(13)]
    records = [
        dialog(100 * n + k, "whatsapp", name, local(YESTERDAY, 10, k))
        for n, name in enumerate(names)
        for k in range(n + 1)
    ]
    database = await asyncio.to_thread(archive_of, tmp_path, records)
    try:
        async with running_bot(database, make_settings(database_url(database))) as api:
            head = api.user(HEAD_ID)
            subscribe(database, HEAD_ID)
            settings = make_settings(database_url(database))
            await scheduler(database, api, settings, Clock(local(TODAY, 9))).tick()
            [sent] = received(api, HEAD_ID)
            lines = sent.content.split("\n")
            assert lines[4].startswith("1. Сотрудник М") and lines[4].endswith("… — 13 (+13)")
            assert "…и ещё 3: 6 диалогов" in lines  # 3 + 2 + 1
            assert len(sent.content) <= 4096
            assert sent.button_texts()[-1] == "Все сотрудники за этот день"
            assert len(sent.button_texts()) == 11 + 1  # ten employees, one channel, the analytics
            analytics = (await tap(head, sent, "Все сотрудники за этот день")).message
            assert analytics.message_id != sent.message_id
            assert "02.12.2026" in analytics.content and "Сотрудник М" in analytics.content
    finally:
        database.sync_engine.dispose()


# --- The schedule ----------------------------------------------------------------------------------------


async def test_it_comes_at_its_minute_once_and_a_missed_one_the_same_day_only(
    api: BotAPIEmulator, database: Database
) -> None:
    subscribe(database, HEAD_ID)
    clock = Clock(local(TODAY, 8, 59))
    schedule = scheduler(database, api, make_settings(database_url(database)), clock)
    assert await schedule.tick() == 0
    clock.now = local(TODAY, 9)
    assert await schedule.tick() == 1
    clock.now = local(TODAY, 9, 1)
    assert await schedule.tick() == 0
    clock.now = local(TODAY, 23, 59)
    assert await schedule.tick() == 0
    assert len(received(api, HEAD_ID)) == 1
    # the bot was down all the next morning: the digest comes when it starts, at 15:00 that day
    later = TODAY + timedelta(days=1)
    clock.now = local(later, 15)
    assert await scheduler(database, api, make_settings(database_url(database)), clock).tick() == 1
    assert received(api, HEAD_ID)[-1].content.startswith("Сводка за четверг, 03.12.2026")
    # down from before 09:00 on the 5th until after midnight: the 5th's digest is not sent on the 6th
    # before the 6th's time, and the 6th's comes at its time (yesterday: the 5th)
    clock.now = local(later + timedelta(days=2), 8, 30)
    assert await schedule.tick() == 0
    clock.now = local(later + timedelta(days=2), 9)
    assert await schedule.tick() == 1
    assert received(api, HEAD_ID)[-1].content.startswith("Сводка за субботу, 05.12.2026")
    assert len(received(api, HEAD_ID)) == 3


def test_the_scheduled_moment_across_both_dst_changes_of_berlin() -> None:
    # 28.03.2027: 02:00 CET becomes 03:00 CEST; 02:30 does not exist, the first moment after is 03:00
    assert scheduled_at(date(2027, 3, 28), 2 * 60 + 30, BERLIN) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert scheduled_at(date(2027, 3, 28), 2 * 60, BERLIN) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert scheduled_at(date(2027, 3, 28), 3 * 60, BERLIN) == datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert scheduled_at(date(2027, 3, 28), NINE, BERLIN) == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)
    # 25.10.2026: 03:00 CEST becomes 02:00 CET; 02:30 occurs twice, the first is 00:30 UTC
    assert scheduled_at(date(2026, 10, 25), 2 * 60 + 30, BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert scheduled_at(date(2026, 10, 25), NINE, BERLIN) == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


async def test_the_digest_comes_once_on_the_days_the_clocks_change(tmp_path: Path) -> None:
    database = await asyncio.to_thread(archive_of, tmp_path, [], zone=BERLIN)
    settings = Settings(
        database_url=database_url(database), admin_ids=[ADMIN_ID], timezone="Europe/Berlin", http_port=0
    )
    subscribe(database, HEAD_ID, minute=2 * 60 + 30)
    try:
        async with BotAPIEmulator() as api:
            api.user(HEAD_ID)
            clock = Clock(datetime(2027, 3, 28, 0, 59, tzinfo=UTC))  # 01:59 CET
            schedule = scheduler(database, api, settings, clock)
            assert await schedule.tick() == 0
            clock.now = datetime(2027, 3, 28, 1, 0, tzinfo=UTC)  # 03:00 CEST: 02:30 was skipped
            assert await schedule.tick() == 1
            clock.now = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
            assert await schedule.tick() == 0
            assert len(received(api, HEAD_ID)) == 1

            clock.now = datetime(2026, 10, 25, 0, 29, tzinfo=UTC)  # 02:29 CEST
            database.run(digest.set_subscription, HEAD_ID, enabled=True, minute=150, language="ru")
            database.run(
                lambda connection: connection.exec_driver_sql(
                    "UPDATE digest_subscriptions SET sent_day = NULL"
                )
            )
            assert await schedule.tick() == 0
            clock.now = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, the first
            assert await schedule.tick() == 1
            clock.now = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the second
            assert await schedule.tick() == 0
            clock.now = datetime(2026, 10, 25, 22, 59, tzinfo=UTC)  # 23:59 CET
            assert await schedule.tick() == 0
            assert len(received(api, HEAD_ID)) == 2
    finally:
        database.sync_engine.dispose()


# --- Restarts and replicas -------------------------------------------------------------------------------


async def test_a_process_killed_after_claiming_leaves_the_digest_to_be_sent_once_when_the_claim_runs_out(
    api: BotAPIEmulator, database: Database
) -> None:
    subscribe(database, HEAD_ID)
    nine = local(TODAY, 9)
    # the process that died at 09:00 had claimed the digest and sent nothing
    assert database.run(digest.claim, HEAD_ID, TODAY, nine, LEASE)
    clock = Clock(nine + timedelta(minutes=1))
    restarted = scheduler(database, api, make_settings(database_url(database)), clock)
    assert await restarted.tick() == 0  # the claim still holds: the dead process might be sending
    clock.now = nine + LEASE
    assert await restarted.tick() == 1
    clock.now = nine + LEASE + timedelta(minutes=1)
    assert await restarted.tick() == 0
    assert len(received(api, HEAD_ID)) == 1


async def test_a_process_stopped_after_sending_leaves_nothing_to_send_again(
    api: BotAPIEmulator, database: Database
) -> None:
    subscribe(database, HEAD_ID)
    subscribe(database, ADMIN_ID)
    clock = Clock(local(TODAY, 9))
    settings = make_settings(database_url(database))
    first = scheduler(database, api, settings, clock)
    stop = asyncio.Event()
    running = asyncio.create_task(first.run(stop))
    while len(received(api, HEAD_ID)) + len(received(api, ADMIN_ID)) < 2:
        await asyncio.sleep(0.01)  # waits for the bot's sends, not for the clock
    stop.set()
    await running
    # the process that starts at the same minute sends nothing again
    assert await scheduler(database, api, settings, clock).tick() == 0
    assert len(received(api, HEAD_ID)) == 1 and len(received(api, ADMIN_ID)) == 1


async def test_a_stop_before_a_digest_is_claimed_leaves_it_to_the_next_process(
    api: BotAPIEmulator, database: Database
) -> None:
    subscribe(database, HEAD_ID)
    clock = Clock(local(TODAY, 9))
    settings = make_settings(database_url(database))
    stopped = asyncio.Event()
    stopped.set()
    assert await scheduler(database, api, settings, clock).send_digests(clock.now, stopped) == 0
    assert await scheduler(database, api, settings, clock).tick() == 1
    assert len(received(api, HEAD_ID)) == 1


async def test_a_failed_send_is_tried_again_a_minute_later(api: BotAPIEmulator, database: Database) -> None:
    subscribe(database, HEAD_ID)
    api.user(HEAD_ID)
    # a refusal the session does not repeat
    api.fail_next("sendMessage", error_code=409, description="Conflict: injected")
    clock = Clock(local(TODAY, 9))
    schedule = scheduler(database, api, make_settings(database_url(database)), clock)
    assert await schedule.tick() == 0
    clock.now += timedelta(seconds=30)
    assert await schedule.tick() == 0
    clock.now = local(TODAY, 9) + RETRY
    assert await schedule.tick() == 1
    assert len(received(api, HEAD_ID)) == 1


async def test_two_schedulers_on_one_archive_send_each_digest_once(tmp_path: Path) -> None:
    database = await asyncio.to_thread(archive_of, tmp_path, RECORDS)
    heads = list(range(7001, 7011))
    for telegram_id in heads:
        database.run(add_user, telegram_id, Role.HEAD, None)
        subscribe(database, telegram_id)
    other = Database(database_url(database))  # the second replica's own engine
    settings = make_settings(database_url(database))
    try:
        async with BotAPIEmulator() as api:
            for telegram_id in heads:
                api.user(telegram_id)
            clock = Clock(local(TODAY, 9))
            one, two = scheduler(database, api, settings, clock), scheduler(other, api, settings, clock)
            sent = await asyncio.gather(one.tick(), two.tick(), one.tick(), two.tick())
            assert sum(sent) == len(heads)
            assert [len(received(api, telegram_id)) for telegram_id in heads] == [1] * len(heads)
    finally:
        with contextlib.suppress(Exception):
            await other.dispose()
        database.sync_engine.dispose()


async def test_a_hundred_digests_at_nine_keep_within_telegrams_limits(tmp_path: Path) -> None:
    database = await asyncio.to_thread(archive_of, tmp_path, RECORDS)
    heads = list(range(8001, 8101))
    for telegram_id in heads:
        database.run(add_user, telegram_id, Role.HEAD, None)
        subscribe(database, telegram_id)
    try:
        # the emulator answers 429 (and fails the test) past ~30 new messages a second
        async with BotAPIEmulator(flood=FloodLimits()) as api:
            for telegram_id in heads:
                api.user(telegram_id)
            clock = Clock(local(TODAY, 9))
            assert await scheduler(database, api, make_settings(database_url(database)), clock).tick() == 100
            assert all(len(received(api, telegram_id)) == 1 for telegram_id in heads)
    finally:
        database.sync_engine.dispose()


# --- Silence alerts -----------------------------------------------------------------------------------------


def silence_records() -> list[DialogRecord]:
    """WhatsApp busy from 10:00 to 11:00 and from 15:00 to 16:00 on the four Thursdays before TODAY (six
    dialogs each time), Telegram quiet then (two); today both had a dialog at 09:30, and none since."""
    records = []
    number = 1000
    for weeks in range(1, 5):
        day = TODAY - timedelta(days=7 * weeks)
        for hour in (10, 15):
            for minute in range(6):
                records.append(dialog(number, "whatsapp", "Анна Смирнова", local(day, hour, 10 * minute + 5)))
                number += 1
        for minute in range(2):
            records.append(dialog(number, "telegram", "Фёдор Орлов", local(day, 10, 30 * minute + 5)))
            number += 1
    records.append(dialog(number, "whatsapp", "Анна Смирнова", local(TODAY, 9, 30)))
    records.append(dialog(number + 1, "telegram", "Фёдор Орлов", local(TODAY, 9, 30)))
    return records


async def test_a_busy_channel_fallen_silent_is_told_once_to_those_with_the_digest_on(tmp_path: Path) -> None:
    database = await asyncio.to_thread(archive_of, tmp_path, silence_records())
    subscribe(database, HEAD_ID, minute=23 * 60 + 59)  # no digest in the way
    database.run(digest.set_subscription, ADMIN_ID, enabled=False, minute=NINE, language="ru")
    settings = make_settings(database_url(database))
    try:
        async with BotAPIEmulator() as api:
            api.user(HEAD_ID)
            api.user(ADMIN_ID)
            clock = Clock(local(TODAY, 10, 59))  # not yet two silent hours of the working day (from 09)
            schedule = scheduler(database, api, settings, clock)
            await schedule.tick()
            assert received(api, HEAD_ID, "🔕") == []
            clock.now = local(TODAY, 11, 30)  # 09:30–11:30 silent; six then on Thursdays, Telegram two
            await schedule.tick()
            [alert] = received(api, HEAD_ID, "🔕")
            assert alert.content == (
                "🔕 🟢 WhatsApp: ни одного диалога уже 2 ч, последний — в 09:30."
                " Обычно в эти часы по четвергам их около 6."
            )
            for minutes in (1, 30, 90):  # the same silence, also seen by another process: told once
                clock.now = local(TODAY, 11, 30) + timedelta(minutes=minutes)
                await scheduler(database, api, settings, clock).tick()
            assert len(received(api, HEAD_ID, "🔕")) == 1
            assert received(api, ADMIN_ID, "🔕") == []  # their digest is off
            # a dialog at 13:10 ends the silence; the next one, in the busy hour from 15:00, is told again
            store_records(
                database.sync_engine,
                [dialog(5000, "whatsapp", "Анна Смирнова", local(TODAY, 13, 10))],
                zone=ZONE,
            )
            clock.now = local(TODAY, 14, 0)
            await schedule.tick()
            assert len(received(api, HEAD_ID, "🔕")) == 1
            clock.now = local(TODAY, 16, 30)  # 14:30–16:30: six on Thursdays, none today
            await schedule.tick()
            alerts = received(api, HEAD_ID, "🔕")
            assert len(alerts) == 2 and "последний — в 13:10" in alerts[1].content
    finally:
        database.sync_engine.dispose()


async def test_no_alert_outside_working_hours(tmp_path: Path) -> None:
    database = await asyncio.to_thread(archive_of, tmp_path, silence_records())
    subscribe(database, HEAD_ID, minute=23 * 60 + 59)
    settings = make_settings(database_url(database)).model_copy(update={"work_hours": "09-11"})
    try:
        async with BotAPIEmulator() as api:
            api.user(HEAD_ID)
            clock = Clock(local(TODAY, 11, 30))
            await scheduler(database, api, settings, clock).tick()
            assert received(api, HEAD_ID, "🔕") == []
    finally:
        database.sync_engine.dispose()


async def test_the_digest_comes_in_the_language_the_person_chose(
    api: BotAPIEmulator, database: Database
) -> None:
    subscribe(database, HEAD_ID, language="ru")
    database.run(choose_language, HEAD_ID, "en")  # /language after the digest was set
    settings = make_settings(database_url(database))
    assert await scheduler(database, api, settings, Clock(local(TODAY, 9))).tick() == 1
    [sent] = received(api, HEAD_ID, "Digest of")
    assert sent.content.split("\n")[:5] == [
        "Digest of Wednesday, 02.12.2026",
        "Dialogs: 5 (+2 on 25.11)",
        "",
        "👤 Employees",
        "1. Анна Смирнова — 3 (+2)",
    ]
    assert "3. Closed automatically — 1 (+1)" in sent.content.split("\n")


# --- The slowest first responses and the reviews due ------------------------------------------------------


def talk(
    number: int,
    employee: str | None,
    client: str | None,
    lines: list[tuple[Sender, int]] | None,
    completed: datetime,
    phone: str | None = None,
) -> DialogRecord:
    """A dialog with its transcript (`lines`: who, seconds after its start three hours before it was
    completed; None: no transcript)."""
    start = completed - timedelta(hours=3)
    messages = None
    if lines is not None:
        messages = tuple(
            MessageRecord(start + timedelta(seconds=at), sender, None, "…") for sender, at in lines
        )
    return DialogRecord(
        source_id=f"t-{number}",
        client_name=client,
        client_phone=phone,
        channel="whatsapp",
        completed_by=employee,
        started_at=start,
        completed_at=completed,
        message_count=len(lines or ()),
        messages=messages,
    )


ANNA, FYODOR, BORIS = "Анна Смирнова", "Фёдор Орлов", "Борис Ким"
NO_NAME_PHONE = "+79134567821"
# Yesterday: six answered or not, one without a transcript, one whose client never wrote; the day before
# and today one unanswered each (not yesterday's). The week of 23.11–29.11 (the review queue of the week
# the digest is sent in): three dialogs, Анна's on the same weekday as yesterday.
TALKS = [
    talk(1, ANNA, "Иван Петров", [("client", 0), ("employee", 65 * 60)], local(YESTERDAY, 10)),
    talk(2, FYODOR, None, [("client", 0), ("bot", 5)], local(YESTERDAY, 11), phone=NO_NAME_PHONE),
    talk(3, ANNA, "Ольга Ким", [("client", 0), ("employee", 40)], local(YESTERDAY, 12)),
    talk(4, FYODOR, "Пётр Сидоров", [("client", 0), ("employee", 20 * 60)], local(YESTERDAY, 13)),
    talk(5, None, "Сергей Новиков", [("client", 0)], local(YESTERDAY, 14)),
    talk(6, ANNA, "Мария Белова", [("client", 0), ("employee", 4 * 60)], local(YESTERDAY, 15)),
    talk(7, ANNA, "Без переписки", None, local(YESTERDAY, 16)),
    talk(8, FYODOR, "Клиент молчал", [("employee", 0)], local(YESTERDAY, 17)),
    talk(9, ANNA, "Позавчерашний", [("client", 0)], local(YESTERDAY - timedelta(days=1), 12)),
    talk(10, ANNA, "Сегодняшний", [("client", 0)], local(TODAY, 0, 30)),
    talk(11, ANNA, "Неделя первый", None, local(WEEK_BEFORE, 10)),
    talk(12, ANNA, "Неделя второй", None, local(WEEK_BEFORE + timedelta(days=1), 10)),
    talk(13, BORIS, "Неделя третий", None, local(WEEK_BEFORE + timedelta(days=2), 10)),
]
SLOWEST = [  # the rows of the digest's section, numbered on from the employees (3) and channels (1)
    "5. автозакрытие · Сергей Новиков — без ответа",  # both unanswered: the later dialog first, as the list
    "6. Фёдор Орлов · +7 913 456-78-21 — без ответа",
    "7. Анна Смирнова · Иван Петров — 1 ч 05 мин",
    "8. Фёдор Орлов · Пётр Сидоров — 20 мин",
    "9. Анна Смирнова · Мария Белова — 4 мин",
]
ALL_BY_RESPONSE = "⏱ Все за день по времени ответа"
OPEN_QUEUE = "Открыть очередь проверки"


@pytest.fixture
def talks(tmp_path: Path) -> Iterator[Database]:
    database = archive_of(tmp_path, TALKS)
    yield database
    database.sync_engine.dispose()


async def test_the_digest_names_the_slowest_first_responses_and_the_reviews_due(talks: Database) -> None:
    settings = make_settings(database_url(talks))
    async with running_bot(talks, settings) as api:
        head = api.user(HEAD_ID)
        subscribe(talks, HEAD_ID)
        assert await scheduler(talks, api, settings, Clock(local(TODAY, 9))).tick() == 1
        [sent] = received(api, HEAD_ID)
        assert sent.content.split("\n") == [
            "Сводка за среду, 02.12.2026",
            "Диалогов: 8 (+7 к 25.11)",
            "",
            "👤 Сотрудники",
            "1. Анна Смирнова — 4 (+3)",
            "2. Фёдор Орлов — 3 (+3)",
            "3. Закрыты автоматически — 1 (+1)",
            "",
            "📨 Каналы",
            "4. 🟢 WhatsApp — 8 (+7)",
            "",
            "🐢 Самые долгие первые ответы",
            *SLOWEST,
            "",
            "🔎 Проверка качества",
            "Осталось проверить 3 из 3 диалогов очереди за неделю 23.11–29.11.",
            "",
            "В скобках — разница с тем же днём неделей раньше. Нажмите номер — откроется список этих"
            " диалогов, а у долгого ответа — сам диалог.",
        ]
        assert sent.button_texts() == [*(str(number) for number in range(1, 10)), ALL_BY_RESPONSE, OPEN_QUEUE]

        # a row: the dialog's card, as a new message under the digest
        card = (await tap(head, sent, "7")).message
        assert card.message_id != sent.message_id
        assert "<b>Иван Петров</b>" in (card.source or "")
        assert "⏱ Первый ответ: 1 ч 05 мин" in card.content
        nameless = (await tap(head, sent, "6")).message
        assert "Номер: +7 913 456-78-21" in nameless.content  # a head sees the number in full
        assert "⏱ Первый ответ: без ответа" in nameless.content
        # its way back: the list of that day, slowest first, in the card's message
        listed = (await tap(head, card, "⬅ К списку")).message
        assert listed.message_id == card.message_id
        slowest_first = ["Сергей Новиков", "Без имени", "Иван Петров", "Пётр Сидоров", "Мария Белова"]
        assert [entry.client for entry in parse_list(listed.content).entries] == slowest_first

        # «все»: the whole day by first response, slowest first, as a new message; the dialogs the digest
        # leaves out come after (the 40 s), the ones without a figure last
        every = (await tap(head, sent, ALL_BY_RESPONSE)).message
        assert every.message_id not in (sent.message_id, card.message_id)
        page = parse_list(every.content)
        assert page.found == 8 and "02.12.2026" in every.content
        assert [entry.client for entry in page.entries] == slowest_first
        assert [entry.messages for entry in page.entries][:3] == [
            "⏱ ответ: без ответа",
            "⏱ ответ: без ответа",
            "⏱ ответ: 1 ч 05 мин",
        ]
        rest = parse_list((await tap(head, every, "▶")).message.content).entries
        assert [(entry.client, entry.messages) for entry in rest] == [
            ("Ольга Ким", "⏱ ответ: 40 с"),
            ("Клиент молчал", "⏱ ответ: клиент не писал"),
            ("Без переписки", "⏱ ответ: нет переписки"),
        ]

        # the reviews due: the week's queue, as a new message; a mark given there counts in the next digest
        queue = (await tap(head, sent, OPEN_QUEUE)).message
        assert queue.message_id != sent.message_id
        assert "Неделя 23.11–29.11.2026" in queue.content and "Осталось 3 из 3" in queue.content
        card = (await tap(head, queue, "▶️ Начать")).message
        await tap(head, card, "⭐5")
        tomorrow = TODAY + timedelta(days=1)
        assert await scheduler(talks, api, settings, Clock(local(tomorrow, 9))).tick() == 1
        lines = received(api, HEAD_ID)[-1].content.split("\n")
        assert "Осталось проверить 2 из 3 диалогов очереди за неделю 23.11–29.11." in lines
        assert "3. Анна Смирнова · Сегодняшний — без ответа" in lines
        still = api.message(HEAD_ID, sent.message_id)
        assert still is not None and still.content == sent.content  # every screen came under it


async def test_the_sections_come_in_english_too(talks: Database) -> None:
    settings = make_settings(database_url(talks))
    async with running_bot(talks, settings) as api:
        api.user(ENGLISH_ADMIN_ID)
        subscribe(talks, ENGLISH_ADMIN_ID, language="en")
        assert await scheduler(talks, api, settings, Clock(local(TODAY, 9))).tick() == 1
        [sent] = received(api, ENGLISH_ADMIN_ID, "Digest of")
        lines = sent.content.split("\n")
        at = lines.index("🐢 Slowest first responses")
        assert lines[at + 1 : at + 4] == [
            "5. auto-closed · Сергей Новиков — no answer",
            "6. Фёдор Орлов · +7 913 456-78-21 — no answer",
            "7. Анна Смирнова · Иван Петров — 1 h 05 min",
        ]
        assert "3 of the 3 dialogs of the queue for the week 23.11–29.11 left to review." in lines
        assert sent.button_texts()[-2:] == ["⏱ All of the day by response time", "Open the review queue"]


async def test_nothing_to_tell_leaves_both_sections_out(api: BotAPIEmulator, database: Database) -> None:
    """No transcript yesterday: no slow responses; the queue's dialogs all marked: no reviews due."""
    head = api.user(HEAD_ID)
    subscribe(database, HEAD_ID)
    settings = make_settings(database_url(database))
    assert await scheduler(database, api, settings, Clock(local(TODAY, 9))).tick() == 1
    [first] = received(api, HEAD_ID)
    assert "Самые долгие первые ответы" not in first.content
    queue = (await tap(head, first, OPEN_QUEUE)).message
    card = (await tap(head, queue, "▶️ Начать")).message
    for mark in ("⭐5", "⭐4", "⭐3"):
        marked = (await tap(head, card, mark)).message
        card = (await tap(head, marked, "Следующий ▶")).message
    assert "Все диалоги очереди проверены" in card.content
    assert await scheduler(database, api, settings, Clock(local(TODAY + timedelta(days=1), 9))).tick() == 1
    later = received(api, HEAD_ID)[-1]
    assert later.content.startswith("Сводка за четверг, 03.12.2026")
    assert "Проверка качества" not in later.content and "Осталось" not in later.content
    assert "Самые долгие первые ответы" not in later.content
    assert OPEN_QUEUE not in later.button_texts() and ALL_BY_RESPONSE not in later.button_texts()


async def test_a_manager_is_refused_the_queue_from_a_forged_digest_button(
    api: BotAPIEmulator, database: Database
) -> None:
    manager = api.user(MANAGER_ID)
    reply = await say(manager, "/dialogs")
    await manager.press_data(reply.message, DigestQueueCallback(week=20261123).pack())
    answer = await manager.wait_answer()
    assert answer.callback_answer is not None
    assert answer.callback_answer.text == "Проверка качества доступна руководителям и администраторам."
    assert database.run(read_queue, date(2026, 11, 23)) is None  # nothing made or read for them


async def test_a_linked_manager_pressing_a_digests_buttons_sees_their_own_dialogs_alone(
    talks: Database,
) -> None:
    """MANAGER_SCOPE=own: the digest is not theirs, but a button of it pressed (forged, or forwarded) reads
    through their scope like every other: another's dialog has no card, the day's list holds theirs."""
    settings = make_settings(database_url(talks)).model_copy(update={"manager_scope": "own"})
    anna, _ = talks.run(find_employee, ANNA)
    talks.run(add_user, MANAGER_ID, Role.MANAGER, "Пётр", anna)
    async with running_bot(talks, settings) as api:
        subscribe(talks, HEAD_ID)
        api.user(HEAD_ID)
        assert await scheduler(talks, api, settings, Clock(local(TODAY, 9))).tick() == 1
        [sent] = received(api, HEAD_ID)

        def data(label: str) -> str:
            found = sent.find_button(label)
            assert found is not None
            return str(found["callback_data"])

        fyodors, annas, whole_day = data("6"), data("7"), data(ALL_BY_RESPONSE)
        manager = api.user(MANAGER_ID)
        reply = await say(manager, "/dialogs")
        await manager.press_data(reply.message, fyodors)
        answer = await manager.wait_answer()
        assert answer.callback_answer is not None
        assert answer.callback_answer.text == "Этот диалог больше не найден."
        await manager.press_data(reply.message, annas)
        assert "Иван Петров" in (await manager.wait_answer()).message.content
        await manager.press_data(reply.message, whole_day)
        page = parse_list((await manager.wait_answer()).message.content)
        assert page.found == 4 and {entry.completed_by for entry in page.entries} == {ANNA}
