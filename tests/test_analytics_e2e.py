"""Analytics end to end: a head opens Аналитика, picks a period by typing it, reads each table, drills down
from a row of each into the dialog list filtered to it, and receives the chart as a photo. Managers do not
get it. The expected figures are computed here from the dataset, by hand."""

from __future__ import annotations

import asyncio
import re
import struct
from collections import Counter
from datetime import date

from db.records import DialogRecord
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.callbacks import RANGE_PERIOD, AnalyticsCallback, FilterCallback
from keyboards.columns import Column
from tests.bot_harness import (
    CHANNELS_RU,
    DATASET,
    HEAD_ID,
    MANAGER_ID,
    SEMYON_PHONE,
    ZONE,
    dialogs_ru,
    expected_entry,
    expected_order,
    parse_list,
    say,
    tap,
)

BY_DATE = Column.COMPLETED_AT
PERIOD = "20.11.2026–21.11.2026"
PATH = "… → Для руководителя → Аналитика"  # one line of a narrow phone


def local_day(record: DialogRecord) -> date:
    return record.completed_at.astimezone(ZONE).date()


IN_PERIOD = [r for r in DATASET if date(2026, 11, 20) <= local_day(r) <= date(2026, 11, 21)]


async def analytics_for_period(user: SimulatedUser) -> ChatMessage:
    """/start → Отдел продаж → Для руководителя → Аналитика → ✏️ Свои даты → the period typed."""
    await say(user, "/start")
    menu = user.last_message
    await tap(user, menu, "Отдел продаж")
    await tap(user, menu, "Для руководителя")
    await tap(user, menu, "Аналитика")
    assert menu.content.startswith(PATH)
    await tap(user, menu, "✏️ Свои даты")
    return (await say(user, PERIOD)).message


def numbered_rows(text: str) -> list[tuple[str, str]]:
    """(title, the line under it) of every numbered row: `1. Анна Смирнова` / `3 диалога · …`."""
    lines = text.split("\n")
    rows: list[tuple[str, str]] = []
    for index, line in enumerate(lines):
        found = re.match(r"^(\d+)\. (.+)$", line)
        if found and index + 1 < len(lines):
            assert int(found[1]) == len(rows) + 1
            rows.append((found[2], lines[index + 1]))
    return rows


async def drill(user: SimulatedUser, message: ChatMessage, number: int) -> ChatMessage:
    await tap(user, message, str(number))
    return message


async def whole_list(user: SimulatedUser, message: ChatMessage) -> list[str]:
    ids = [entry.client for entry in parse_list(message.content).entries]
    while message.find_button("▶") is not None:
        await tap(user, message, "▶")
        ids += [entry.client for entry in parse_list(message.content).entries]
    return ids


def clients_of(records: list[DialogRecord]) -> list[str]:
    ordered = expected_order(BY_DATE, True, records)
    return [expected_entry(r, n, full_phones=True).client for n, r in enumerate(ordered, start=1)]


async def test_employees_table_and_drill_down(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    screen = await analytics_for_period(user)
    assert "<b>Сотрудники</b>" in (screen.source or "") or "Сотрудники · 20.11–21.11.2026" in screen.content
    dialogs = Counter(r.completed_by for r in IN_PERIOD if r.completed_by)
    messages: Counter[str] = Counter()
    for r in IN_PERIOD:
        if r.completed_by:
            messages[r.completed_by] += r.message_count
    expected = sorted(dialogs, key=lambda name: (-dialogs[name], name))
    rows = numbered_rows(screen.content)
    nobody = [r for r in IN_PERIOD if not r.completed_by]
    assert nobody, "the data set closes some dialogs automatically in the period"
    # the dialogs nobody completed come last, numbered after everyone: their list is a tap away too
    assert [title for title, _ in rows] == [
        *(f"{name} — {dialogs_ru(dialogs[name])}" for name in expected),
        f"Закрыты автоматически — {dialogs_ru(len(nobody))}",
    ]
    rows = rows[:-1]
    name_of = {code: label.split(" ", 1)[1] for code, label in CHANNELS_RU.items()}
    lines = screen.content.split("\n")
    for (_, figures), name in zip(rows, expected, strict=True):
        average = round(messages[name] / dialogs[name])
        assert figures.startswith(f"{messages[name]} сообщ") and figures.endswith(f", по {average} на диалог")
        assert lines[lines.index(figures) + 1].startswith("обычно диалог длится ")
        # then the channels this employee worked in most, by name, busiest first, and how many more
        per_channel = Counter(r.channel for r in IN_PERIOD if r.completed_by == name)
        ordered = sorted(per_channel.items(), key=lambda pair: (-pair[1], pair[0]))
        expected_line = " · ".join(f"{name_of[code]} {count}" for code, count in ordered[:2])
        assert lines[lines.index(figures) + 2].startswith(expected_line)
    assert f"Всего: {dialogs_ru(len(IN_PERIOD))}" in screen.content

    top = expected[0]
    listed = await drill(user, screen, 1)
    header = parse_list(listed.content).header
    assert f"👤 {top}" in "\n".join(header) and "📅 20.11–21.11.2026" in "\n".join(header)
    assert await whole_list(user, listed) == clients_of([r for r in IN_PERIOD if r.completed_by == top])

    await tap(user, listed, "⬅ Назад")
    listed = await drill(user, listed, len(expected) + 1)
    filters = "\n".join(parse_list(listed.content).header)
    assert "🤖 Закрыт автоматически" in filters and "📅 20.11–21.11.2026" in filters
    assert await whole_list(user, listed) == clients_of(nobody)


async def test_channels_table_compares_with_the_period_before(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    screen = await analytics_for_period(user)
    await tap(user, screen, "📡 Каналы")
    per_channel = Counter(r.channel for r in IN_PERIOD)
    code_of = {name: code for code, name in CHANNELS_RU.items()}
    rows = numbered_rows(screen.content)
    assert sorted(code_of[title] for title, _ in rows) == sorted(per_channel)
    counts = [int(figures.split(" ")[0]) for _, figures in rows]
    assert counts == sorted(counts, reverse=True)
    for title, figures in rows:
        channel = code_of[title]
        share = round(100 * per_channel[channel] / len(IN_PERIOD))
        assert figures == f"{per_channel[channel]} ({share}%) · было 0"  # nothing on 18–19.11
    lines = screen.content.split("\n")
    assert f"Всего: {len(IN_PERIOD)} · было 0" in lines and "Сравнение с 18.11–19.11" in lines

    top_channel = code_of[rows[0][0]]
    listed = await drill(user, screen, 1)
    assert await whole_list(user, listed) == clients_of([r for r in IN_PERIOD if r.channel == top_channel])


async def test_busiest_days_and_hours(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    screen = await analytics_for_period(user)
    await tap(user, screen, "🕒 Дни и часы")
    per_day = Counter(local_day(r) for r in IN_PERIOD)
    assert per_day == {date(2026, 11, 21): 16, date(2026, 11, 20): 7}
    assert "1. сб 21.11.2026 — 16 диалогов" in screen.content
    assert "2. пт 20.11.2026 — 7 диалогов" in screen.content
    per_hour = Counter(r.completed_at.astimezone(ZONE).hour for r in IN_PERIOD)
    for hour, count in per_hour.items():
        assert re.search(rf"^{hour:02d}:00 █+ {count}$", screen.content, re.MULTILINE)

    listed = await drill(user, screen, 2)
    assert "📅 20.11.2026" in "\n".join(parse_list(listed.content).header)
    assert await whole_list(user, listed) == clients_of([r for r in IN_PERIOD if local_day(r).day == 20])


async def test_most_active_clients(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    screen = await analytics_for_period(user)
    await tap(user, screen, "👥 Клиенты")
    rows = numbered_rows(screen.content)
    assert rows[0] == ("Семён Иванов", f"+7 916 123-45-67 · {dialogs_ru(2)}")
    assert all(figures.endswith(dialogs_ru(1)) for _, figures in rows[1:])
    listed = await drill(user, screen, 1)
    screen_list = parse_list(listed.content)
    assert f"🔎 «{SEMYON_PHONE}»" in screen_list.header
    assert [entry.client for entry in screen_list.entries] == ["Семён Иванов", "Семён Иванов"]


async def test_the_chart_comes_as_a_photo(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    screen = await analytics_for_period(user)
    await tap(user, screen, "📈 График")
    for _ in range(200):  # drawn in a worker thread after the button is answered
        if user.photos:
            break
        await asyncio.sleep(0.05)
    photo = user.photos[-1]
    assert photo.data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", photo.data[16:24])
    assert width >= 800 and width + height <= 10_000
    assert photo.caption == f"📈 20.11–21.11.2026: {dialogs_ru(len(IN_PERIOD))}"


async def test_managers_see_no_analytics(api: BotAPIEmulator) -> None:
    user = api.user(MANAGER_ID)
    await say(user, "/start")
    menu = user.last_message
    await tap(user, menu, "Отдел продаж")
    await tap(user, menu, "Для руководителя")
    assert "Аналитика" not in menu.button_texts()
    await user.press_data(menu, AnalyticsCallback().pack())
    reaction = await user.wait_answer()
    assert reaction.callback_answer is not None
    assert reaction.callback_answer.text == "Аналитика доступна руководителям и администраторам."
    assert "Сотрудники" not in menu.content


async def test_forged_analytics_and_filter_buttons_get_a_polite_answer(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    await say(user, "/start")
    menu = user.last_message
    forged = AnalyticsCallback(period=RANGE_PERIOD, first=20261301, last=1).pack()  # no such days
    await user.press_data(menu, forged)
    await user.wait_answer()
    assert menu.content.startswith(PATH) and "Сотрудники · 7 дней" in menu.content

    await user.press_data(menu, FilterCallback(view_id=987_654).pack())  # a stored view that never was
    reaction = await user.wait_answer()
    assert reaction.callback_answer is not None
    assert reaction.callback_answer.text == "Кнопка устарела — открываю список заново."
    assert parse_list(menu.content).found == len(DATASET)
