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
from db.records import DialogRecord
from db.users import Role, add_user, choose_language
from emulator import BotAPIEmulator, ChatMessage, FloodLimits
from keyboards.callbacks import DigestAction, DigestCallback
from tests.bot_harness import (
    ADMIN_ID,
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
        "В скобках — разница с тем же днём неделей раньше. Нажмите номер — откроется список этих диалогов.",
    ]
    assert sent.button_texts() == ["1", "2", "3", "4", "5", "6"]

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
