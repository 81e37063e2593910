"""One client, all dialogs (issue 15, #16), through the emulator, asserting on what the person sees: from a
dialog's card one tap lists every dialog of that client — by the number, else by the whole name — across
channels, newest first, the client and the count in the header; a card opened from there comes back to
it. A manager reads the number masked, and the button's data carries nothing but a stored view's id."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from db.engine import Database, run_sql
from db.importer import store_records
from db.records import DialogRecord, MessageRecord
from db.users import Role, add_user
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.callbacks import ClientListCallback
from tests.bot_harness import (
    BASE,
    BREADCRUMB,
    HEAD_ID,
    MANAGER_ID,
    ZONE,
    database_url,
    every_text,
    listed_time,
    make_settings,
    parse_list,
    running_bot,
    say,
    tap,
)
from tests.databases import migrated_database

VERA_PHONE = "+79161110022"
VERA_FULL, VERA_MASKED = "+7 916 111-00-22", "+7 916 ***-**-22"
NAMED_BY_NUMBER = "Иван +79162000002"  # a CRM that named an unknown contact by the number, no number field
_MINUTES = itertools.count(1)  # each dialog a minute of its own: an entry is found on its list by its time


def dialog(
    source_id: str,
    name: str | None,
    phone: str | None,
    channel: str,
    days: int,
    *,
    last_words: str | None = None,
) -> DialogRecord:
    completed = BASE + timedelta(days=days, hours=3, minutes=next(_MINUTES))
    messages = None
    if last_words is not None:
        messages = (
            MessageRecord(completed - timedelta(minutes=9), "employee", "Анна Смирнова", "Чем помочь?"),
            MessageRecord(completed - timedelta(minutes=5), "client", name, last_words),
        )
    return DialogRecord(
        source_id=source_id,
        client_name=name,
        client_phone=phone,
        channel=channel,
        completed_by="Анна Смирнова",
        started_at=completed - timedelta(minutes=10),
        completed_at=completed,
        message_count=2,
        messages=messages,
    )


RECORDS = [
    # Вера, by her number: four dialogs in four channels, under two names and none
    dialog("vera-1", "Вера Котова", VERA_PHONE, "whatsapp", 1),
    dialog("vera-2", "Вера Котова", VERA_PHONE, "telegram", 3),
    dialog("vera-3", None, VERA_PHONE, "vk", 2),
    dialog("vera-4", "Вера К.", VERA_PHONE, "email", 5, last_words="Беру синий, доставка в пятницу"),
    # another Вера Котова, another number: another client
    dialog("other-vera", "Вера Котова", "+79161110033", "avito", 4),
    # Алёна, with no number: by her whole name (any case, ё = е), not by names that hold it
    dialog("alena-1", "Алёна Королёва", None, "vk", 1),
    dialog("alena-2", "Алёна Королёва", None, "webchat", 6),
    dialog("alena-3", "Алёна Королёва", None, "instagram", 2),
    dialog("alena-smith", "Алёна Королёва-Смит", None, "vk", 7),
    # clients of one dialog
    dialog("once", "Один Раз", "+79161110099", "viber", 1),
    dialog("once-nameless", None, None, "email", 9),  # not even a name: nothing to match by; the newest
    # a number in the name, and no number field: by the name, which holds digits a manager may not see
    dialog("named-1", NAMED_BY_NUMBER, None, "whatsapp", 1),
    dialog("named-2", NAMED_BY_NUMBER, None, "telegram", 2),
    # Алёна again, spelled as another CRM user typed her: the same client to her list and to its count
    dialog("alena-4", "алена королева", None, "telegram", 4),
]
SOURCE = {record.source_id: record for record in RECORDS}


def moment(source_id: str) -> str:
    return listed_time(SOURCE[source_id].completed_at)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = migrated_database(tmp_path)
    store_records(database.sync_engine, RECORDS, zone=ZONE)
    database.run(add_user, HEAD_ID, Role.HEAD, "Ольга")
    database.run(add_user, MANAGER_ID, Role.MANAGER, "Пётр")
    yield database
    database.sync_engine.dispose()


@pytest.fixture
async def api(database: Database) -> AsyncIterator[BotAPIEmulator]:
    async with running_bot(database, make_settings(database_url(database))) as emulator:
        yield emulator


async def card_of(user: SimulatedUser, search: str, source_id: str) -> ChatMessage:
    """The card of one dialog, opened from the list a search shows (its entry found by the time)."""
    message = (await say(user, search)).message
    entries = parse_list(message.content).entries
    (entry,) = [entry for entry in entries if entry.completed_at == moment(source_id)]
    await tap(user, message, str(entry.number))
    assert f"ID в CRM: {source_id}" in message.content
    return message


def client_buttons(message: ChatMessage) -> list[str]:
    return [label for label in message.button_texts() if "Все диалоги клиента" in label]


async def test_a_head_sees_every_dialog_of_the_number_newest_first_and_comes_back(
    api: BotAPIEmulator,
) -> None:
    head = api.user(HEAD_ID)
    card = await card_of(head, "котова", "vera-1")  # her oldest dialog
    assert card.button_rows()[-3:] == [
        ["👤 Все диалоги клиента (4)"],
        ["⭐1", "⭐2", "⭐3", "⭐4", "⭐5"],
        ["⬅ К списку"],
    ]

    listed = parse_list((await tap(head, card, "👤 Все диалоги клиента (4)")).text)
    assert listed.header == [
        BREADCRUMB,
        f"👤 Все диалоги клиента: {VERA_FULL}",
        "Найдено: 4 диалога · стр. 1 из 1",
        "Сортировка: Дата завершения ↓",
    ]
    # every channel, every name she went by, newest first; not the other Вера Котова
    assert [(entry.client, entry.channel, entry.phone) for entry in listed.entries] == [
        ("Вера К.", "✉️ Почта", VERA_FULL),
        ("Вера Котова", "✈️ Telegram", VERA_FULL),
        ("Без имени", "🔵 ВКонтакте", VERA_FULL),
        ("Вера Котова", "🟢 WhatsApp", VERA_FULL),
    ]
    assert [entry.completed_at for entry in listed.entries] == [
        moment(source) for source in ("vera-4", "vera-2", "vera-3", "vera-1")
    ]

    # what she wrote last: the newest dialog's card, one tap away
    await tap(head, card, "1")
    assert "ID в CRM: vera-4" in card.content and "Беру синий, доставка в пятницу" in card.content
    assert client_buttons(card) == ["👤 Все диалоги клиента (4)"]
    back = parse_list((await tap(head, card, "⬅ К списку")).text)
    assert back.header == listed.header and back.entries == listed.entries

    # the list's way back is the menu path, as from any list
    await tap(head, card, "⬅ Назад")
    assert "Список диалогов" in card.button_texts() and card.button_rows()[-1] == ["⬅ Назад"]


async def test_a_client_without_a_number_is_matched_by_the_whole_name(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    card = await card_of(head, "королёва", "alena-3")
    # the count on the button is the list's: her name in any case, ё or е
    listed = parse_list((await tap(head, card, "👤 Все диалоги клиента (4)")).text)
    assert "👤 Все диалоги клиента: Алёна Королёва" in listed.header
    assert listed.found == 4
    # not «Алёна Королёва-Смит», whose name only holds hers
    assert [(entry.client, entry.channel, entry.phone) for entry in listed.entries] == [
        ("Алёна Королёва", "💬 Чат на сайте", "—"),
        ("алена королева", "✈️ Telegram", "—"),
        ("Алёна Королёва", "📸 Instagram", "—"),
        ("Алёна Королёва", "🔵 ВКонтакте", "—"),
    ]
    await tap(head, card, "4")
    assert "ID в CRM: alena-1" in card.content
    assert parse_list((await tap(head, card, "⬅ К списку")).text).entries == listed.entries


async def test_a_manager_reads_the_number_masked_and_the_button_tells_nothing(
    api: BotAPIEmulator, database: Database
) -> None:
    manager = api.user(MANAGER_ID)
    card = await card_of(manager, "котова", "vera-2")
    button = card.find_button("👤 Все диалоги клиента (4)")
    assert button is not None
    data = str(button["callback_data"])
    assert ClientListCallback.unpack(data).dialog > 0  # the dialog's id, nothing else
    assert not any(digits in data for digits in ("111", "0022", "9161"))

    listed = parse_list((await tap(manager, card, "👤 Все диалоги клиента (4)")).text)
    assert f"👤 Все диалоги клиента: {VERA_MASKED}" in listed.header and listed.found == 4
    assert [entry.phone for entry in listed.entries] == [VERA_MASKED] * 4
    await tap(manager, card, "2")
    assert "ID в CRM: vera-2" in card.content and f"Номер: {VERA_MASKED}" in card.content

    # a client known only by a name that holds a number: a list the manager may not have, so no button,
    # and the button forged is refused
    named = await card_of(manager, "иван", "named-1")
    assert client_buttons(named) == []
    (dialog,) = database.run(
        lambda c: run_sql(c, "SELECT id FROM dialogs WHERE source_id = 'named-1'").fetchone()
    )
    await manager.press_data(named, ClientListCallback(dialog=dialog).pack())
    refused = (await manager.wait_answer()).callback_answer
    assert refused is not None and refused.show_alert and "по номеру целиком" in (refused.text or "")
    assert "ID в CRM: named-1" in named.content
    assert not any("111-00" in text or "2000002" in text for text in every_text(api, manager))


async def test_a_head_is_offered_the_name_with_digits_that_a_manager_is_not(api: BotAPIEmulator) -> None:
    head = api.user(HEAD_ID)
    card = await card_of(head, "иван", "named-1")
    listed = parse_list((await tap(head, card, "👤 Все диалоги клиента (2)")).text)
    assert f"👤 Все диалоги клиента: {NAMED_BY_NUMBER}" in listed.header
    assert [entry.channel for entry in listed.entries] == ["✈️ Telegram", "🟢 WhatsApp"]


async def test_no_button_for_a_client_of_one_dialog_until_they_write_again(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    assert client_buttons(await card_of(head, "один раз", "once")) == []
    assert client_buttons(await card_of(head, "/dialogs", "once-nameless")) == []
    assert client_buttons(await card_of(head, "котова", "other-vera")) == []  # the other Вера: one

    # the client writes again, from the same number under another name: the card offers both at once
    again = dialog("once-again", "Раз Снова", "+79161110099", "telegram", 8)
    store_records(database.sync_engine, [again], zone=ZONE)
    card = await card_of(head, "один раз", "once")
    assert client_buttons(card) == ["👤 Все диалоги клиента (2)"]
    listed = parse_list((await tap(head, card, "👤 Все диалоги клиента (2)")).text)
    assert [(entry.client, entry.channel) for entry in listed.entries] == [
        ("Раз Снова", "✈️ Telegram"),
        ("Один Раз", "🟣 Viber"),
    ]
