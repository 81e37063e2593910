"""Managers see their own dialogs (issue 16, point 6), end to end through the emulator on the archive of
`tests.bot_harness` (SQLite, and PostgreSQL under `tests/with-servers`).

With MANAGER_SCOPE=own a manager linked to «Анна Смирнова» (`users add … --employee`) reads her dialogs
alone — the list and its total, every kind of search, the filters' choices and counts, the cards and the
client's other dialogs — whatever buttons they press: forged cards of others' dialogs, and every list view a
head stored, pressed as a list, a reset, the filters and their choices. Nothing of another employee's
dialogs ever reaches their screen (`every_text`). A manager not linked is told to ask an administrator and
shown nothing; with MANAGER_SCOPE=all (the default) a linked manager sees every dialog, as before.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.settings import Settings
from db.engine import Database
from db.importer import store_records
from db.records import DialogRecord
from db.users import Role, add_user, find_employee
from db.views import NOBODY, ListView, store_view
from emulator import BotAPIEmulator, ChatMessage, SimulatedUser
from keyboards.callbacks import (
    CardCallback,
    ClientListCallback,
    DrillCardCallback,
    DrillListCallback,
    FilterCallback,
    FilterKind,
    ListCallback,
    Reset,
    ResetCallback,
    TranscriptCallback,
)
from tests.bot_harness import (
    BASE,
    DATASET,
    HEAD_ID,
    MANAGER_ID,
    SEMYON_PHONE,
    ZONE,
    database_url,
    every_text,
    expected_entry,
    make_settings,
    parse_list,
    running_bot,
    say,
    seeded_archive,
    tap,
)

ANNA = "Анна Смирнова"
OWN_MANAGER_ID = 3002  # a manager linked to ANNA
MORE_MANAGER_IDS = (3004, 3005, 3006)  # more managers linked to ANNA
ENGLISH_UNLINKED_ID = 3003  # a manager not linked, Telegram in English
# Семён Иванов again, closed by Anna: two of his three dialogs are hers (the third is Фёдор Орлов's)
SEMYON_AGAIN = DialogRecord(
    source_id="crm-anna-semyon",
    client_name="Семён Иванов",
    client_phone=SEMYON_PHONE,
    channel="viber",
    completed_by=ANNA,
    started_at=BASE + timedelta(hours=29),
    completed_at=BASE + timedelta(hours=30),
    message_count=4,
    messages=None,
)
RECORDS = [*DATASET, SEMYON_AGAIN]
IDS = {record.source_id: number for number, record in enumerate(RECORDS, start=1)}  # ids in import order
OWN = [record for record in RECORDS if record.completed_by == ANNA]
OTHERS = [record for record in RECORDS if record.completed_by != ANNA]
OWN_CLIENTS = {record.client_name for record in OWN}
# what only others' dialogs hold: none of it may ever reach the linked manager
HIDDEN = sorted(
    {record.client_name for record in OTHERS if record.client_name and record.client_name not in OWN_CLIENTS}
    | {"Фёдор Орлов", "Борис Ким", "Старший", "автозакрытие"}
    | {"Уют"}
)
QUOTED = re.compile(r"«[^»]*»")
REFUSAL = "🔒 Номера клиентов вам видны не полностью"
NOT_FOUND = "Этот диалог больше не найден."
UNLINKED_RU = "Попросите администратора бота связать вас"
UNLINKED_ALERT_RU = "Вас ещё не связали с сотрудником. Попросите администратора бота это сделать."
UNLINKED_EN = "Ask the bot's administrator to link you"


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = seeded_archive(tmp_path_factory.mktemp("scope"))  # a head, and MANAGER_ID not linked
    store_records(database.sync_engine, [SEMYON_AGAIN], zone=ZONE)
    anna_id, _ = database.run(find_employee, ANNA)
    database.run(add_user, OWN_MANAGER_ID, Role.MANAGER, "Аннин телефон", anna_id)
    for manager_id in MORE_MANAGER_IDS:
        database.run(add_user, manager_id, Role.MANAGER, None, anna_id)
    database.run(add_user, ENGLISH_UNLINKED_ID, Role.MANAGER, None)
    yield database
    database.sync_engine.dispose()


def own_scope(database: Database) -> Settings:
    return make_settings(database_url(database)).model_copy(update={"manager_scope": "own"})


@pytest.fixture
async def api(database: Database) -> AsyncIterator[BotAPIEmulator]:
    async with running_bot(database, own_scope(database)) as emulator:
        yield emulator


def absorb_unmodified(api: BotAPIEmulator) -> None:
    """A forged button that shows the screen already shown edits it into itself: "message is not
    modified", which the bot absorbs; no other bad request."""
    assert all("message is not modified" in v.description for v in api.take_violations())


def assert_only_own(screen_text: str) -> list[str]:
    """The entries of a list on screen, each completed by Anna; their clients."""
    listed = parse_list(screen_text)
    assert all(entry.completed_by == ANNA for entry in listed.entries), screen_text
    return [entry.client for entry in listed.entries]


def assert_nothing_hidden(api: BotAPIEmulator, user: SimulatedUser) -> None:
    """Nothing of others' dialogs in all the bot showed `user`. Searches quoted back («…») are left aside:
    what someone typed (the manager «Фёдор Орлов», a head's view behind a forged button) is no dialog's."""
    texts = [QUOTED.sub("«»", text) for text in every_text(api, user)]
    seen = "\n".join(texts)
    leaked = [word for word in HIDDEN if word in seen]
    where = [text for text in texts if any(word in text for word in leaked)]
    assert leaked == [], f"the manager saw {leaked} in {where[:3]}"


async def test_the_list_and_its_total_are_of_the_managers_own_dialogs(api: BotAPIEmulator) -> None:
    manager = api.user(OWN_MANAGER_ID)
    first = (await say(manager, "/dialogs")).message
    listed = parse_list(first.content)
    assert listed.found == len(OWN) == 6 and (listed.page, listed.pages) == (1, 2)
    newest_first = sorted(OWN, key=lambda record: (record.completed_at, IDS[record.source_id]), reverse=True)
    expected = [
        expected_entry(record, number, full_phones=False)
        for number, record in enumerate(newest_first, start=1)
    ]
    second = parse_list((await tap(manager, first, "▶")).text)
    assert listed.entries + second.entries == expected
    # sorted by another column, still hers alone
    by_employee = parse_list((await tap(manager, first, "Кто")).text)
    assert by_employee.found == 6 and {entry.completed_by for entry in by_employee.entries} == {ANNA}
    # a head, on the same archive, sees every dialog
    head = parse_list((await say(api.user(HEAD_ID), "/dialogs")).text)
    assert head.found == len(RECORDS)
    assert_nothing_hidden(api, manager)


@pytest.mark.parametrize(
    ("typed", "clients"),
    [
        ("семен", ["Семён Иванов", "Семён Иванов"]),
        ("СЕМЁН иван", ["Семён Иванов", "Семён Иванов"]),
        ("петр сидоров", ["Пётр Сидоров"]),  # two clients of that name: the other is Фёдор's
        ("oliver", ["Oliver Brown"]),
        ("айгерим", []),  # Борис Ким's client
        ("Кафе", []),  # Олег's
        ("Фёдор Орлов", []),  # an employee's name: no client, and no other employee offered
        ("8 (916) 123-45-67", ["Семён Иванов", "Семён Иванов"]),  # a whole number, every way it is typed
        ("+7 916 1234567", ["Семён Иванов", "Семён Иванов"]),
        ("9161234567", ["Семён Иванов", "Семён Иванов"]),
        ("+79161234567", ["Семён Иванов", "Семён Иванов"]),
        ("8 916 123 45 67", ["Семён Иванов", "Семён Иванов"]),
        ("+7 903 123-45-67", []),  # Олег's client's number
        ("89031234567", []),
        ("+7 999 555-45-67", []),  # Борис Ким's
        ("+7 916 700-00-01", []),  # Пётр Сидоров of Фёдор
    ],
)
async def test_every_search_finds_the_managers_own_dialogs_alone(
    api: BotAPIEmulator, typed: str, clients: list[str]
) -> None:
    manager = api.user(OWN_MANAGER_ID)
    found = await say(manager, typed)
    listed = parse_list(found.text)
    assert listed.found in (len(clients), None), found.text
    assert sorted(assert_only_own(found.text)) == clients
    if not clients:
        assert "ничего не нашлось" in found.text, found.text
    assert_nothing_hidden(api, manager)


async def test_a_whole_number_of_one_own_dialog_opens_its_card_and_others_numbers_nothing(
    api: BotAPIEmulator,
) -> None:
    manager = api.user(OWN_MANAGER_ID)
    card = await say(manager, "+44 20 7946 0958")  # Oliver Brown: one dialog, Anna's
    assert "Oliver Brown" in card.text and f"Завершил: {ANNA}" in card.text, card.text
    # a number whose one dialog is another's: found nothing, no card
    for number in ("+7 999 555-45-67", "+1 212 555 0187", "+7 701 111 2233"):
        nothing = await say(manager, number)
        assert parse_list(nothing.text).entries == [] and "Завершил" not in nothing.text
    assert_nothing_hidden(api, manager)


async def test_part_of_a_number_is_still_refused_and_a_search_within_the_list_is_scoped(
    api: BotAPIEmulator,
) -> None:
    manager = api.user(OWN_MANAGER_ID)
    for typed in ("4567", "916", "+7 916", "семен 4567"):
        assert (await say(manager, typed)).text.startswith(REFUSAL)
    first = (await say(manager, "/dialogs")).message
    await tap(manager, first, "🔎 Поиск")
    within = await say(manager, "сидоров")
    assert assert_only_own(within.text) == ["Пётр Сидоров"]
    assert_nothing_hidden(api, manager)


async def test_a_forged_card_of_anothers_dialog_shows_nothing_of_it(
    api: BotAPIEmulator, database: Database
) -> None:
    def openings() -> list[tuple[int]]:
        """The dialogs the manager's openings of cards are recorded for, in order."""
        sql = "SELECT dialog_id FROM audit_log WHERE telegram_id = :id AND action = 'open_dialog' ORDER BY id"
        with database.sync_engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), {"id": OWN_MANAGER_ID})]

    before = openings()
    manager = api.user(OWN_MANAGER_ID)
    first = (await say(manager, "/dialogs")).message
    for record in OTHERS:
        dialog = IDS[record.source_id]
        for forged in (
            CardCallback(dialog=dialog),
            CardCallback(dialog=dialog, part=1, turn=True),
            DrillCardCallback(dialog=dialog),
        ):
            await manager.press_data(first, forged.pack())
            reaction = await manager.wait_answer()
            answer = reaction.callback_answer
            assert answer is not None and answer.text == NOT_FOUND, reaction.describe()
            assert_only_own(first.content)
        await manager.press_data(first, ClientListCallback(dialog=dialog).pack())
        reaction = await manager.wait_answer()
        answer = reaction.callback_answer
        assert answer is not None and answer.text == NOT_FOUND, reaction.describe()
        assert_only_own(first.content)
        await manager.press_data(first, TranscriptCallback(dialog=dialog).pack())
        refused = (await manager.wait_answer()).callback_answer
        assert refused is not None and refused.show_alert and "руководител" in (refused.text or "")
    # her own dialogs' cards open
    oliver = IDS["crm-06"]
    await manager.press_data(first, CardCallback(dialog=oliver).pack())
    assert "Oliver Brown" in (await manager.wait_answer()).text
    assert_nothing_hidden(api, manager)
    absorb_unmodified(api)
    assert openings() == [*before, (oliver,)], "no opening recorded of a card not shown"


async def test_the_clients_other_dialogs_are_the_managers_own(api: BotAPIEmulator) -> None:
    manager, head = api.user(OWN_MANAGER_ID), api.user(HEAD_ID)
    listed = (await say(manager, "+7 916 123-45-67")).message
    card = (await tap(manager, listed, "1")).message
    assert "Семён Иванов" in card.content
    others = await tap(manager, card, "👤 Все диалоги клиента (2)")
    assert assert_only_own(others.text) == ["Семён Иванов", "Семён Иванов"]
    assert parse_list(others.text).found == 2
    # a head counts all three of his dialogs
    head_list = (await say(head, "семён иванов")).message
    head_card = (await tap(head, head_list, "1")).message
    assert "👤 Все диалоги клиента (3)" in head_card.button_texts()
    assert_nothing_hidden(api, manager)


async def test_the_filters_offer_and_count_the_managers_own_dialogs_alone(api: BotAPIEmulator) -> None:
    manager = api.user(OWN_MANAGER_ID)
    screen = (await say(manager, "/dialogs")).message
    overview = await tap(manager, screen, "⚙️ Фильтры")
    assert "Найдено: 6 диалогов" in overview.text
    employees = await tap(manager, screen, "👤 Сотрудник: Все сотрудники")
    assert employees.message.button_rows() == [["✓ Все сотрудники", ANNA], ["⬅ Назад"]]
    chosen = await tap(manager, employees.message, ANNA)  # back on the filters, filtered to her
    assert "Найдено: 6 диалогов" in chosen.text
    # letters of another employee's name find nobody
    typed = await say(manager, "фёд")
    assert not any("Фёдор" in label for label in typed.message.button_texts())
    await say(manager, "/cancel")
    screen = (await say(manager, "/dialogs")).message
    await tap(manager, screen, "⚙️ Фильтры")
    channels = await tap(manager, screen, "📡 Канал: Все каналы")
    counted = [label.rsplit(" · ", 1) for label in channels.message.button_texts() if " · " in label]
    assert sum(int(count) for _, count in counted) == len(OWN)
    whatsapp = [count for label, count in counted if "WhatsApp" in label]
    assert whatsapp == [str(sum(record.channel == "whatsapp" for record in OWN))]
    assert_nothing_hidden(api, manager)


async def test_every_view_a_head_stored_pressed_by_the_manager_shows_only_theirs(
    api: BotAPIEmulator, database: Database
) -> None:
    head = api.user(HEAD_ID)
    for typed in ("семен", "кафе", "сидоров", "+7 903 123-45-67", "9161234567", "4567", "Фёдор"):
        await say(head, typed)
    fedor_id, _ = database.run(find_employee, "Фёдор Орлов")
    anna_id, _ = database.run(find_employee, ANNA)
    for view in (
        ListView(employee_id=fedor_id),
        ListView(employee_id=NOBODY),
        ListView(employee_id=fedor_id, search_text="семен"),
        ListView(employee_id=anna_id),
        ListView(channel="email"),
        ListView(channel="whatsapp", period="7d"),
    ):
        database.run(store_view, view)
    last = database.run(
        lambda connection: connection.execute(text("SELECT max(id) FROM list_views")).scalar()
    )
    assert last is not None and last >= 12

    # Anna's managers share the views (the bot paces each chat's messages: one chat would wait)
    managers = [api.user(user_id) for user_id in (OWN_MANAGER_ID, *MORE_MANAGER_IDS)]
    screens = [(await say(manager, "/dialogs")).message for manager in managers]
    for view_id in range(1, last + 1):
        manager, screen = managers[view_id % len(managers)], screens[view_id % len(managers)]
        for forged in (
            ListCallback(view_id=view_id) if view_id % 2 else DrillListCallback(view_id=view_id),
            ResetCallback(what=Reset.FILTERS if view_id % 3 else Reset.SEARCH, view_id=view_id),
        ):
            await manager.press_data(screen, forged.pack())
            await manager.wait_answer()
            listed = parse_list(screen.content)
            assert listed.found is None or listed.found <= len(OWN), screen.content
            assert_only_own(screen.content)
        for kind in (FilterKind.NONE, FilterKind.CHANNEL, FilterKind.EMPLOYEE):
            await manager.press_data(screen, FilterCallback(kind=kind, view_id=view_id).pack())
            await manager.wait_answer()
            found = [line for line in screen.content.split("\n") if line.startswith("Найдено: ")]
            assert all(int(line.split()[1]) <= len(OWN) for line in found), screen.content
            assert_nothing_hidden(api, manager)
    for manager in managers:
        assert_nothing_hidden(api, manager)
    absorb_unmodified(api)


async def test_a_manager_not_linked_is_told_to_ask_an_administrator(api: BotAPIEmulator) -> None:
    manager = api.user(MANAGER_ID)
    for typed in ("/start", "/dialogs", "семен", "+7 916 123-45-67", "/language"):
        reaction = await say(manager, typed)
        assert [message.content for message in reaction.sent] == [reaction.text]
        assert UNLINKED_RU in reaction.text and "Семён" not in reaction.text
    head_screen = (await say(api.user(HEAD_ID), "/dialogs")).message
    await manager.press_data(head_screen, ListCallback().pack())
    alert = (await manager.wait_answer()).callback_answer
    assert alert is not None and alert.show_alert and alert.text == UNLINKED_ALERT_RU
    await manager.press_data(head_screen, CardCallback(dialog=1).pack())
    alert = (await manager.wait_answer()).callback_answer
    assert alert is not None and alert.text == UNLINKED_ALERT_RU
    english = api.user(ENGLISH_UNLINKED_ID, language_code="en")
    assert UNLINKED_EN in (await say(english, "/dialogs")).text
    for user in (manager, english):
        assert_no_dialog_shown(api, user)


def assert_no_dialog_shown(api: BotAPIEmulator, user: SimulatedUser) -> None:
    seen = "\n".join(every_text(api, user))
    assert not any(record.client_name and record.client_name in seen for record in RECORDS)


async def test_with_manager_scope_all_a_linked_manager_sees_every_dialog(
    database: Database, tmp_path: Path
) -> None:
    """The default: the link changes nothing, and a manager not linked is let in as before."""
    async with running_bot(database, make_settings(database_url(database))) as api:
        for user_id in (OWN_MANAGER_ID, MANAGER_ID):
            manager = api.user(user_id)
            listed = parse_list((await say(manager, "/dialogs")).text)
            assert listed.found == len(RECORDS)
            assert parse_list((await say(manager, "семен")).text).found == 3
            screen: ChatMessage = (await say(manager, "/dialogs")).message
            await manager.press_data(screen, CardCallback(dialog=IDS["crm-03"]).pack())
            assert "Уют" in (await manager.wait_answer()).text
