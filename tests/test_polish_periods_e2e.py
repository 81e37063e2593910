"""Periods as a head of sales asks for them (issue 15, points 15 and 6), through the emulator, asserting on
what the person sees: «Эта неделя», «Прошлая неделя» and «Прошлый месяц» among the filters' and the
analytics' periods, and each period's channels compared like with like — today so far with yesterday up
to the same time, this month so far with the same days of last month, last month with the whole month
before — saying with what.

The clock is set to Saturday 05.12.2026 09:22 in the bot's TIMEZONE (the moment of the issue's trial):
this week is 30.11–05.12, last week 23.11–29.11, last month November."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import db.periods
from db.engine import Database
from db.importer import store_records
from db.records import DialogRecord
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from tests.bot_harness import (
    ADMIN_ID,
    ENGLISH_ADMIN_ID,
    ZONE,
    database_url,
    make_settings,
    parse_list,
    running_bot,
    say,
    tap,
)
from tests.databases import migrated_database

NOW = datetime(2026, 12, 5, 9, 22, 30, tzinfo=ZONE)  # a Saturday


def dialog(name: str, channel: str, local: datetime) -> DialogRecord:
    """A dialog of the client `name`, completed at the local time `local` (the bot's TIMEZONE)."""
    return DialogRecord(
        source_id=f"crm-{name}",
        client_name=name,
        client_phone=None,
        channel=channel,
        completed_by="Анна Смирнова",
        started_at=None,
        completed_at=local.replace(tzinfo=ZONE).astimezone(UTC),
        message_count=3,
        messages=None,
    )


def at(day: int, month: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute)


TODAY = [
    dialog("Сегодня Утро", "whatsapp", at(5, 12, 8, 10)),
    dialog("Сегодня Девять", "whatsapp", at(5, 12, 9, 0)),
    dialog("Сегодня Телеграм", "telegram", at(5, 12, 9, 5)),
]
YESTERDAY = [
    dialog("Вчера Утро", "whatsapp", at(4, 12, 8, 30)),  # before 09:22: today is compared with it
    dialog("Вчера Десять", "whatsapp", at(4, 12, 10, 0)),
    dialog("Вчера Телеграм", "telegram", at(4, 12, 15, 0)),
    dialog("Вчера Вечер", "whatsapp", at(4, 12, 20, 0)),
]
THIS_WEEK_BEFORE = [
    dialog("Понедельник Полночь", "viber", at(30, 11, 0, 10)),  # this week's first minutes
    dialog("Среда ВК", "vk", at(2, 12, 10, 0)),
]
LAST_WEEK = [
    dialog("Понедельник Прошлый", "telegram", at(23, 11, 11, 0)),
    dialog("Суббота Утро", "vk", at(28, 11, 8, 0)),  # before 09:22 on last week's Saturday
    dialog("Суббота День", "avito", at(28, 11, 12, 0)),
    dialog("Воскресенье Поздно", "viber", at(29, 11, 23, 30)),  # last week's last minutes
]
EARLY_NOVEMBER = [
    dialog("Первое Ноября", "vk", at(1, 11, 12, 0)),
    dialog("Пятое Утро", "vk", at(5, 11, 9, 0)),  # before 09:22 on the 5th: this month is compared with it
    dialog("Пятое Вечер", "vk", at(5, 11, 18, 0)),
]
WEEK_BEFORE_LAST = [dialog("Воскресенье Раньше", "viber", at(22, 11, 22, 0))]
OCTOBER = [
    dialog("Первое Октября", "vk", at(1, 10, 12, 0)),
    dialog("Середина Октября", "vk", at(15, 10, 12, 0)),
]
DATASET = [
    *TODAY,
    *YESTERDAY,
    *THIS_WEEK_BEFORE,
    *LAST_WEEK,
    *EARLY_NOVEMBER,
    *WEEK_BEFORE_LAST,
    *OCTOBER,
]
ANALYTICS_PERIOD_ROWS = [
    ["Сегодня", "Вчера"],
    ["Эта неделя", "Прошлая неделя"],
    ["Этот месяц", "Прошлый месяц"],
    ["7 дней", "30 дней"],
    ["✏️ Свои даты"],
]


@pytest.fixture
async def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotAPIEmulator]:
    monkeypatch.setattr(db.periods, "utc_now", lambda: NOW.astimezone(UTC))
    database: Database = await asyncio.to_thread(migrated_database, tmp_path)
    store_records(database.sync_engine, DATASET, zone=ZONE)
    try:
        async with running_bot(database, make_settings(database_url(database))) as emulator:
            yield emulator
    finally:
        database.sync_engine.dispose()


def names(records: list[DialogRecord]) -> list[str]:
    """The clients as the list shows them: newest first."""
    return [r.client_name or "" for r in sorted(records, key=lambda r: r.completed_at, reverse=True)]


async def listed_clients(user: SimulatedUser, message: ChatMessage) -> list[str]:
    clients = [entry.client for entry in parse_list(message.content).entries]
    while message.find_button("▶") is not None:
        await tap(user, message, "▶")
        clients += [entry.client for entry in parse_list(message.content).entries]
    return clients


async def period_choices(user: SimulatedUser, message: ChatMessage) -> None:
    """⚙️ Фильтры → 📅 Период: the period choices on screen."""
    await tap(user, message, "⚙️ Фильтры")
    period = next(text for text in message.button_texts() if text.startswith("📅 Период"))
    await tap(user, message, period)


async def show_list(user: SimulatedUser, message: ChatMessage) -> None:
    """A period chosen leads back to the filters screen: its ✅ button shows the list."""
    await tap(user, message, next(text for text in message.button_texts() if text.startswith("✅ ")))


async def analytics(user: SimulatedUser, section: str | None = None) -> ChatMessage:
    """/start → Отдел продаж → Для руководителя → Аналитика (→ a section)."""
    await say(user, "/start")
    menu = user.last_message
    for labels in (
        ("Отдел продаж", "Sales department"),
        ("Для руководителя", "For the head"),
        ("Аналитика", "Analytics"),
    ):
        await tap(user, menu, next(label for label in labels if menu.find_button(label) is not None))
    if section is not None:
        await tap(user, menu, section)
    return menu


def period_rows(message: ChatMessage, first: str) -> list[list[str]]:
    """The keyboard's rows from the one starting with `first` (with or without ✓) to the typed dates."""
    rows = message.button_rows()
    start = next(n for n, row in enumerate(rows) if row[0].removeprefix("✓ ") == first)
    end = next(n for n, row in enumerate(rows) if row[0] in ("✏️ Свои даты", "✏️ Own dates"))
    return [[label.removeprefix("✓ ") for label in row] for row in rows[start : end + 1]]


# --- Point 15: the presets --------------------------------------------------------------------------


async def test_the_filters_offer_this_week_last_week_and_last_month(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = (await say(user, "/dialogs")).message
    await period_choices(user, message)
    assert message.button_rows()[:6] == [
        ["Сегодня", "Вчера"],
        ["Эта неделя", "Прошлая неделя"],
        ["Этот месяц", "Прошлый месяц"],
        ["7 дней", "30 дней"],
        ["✓ Всё время"],
        ["✏️ Свои даты"],
    ]

    await tap(user, message, "Эта неделя")
    await show_list(user, message)
    screen = parse_list(message.content)
    assert "📅 Эта неделя (30.11–05.12)" in screen.header
    this_week = [*TODAY, *YESTERDAY, *THIS_WEEK_BEFORE]
    assert screen.found == len(this_week)
    assert await listed_clients(user, message) == names(this_week)

    await period_choices(user, message)
    assert "✓ Эта неделя" in message.button_texts()
    await tap(user, message, "Прошлая неделя")  # Monday 23.11 00:00 to Sunday 29.11 23:59
    await show_list(user, message)
    screen = parse_list(message.content)
    assert "📅 Прошлая неделя (23.11–29.11)" in screen.header
    assert await listed_clients(user, message) == names(LAST_WEEK)

    await period_choices(user, message)
    await tap(user, message, "Прошлый месяц")
    await show_list(user, message)
    screen = parse_list(message.content)
    assert "📅 Прошлый месяц (01.11–30.11)" in screen.header
    november = [*LAST_WEEK, *EARLY_NOVEMBER, *WEEK_BEFORE_LAST, THIS_WEEK_BEFORE[0]]  # 30.11 is a Monday
    assert await listed_clients(user, message) == names(november)


async def test_the_analytics_offer_them_too_and_name_the_period(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    screen = await analytics(user)
    assert period_rows(screen, "Сегодня") == ANALYTICS_PERIOD_ROWS
    assert "✓ 7 дней" in screen.button_texts()

    await tap(user, screen, "Прошлая неделя")
    assert "Сотрудники · Прошлая неделя (23.11–29.11)" in screen.content.split("\n")
    assert "Всего: 4 диалога · 12 сообщений" in screen.content
    assert "✓ Прошлая неделя" in screen.button_texts()

    await tap(user, screen, "Эта неделя")
    assert "Сотрудники · Эта неделя (30.11–05.12)" in screen.content.split("\n")
    assert "Всего: 9 диалогов · 27 сообщений" in screen.content

    await tap(user, screen, "Прошлый месяц")
    assert "Сотрудники · Прошлый месяц (01.11–30.11)" in screen.content.split("\n")
    assert "Всего: 9 диалогов · 27 сообщений" in screen.content

    english = api.user(ENGLISH_ADMIN_ID, language_code="en")
    screen = await analytics(english)
    assert period_rows(screen, "Today") == [
        ["Today", "Yesterday"],
        ["This week", "Last week"],
        ["This month", "Last month"],
        ["7 days", "30 days"],
        ["✏️ Own dates"],
    ]


# --- Point 6: comparisons like with like --------------------------------------------------------------


async def test_today_is_compared_with_yesterday_up_to_the_same_time(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    screen = await analytics(user, "📡 Каналы")
    await tap(user, screen, "Сегодня")
    lines = screen.content.split("\n")
    assert "Каналы · Сегодня" in lines
    # three today by 09:22; one yesterday by 09:22 (three more came later that day)
    assert "Всего: 3 · ▲ 200% (было 1)" in lines
    assert "Сравнение со вчерашним днём до 09:22" in lines
    assert lines[lines.index("1. 🟢 WhatsApp") + 1] == "2 (67%) · ▲ 100% (было 1)"
    assert lines[lines.index("2. ✈️ Telegram") + 1] == "1 (33%) · было 0"

    english = api.user(ENGLISH_ADMIN_ID, language_code="en")
    screen = await analytics(english, "📡 Channels")
    await tap(english, screen, "Today")
    assert "Compared with yesterday until 09:22" in screen.content.split("\n")


async def test_this_month_is_compared_with_the_same_days_of_last_month(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    screen = await analytics(user, "📡 Каналы")
    await tap(user, screen, "Этот месяц")
    lines = screen.content.split("\n")
    assert "Каналы · Этот месяц (01.12–05.12)" in lines
    # 01.11 to 05.11 09:22: two dialogs, both VK (not 26.11–30.11, the days just before)
    assert "Всего: 8 · ▲ 300% (было 2)" in lines
    assert "Сравнение с 01.11–05.11 до 09:22" in lines
    assert lines[lines.index("3. 🔵 ВКонтакте") + 1] == "1 (12%) · ▼ 50% (было 2)"


async def test_this_week_is_compared_with_the_same_span_of_last_week(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    screen = await analytics(user, "📡 Каналы")
    await tap(user, screen, "Эта неделя")
    lines = screen.content.split("\n")
    # Monday 23.11 to Saturday 28.11 09:22: the Monday's Telegram and the Saturday morning's VK
    assert "Всего: 9 · ▲ 350% (было 2)" in lines
    assert "Сравнение с 23.11–28.11 до 09:22" in lines
    assert lines[lines.index("3. 🔵 ВКонтакте") + 1] == "1 (11%) · без изменений"
    assert "🏷 Авито" not in lines  # at noon on last week's Saturday: later than now


async def test_finished_periods_are_compared_with_the_whole_one_before(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    screen = await analytics(user, "📡 Каналы")
    await tap(user, screen, "Прошлый месяц")
    lines = screen.content.split("\n")
    assert "Каналы · Прошлый месяц (01.11–30.11)" in lines
    assert "Сравнение с 01.10–31.10" in lines  # the whole of October, its 1st included
    assert "Всего: 9 · ▲ 350% (было 2)" in lines
    assert lines[lines.index("1. 🔵 ВКонтакте") + 1] == "4 (44%) · ▲ 100% (было 2)"

    await tap(user, screen, "Прошлая неделя")
    lines = screen.content.split("\n")
    assert "Сравнение с 16.11–22.11" in lines
    assert "Всего: 4 · ▲ 300% (было 1)" in lines
