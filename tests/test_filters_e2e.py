"""The list's filters end to end: channel, employee and period (named and typed), combined with the search
and the sort, shown in the header, taken along by exports and kept across a restart. Every check compares
the whole list, page by page, with the dataset filtered by hand."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import date

from bot.app import build_dispatcher
from db.engine import Database
from db.records import DialogRecord
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.columns import Column
from tests.bot_harness import (
    ADMIN_ID,
    DATASET,
    HEAD_ID,
    PAGE_SIZE,
    ZONE,
    Entry,
    database_url,
    dialogs_ru,
    emulator_bot,
    expected_entry,
    expected_order,
    make_settings,
    parse_list,
    say,
    sort_button,
    tap,
)

BY_CLIENT, BY_DATE = Column.CLIENT, Column.COMPLETED_AT


def local_day(record: DialogRecord) -> date:
    return record.completed_at.astimezone(ZONE).date()


def where(*conditions: Callable[[DialogRecord], bool]) -> list[DialogRecord]:
    return [record for record in DATASET if all(condition(record) for condition in conditions)]


def whatsapp(record: DialogRecord) -> bool:
    return record.channel == "whatsapp"


def on_21st(record: DialogRecord) -> bool:
    return local_day(record) == date(2026, 11, 21)


def with_916(record: DialogRecord) -> bool:
    return record.client_phone is not None and "916" in record.client_phone


def by_anna(record: DialogRecord) -> bool:
    return record.completed_by == "Анна Смирнова"


def expected(column: Column, descending: bool, records: list[DialogRecord]) -> list[Entry]:
    ordered = expected_order(column, descending, records)
    return [expected_entry(r, n, full_phones=True) for n, r in enumerate(ordered, start=1)]


async def whole_list(user: SimulatedUser, message: ChatMessage) -> list[Entry]:
    """Every entry from the first page to the last, by ⏮ and ▶; the list is left on its first page."""
    if message.find_button("⏮") is not None:
        await tap(user, message, "⏮")
    entries = parse_list(message.content).entries
    while message.find_button("▶") is not None:
        await tap(user, message, "▶")
        entries += parse_list(message.content).entries
        assert len(entries) <= len(DATASET)
    if message.find_button("⏮") is not None:
        await tap(user, message, "⏮")
    return entries


def button_starting(message: ChatMessage, prefix: str) -> str:
    for text in message.button_texts():
        if text.startswith(prefix):
            return text
    raise AssertionError(f"no button starting with {prefix!r} among {message.button_rows()!r}")


async def choose(user: SimulatedUser, message: ChatMessage, filter_prefix: str, choice: str) -> None:
    """⚙️ Фильтры → the filter → the choice (back on the filters screen) → ✅ Показать: the list comes back
    filtered, in the same message."""
    await tap(user, message, "⚙️ Фильтры")
    await tap(user, message, button_starting(message, filter_prefix))
    await tap(user, message, button_starting(message, choice))
    await tap(user, message, button_starting(message, "✅ "))


async def test_a_channel_filter_with_sort_and_a_typed_day(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = (await say(user, "/dialogs")).message
    await tap(user, message, "⚙️ Фильтры")
    assert "Фильтры" in message.content.split("\n")[0]
    assert message.button_rows()[:3] == [
        ["📡 Канал: Все каналы"],
        ["👤 Сотрудник: Все сотрудники"],
        ["📅 Период: Всё время"],
    ]
    await tap(user, message, "📡 Канал: Все каналы")
    whatsapp_choice = f"🟢 WhatsApp · {len(where(whatsapp))}"
    assert "✓ Все каналы" in message.button_texts() and whatsapp_choice in message.button_texts()
    await tap(user, message, whatsapp_choice)  # back on the filters screen, which shows what it finds
    assert "📡 Канал: 🟢 WhatsApp" in message.button_texts()
    await tap(user, message, f"✅ Показать {dialogs_ru(len(where(whatsapp)))}")

    screen = parse_list(message.content)
    assert "🟢 WhatsApp" in screen.header
    assert screen.found == len(where(whatsapp))
    assert await whole_list(user, message) == expected(BY_DATE, True, where(whatsapp))

    await tap(user, message, sort_button(message, BY_CLIENT))  # the sort keeps the filter
    assert await whole_list(user, message) == expected(BY_CLIENT, False, where(whatsapp))

    await tap(user, message, "⚙️ Фильтры")
    assert "📡 Канал: 🟢 WhatsApp" in message.button_texts()
    await tap(user, message, "📅 Период: Всё время")
    await tap(user, message, "✏️ Свои даты")
    assert "01.11–15.11" in message.content
    listed = (await say(user, "21.11.2026")).message  # the list comes as a new message
    screen = parse_list(listed.content)
    assert "🟢 WhatsApp · 📅 21.11.2026" in screen.header
    assert "Сортировка: Клиент ↑" in screen.header
    assert await whole_list(user, listed) == expected(BY_CLIENT, False, where(whatsapp, on_21st))


async def test_search_within_filters_and_the_two_resets(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = (await say(user, "/dialogs")).message
    await choose(user, message, "👤 Сотрудник", "Анна Смирнова")
    assert "👤 Анна Смирнова" in parse_list(message.content).header
    assert await whole_list(user, message) == expected(BY_DATE, True, where(by_anna))

    await tap(user, message, "🔎 Поиск")
    listed = (await say(user, "916")).message
    screen = parse_list(listed.content)
    assert "🔎 «916»" in screen.header and "👤 Анна Смирнова" in screen.header
    assert await whole_list(user, listed) == expected(BY_DATE, True, where(by_anna, with_916))

    await tap(user, listed, "✖ Сбросить фильтры")
    screen = parse_list(listed.content)
    assert "🔎 «916»" in screen.header and "Анна" not in "\n".join(screen.header)
    assert screen.found == len(where(with_916))

    await choose(user, listed, "📡 Канал", "🟢 WhatsApp")
    await tap(user, listed, "✖ Сбросить поиск")
    screen = parse_list(listed.content)
    assert "🟢 WhatsApp" in screen.header and "🔎" not in "\n".join(screen.header)
    assert screen.found == len(where(whatsapp))

    # text typed without 🔎 is a search of the whole archive: the filters do not follow it
    plain = (await say(user, "916")).message
    assert "🟢 WhatsApp" not in plain.content and parse_list(plain.content).found == len(where(with_916))


async def test_nothing_matching_reads_well_and_bad_dates_are_asked_again(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    message = (await say(user, "/dialogs")).message
    await tap(user, message, "⚙️ Фильтры")
    await tap(user, message, "📅 Период: Всё время")
    await tap(user, message, "✏️ Свои даты")
    for typed in ("32.13", "вчера и сегодня", "15.11.2026–01.11.2025"):
        reaction = await say(user, typed)
        assert "Не получилось разобрать даты" in reaction.text
    listed = (await say(user, "01.01.2025–02.01.2025")).message
    assert "С этими фильтрами диалогов нет." in listed.content
    assert "✖ Сбросить фильтры" in listed.button_texts()
    await tap(user, listed, "✖ Сбросить фильтры")
    assert parse_list(listed.content).found == len(DATASET)

    await tap(user, listed, "⚙️ Фильтры")
    await tap(user, listed, "📅 Период: Всё время")
    await tap(user, listed, "✏️ Свои даты")
    cancelled = await say(user, "/cancel")
    assert cancelled.text.startswith("Ввод дат отменён.")
    assert parse_list(cancelled.text.split("\n\n", 1)[1]).found == len(DATASET)


async def test_named_periods_count_from_today(api: BotAPIEmulator) -> None:
    """The dataset is fixed in November 2026: whatever today is, "7 days" shows exactly the dialogs of
    today and the six days before it, in the configured zone."""
    user = api.user(ADMIN_ID)
    message = (await say(user, "/dialogs")).message
    await choose(user, message, "📅 Период", "7 дней")
    today = date.today()
    found = where(lambda r: 0 <= (today - local_day(r)).days <= 6)
    screen = parse_list(message.content)
    assert any(line.startswith("📅 7 дней (") for line in screen.header)
    if found:
        assert await whole_list(user, message) == expected(BY_DATE, True, found)
    else:
        assert "С этими фильтрами диалогов нет." in message.content


async def test_an_export_takes_the_filters_along(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    message = (await say(user, "/dialogs")).message
    await choose(user, message, "📡 Канал", "🟢 WhatsApp")
    await tap(user, message, "⬇ CSV")
    for _ in range(200):  # the handler sends the file before it returns; this only guards a slow machine
        if user.documents:
            break
        await asyncio.sleep(0.05)
    sent = user.documents[-1]
    assert sent.caption is not None and "🟢 WhatsApp" in sent.caption
    rows = list(csv.reader(io.StringIO(sent.data.decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [
        r.source_id for r in expected_order(BY_DATE, True, where(whatsapp))
    ]


async def test_a_filtered_list_works_after_a_restart(archive: Database) -> None:
    url = database_url(archive)
    async with BotAPIEmulator() as api:
        user = api.user(ADMIN_ID)
        async with api.run_polling(build_dispatcher(archive, make_settings(url)), emulator_bot(api)):
            message = (await say(user, "/dialogs")).message
            await choose(user, message, "📡 Канал", "🟢 WhatsApp")
            await tap(user, message, "⚙️ Фильтры")
        restarted = Database(url)
        try:
            async with api.run_polling(build_dispatcher(restarted, make_settings(url)), emulator_bot(api)):
                await tap(user, message, f"✅ Показать {dialogs_ru(len(where(whatsapp)))}")
                assert "🟢 WhatsApp" in parse_list(message.content).header
                entries = await whole_list(user, message)
                assert entries == expected(BY_DATE, True, where(whatsapp))
                assert len(entries) > PAGE_SIZE or message.find_button("▶") is None
        finally:
            await restarted.dispose()
