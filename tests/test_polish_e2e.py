"""Polish for a head of sales on a phone (issue 15), through the emulator, asserting on what the person
sees: the transcript's ends one tap away and its days named, /cancel with nothing to cancel, and the card
of the one dialog a whole number finds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from db.records import DialogRecord, MessageRecord
from emulator import BotAPIEmulator
from keyboards.columns import Column
from tests.bot_harness import (
    ADMIN_ID,
    bot_on,
    parse_list,
    say,
    sort_button,
    tap,
)

# 23:40 on 20 November in the bot's TIMEZONE (UTC+7): seventeen messages three minutes apart end after
# midnight
START = datetime(2026, 11, 20, 16, 40, tzinfo=UTC)
LONG = DialogRecord(
    source_id="crm-long",
    client_name="Долгий Разговор",
    client_phone="+79165550017",
    channel="whatsapp",
    completed_by="Анна Смирнова",
    started_at=START,
    completed_at=START + timedelta(minutes=48),
    message_count=17,
    messages=tuple(
        MessageRecord(
            at=START + timedelta(minutes=3 * n),
            sender="client" if n % 2 == 0 else "employee",
            author="Долгий Разговор" if n % 2 == 0 else "Анна Смирнова",
            text=f"Реплика {n + 1}",
        )
        for n in range(17)
    ),
)


TWINS = [
    DialogRecord(
        source_id=f"crm-twin-{n}",
        client_name="Двойной Звонок",
        client_phone="+79165550099",
        channel="telegram",
        completed_by="Анна Смирнова",
        started_at=None,
        completed_at=START - timedelta(days=n),
        message_count=2,
        messages=None,
    )
    for n in (1, 2)
]

NAMELESS = DialogRecord(
    source_id="crm-nameless",
    client_name=None,
    client_phone="+79165550055",
    channel="whatsapp",
    completed_by=None,
    started_at=None,
    completed_at=START,
    message_count=1,
    messages=None,
)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[BotAPIEmulator]:
    async with bot_on(tmp_path, [LONG, *TWINS, NAMELESS]) as emulator:
        yield emulator


async def test_the_transcript_jumps_to_its_end_and_names_the_days_of_a_dialog_over_midnight(
    api: BotAPIEmulator,
) -> None:
    user = api.user(ADMIN_ID)
    message = (await say(user, "долгий разговор")).message
    await tap(user, message, "1")
    lines = message.content.split("\n")
    assert "Переписка: 1–8 из 17" in lines
    assert "👤 Долгий Разговор 20.11 23:40" in lines  # the day, as the dialog runs over midnight
    assert message.button_rows()[0] == ["Дальше ▶", "⏭"]

    await tap(user, message, "⏭")  # the end at once: the last messages are what a head reads
    lines = message.content.split("\n")
    assert "Переписка: 17 из 17" in lines
    assert "👤 Долгий Разговор 21.11 00:28" in lines and "Реплика 17" in lines
    assert message.button_rows()[0] == ["⏮", "◀ Раньше"]

    await tap(user, message, "◀ Раньше")
    assert "Переписка: 9–16 из 17" in message.content.split("\n")
    assert message.button_rows()[0] == ["◀ Раньше", "Дальше ▶"]  # the ends are one step away already
    await tap(user, message, "◀ Раньше")
    assert "Переписка: 1–8 из 17" in message.content.split("\n")


async def test_cancel_with_nothing_asked_says_so_and_sends_no_list(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    reaction = await say(user, "/cancel")
    assert [sent.content for sent in reaction.sent] == [
        "Отменять нечего: бот ничего у вас не спрашивал. Список диалогов — /dialogs."
    ]
    assert reaction.sent[0].button_rows() == []


async def test_a_whole_number_of_one_dialog_opens_its_card_and_the_list_is_one_tap_away(
    api: BotAPIEmulator,
) -> None:
    user = api.user(ADMIN_ID)
    reaction = await say(user, "8 916 555-00-17")
    card = reaction.message
    lines = card.content.split("\n")
    assert lines[0] == "🔎 По этому номеру найден один диалог — вот он. К списку — кнопкой ниже."
    assert "Долгий Разговор" in lines and "Номер: +7 916 555-00-17" in lines
    assert card.button_rows()[-1] == ["⬅ К списку"]
    listed = parse_list((await tap(user, card, "⬅ К списку")).text)
    assert [entry.client for entry in listed.entries] == ["Долгий Разговор"]

    # two dialogs of a number, or one found by part of a number: the list, as before
    assert [e.client for e in parse_list((await say(user, "8 916 555-00-99")).text).entries] == [
        "Двойной Звонок",
        "Двойной Звонок",
    ]
    assert [e.client for e in parse_list((await say(user, "5550017")).text).entries] == ["Долгий Разговор"]


async def test_a_client_without_a_name_reads_as_such_not_as_a_masked_number(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)  # an admin, who sees the number in full on the line below
    card = (await say(user, "8 916 555-00-55")).message
    lines = card.content.split("\n")
    assert lines[3] == "Без имени" and "Номер: +7 916 555-00-55" in lines
    assert "***" not in card.content
    listed = parse_list((await tap(user, card, "⬅ К списку")).text)
    assert [(entry.client, entry.phone) for entry in listed.entries] == [("Без имени", "+7 916 555-00-55")]


async def test_sorted_by_client_the_nameless_come_last_both_ways(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    listed = (await say(user, "/dialogs")).message
    clients = []
    for _ in range(2):  # А→Я, then Я→А
        listed = (await tap(user, listed, sort_button(listed, Column.CLIENT))).message
        clients.append([entry.client for entry in parse_list(listed.content).entries])
    assert clients == [
        ["Двойной Звонок", "Двойной Звонок", "Долгий Разговор", "Без имени"],
        ["Долгий Разговор", "Двойной Звонок", "Двойной Звонок", "Без имени"],
    ]


async def test_on_a_narrow_phone_a_dialog_keeps_three_short_lines_and_a_card_one_breadcrumb_line(
    api: BotAPIEmulator,
) -> None:
    """A 360-dp phone wraps lines of 35 characters: this year goes unsaid in the list, and a breadcrumb
    deeper than the list's keeps the levels nearest the screen."""
    user = api.user(ADMIN_ID)
    listed = (await say(user, "/dialogs")).message
    entries = parse_list(listed.content).entries
    year = datetime.now(UTC).year  # the archive's dialogs are of 2026: named only in another year
    shown = "21.11 00:28" if year == 2026 else "21.11.2026 00:28"
    [long] = [entry for entry in entries if entry.client == "Долгий Разговор"]
    assert (long.completed_at, long.completed_by) == (shown, "Анна Смирнова")
    for entry in entries:  # the lines under the client's: number and size, when and by whom
        assert len(f"{entry.phone} · {entry.messages}") <= 32
        assert len(f"{entry.completed_at} · {entry.completed_by}") <= 32
    card = (await tap(user, listed, "1")).message
    assert card.content.split("\n")[0] == "… → Список диалогов → Диалог"
