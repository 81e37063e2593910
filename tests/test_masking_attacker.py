"""An automated attacker with a manager's access tries to recover a masked number, and reads nothing of it.

Starting from what the list shows (`+7 999 ***-**-67`), it searches the area code plus one more digit, digit
by digit, in every way digits can be typed (a number, inside a name search); it presses forged buttons
carrying the stored views a head made (a search by the last digits, the analytics' client rows, whose
search is a full number) and their filters. A number hidden in a client's name is read masked too. Every
probe must be refused or answer only what the manager may see.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from db.engine import Database
from db.importer import store_records
from db.records import DialogRecord
from emulator import BotAPIEmulator, SimulatedUser
from keyboards.callbacks import FilterCallback, FilterKind, ListCallback, Reset, ResetCallback
from tests.bot_harness import (
    BASE,
    HEAD_ID,
    MANAGER_ID,
    ZONE,
    database_url,
    every_text,
    make_settings,
    parse_list,
    running_bot,
    say,
    seeded_archive,
    tap,
)

TARGET = "+79995554567"  # crm-04, a client without a name: the list shows +7 999 ***-**-67
TARGET_HIDDEN = "55545"  # the digits the mask hides, in order
NAMED = DialogRecord(  # a CRM that named an unknown contact by the number
    source_id="crm-named",
    client_name="Иван +79162000002",
    client_phone=None,
    channel="whatsapp",
    completed_by="Анна Смирнова",
    started_at=None,
    completed_at=BASE + timedelta(days=3),
    message_count=1,
    messages=None,
)
REFUSAL = "🔒 Номера клиентов вам видны не полностью"
SEARCHED = re.compile(r"🔎 «([^»]*)»")  # the search a screen's header shows
MASKED = re.compile(r"\+\d+[ -]\d+[ -]\*[* -]*\d\d")  # a number as a manager reads it: +1 212-***-**87


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = seeded_archive(tmp_path)  # migrations run their own event loop: outside the test's
    store_records(database.sync_engine, [NAMED], zone=ZONE)
    yield database
    database.sync_engine.dispose()


@pytest.fixture
async def api(database: Database) -> AsyncIterator[BotAPIEmulator]:
    async with running_bot(database, make_settings(database_url(database))) as emulator:
        yield emulator


Probe = Callable[[str], Awaitable[bool]]


async def recover(known: str, probe: Probe, length: int) -> str:
    """Extends `known` a digit at a time while `probe` says the target is among the answers."""
    for _ in range(length):
        for digit in "0123456789":
            if await probe(known + digit):
                known += digit
                break
        else:
            return known
    return known


def finds_target(user: SimulatedUser, typed: str) -> Probe:
    """A probe: search `typed` with the candidate digits and see whether the target's row is listed."""

    async def probe(candidate: str) -> bool:
        reaction = await say(user, typed.format(candidate))
        if reaction.text.startswith(REFUSAL):
            return False
        return any(entry.phone == "+7 999 ***-**-67" for entry in parse_list(reaction.text).entries)

    return probe


async def test_searching_digit_by_digit_recovers_nothing(api: BotAPIEmulator) -> None:
    manager = api.user(MANAGER_ID)
    for typed in ("{}", "+7{}", "8{}", "клиент {}"):
        recovered = await recover("999", finds_target(manager, typed), len(TARGET_HIDDEN))
        assert recovered == "999", f"{typed!r} gave away {recovered}"
    # a whole number is searched, and what it finds is shown masked: nothing hidden is told
    card = (await say(manager, "8 999 555-45-67")).message  # one dialog: its card, opened at once
    assert "Номер: +7 999 ***-**-67" in card.content.split("\n") and "555-45" not in card.content
    listed = parse_list((await tap(manager, card, "⬅ К списку")).text)
    assert [entry.phone for entry in listed.entries] == ["+7 999 ***-**-67"]
    assert "🔎 «+7 999 ***-**-67»" in listed.header
    assert_nothing_hidden(api, manager)


async def test_forged_buttons_of_a_heads_views_tell_nothing(api: BotAPIEmulator, database: Database) -> None:
    head = api.user(HEAD_ID)
    await say(head, "5554")  # a search by part of the number, stored as a view
    await say(head, "9995554567")
    menu = (await say(head, "/start")).message
    for label in ("Отдел продаж", "Для руководителя", "Аналитика"):
        await tap(head, menu, label)
    await tap(head, menu, "👥 Клиенты")
    await tap(head, menu, "30 дней")  # each numbered row is a stored view searching a full number
    assert "+7 916 123-45-67" in menu.content

    manager = api.user(MANAGER_ID)
    whole = (await say(manager, "/dialogs")).message
    whole_list = parse_list(whole.content).entries
    stored = database.run(
        lambda connection: connection.execute(text("SELECT max(id) FROM list_views")).scalar()
    )
    assert stored is not None and stored >= 10
    for view_id in range(1, stored + 1):
        for forged in (
            ListCallback(view_id=view_id),
            ResetCallback(what=Reset.FILTERS, view_id=view_id),
            FilterCallback(kind=FilterKind.CHANNEL, view_id=view_id),
        ):
            await manager.press_data(whole, forged.pack())
            await manager.wait_answer()
            searched = SEARCHED.findall(whole.content)
            assert all(MASKED.fullmatch(text) or not any(ch.isdigit() for ch in text) for text in searched), (
                searched
            )
            await manager.press_data(whole, ListCallback().pack())  # back to the whole list
            await manager.wait_answer()
            assert parse_list(whole.content).entries == whole_list
    # a refused view shows the whole list again over the whole list: "message is not modified", absorbed
    assert all("message is not modified" in v.description for v in api.take_violations())
    assert_nothing_hidden(api, manager)


async def test_a_number_in_a_name_is_read_masked(api: BotAPIEmulator) -> None:
    manager = api.user(MANAGER_ID)
    listed = (await say(manager, "иван")).message
    assert "Иван +7 916 ***-**-02" in listed.content
    await tap(manager, listed, "1")
    assert "Иван +7 916 ***-**-02" in listed.content
    assert_nothing_hidden(api, manager)


def assert_nothing_hidden(api: BotAPIEmulator, user: SimulatedUser) -> None:
    """Neither number, nor the digits their masks hide, anywhere the manager could read them."""
    hidden = {TARGET, TARGET[1:], TARGET[2:], TARGET_HIDDEN, "555-45", "555 45", "2000002", "200-00"}
    hidden |= {"+79161234567", "9161234567", "123-45-67"}  # Семён's, which the analytics' rows search
    seen = {part for text in every_text(api, user) for part in hidden if part in text}
    assert seen == set(), f"a manager read hidden digits: {sorted(seen)}"


async def test_the_attack_works_against_a_search_that_answers_everything() -> None:
    """The attacker is real: against an oracle answering every search it recovers the hidden digits."""

    async def oracle(candidate: str) -> bool:
        return TARGET[2:].startswith(candidate)

    assert await recover("999", oracle, len(TARGET_HIDDEN)) == "999" + TARGET_HIDDEN


async def test_a_search_that_finds_nothing_suggests_only_what_a_manager_may_search(
    api: BotAPIEmulator,
) -> None:
    """The hint under an empty result never sends a manager to the last digits, a search refused to them."""
    nothing = (await say(api.user(MANAGER_ID), "Зиновий")).message.content
    assert nothing.endswith(
        "По запросу «Зиновий» ничего не нашлось.\nПопробуйте часть имени или номер телефона целиком."
    ), nothing
    head = (await say(api.user(HEAD_ID), "Зиновий")).message.content
    assert head.endswith("Попробуйте часть имени или последние 4 цифры номера."), head
