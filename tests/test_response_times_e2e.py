"""Response times (issue 16, point 3), end to end through the emulator (SQLite, and PostgreSQL under
`tests/with-servers`): dialogs imported with their transcripts are sorted by the first response and by the
longest wait both ways — the slowest first, «без ответа» the slowest of all, the dialogs without a figure
last either way —, each entry shows the figure it is sorted by, the card shows both, the analytics give
each employee's median and 90th percentile, and the exports carry both as text.

The clock is set: the dialogs closed this afternoon, seen at 15:00 in the bot's TIMEZONE."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import db.periods
from db.records import DialogRecord, MessageRecord, Sender
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from tests.bot_harness import ADMIN_ID, ENGLISH_ADMIN_ID, ZONE, bot_on, parse_list, say, tap
from tests.test_exports import export

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=ZONE)
MORNING = datetime(2026, 12, 5, 10, 0, tzinfo=ZONE)
ANNA, BORIS = "Анна Смирнова", "Борис Ким"


def dialog(name: str, employee: str, lines: list[tuple[Sender, int]] | None, minute: int) -> DialogRecord:
    """A dialog of the client `name` closed at 14:`minute`; `lines`: (who, minutes after 10:00, or seconds
    when negative — a line in the first minute), None: no transcript."""
    messages = None
    if lines is not None:
        messages = tuple(
            MessageRecord(
                MORNING + (timedelta(seconds=-at) if at < 0 else timedelta(minutes=at)), sender, None, "…"
            )
            for sender, at in lines
        )
    return DialogRecord(
        source_id=f"crm-{name.split()[1]}",
        client_name=name,
        client_phone=None,
        channel="whatsapp",
        completed_by=employee,
        started_at=None,
        completed_at=datetime(2026, 12, 5, 14, minute, tzinfo=ZONE).astimezone(UTC),
        message_count=len(lines or ()),
        messages=messages,
    )


RECORDS = [
    # answered in 4 min (the bot's line at once answers nothing); then waited 10:10 → 11:15; a last
    # «спасибо» nobody answered is no wait
    dialog(
        "Клиент Первый",
        ANNA,
        [
            ("client", 0),
            ("bot", -5),
            ("employee", 4),
            ("client", 10),
            ("client", 12),
            ("employee", 75),
            ("client", 76),
        ],
        1,
    ),
    dialog("Клиент Второй", ANNA, [("client", 0), ("employee", -40)], 2),  # 40 s
    dialog("Клиент Третий", BORIS, [("client", 0), ("bot", -1)], 3),  # never answered
    dialog("Клиент Четвёртый", BORIS, [("employee", 0), ("client", 30), ("employee", 50)], 4),
    dialog("Клиент Пятый", ANNA, None, 5),  # no transcript
    dialog("Клиент Шестой", BORIS, [("employee", 0)], 6),  # the employee wrote, the client never did
]

FIRST_SLOWEST = [
    ("Клиент Третий", "⏱ ответ: без ответа"),
    ("Клиент Четвёртый", "⏱ ответ: 20 мин"),
    ("Клиент Первый", "⏱ ответ: 4 мин"),
    ("Клиент Второй", "⏱ ответ: 40 с"),
    ("Клиент Шестой", "⏱ ответ: клиент не писал"),
    ("Клиент Пятый", "⏱ ответ: нет переписки"),
]
FIRST_FASTEST = [FIRST_SLOWEST[n] for n in (3, 2, 1, 0, 4, 5)]
WAIT_SLOWEST = [
    ("Клиент Третий", "⏳ ждал: без ответа"),
    ("Клиент Первый", "⏳ ждал: 1 ч 05 мин"),
    ("Клиент Четвёртый", "⏳ ждал: 20 мин"),
    ("Клиент Второй", "⏳ ждал: 40 с"),
    ("Клиент Шестой", "⏳ ждал: клиент не писал"),
    ("Клиент Пятый", "⏳ ждал: нет переписки"),
]
WAIT_FASTEST = [WAIT_SLOWEST[n] for n in (3, 2, 1, 0, 4, 5)]


@pytest.fixture
async def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BotAPIEmulator]:
    monkeypatch.setattr(db.periods, "utc_now", lambda: NOW.astimezone(UTC))
    async with bot_on(tmp_path, RECORDS) as emulator:
        yield emulator


def entries(message: ChatMessage) -> list[tuple[str, str]]:
    return [(entry.client, entry.messages) for entry in parse_list(message.content).entries]


async def every_entry(user: SimulatedUser, message: ChatMessage) -> list[tuple[str, str]]:
    """The entries of every page from the one shown on (▶ to the last), then back to the first (⏮)."""
    shown = entries(message)
    while "▶" in message.button_texts():
        await tap(user, message, "▶")
        shown += entries(message)
    if "⏮" in message.button_texts():
        await tap(user, message, "⏮")
    return shown


async def sorted_by(user: SimulatedUser, label: str) -> ChatMessage:
    """The list, its sort button `label` tapped once."""
    listed = (await say(user, "/dialogs")).message
    return (await tap(user, listed, label)).message


async def test_each_response_sort_puts_the_slowest_first_and_the_figureless_last_both_ways(
    api: BotAPIEmulator,
) -> None:
    user = api.user(ADMIN_ID)
    listed = await sorted_by(user, "Ответ")
    assert "Сортировка: Первый ответ ↓" in listed.content
    assert await every_entry(user, listed) == FIRST_SLOWEST
    assert "Ответ ↓" in listed.button_texts()
    await tap(user, listed, "Ответ ↓")
    assert "Сортировка: Первый ответ ↑" in listed.content
    assert await every_entry(user, listed) == FIRST_FASTEST

    await tap(user, listed, "Ждал")
    assert "Сортировка: Самое долгое ожидание ↓" in listed.content
    assert await every_entry(user, listed) == WAIT_SLOWEST
    await tap(user, listed, "Ждал ↓")
    assert await every_entry(user, listed) == WAIT_FASTEST

    # eight sorts in three rows that fit a phone; the other sorts show the messages as before
    sort_rows = [row for row in listed.button_rows() if "Клиент" in row or "Кто" in row or "Ответ" in row]
    assert sort_rows == [["Клиент", "Канал", "Номер"], ["Кто", "Дата", "Сообщ."], ["Ответ", "Ждал ↑"]]
    await tap(user, listed, "Дата")
    assert entries(listed)[0] == ("Клиент Шестой", "1 сообщение")


async def test_the_figures_page_with_a_filter(api: BotAPIEmulator) -> None:
    """Anna's dialogs alone (the filter of the employees' report), slowest wait first, two a page."""
    user = api.user(ADMIN_ID)
    screen = (await say(user, "/start")).message
    for label in ("Отдел продаж", "Для руководителя", "Аналитика"):
        await tap(user, screen, label)
    assert f"1. {ANNA} — 3 диалога" in screen.content.split("\n")
    await tap(user, screen, "1")  # her dialogs of the period
    await tap(user, screen, "Ждал")
    assert await every_entry(user, screen) == [
        ("Клиент Первый", "⏳ ждал: 1 ч 05 мин"),
        ("Клиент Второй", "⏳ ждал: 40 с"),
        ("Клиент Пятый", "⏳ ждал: нет переписки"),
    ]


async def test_the_card_shows_both_figures_and_none_where_there_is_no_transcript(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    listed = await sorted_by(user, "Ждал")
    card = (await tap(user, listed, "2")).message
    assert "<b>Клиент Первый</b>" in (card.source or "")
    assert "⏱ Первый ответ: 4 мин" in card.content
    assert "⏳ Самое долгое ожидание: 1 ч 05 мин" in card.content
    await tap(user, card, "⬅ К списку")
    await tap(user, listed, "⏭")
    card = (await tap(user, listed, "6")).message
    assert "⏱ Первый ответ: нет переписки" in card.content
    assert "⏳ Самое долгое ожидание: нет переписки" in card.content
    assert " 0 с" not in card.content and "0 мин" not in card.content
    await tap(user, card, "⬅ К списку")
    await tap(user, listed, "⏮")
    card = (await tap(user, listed, "1")).message
    assert "⏱ Первый ответ: без ответа" in card.content

    english = api.user(ENGLISH_ADMIN_ID, language_code="en")
    listed = (await tap(english, (await say(english, "/dialogs")).message, "Reply")).message
    assert "First response ↓" in listed.content
    shown = [messages for _, messages in await every_entry(english, listed)]
    assert shown[:2] == ["⏱ reply: no answer", "⏱ reply: 20 min"]
    assert shown[-2:] == ["⏱ reply: client never wrote", "⏱ reply: no transcript"]


async def test_the_analytics_give_each_employees_median_and_90th_percentile(api: BotAPIEmulator) -> None:
    """Anna answered first in 40 s and 4 min; Boris in 20 min (his unanswered dialog and the one whose
    client never wrote have no first response to count). To the minute: the statistics keep buckets."""
    user = api.user(ADMIN_ID)
    screen = (await say(user, "/start")).message
    for label in ("Отдел продаж", "Для руководителя", "Аналитика"):
        await tap(user, screen, label)
    lines = screen.content.split("\n")
    anna = lines.index(f"1. {ANNA} — 3 диалога")
    boris = lines.index(f"2. {BORIS} — 3 диалога")
    assert "⏱ Первый ответ: медиана меньше минуты, 90% — не дольше 4 мин" in lines[anna:boris]
    assert "⏱ Первый ответ: медиана 20 мин, 90% — не дольше 20 мин" in lines[boris:]


async def test_the_exports_carry_both_figures_as_text(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    listed = await sorted_by(user, "Ответ")
    sent = await export(user, listed, "⬇ CSV")
    rows = list(csv.reader(io.StringIO(sent.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][8:10] == ["Первый ответ", "Самое долгое ожидание"]
    assert [(row[1], row[8], row[9]) for row in rows[1:]] == [
        ("Клиент Третий", "без ответа", "без ответа"),
        ("Клиент Четвёртый", "20 мин", "20 мин"),
        ("Клиент Первый", "4 мин", "1 ч 05 мин"),
        ("Клиент Второй", "40 с", "40 с"),
        ("Клиент Шестой", "клиент не писал", "клиент не писал"),
        ("Клиент Пятый", "нет переписки", "нет переписки"),
    ]
