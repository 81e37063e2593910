"""The bot end to end: a simulated person on a phone talks to the real dispatcher over HTTP through the Bot
API emulator, against a real SQLite archive of known dialogs. Every assertion is on what the person sees:
message texts, buttons, alerts — and, for the audit log, on the database."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Connection, select

from bot.app import build_bot, build_dispatcher, set_commands
from bot.settings import Settings
from db.engine import Database
from db.models import AuditEntry, Dialog
from db.records import DialogRecord
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.callbacks import CardCallback, ListCallback
from keyboards.columns import Column
from tests.bot_harness import (
    ADMIN_ID,
    BREADCRUMB,
    DATASET,
    ENGLISH_ADMIN_ID,
    HEAD_ID,
    HTML_NAME,
    MANAGER_ID,
    PAGE_SIZE,
    PHONES,
    RECORDS,
    SEMYON_PHONE,
    SORT_BUTTONS,
    SORT_NAMES,
    STRANGER_ID,
    Entry,
    ListScreen,
    database_url,
    dialogs_ru,
    emulator_bot,
    every_text,
    expected_entry,
    expected_order,
    local_time,
    make_settings,
    parse_list,
    running_bot,
    say,
    sort_button,
    sort_key,
    tap,
)
from tests.databases import migrated_database

TOTAL = len(DATASET)
PAGES = -(-TOTAL // PAGE_SIZE)
BY_DATE = Column.COMPLETED_AT  # the default sort, newest first
SEMYON = [RECORDS["crm-01"], RECORDS["crm-02"]]  # newest first


def dialog_id(database: Database, source_id: str) -> int:
    def find(connection: Connection) -> int:
        return int(connection.execute(select(Dialog.id).where(Dialog.source_id == source_id)).scalar_one())

    return database.run(find)


async def open_list(user: SimulatedUser) -> ChatMessage:
    return (await say(user, "/dialogs")).message


async def walk_forward(user: SimulatedUser, message: ChatMessage) -> list[ListScreen]:
    """Every page from the one on screen to the last, by ▶."""
    screens = [parse_list(message.content)]
    while message.find_button("▶") is not None:
        reaction = await tap(user, message, "▶")
        assert reaction.message.message_id == message.message_id, "paging edits the list in place"
        screens.append(parse_list(message.content))
        assert len(screens) <= TOTAL, "paging does not end"
    return screens


def expected_pages(
    records: list[DialogRecord], *, full_phones: bool = True, sort: Column = BY_DATE
) -> list[list[Entry]]:
    entries = [
        expected_entry(r, n, full_phones=full_phones, sort=sort) for n, r in enumerate(records, start=1)
    ]
    return [entries[i : i + PAGE_SIZE] for i in range(0, len(entries), PAGE_SIZE)]


def paging_buttons(message: ChatMessage) -> set[str]:
    return {text for text in message.button_texts() if text in ("⏮", "◀", "▶", "⏭")}


# --- 1. The menu path ---------------------------------------------------------------------------------


async def test_admin_walks_the_menu_path_and_back(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID, first_name="Anna")
    reaction = await say(user, "/start")
    assert "Anna" in reaction.sent[0].content
    menu = reaction.message
    assert menu.content.startswith("Главное меню")
    assert menu.button_texts() == ["Отдел продаж", "🌐 Язык / Language"]

    path = ["Отдел продаж", "Для руководителя", "Записи", "Список диалогов"]
    # each level's breadcrumb in one line of a narrow phone, but the list's: the seed's path, whole
    crumbs = ["Отдел продаж", "Отдел продаж → Для руководителя", "… → Для руководителя → Записи", BREADCRUMB]
    for depth, label in enumerate(path, start=1):
        reaction = await tap(user, menu, label)
        assert reaction.message.message_id == menu.message_id, "the menu is one message, edited in place"
        assert reaction.sent == []
        assert menu.content.split("\n")[0] == crumbs[depth - 1]
        assert menu.button_rows()[-1] == ["⬅ Назад"]
        if depth < len(path):
            assert path[depth] in menu.button_texts()
    screen = parse_list(menu.content)
    assert screen.found == TOTAL and len(screen.entries) == PAGE_SIZE

    for depth in range(len(path) - 1, 0, -1):
        await tap(user, menu, "⬅ Назад")
        assert menu.content.split("\n")[0] == crumbs[depth - 1]
        assert path[depth] in menu.button_texts()
    await tap(user, menu, "⬅ Назад")
    assert menu.content.startswith("Главное меню")
    assert menu.button_texts() == ["Отдел продаж", "🌐 Язык / Language"]


# --- 2. The list: columns, totals, sorting, paging ----------------------------------------------------


async def test_the_list_shows_the_columns_the_total_and_the_page(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    screen = parse_list(message.content)
    assert screen.header[0] == BREADCRUMB
    assert f"Найдено: {dialogs_ru(TOTAL)} · стр. 1 из {PAGES}" in screen.header
    assert "Сортировка: Дата завершения ↓" in screen.header
    assert screen.entries == expected_pages(expected_order(BY_DATE, True))[0]
    rows = message.button_rows()
    assert [str(n) for n in range(1, PAGE_SIZE + 1)] == [t for t in message.button_texts() if t.isdigit()]
    assert [sort_button(message, column) for column in Column] == [
        "Клиент",
        "Канал",
        "Номер",
        "Кто",
        "Дата ↓",
        "Сообщ.",
        "Ответ",
        "Ждал",
    ]
    assert paging_buttons(message) == {"▶", "⏭"}, "nowhere to go back from the first page"
    assert "🔎 Поиск" in message.button_texts() and "✖ Сбросить поиск" not in message.button_texts()
    assert rows[-1] == ["⬅ Назад"]


async def test_sorting_by_each_column_both_ways_orders_every_page(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    for column in Column:
        arrows = []
        for _tap in range(2):
            await tap(user, message, sort_button(message, column))
            label = sort_button(message, column)
            assert label in (f"{SORT_BUTTONS[column]} ↑", f"{SORT_BUTTONS[column]} ↓")
            descending = label.endswith("↓")
            arrows.append(label[-1])
            others = [sort_button(message, other) for other in Column if other != column]
            assert others == [SORT_BUTTONS[other] for other in Column if other != column]
            screens = await walk_forward(user, message)
            assert f"Сортировка: {SORT_NAMES[column]} {label[-1]}" in screens[0].header
            assert [s.page for s in screens] == list(range(1, PAGES + 1))
            assert {s.pages for s in screens} == {PAGES}
            expected = expected_pages(expected_order(column, descending), sort=column)
            assert [s.entries for s in screens] == expected, f"sorted by {label}"
        assert sorted(arrows) == ["↑", "↓"], f"a second tap on {SORT_BUTTONS[column]} flips the order"


async def test_paging_forward_back_first_and_last(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    pages = expected_pages(expected_order(BY_DATE, True))
    shown = [entry for screen in await walk_forward(user, message) for entry in screen.entries]
    assert [entry.number for entry in shown] == list(range(1, TOTAL + 1)), "no dialog repeated or lost"
    assert shown == [entry for page in pages for entry in page]
    assert paging_buttons(message) == {"⏮", "◀"}, "nowhere to go on from the last page"

    await tap(user, message, "⏮")
    screen = parse_list(message.content)
    assert (screen.page, screen.entries) == (1, pages[0])
    assert paging_buttons(message) == {"▶", "⏭"}

    await tap(user, message, "⏭")
    screen = parse_list(message.content)
    assert (screen.page, screen.pages, screen.entries) == (PAGES, PAGES, pages[-1])
    assert f"стр. {PAGES} из {PAGES}" in message.content

    backwards = [screen.entries]
    for page in range(PAGES - 1, 0, -1):
        await tap(user, message, "◀")
        screen = parse_list(message.content)
        assert screen.page == page
        assert paging_buttons(message) == ({"⏮", "◀", "▶", "⏭"} if page > 1 else {"▶", "⏭"})
        backwards.append(screen.entries)
    assert backwards[::-1] == pages


# --- 3. Search ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["8 (916) 123-45-67", "+7 916 1234567", "9161234567"])
async def test_a_phone_number_in_any_format_finds_the_client(api: BotAPIEmulator, typed: str) -> None:
    user = api.user(HEAD_ID)
    reaction = await say(user, typed)
    assert len(reaction.sent) == 1
    screen = parse_list(reaction.message.content)
    assert f"🔎 «{typed}»" in screen.header
    assert screen.found == 2 and (screen.page, screen.pages) == (1, 1)
    assert screen.entries == expected_pages(SEMYON)[0]
    assert "✖ Сбросить поиск" in reaction.message.button_texts()
    assert paging_buttons(reaction.message) == set()


async def test_the_last_four_digits_find_every_number_ending_in_them(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    screen = parse_list((await say(user, "4567")).message.content)
    found = [RECORDS[f"crm-0{n}"] for n in (1, 2, 3, 4)]
    assert screen.found == 4
    assert screen.entries == expected_pages(expected_order(BY_DATE, True, found))[0]


@pytest.mark.parametrize(
    "typed", ["семен иван", "СЕМЁН ИВАНОВ", "Иванов Семен"], ids=["e-for-yo", "upper-case", "surname-first"]
)
async def test_a_name_typed_with_e_for_yo_in_any_case_finds_the_client(
    api: BotAPIEmulator, typed: str
) -> None:
    user = api.user(ADMIN_ID)
    screen = parse_list((await say(user, typed)).message.content)
    assert f"🔎 «{typed}»" in screen.header
    assert screen.entries == expected_pages(SEMYON)[0]


async def test_the_search_button_asks_for_text_and_cancel_leaves(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    reaction = await tap(user, message, "🔎 Поиск")
    assert reaction.message.message_id == message.message_id
    assert "Напишите имя клиента или номер телефона" in message.content
    assert "/cancel" in message.content
    assert message.button_rows() == [["💬 Искать слова в переписке"], ["⬅ Назад"]]

    reaction = await say(user, "/cancel")
    assert "Поиск отменён" in reaction.message.content
    screen = parse_list(reaction.message.content.split("\n\n", 1)[1])
    assert screen.found == TOTAL and not any("🔎" in line for line in screen.header)

    # the prompt's back button leads to the list as it was
    await tap(user, message, "⬅ Назад")
    assert parse_list(message.content).found == TOTAL

    # 🔎, then the text: one result
    listing = reaction.message
    await tap(user, listing, "🔎 Поиск")
    reaction = await say(user, "Королёва")
    result = reaction.message
    screen = parse_list(result.content)
    assert "🔎 «Королёва»" in screen.header
    assert f"Найдено: {dialogs_ru(1)} · стр. 1 из 1" in screen.header
    assert screen.entries == [expected_entry(RECORDS["crm-08"], 1, full_phones=True)]
    assert screen.entries[0].phone == "—" and screen.entries[0].messages == "1 сообщение"
    assert paging_buttons(result) == set()

    await tap(user, result, "✖ Сбросить поиск")
    screen = parse_list(result.content)
    assert screen.found == TOTAL and not any("🔎" in line for line in screen.header)
    assert "✖ Сбросить поиск" not in result.button_texts()


async def test_a_search_keeps_its_place_through_sorting_and_paging(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = (await say(user, "916")).message
    found = [r for r in DATASET if r.client_phone and "916" in r.client_phone]
    assert parse_list(message.content).found == len(found) == 17
    await tap(user, message, sort_button(message, Column.CLIENT))
    descending = sort_button(message, Column.CLIENT).endswith("↓")
    screens = await walk_forward(user, message)
    assert all("🔎 «916»" in screen.header for screen in screens)
    assert [s.entries for s in screens] == expected_pages(expected_order(Column.CLIENT, descending, found))


async def test_nothing_found_reads_well(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    # the longest text a person can send: the echo in the reply stays within Telegram's limits
    longest = (await say(user, "Щ&<" * 1365)).message
    assert "ничего не нашлось" in longest.content and len(longest.content) <= 4096
    message = (await say(user, "Зиновий")).message
    assert message.content.split("\n") == [
        BREADCRUMB,
        "🔎 «Зиновий»",
        "",
        "По запросу «Зиновий» ничего не нашлось.",
        "Попробуйте часть имени или последние 4 цифры номера.",
    ]
    assert message.button_rows() == [["🔎 Поиск", "⚙️ Фильтры"], ["✖ Сбросить поиск"], ["⬅ Назад"]]


async def test_commands_in_capitals_and_searches_with_invisible_characters(api: BotAPIEmulator) -> None:
    """A phone keyboard capitalises /Dialogs; text pasted from elsewhere carries NUL, RTL marks and zero
    widths: each is read as what the person meant, never as a busy archive or a failure."""
    user = api.user(ADMIN_ID)
    for command in ("/DIALOGS", "/Dialogs"):
        assert (await say(user, command)).text.startswith(BREADCRUMB)
    for typed in ("Сем\x00ён", "\u200fСемён\u200e", "Сем\u200bён", "\x00"):
        reaction = await say(user, typed)
        assert "обновляется" not in reaction.text and "не так" not in reaction.text, typed
        if typed != "\x00":
            assert "Семён Иванов" in reaction.text, typed


async def test_data_and_typed_text_with_html_characters_are_shown_as_typed(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    typed = "<b>Уют</b> & Co"
    message = (await say(user, typed)).message
    screen = parse_list(message.content)
    assert f"🔎 «{typed}»" in screen.header
    assert screen.entries == [expected_entry(RECORDS["crm-03"], 1, full_phones=True)]
    assert screen.entries[0].client == HTML_NAME
    assert screen.entries[0].completed_by == "Олег <Старший> & …"  # the rest of the line's room

    await tap(user, message, "1")
    card = message.content
    assert HTML_NAME in card and "Завершил: Олег <Старший> & Co" in card
    assert "<script>alert(0)</script> & &amp; <b>не жирный</b>" in card
    assert [e for e in message.entities if e["type"] not in ("bold", "italic", "code")] == []


async def test_an_empty_archive_reads_well(tmp_path: Path) -> None:
    empty = await asyncio.to_thread(migrated_database, tmp_path)  # Alembic runs its own event loop
    try:
        async with running_bot(empty, make_settings(database_url(empty))) as api:
            user = api.user(ADMIN_ID)
            message = await open_list(user)
            assert message.content.split("\n") == [
                BREADCRUMB,
                "",
                "В архиве пока нет диалогов. Их загружает администратор командой dialogs-bot import.",
            ]
            assert message.button_rows() == [["🔎 Поиск", "⚙️ Фильтры"], ["⬅ Назад"]]
            message = (await say(user, "4567")).message
            assert "По запросу «4567» ничего не нашлось." in message.content
    finally:
        empty.sync_engine.dispose()


# --- 4. The dialog card -------------------------------------------------------------------------------


async def test_the_card_shows_the_dialog_and_pages_its_transcript(
    api: BotAPIEmulator, archive: Database
) -> None:
    user = api.user(ADMIN_ID)
    message = (await say(user, "семен иван")).message
    listing = message.content

    def audit(connection: Connection) -> list[tuple[str, int | None]]:
        rows = connection.execute(
            select(AuditEntry.action, AuditEntry.dialog_id)
            .where(AuditEntry.telegram_id == ADMIN_ID)
            .order_by(AuditEntry.id)
        )
        return [(action, dialog) for action, dialog in rows]

    before = archive.run(audit)
    reaction = await tap(user, message, "1")
    assert reaction.message.message_id == message.message_id and reaction.sent == []
    assert archive.run(audit)[len(before) :] == [("open_dialog", dialog_id(archive, "crm-01"))]

    semyon = RECORDS["crm-01"]
    assert semyon.started_at is not None
    lines = message.content.split("\n")
    assert lines[0] == "… → Список диалогов → Диалог"
    assert lines[1] == "Семён Иванов"
    for line in [
        "Канал: 🟢 WhatsApp",
        "Номер: +7 916 123-45-67",
        "Завершил: Анна Смирнова",
        "Начало: 21.11.2026 02:48",
        "Завершён: 21.11.2026 03:30 (42 мин)",
        "Сообщений: 11 · ID в CRM: crm-01",
        "Переписка: 1–8 из 11",
        "👤 Семён Иванов 02:48",
        "💼 Анна Смирнова 02:51",
    ]:
        assert line in lines, f"{line!r} not in the card:\n{message.content}"
    assert local_time(semyon.started_at) == "21.11.2026 02:48"
    assert [n for n in range(1, 12) if f"Реплика {n}" in lines] == list(range(1, 9))
    client = ["👤 Все диалоги клиента (2)"]  # Семён wrote twice, from one number (issue 15, #16)
    marks = ["⭐1", "⭐2", "⭐3", "⭐4", "⭐5"]  # an admin marks dialogs (issue 16)
    assert message.button_rows() == [["Дальше ▶"], ["📄 Переписка файлом"], client, marks, ["⬅ К списку"]]

    await tap(user, message, "Дальше ▶")
    lines = message.content.split("\n")
    assert "Переписка: 9–11 из 11" in lines
    assert [n for n in range(1, 12) if f"Реплика {n}" in lines] == [9, 10, 11]
    assert message.button_rows() == [["◀ Раньше"], ["📄 Переписка файлом"], client, marks, ["⬅ К списку"]]

    await tap(user, message, "◀ Раньше")
    assert "Переписка: 1–8 из 11" in message.content
    assert len(archive.run(audit)) == len(before) + 1, "turning the transcript's pages is not a new opening"

    await tap(user, message, "⬅ К списку")
    assert message.content == listing


async def test_back_from_the_card_returns_to_the_same_page_sort_and_search(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = (await say(user, "916")).message
    found = [r for r in DATASET if r.client_phone and "916" in r.client_phone]
    await tap(user, message, sort_button(message, Column.MESSAGES))
    await tap(user, message, sort_button(message, Column.MESSAGES))  # and flipped
    descending = sort_button(message, Column.MESSAGES).endswith("↓")
    await tap(user, message, "▶")
    listing, buttons = message.content, message.button_rows()
    screen = parse_list(listing)
    assert screen.page == 2 and "🔎 «916»" in screen.header

    record = expected_order(Column.MESSAGES, descending, found)[PAGE_SIZE + 1]
    await tap(user, message, str(PAGE_SIZE + 2))
    card = message.content.split("\n")
    assert card[1] == record.client_name
    assert f"Номер: {PHONES[record.client_phone or ''][0]}" in card
    assert f"Сообщений: {record.message_count} · ID в CRM: {record.source_id}" in card
    assert "Переписка этого диалога не загружена." in card
    assert message.button_rows() == [["⭐1", "⭐2", "⭐3", "⭐4", "⭐5"], ["⬅ К списку"]]

    await tap(user, message, "⬅ К списку")
    assert (message.content, message.button_rows()) == (listing, buttons)


# --- 5. Roles -----------------------------------------------------------------------------------------


def forbidden_numbers() -> list[str]:
    """Every way a full number of the archive could be written out."""
    numbers = []
    for e164, (full, _masked) in PHONES.items():
        numbers += [full, e164, e164[1:]]
        if e164.startswith("+7"):
            numbers.append(e164[2:])
    return numbers


async def test_a_manager_never_sees_a_full_number(api: BotAPIEmulator, archive: Database) -> None:
    user = api.user(MANAGER_ID)
    await say(user, "/start")
    menu = user.last_message
    for label in ["Отдел продаж", "Для руководителя", "Записи", "Список диалогов"]:
        await tap(user, menu, label)
    shown = [entry for screen in await walk_forward(user, menu) for entry in screen.entries]
    records = expected_order(BY_DATE, True)
    assert [(e.client, e.channel, e.completed_at) for e in shown] == [
        (x.client, x.channel, x.completed_at)
        for x in (expected_entry(r, n, full_phones=False) for n, r in enumerate(records, start=1))
    ]
    for entry, record in zip(shown, records, strict=True):
        if record.client_phone is None:
            assert entry.phone == "—"
            continue
        full, masked = PHONES[record.client_phone]
        assert "*" in entry.phone and entry.phone.endswith(full[-2:]), entry
        if record.client_phone.startswith("+7"):
            assert entry.phone == masked
    for _tap in range(2):
        await tap(user, menu, sort_button(menu, Column.PHONE))
        await walk_forward(user, menu)

    for typed in ["4567", "20 7946 0958", "семен 916"]:  # part of a number tells hidden digits: refused
        reaction = await say(user, typed)
        assert reaction.text.startswith("🔒 Номера клиентов вам видны не полностью"), typed
    for typed in ["+1 212 555 0187", "8 (916) 123-45-67", "семен иван"]:
        await say(user, typed)
    message = user.last_message
    await tap(user, message, "1")
    assert "Номер: +7 916 ***-**-67" in message.content.split("\n")
    await tap(user, message, "Дальше ▶")
    await tap(user, message, "⬅ К списку")
    message = (await say(user, "8 916 123 45 67")).message
    assert "🔎 «+7 916 ***-**-67»" in message.content  # what they typed, as they may read it
    for number in range(1, 3):
        await tap(user, message, str(number))
        await tap(user, message, "⬅ К списку")
    forged = CardCallback(dialog=dialog_id(archive, "crm-06")).pack()
    await user.press_data(message, forged)
    await user.wait_answer()
    assert "Oliver Brown" in message.content

    leaks = {n for text in every_text(api, user) for n in forbidden_numbers() if n in text}
    assert leaks == set(), f"a manager saw full numbers: {sorted(leaks)}"


async def test_heads_and_admins_see_full_numbers(api: BotAPIEmulator) -> None:
    for telegram_id in (HEAD_ID, ADMIN_ID):
        user = api.user(telegram_id)
        message = await open_list(user)
        await tap(user, message, sort_button(message, Column.PHONE))
        descending = sort_button(message, Column.PHONE).endswith("↓")
        screens = await walk_forward(user, message)
        assert [s.entries for s in screens] == expected_pages(expected_order(Column.PHONE, descending))
        card = (await say(user, "+1 212 555 0187")).message  # one dialog: its card at once
        assert "Номер: +1 212-555-0187" in card.content.split("\n")


# --- 6. Strangers, forged buttons, groups ------------------------------------------------------------


def shows_no_data(text: str) -> bool:
    names = {r.client_name for r in DATASET if r.client_name} | {r.completed_by for r in DATASET}
    pieces = [name for name in names if name] + forbidden_numbers() + ["Список диалогов", "Найдено"]
    return not any(piece in text for piece in pieces)


async def test_a_stranger_learns_their_id_and_nothing_else(api: BotAPIEmulator, archive: Database) -> None:
    stranger = api.user(STRANGER_ID, first_name="Eve")
    for text in ["/start", "семен иван", "4567", "/dialogs"]:
        reaction = await say(stranger, text)
        assert len(reaction.sent) == 1 and reaction.edited == []
        refusal = reaction.message
        assert str(STRANGER_ID) in refusal.content and "Доступ к боту закрыт" in refusal.content
        assert refusal.buttons == [] and shows_no_data(refusal.content)

    refusal = stranger.last_message
    semyon = CardCallback(dialog=dialog_id(archive, "crm-01")).pack()
    for data in ["l:4:1:0:0:1:0", semyon, "m:1"]:
        await stranger.press_data(refusal, data)
        reaction = await stranger.wait_answer()
        answer = reaction.callback_answer
        assert answer is not None and answer.show_alert and answer.text is not None
        assert str(STRANGER_ID) in answer.text and shows_no_data(answer.text)
        assert reaction.sent == [] and reaction.edited == []
    assert all(shows_no_data(text) for text in every_text(api, stranger))


async def test_forged_or_outdated_buttons_get_a_polite_answer(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    first_page = message.content

    for data in ["zzz", "l:9:1:0:0:1:0", "c:0:0:4:1:0:0:1:0", "l:4:1:0:0:1", "m:7", "c:x"]:
        await user.press_data(message, data)
        reaction = await user.wait_answer()
        answer = reaction.callback_answer
        assert answer is not None and answer.text == "Эта кнопка устарела. Откройте список заново: /dialogs"
        assert reaction.sent == [] and message.content == first_page

    await user.press_data(message, CardCallback(dialog=999_999).pack())
    reaction = await user.wait_answer()
    assert reaction.callback_answer is not None
    assert reaction.callback_answer.text == "Этот диалог больше не найден."
    assert parse_list(message.content).entries == parse_list(first_page).entries

    await user.press_data(message, ListCallback(view_id=999_999).pack())
    reaction = await user.wait_answer()
    assert reaction.callback_answer is not None
    assert reaction.callback_answer.text == "Кнопка устарела — открываю список заново."
    assert message.content == first_page

    await user.press_data(message, ListCallback(pos=2, anchor=999_999, page=4000).pack())
    await user.wait_answer()
    screen = parse_list(message.content)
    assert screen.page == 1 and screen.entries == parse_list(first_page).entries

    texts = every_text(api, user)
    assert not any("Traceback" in text or "Error" in text for text in texts)
    # showing the first page again over the first page: "message is not modified", absorbed
    assert all("message is not modified" in v.description for v in api.take_violations())


async def test_group_chats_are_ignored(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    group = api.group(-100123, "Sales")
    for text in ["/start", "/dialogs", "семен иван", "4567"]:
        await user.send_text(text, chat=group)
        await user.assert_no_reaction()
    assert group.bot_messages == []


# --- 7. A restart between showing a list and pressing its button --------------------------------------


async def test_an_old_list_works_after_a_restart(archive: Database) -> None:
    url = database_url(archive)
    found = [r for r in DATASET if r.client_phone and "916" in r.client_phone]
    async with BotAPIEmulator() as api:
        user = api.user(ADMIN_ID)
        async with api.run_polling(build_dispatcher(archive, make_settings(url)), emulator_bot(api)):
            message = (await say(user, "916")).message
            await tap(user, message, sort_button(message, Column.COMPLETED_BY))
            descending = sort_button(message, Column.COMPLETED_BY).endswith("↓")
            await tap(user, message, "▶")
            before = message.content
        pages = expected_pages(expected_order(Column.COMPLETED_BY, descending, found))
        assert parse_list(before).entries == pages[1]

        restarted = Database(url)
        try:
            bot = emulator_bot(api)  # a new process: a new Bot, Dispatcher, Database and Settings
            async with api.run_polling(build_dispatcher(restarted, make_settings(url)), bot):
                await tap(user, message, "▶")
                screen = parse_list(message.content)
                assert screen.page == 3 and "🔎 «916»" in screen.header
                assert f"Сортировка: Кто завершил {'↓' if descending else '↑'}" in screen.header
                assert screen.entries == pages[2]
                await tap(user, message, "◀")
                assert message.content == before
                await tap(user, message, str(PAGE_SIZE + 1))
                assert (
                    message.content.split("\n")[1]
                    == expected_order(Column.COMPLETED_BY, descending, found)[PAGE_SIZE].client_name
                )
                await tap(user, message, "⬅ К списку")
                assert message.content == before
        finally:
            await restarted.dispose()


async def test_the_bot_as_run_builds_it_makes_only_requests_the_bot_api_knows(
    archive: Database, settings: Settings
) -> None:
    """`dialogs-bot run` uses `build_bot`: its defaults must not add parameters the Bot API has dropped."""
    async with BotAPIEmulator() as api:
        bot = build_bot(api.token, api.base_url)
        async with api.run_polling(build_dispatcher(archive, settings), bot):
            user = api.user(ADMIN_ID)
            await say(user, "/start")
            await tap(user, user.last_message, "Отдел продаж")
            assert parse_list((await say(user, "/dialogs")).message.content).found == TOTAL
        problems = [str(v) for v in api.violations]
        assert problems == [], "\n".join(problems)


# --- 8. English ---------------------------------------------------------------------------------------


async def test_english_speakers_get_english(api: BotAPIEmulator) -> None:
    user = api.user(ENGLISH_ADMIN_ID, first_name="John", language_code="en")
    menu = (await say(user, "/start")).message
    assert menu.content.startswith("Main menu")
    await tap(user, menu, "Sales department")
    assert menu.content.split("\n")[0] == "Sales department"
    message = await open_list(user)
    screen = parse_list(message.content)
    assert screen.header[0] == "Sales department → For the head → Records → Dialog list"
    assert f"Found: {TOTAL} dialogs · page 1 of {PAGES}" in screen.header
    assert "Sorted by: Completed at ↓" in screen.header
    records = expected_order(BY_DATE, True)[:PAGE_SIZE]
    assert screen.entries == [
        expected_entry(r, n, full_phones=True, english=True) for n, r in enumerate(records, start=1)
    ]
    assert {"Client", "Channel", "Number", "Who", "Date ↓", "Msgs", "🔎 Search", "⬅ Back"} <= set(
        message.button_texts()
    )
    message = (await say(user, "Королёва")).message
    assert parse_list(message.content).entries[0].messages == "1 message"
    assert parse_list(message.content).entries[0].channel == "🔵 VK"
    message = (await say(user, "Zinovy")).message
    assert "Nothing found for “Zinovy”." in message.content
    stranger = api.user(STRANGER_ID + 1, language_code="en")
    refusal = (await say(stranger, "/start")).message
    assert "This bot is private." in refusal.content and str(STRANGER_ID + 1) in refusal.content


# --- 9. "message is not modified" ---------------------------------------------------------------------


async def test_a_double_tap_is_absorbed(api: BotAPIEmulator) -> None:
    user = api.user(ADMIN_ID)
    message = await open_list(user)
    forward = message.find_button("▶")
    assert forward is not None
    await tap(user, message, "▶")
    second_page = message.content
    # the second tap of a double tap arrives with the old keyboard's data: the screen is already there
    await user.press_data(message, str(forward["callback_data"]))
    reaction = await user.wait_answer()
    assert reaction.callback_answer is not None and reaction.callback_answer.text is None
    assert reaction.sent == [] and message.content == second_page
    await tap(user, message, "⏮")
    first = message.find_button("▶")
    await user.press_data(message, ListCallback().pack())
    reaction = await user.wait_answer()
    assert reaction.sent == [] and message.find_button("▶") == first
    unmodified = api.take_violations()
    assert unmodified and all("message is not modified" in v.description for v in unmodified)


# --- 10. The command menu -----------------------------------------------------------------------------


async def test_the_command_menu_is_set_in_both_languages() -> None:
    async with BotAPIEmulator() as api:
        bot = build_bot(api.token, api.base_url)
        try:
            await set_commands(bot)
        finally:
            await bot.session.close()
        default = '{"type": "default"}'
        russian = api.commands[(default, "")]
        english = api.commands[(default, "en")]
        for commands in (russian, english):
            assert [c["command"] for c in commands] == [
                "start",
                "dialogs",
                "find",
                "analytics",
                "digest",
                "help",
                "cancel",
                "language",
            ]
        assert [c["description"] for c in russian] == [
            "Главное меню",
            "Список диалогов",
            "Поиск слов в переписке",
            "Аналитика (руководителям)",
            "Утренняя сводка (руководителям)",
            "Как пользоваться ботом",
            "Отменить поиск или ввод дат",
            "Язык бота / Language",
        ]
        assert [c["description"] for c in english] == [
            "Main menu",
            "Dialog list",
            "Find words in conversations",
            "Analytics (for heads)",
            "Morning digest (for heads)",
            "How to use the bot",
            "Cancel a search or dates",
            "Language / Язык",
        ]


async def test_help_explains_the_bot(api: BotAPIEmulator) -> None:
    user = api.user(HEAD_ID)
    text = (await say(user, "/help")).message.content
    for piece in ["/dialogs", "/start", "/cancel", "семен иван", "/find", "/digest — утренняя сводка"]:
        assert piece in text
    english = (await say(api.user(ENGLISH_ADMIN_ID, language_code="en"), "/help")).message.content
    for piece in ["/dialogs", "/find", "/digest — the morning digest"]:
        assert piece in english


def test_the_dataset_has_what_the_tests_rely_on() -> None:
    """Guards the fixtures: ties in every sort column, and what the searches expect to find."""
    for column in Column:
        keys = [str(sort_key(record, column)) for record in DATASET]
        assert len(set(keys)) < TOTAL, f"no tie in column {SORT_NAMES[column]}"
    assert sum(r.client_phone == SEMYON_PHONE for r in DATASET) == 2
    assert sum(bool(r.client_phone and "4567" in r.client_phone) for r in DATASET) == 4
    assert sum(r.client_name is None for r in DATASET) == 1
    assert {r.channel for r in DATASET} >= {"whatsapp", "telegram", "vk", "email", "avito", "webchat"}
