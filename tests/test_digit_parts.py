"""A search by digits told in two parts (`db.digit_parts`), walked page by page through the list's use case
on a real archive: forward with ▶ and back with ◀, at every page size and in every sort, each dialog comes
exactly once, the numbers that end with the digits first, each part in the sort's order, and the page
numbers, entry numbers and the part named follow."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event

import db.dialogs
import db.digit_parts
from db import dialect
from db.dialogs import PagePosition
from db.digit_parts import PartsShown
from db.engine import Database
from db.importer import store_records
from db.listing import ListRequest, ListResult, ListSettings, ViewChange, read_and_keep, read_list
from db.records import DialogRecord
from db.search import DigitsPart, Search
from tests.bot_harness import ZONE
from tests.databases import migrated_database, statements_sent
from tests.test_digits_first_e2e import RECORDS

SORTS = [("completed_at", True), ("completed_at", False), ("client_sort", False), ("message_count", True)]


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = migrated_database(Path(tmp_path_factory.mktemp("parts")))
    store_records(database.sync_engine, RECORDS, zone=ZONE)
    yield database
    database.sync_engine.dispose()


def expected(sort: str, descending: bool) -> list[str]:
    def key(record: DialogRecord) -> tuple[Any, str]:
        name = record.client_name or ""
        value = {"completed_at": record.completed_at, "client_sort": name.lower(), "message_count": 2}[sort]
        return value, name  # ties by id, which follows the names here

    ending = [r for r in RECORDS if r.client_phone and r.client_phone.endswith("9675")]
    inside = [r for r in RECORDS if r.client_phone and "9675" in r.client_phone and r not in ending]
    order: list[str] = []
    for part in (ending, inside):
        ordered = sorted(part, key=key, reverse=descending)
        order += [r.client_name or "" for r in ordered]
    return order


def searched(connection: Connection, request: ListRequest, settings: ListSettings, typed: str) -> ListResult:
    """The first page of a search typed, its view stored, as `db.archive.Archive.open_list` makes it."""
    return read_and_keep(connection, request, settings, ViewChange(search_text=typed))


def read(database: Database, request: ListRequest, settings: ListSettings) -> ListResult:
    return database.run(read_list, request, settings).result


def names(result: ListResult) -> list[str]:
    return [row.client_name or "" for row in result.page.rows]


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 13, 20])
@pytest.mark.parametrize(("sort", "descending"), SORTS)
def test_walking_both_ways_meets_every_dialog_once_the_ending_numbers_first(
    database: Database, size: int, sort: str, descending: bool
) -> None:
    settings = ListSettings(ZONE, "RU", size)
    first = database.run(searched, ListRequest(sort, descending), settings, "9675")
    view_id = first.view_id
    want = expected(sort, descending)
    pages = [first]
    while pages[-1].page.has_next:
        last = pages[-1]
        request = ListRequest(
            sort, descending, PagePosition.AFTER, last.page.rows[-1].id, last.page_number + 1, view_id
        )
        pages.append(read(database, request, settings))
    walked = [name for result in pages for name in names(result)]
    assert walked == want
    assert [result.page_number for result in pages] == list(range(1, len(pages) + 1))
    assert pages[-1].pages == len(pages)
    numbers = [result.first_number for result in pages]
    assert numbers[0] == 1 and all(n > 0 for n in numbers)
    for result in pages:
        shown = result.parts
        assert isinstance(shown, PartsShown) and (shown.ending, shown.inside) == (7, 6)
        ending = all(row.client_phone and row.client_phone.endswith("9675") for row in result.page.rows)
        assert (shown.part is DigitsPart.ENDING) == ending

    back = [read(database, ListRequest(sort, descending, PagePosition.LAST, 0, 1, view_id), settings)]
    while back[-1].page.has_previous:
        last = back[-1]
        request = ListRequest(
            sort, descending, PagePosition.BEFORE, last.page.rows[0].id, last.page_number - 1, view_id
        )
        back.append(read(database, request, settings))
    assert [names(result) for result in reversed(back)] == [names(result) for result in pages]
    assert [result.page_number for result in reversed(back)] == [result.page_number for result in pages]
    assert [result.first_number for result in reversed(back)] == numbers


def test_a_page_looks_both_parts_up_once(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page counts both parts and reads one of them: the part read is planned from its count, not looked
    up again, and the two are looked up together, which on PostgreSQL reads the numbers holding the digits
    in one statement (each lookup is a round trip to the server, on every page of the search)."""
    settings = ListSettings(ZONE, "RU", 5)
    first = database.run(searched, ListRequest("completed_at", True), settings, "9675")
    looked_up: list[tuple[Search, ...]] = []

    def spied_engine(connection: Connection) -> dialect.EngineSQL:
        engine = dialect.sql_of(connection)

        def find_matches(connection: Connection, search: Search, limit: int) -> Any:
            looked_up.append((search,))
            return engine.find_matches(connection, search, limit)

        def find_part_matches(connection: Connection, parts: tuple[Search, Search], limit: int) -> Any:
            looked_up.append(parts)
            return engine.find_part_matches(connection, parts, limit)

        return replace(engine, find_matches=find_matches, find_part_matches=find_part_matches)

    monkeypatch.setattr(db.dialogs, "sql_of", spied_engine)
    monkeypatch.setattr(db.digit_parts, "sql_of", spied_engine)
    grams_read: list[str] = []

    def sent(*args: Any) -> None:
        if "client_phone_grams" in args[2]:
            grams_read.append(args[2])

    # PostgreSQL's statements from a thread go through SQLAlchemy's events (SQLite's go to the driver)
    event.listen(database.sync_engine, "before_cursor_execute", sent)
    after = ListRequest("completed_at", True, PagePosition.AFTER, first.page.rows[-1].id, 2, first.view_id)
    try:
        second = read(database, after, settings)
    finally:
        event.remove(database.sync_engine, "before_cursor_execute", sent)
    assert names(second) == expected("completed_at", True)[5:7]  # the rest of the 7 ending with the digits
    assert [[search.part for search in searches] for searches in looked_up] == [
        [DigitsPart.ENDING, DigitsPart.INSIDE]
    ]
    if database.postgres:
        assert len(grams_read) == 1


async def test_a_search_by_digits_reads_its_numbers_from_their_grams_alone(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search by four digits or more finds its numbers, with their dialog counts and newest dialogs, in
    the numbers' grams alone (`db.models.ClientPhoneGram`), not in `client_phones` as well, where the
    ~200 numbers holding four digits lie scattered: on PostgreSQL reading them was most of the search."""
    sent = statements_sent(monkeypatch)
    settings = ListSettings(ZONE, "RU", 5)
    for typed, parts in (("9675", (7, 6)), ("119675", (4, 0))):  # +7903111 9675, +7926111 9675
        result = await database.write_statement(
            read_and_keep, ListRequest("completed_at", True), settings, ViewChange(search_text=typed)
        )
        shown = result.parts
        assert isinstance(shown, PartsShown) and (shown.ending, shown.inside) == parts
    assert names(result) == [name for name in expected("completed_at", True) if name in names(result)]
    assert any("client_phone_grams" in sql for sql in sent)
    assert not [sql for sql in sent if "client_phones" in sql]


@pytest.mark.parametrize("many", [False, True])
@pytest.mark.parametrize("size", [1, 2, 5, 20])
async def test_a_first_page_read_with_its_search_is_the_page_read_after_it(
    database: Database, size: int, many: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the statement that stores a search typed and counts it also reads its first page,
    newest first (`db.postgres.search.counted_along`): the page, its part and its neighbours are those the
    list reads after the count, for numbers that end with the digits, numbers that only hold them, a name
    and a whole number; and when they find many (the numbers ending with the digits of a part walked, a
    name's dialogs walked newest first)."""
    if many:
        monkeypatch.setattr(db.dialogs, "SPARSE_LIMIT", 2)
    settings = ListSettings(ZONE, "RU", size)
    for typed in ("9675", "96755", "клиент", "+7 916 123-96-75"):
        along = await database.write_statement(
            read_and_keep, ListRequest("completed_at", True), settings, ViewChange(search_text=typed)
        )
        view = ListRequest("completed_at", True, view_id=along.view_id)
        after = database.run(read_list, view, settings).result  # the view stored: its page read after
        assert along.page.rows, typed
        # the same page; read after, its total is the one kept with the view (not counted, not costly)
        assert (replace(along.page, total_costly=False), along.parts, along.page_number, along.pages) == (
            after.page,
            after.parts,
            after.page_number,
            after.pages,
        ), typed
