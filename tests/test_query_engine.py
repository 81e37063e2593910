"""The query engine against a real SQLite file: every sort, both directions, any page size, with and
without search, on both search plans — paging visits every matching dialog exactly once and in order."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, select

import db.dialogs
import db.postgres.connection
from db.cards import open_card
from db.dialect import sql_of
from db.dialogs import (
    SPARSE_LIMIT,
    DialogPage,
    DialogQuery,
    Filters,
    PagePosition,
    fetch_page,
    list_employees,
)
from db.engine import Database, run_sql
from db.importer import store_records
from db.models import Dialog
from db.periods import utc_bounds
from db.records import DialogRecord, MessageRecord, Sender
from db.responses import NO_CLIENT, NO_TRANSCRIPT, response_times
from db.search import Matches, SearchKind, parse_search
from db.sqlite.connection import STORED_TIME
from db.sqlite.search import dense_filter
from db.text import fold
from keyboards.columns import COLUMNS, RESPONSE_COLUMNS, Column
from tests.bot_harness import ADMIN_ID
from tests.databases import (
    migrated_database,
    on_postgres,
    plan_for_any_values,
    prepared_plans,
    statements_sent,
    total_of,
)

NAMES = [
    "Семён Иванов",
    "Семен Иванова",
    "Иван Петров",
    "Пётр Сидоров",
    "Алёна Королёва",
    "John Smith",
    "Анна Смирнова",
    "100% <b>Иван</b> & Co",
    'O\'Brien "Jack"',
    "Мария_Ким",
    "Офис +79",
]
PHONES = ["+79161234567", "+79031234567", "+79995554567", "+442079460958", "+12125550187", "+77012345678"]
CHANNELS = ["whatsapp", "telegram", "instagram", "vk", "viber", "avito", "email", "webchat"]
EMPLOYEES = ["Анна Смирнова", "Фёдор Орлов", "Борис Ким", None]
BASE = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DIALOGS = 300
PLANNED_DIALOGS = 5000  # a tenth of them costs more to read than planning a page


def make_transcript(rng: random.Random, at: datetime) -> tuple[MessageRecord, ...] | None:
    """A transcript of few distinct response times, or none: no transcript, only a bot's lines, a client
    never answered, an employee who wrote first."""
    shape = rng.randrange(6)
    if shape == 0:
        return None
    senders: list[tuple[Sender, int]] = [("bot", 0)]  # (who, seconds after the one before)
    if shape >= 2:
        senders.append(("client", 1))
    if shape == 3:
        senders.insert(0, ("employee", 0))
    if shape >= 3:
        senders += [("bot", 5), ("employee", rng.choice([0, 60, 300, 3600])), ("client", 30)]
        senders += [("employee", rng.choice([60, 7200]))]
    lines = []
    for sender, seconds in senders:
        at += timedelta(seconds=seconds)
        lines.append(MessageRecord(at, sender, None, "…"))
    return tuple(lines)


def make_records(count: int, seed: int = 7) -> list[DialogRecord]:
    """Few distinct values per column, so sorting leans on the id tiebreak everywhere."""
    rng = random.Random(seed)
    transcripts = random.Random(seed + 1)  # apart: the other columns stay as they were
    records = []
    for number in range(1, count + 1):
        name = rng.choice([*NAMES, None])
        phone = rng.choice([*PHONES, None]) if name else rng.choice(PHONES)
        completed = BASE + timedelta(hours=rng.randrange(40))
        records.append(
            DialogRecord(
                source_id=f"t-{number}",
                client_name=name,
                client_phone=phone,
                channel=rng.choice(CHANNELS),
                completed_by=rng.choice(EMPLOYEES),
                started_at=completed - timedelta(minutes=rng.randrange(1, 90)),
                completed_at=completed,
                message_count=rng.randrange(1, 6),
                messages=make_transcript(transcripts, completed - timedelta(hours=3)),
            )
        )
    return records


RECORDS = make_records(DIALOGS)


def sort_key(record: DialogRecord, sort: Column) -> object:
    if sort is Column.CLIENT:
        return fold(record.client_name) if record.client_name else record.client_phone or ""
    if sort is Column.CHANNEL:
        return record.channel
    if sort is Column.PHONE:
        return record.client_phone or ""
    if sort is Column.COMPLETED_BY:
        return fold(record.completed_by) if record.completed_by else ""
    if sort is Column.COMPLETED_AT:
        return record.completed_at
    if sort in RESPONSE_COLUMNS:
        return figure(record, sort)
    return record.message_count


def figure(record: DialogRecord, sort: Column) -> int:
    transcript = None if record.messages is None else [(m.sender, m.at) for m in record.messages]
    times = response_times(transcript)
    return times.first_response if sort is Column.FIRST_RESPONSE else times.longest_wait


def expected_ids(sort: Column, descending: bool, matches: Callable[[DialogRecord], bool]) -> list[str]:
    # ids in the database follow the records' order (store_records inserts them in order)
    numbered = [(record, index) for index, record in enumerate(RECORDS, start=1) if matches(record)]
    # sorted by client, the nameless come after the named whichever way (each group in that order)
    groups = [numbered]
    if sort is Column.CLIENT:
        groups = [
            [pair for pair in numbered if bool(pair[0].client_name) is named] for named in (True, False)
        ]
    # sorted by a response time, the dialogs without one come last whichever way: those whose client
    # never wrote, then those without a transcript
    if sort in RESPONSE_COLUMNS:
        last = (NO_CLIENT, NO_TRANSCRIPT)
        groups = [[pair for pair in numbered if figure(pair[0], sort) not in last]]
        groups += [[pair for pair in numbered if figure(pair[0], sort) == state] for state in last]
    for group in groups:
        group.sort(key=lambda pair: (sort_key(pair[0], sort), pair[1]), reverse=descending)
    return [record.source_id for group in groups for record, _ in group]


ZONE = ZoneInfo("Europe/Moscow")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = migrated_database(tmp_path_factory.mktemp("archive"))
    store_records(database.sync_engine, RECORDS, zone=ZONE)
    yield database
    database.sync_engine.dispose()


@pytest.fixture(params=["sparse", "dense", "names", "names of few"])
def plan(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test once on each search plan by moving the thresholds between them ("names" serves the
    name searches sorted by client; the others are then "dense"; "names of few": those searches walk
    their names even when their matches are few enough to be sorted, the others are "sparse")."""
    few = request.param == "names of few"
    monkeypatch.setattr(db.dialogs, "SPARSE_LIMIT", 10**9 if request.param == "sparse" or few else -1)
    monkeypatch.setattr(db.dialogs, "NAMES_LIMIT", 10**9 if request.param == "names" or few else -1)
    monkeypatch.setattr(db.dialogs, "NAMES_RATHER_THAN_SORTED", 0 if few else 10**9)
    return str(request.param)


def walk_forward(database: Database, query: DialogQuery) -> tuple[list[str], list[DialogPage]]:
    pages = [database.run(fetch_page, query)]
    while pages[-1].has_next:
        anchor = pages[-1].rows[-1].id
        next_query = replace(query, position=PagePosition.AFTER, anchor_id=anchor)
        pages.append(database.run(fetch_page, next_query))
        assert len(pages) <= DIALOGS + 1, "paging does not end"
    return [row.source_id for page in pages for row in page.rows], pages


def walk_backward(database: Database, query: DialogQuery) -> list[str]:
    last = replace(query, position=PagePosition.LAST, anchor_id=None)
    pages = [database.run(fetch_page, last)]
    while pages[-1].has_previous:
        anchor = pages[-1].rows[0].id
        previous = replace(query, position=PagePosition.BEFORE, anchor_id=anchor)
        pages.append(database.run(fetch_page, previous))
        assert len(pages) <= DIALOGS + 1, "paging does not end"
    return [row.source_id for page in reversed(pages) for row in page.rows]


ids_to_names = {r.source_id: r.client_name for r in RECORDS}
phones_by_id = {r.source_id: r.client_phone for r in RECORDS}


def search_query(typed: str) -> DialogQuery:
    return DialogQuery(parse_search(typed, "RU"), page_size=25)


SEARCHES: dict[str, Callable[[DialogRecord], bool]] = {
    "": lambda r: True,
    "семен иван": lambda r: r.client_name in ("Семён Иванов", "Семен Иванова"),
    "иван": lambda r: r.client_name is not None and "иван" in fold(r.client_name),
    "4567": lambda r: r.client_phone is not None and "4567" in r.client_phone,
    "8 (916) 123-45-67": lambda r: r.client_phone == "+79161234567",
    "%": lambda r: r.client_name == "100% <b>Иван</b> & Co",
    "_": lambda r: r.client_name == "Мария_Ким",
    "o'brien": lambda r: r.client_name == 'O\'Brien "Jack"',
    # too short for digits, so names: never the numbers of dialogs without a name
    "79": lambda r: r.client_name == "Офис +79",
    "+": lambda r: r.client_name == "Офис +79",
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sort=st.sampled_from(list(Column)),
    descending=st.booleans(),
    page_size=st.integers(min_value=1, max_value=40),
    typed=st.sampled_from(list(SEARCHES)),
)
def test_paging_visits_every_match_once_in_order(
    archive: Database, plan: str, sort: Column, descending: bool, page_size: int, typed: str
) -> None:
    sort_key = COLUMNS[sort].sort_key
    query = DialogQuery(parse_search(typed, "RU"), sort_key, descending, PagePosition.FIRST, None, page_size)
    expected = expected_ids(sort, descending, SEARCHES[typed])

    forward, pages = walk_forward(archive, query)
    assert forward == expected
    assert all(page.total == len(expected) for page in pages)
    assert all(len(page.rows) == page_size for page in pages[:-1])
    assert walk_backward(archive, query) == expected


NAME_SEARCHES = [
    typed for typed in SEARCHES if (found := parse_search(typed, "RU")) and found.kind is SearchKind.NAME
]


@pytest.mark.parametrize("typed", NAME_SEARCHES)
@pytest.mark.parametrize("page_size", [1, 2, 3, 7])
@pytest.mark.parametrize("descending", [True, False])
def test_a_name_search_sorted_by_client_pages_through_the_names_in_order(
    archive: Database, monkeypatch: pytest.MonkeyPatch, typed: str, page_size: int, descending: bool
) -> None:
    """The names plan: a name's dialogs run together in this order (many share one here), and a page
    that starts inside a name must count only the rest of that name's dialogs."""
    monkeypatch.setattr(db.dialogs, "SPARSE_LIMIT", -1)
    monkeypatch.setattr(db.dialogs, "NAMES_LIMIT", 10**9)
    query = DialogQuery(parse_search(typed, "RU"), "client_sort", descending, page_size=page_size)
    expected = expected_ids(Column.CLIENT, descending, SEARCHES[typed])
    forward, pages = walk_forward(archive, query)
    assert forward == expected
    assert all(len(page.rows) == page_size for page in pages[:-1])
    assert walk_backward(archive, query) == expected


def test_a_name_search_sorted_by_client_leaves_out_dialogs_without_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dialog without a name sorts by its number, which a client's name may equal."""
    monkeypatch.setattr(db.dialogs, "SPARSE_LIMIT", -1)
    monkeypatch.setattr(db.dialogs, "NAMES_LIMIT", 10**9)
    database = migrated_database(tmp_path)
    named, nameless = (
        replace(record, source_id=f"{kind}-{number}", client_name=name, client_phone="+79161234567")
        for number, (kind, name, record) in enumerate(
            [("named", "+79161234567", RECORDS[0]), ("nameless", None, RECORDS[1])]
        )
    )
    store_records(database.sync_engine, [named, nameless], zone=ZONE)
    for descending in (True, False):
        query = DialogQuery(parse_search("+", "RU"), "client_sort", descending)
        page = database.run(fetch_page, query)
        assert [row.source_id for row in page.rows] == ["named-0"]
        assert page.total == 1
    database.sync_engine.dispose()


@pytest.mark.parametrize("typed", list(SEARCHES))
@pytest.mark.parametrize("page_size", [1, 2, 3])
def test_a_first_page_newest_first_reads_only_the_names_or_numbers_that_can_be_on_it(
    archive: Database, typed: str, page_size: int
) -> None:
    """Many dialogs share a completion time here (hours, 300 dialogs in 40): ties must not lose a row."""
    query = DialogQuery(parse_search(typed, "RU"), "completed_at", True, PagePosition.FIRST, None, page_size)
    expected = expected_ids(Column.COMPLETED_AT, True, SEARCHES[typed])
    page = archive.run(fetch_page, query)
    assert [row.source_id for row in page.rows] == expected[:page_size]
    assert page.has_next == (len(expected) > page_size) and page.total == len(expected)


def test_the_newest_matches_keep_ties_and_the_total() -> None:
    lasts = [
        "2026-11-03 10:00:00.000000",
        "2026-11-01 09:00:00.000000",
        "2026-11-03 10:00:00.000000",
        "2026-11-02 12:00:00.000000",
        "2026-11-01 08:00:00.000000",
    ]
    matches = Matches([1, 2, 3, 4, 5], 40, list(lasts))
    assert matches.newest(1).ids == [1, 3]  # both hold the newest time
    assert matches.newest(3).ids == [1, 3, 4]
    assert matches.newest(5) == matches and matches.newest(3).total == 40
    assert Matches([1, 2], 3, [lasts[0], None]).newest(1).ids == [1, 2]  # unknown: nothing is left out


@pytest.mark.parametrize("typed", ["4567", "555", "анна"])
def test_the_matches_carry_their_newest_times_as_stored(archive: Database, typed: str) -> None:
    """What a search finds carries each name's or number's newest dialog's time in the text SQLite stores
    times in, on both engines: `Matches.newest` compares them as text."""
    search = parse_search(typed, "RU")
    assert search is not None
    column = "name_id" if search.kind is SearchKind.NAME else "phone_id"

    def found_and_newest(connection: Connection) -> tuple[Any, dict[int, datetime]]:
        found = sql_of(connection).find_matches(connection, search, 3000)
        rows = connection.execute(
            select(Dialog.__table__.c[column], func.max(Dialog.completed_at)).group_by(
                Dialog.__table__.c[column]
            )
        )
        return found, dict(rows.all())

    (total, matches), newest = archive.run(found_and_newest)
    assert matches is not None and total and matches.ids
    assert matches.lasts == [newest[id_].strftime(STORED_TIME) for id_ in matches.ids]


# the data spans 1–3 November in Moscow
PERIODS = [None, (date(2026, 11, 1), date(2026, 11, 1)), (date(2026, 11, 2), date(2026, 11, 3))]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sort=st.sampled_from(list(Column)),
    descending=st.booleans(),
    page_size=st.integers(min_value=1, max_value=40),
    typed=st.sampled_from(list(SEARCHES)),
    channel=st.sampled_from([None, "whatsapp", "viber", "nowhere"]),
    employee=st.sampled_from([None, *EMPLOYEES[:3]]),
    days=st.sampled_from(PERIODS),
)
def test_filters_with_search_and_sort_on_both_plans(
    archive: Database,
    plan: str,
    sort: Column,
    descending: bool,
    page_size: int,
    typed: str,
    channel: str | None,
    employee: str | None,
    days: tuple[date, date] | None,
) -> None:
    employee_ids = {name: employee_id for employee_id, name in archive.run(list_employees)}
    filters = Filters(
        channel=channel,
        employee_id=employee_ids[employee] if employee else None,
        days=days,
        bounds=utc_bounds(*days, ZONE) if days else None,
    )

    def matches(record: DialogRecord) -> bool:
        local_day = record.completed_at.astimezone(ZONE).date()
        return (
            SEARCHES[typed](record)
            and (channel is None or record.channel == channel)
            and (employee is None or record.completed_by == employee)
            and (days is None or days[0] <= local_day <= days[1])
        )

    found = parse_search(typed, "RU")
    query = DialogQuery(found, COLUMNS[sort].sort_key, descending, page_size=page_size, filters=filters)
    expected = expected_ids(sort, descending, matches)
    forward, pages = walk_forward(archive, query)
    assert forward == expected
    assert all(page.total == len(expected) for page in pages)
    assert walk_backward(archive, query) == expected
    # the total kept from an earlier visit leads to the same pages without counting again
    remembered = replace(query, known_total=len(expected))
    assert walk_forward(archive, remembered)[0] == expected
    assert walk_backward(archive, remembered) == expected


def test_last_page_lines_up_with_the_pages_counted_from_the_first(archive: Database) -> None:
    query = DialogQuery(page_size=7)
    _, pages = walk_forward(archive, query)
    last = archive.run(fetch_page, DialogQuery(position=PagePosition.LAST, page_size=7))
    assert [row.id for row in last.rows] == [row.id for row in pages[-1].rows]
    assert last.has_previous and not last.has_next


def test_default_order_is_newest_first(archive: Database) -> None:
    page = archive.run(fetch_page, DialogQuery(page_size=50))
    times = [row.completed_at for row in page.rows]
    assert times == sorted(times, reverse=True)
    assert page.total == DIALOGS and not page.has_previous and page.has_next


def test_a_missing_anchor_starts_from_the_first_page(archive: Database) -> None:
    first = archive.run(fetch_page, DialogQuery())
    forged = archive.run(fetch_page, DialogQuery(position=PagePosition.AFTER, anchor_id=10**9))
    assert [row.id for row in forged.rows] == [row.id for row in first.rows]


@pytest.mark.parametrize("sort", [Column.COMPLETED_AT, Column.CLIENT, Column.MESSAGES])
async def test_a_page_of_the_whole_archive_reads_its_total_along_on_postgresql(
    archive: Database, sort: Column, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list button of the whole archive is one statement on PostgreSQL, where each is a round trip: its
    page and the archive's total, read together, as two read them (the last page, whose size the total
    gives, and a page past the end, which reads none, are read so). SQLite reads the total first."""
    sent = statements_sent(monkeypatch)
    key = COLUMNS[sort].sort_key
    expected = expected_ids(sort, True, lambda record: True)
    first = await archive.read(fetch_page, DialogQuery(None, key, True, page_size=7))
    after = DialogQuery(None, key, True, PagePosition.AFTER, first.rows[-1].id, 7)
    second = await archive.read(fetch_page, after)
    before = replace(after, position=PagePosition.BEFORE, anchor_id=second.rows[0].id)
    back = await archive.read(fetch_page, before)
    assert len(sent) == (3 if archive.postgres else 6)
    assert [row.source_id for row in first.rows + second.rows] == expected[:14]
    assert (first.has_previous, first.has_next, second.has_previous, second.has_next) == (
        False,
        True,
        True,
        True,
    )
    assert back == first and first.total == second.total == len(RECORDS)

    sent.clear()
    last = await archive.read(fetch_page, DialogQuery(None, key, True, PagePosition.LAST, page_size=7))
    past = await archive.read(fetch_page, replace(after, anchor_id=last.rows[-1].id))
    assert [row.source_id for row in last.rows] == expected[-len(last.rows) :]
    assert (past.rows, past.total, past.has_previous, past.has_next) == ([], len(RECORDS), True, False)
    assert len(sent) == (6 if archive.postgres else 5)  # past the end on PostgreSQL: the one that read none


def test_rows_carry_what_the_list_shows(archive: Database) -> None:
    page = archive.run(fetch_page, DialogQuery(parse_search("+1 212 555 0187", "RU"), page_size=100))
    record_by_id = {r.source_id: r for r in RECORDS}
    assert page.rows
    for row in page.rows:
        record = record_by_id[row.source_id]
        assert row.client_phone == "+12125550187"
        assert row.client_name == record.client_name
        assert row.channel == record.channel
        assert row.completed_by == record.completed_by
        assert row.completed_at == record.completed_at and row.completed_at.tzinfo is UTC
        assert row.started_at == record.started_at
        assert row.message_count == record.message_count


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Семён Иванов", {"Семён Иванов", "Семен Иванова"}),
        ("семен иванов ", {"Семён Иванов", "Семен Иванова"}),
        ("Иван Петров", {"Иван Петров"}),
        ("СЕМЁН", {"Семён Иванов", "Семен Иванова"}),
        ("иванова семен", {"Семен Иванова"}),
        ("алена королева", {"Алёна Королёва"}),
        ("лёна", {"Алёна Королёва"}),
        ("smith", {"John Smith"}),
        ("ко", {"Алёна Королёва"}),
        ("co", {"100% <b>Иван</b> & Co"}),
        ("<b>", {"100% <b>Иван</b> & Co"}),
        ('"jack"', {'O\'Brien "Jack"'}),
        ("'; DROP TABLE dialogs; --", set()),
        ("zzz", set()),
    ],
)
def test_name_search(archive: Database, typed: str, found: set[str]) -> None:
    names = {ids_to_names[source_id] for source_id in walk_forward(archive, search_query(typed))[0]}
    assert names == found


@pytest.mark.parametrize(
    "typed", ["8 (916) 123-45-67", "+7 916 1234567", "9161234567", "+79161234567", "8-916-123-45-67"]
)
def test_a_full_number_in_any_format_finds_the_same_dialogs(archive: Database, typed: str) -> None:
    expected = {r.source_id for r in RECORDS if r.client_phone == "+79161234567"}
    assert expected and set(walk_forward(archive, search_query(typed))[0]) == expected


@pytest.mark.parametrize(
    ("typed", "phones"),
    [
        ("4567", {"+79161234567", "+79031234567", "+79995554567", "+77012345678"}),
        ("1234567", {"+79161234567", "+79031234567", "+77012345678"}),
        ("34567", {"+79161234567", "+79031234567", "+77012345678"}),
        ("555", {"+79995554567", "+12125550187"}),
        ("916 123", {"+79161234567"}),
        ("00000", set()),
    ],
)
def test_partial_digits_find_numbers_that_contain_them(
    archive: Database, typed: str, phones: set[str]
) -> None:
    found, pages = walk_forward(archive, search_query(typed))
    assert {phones_by_id[source_id] for source_id in found} == phones
    assert pages[0].total == len(found) == sum(1 for r in RECORDS if r.client_phone in phones)


def test_numbers_of_a_later_import_are_found_by_their_digits(tmp_path: Path) -> None:
    """The four-digit grams are kept by every import, not only built by the migration; grams with leading
    zeros ("0012") are grams like any other."""
    database = migrated_database(tmp_path)
    store_records(database.sync_engine, RECORDS[:50], zone=ZONE)
    later = [
        replace(RECORDS[0], source_id="later-1", client_phone="+74950012345"),
        replace(RECORDS[1], source_id="later-2", client_phone="+79990001234"),
    ]
    store_records(database.sync_engine, later, zone=ZONE)
    both = {"later-1", "later-2"}
    cases = (("0012345", {"later-1"}), ("0001234", {"later-2"}), ("0012", both), ("001", both))
    for typed, expected in cases:
        assert set(walk_forward(database, search_query(typed))[0]) == expected, typed
    database.sync_engine.dispose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(digits=st.text(alphabet="0123456789", min_size=3, max_size=8))
def test_any_digits_find_exactly_the_numbers_that_contain_them(archive: Database, digits: str) -> None:
    expected = {r.source_id for r in RECORDS if r.client_phone and digits in r.client_phone}
    query = search_query(digits)
    if query.search is not None and query.search.kind.value == "digits":
        assert set(walk_forward(archive, query)[0]) == expected


def test_totals_match_the_pages(archive: Database) -> None:
    assert total_of(archive) == DIALOGS
    assert total_of(archive, parse_search("иван", "RU")) == len(
        expected_ids(Column.CLIENT, False, SEARCHES["иван"])
    )


@pytest.mark.parametrize(
    ("walked", "index"),
    [
        ("client_sort", "ix_dialogs_client_sort"),
        ("client_sort_up", "ix_dialogs_client_sort_up"),
        ("completed_at", "ix_dialogs_completed_at"),
    ],
)
@pytest.mark.sqlite_only("SQLite's query plan and index columns")
@pytest.mark.parametrize("typed", ["иван", "семен иван"])
def test_a_walk_tests_a_common_name_in_the_index_it_walks(
    archive: Database, walked: str, index: str, typed: str
) -> None:
    """A walk of the Клиент or the time index skips the dialogs of other names without reading their rows
    only if the name is tested in a column that index holds (the list sorted А→Я walks client_sort_up)."""
    search = parse_search(typed, "RU")
    assert search is not None
    condition, _ = dense_filter(search, walked)
    indexed = {row[2] for row in archive.run(run_sql, f"PRAGMA index_info({index})")}
    assert set(re.findall(r"\bd\.(\w+)", condition)) <= indexed


def test_an_empty_archive(tmp_path: Path) -> None:
    database = migrated_database(tmp_path)
    page = database.run(fetch_page, DialogQuery(position=PagePosition.LAST))
    assert page == DialogPage([], 0, False, False)
    database.sync_engine.dispose()


def test_names_and_numbers_without_a_known_newest_time_are_all_read(tmp_path: Path) -> None:
    """A name or number whose newest dialog time is unknown (NULL) is never left out of a first page."""
    database = migrated_database(tmp_path)
    store_records(database.sync_engine, RECORDS, zone=ZONE)
    database.run(run_sql, "UPDATE client_names SET last_completed_at = NULL WHERE id % 2 = 0")
    database.run(run_sql, "UPDATE client_phones SET last_completed_at = NULL WHERE id % 2 = 0")
    for typed in ("иван", "4567", "семен иван"):
        query = DialogQuery(parse_search(typed, "RU"), "completed_at", True, page_size=2)
        page = database.run(fetch_page, query)
        expected = expected_ids(Column.COMPLETED_AT, True, SEARCHES[typed])
        assert [row.source_id for row in page.rows] == expected[:2] and page.total == len(expected)
    database.sync_engine.dispose()


@pytest.mark.parametrize("sort", RESPONSE_COLUMNS)
@pytest.mark.parametrize("descending", [True, False])
def test_response_time_sorts_page_every_search_with_the_figureless_last(
    archive: Database, plan: str, sort: Column, descending: bool
) -> None:
    """Slowest (or fastest) first, «без ответа» the slowest, and the dialogs without a figure last both
    ways; alone, with each search, and with a channel and a period."""
    sort_key = COLUMNS[sort].sort_key
    states = {NO_CLIENT, NO_TRANSCRIPT}
    for typed, matches in SEARCHES.items():
        query = DialogQuery(parse_search(typed, "RU"), sort_key, descending, page_size=9)
        expected = expected_ids(sort, descending, matches)
        forward, _ = walk_forward(archive, query)
        assert forward == expected
        assert walk_backward(archive, query) == expected
    figures = [figure(record, sort) for record in RECORDS]
    assert states <= set(figures) and len(set(figures) - states) >= 4, "the data has every kind"
    days = PERIODS[2]
    assert days is not None
    filters = Filters(channel="whatsapp", days=days, bounds=utc_bounds(*days, ZONE))
    query = DialogQuery(None, sort_key, descending, page_size=4, filters=filters)

    def in_filters(record: DialogRecord) -> bool:
        day = record.completed_at.astimezone(ZONE).date()
        return record.channel == "whatsapp" and days[0] <= day <= days[1]

    expected = expected_ids(sort, descending, in_filters)
    assert walk_forward(archive, query)[0] == expected
    assert walk_backward(archive, query) == expected
    shown = [figure(RECORDS[int(source_id[2:]) - 1], sort) for source_id in expected]
    assert shown[-1] in states and shown[0] not in states


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's plans of prepared statements")
async def test_postgresql_plans_a_page_without_filters_once(database: Database) -> None:
    """The bot's pages on the event loop's connection (asyncpg's prepared statements): the page after
    another with no filter is planned once for any anchor (a plan for each took ~0.4 ms at 1M), in an
    archive large enough that a plan for any LIMIT would be costed for a tenth of it; a filtered page keeps
    its LIMIT a parameter, for the plans of each filter's values."""
    store_records(database.sync_engine, make_records(PLANNED_DIALOGS), zone=ZONE)
    database.run(run_sql, "ANALYZE dialogs")
    first = await database.read(fetch_page, DialogQuery(page_size=3))
    days = PERIODS[2]
    assert days is not None
    period = Filters(days=days, bounds=utc_bounds(*days, ZONE))
    for filters in (Filters(), period):
        anchor = first.rows[-1].id
        for _ in range(8):  # PostgreSQL weighs a plan for any values after five of their own
            query = DialogQuery(position=PagePosition.AFTER, anchor_id=anchor, page_size=3, filters=filters)
            anchor = (await database.read(fetch_page, query)).rows[-1].id

    def plans(connection: Connection) -> dict[bool, tuple[str, int, int]]:
        """The two pages' statements, by whether they are filtered."""
        rows = run_sql(
            connection,
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE 'SELECT p.id%(SELECT completed_at FROM dialogs WHERE id = %'",
        )
        return {"completed_at >=" in sql: (sql, generic, custom) for sql, generic, custom in rows}

    pages = await database.read(plans)
    unfiltered, unfiltered_generic, unfiltered_custom = pages[False]
    assert unfiltered_generic == 3 and unfiltered_custom == 5, unfiltered
    filtered, _, _ = pages[True]
    assert re.search(r"LIMIT \$\d", filtered), filtered


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's plans of prepared statements")
async def test_postgresql_plans_the_page_of_one_number_or_name_once(database: Database) -> None:
    """A search that finds one number (a whole number typed) or one name reads its page with that id
    alone, and the page is planned once for any of them (an array of ids was planned at every search:
    0.3–0.5 ms at 1M); the page of several names keeps the array."""
    # a client's number in two or three dialogs, as in a real archive (make_records has seven numbers)
    records = [
        replace(record, client_phone=f"+7916{n % 2000:07d}")
        for n, record in enumerate(make_records(PLANNED_DIALOGS))
    ]
    store_records(database.sync_engine, records, zone=ZONE)
    database.run(run_sql, "ANALYZE")
    phones = [f"+7916{n:07d}" for n in range(8)]
    for phone in phones:  # PostgreSQL weighs a plan for any values after five of their own
        page = await database.read(fetch_page, DialogQuery(parse_search(phone, "RU"), page_size=3))
        assert page.rows and all(row.client_phone == phone for row in page.rows)

    pages = "WITH f AS MATERIALIZED%"
    (statement, generic, _), *others = await database.read(prepared_plans, like=pages)
    assert not others and "d.phone_id = $1" in statement and generic == 3, statement
    assert not re.search(r"LIMIT \$\d", statement), statement
    several = await database.read(fetch_page, DialogQuery(parse_search("ова", "RU"), page_size=3))
    assert several.total > 1
    (array,) = [
        sql for sql, _, _ in await database.read(prepared_plans, like=pages) if "d.name_id = ANY($1)" in sql
    ]
    assert not re.search(r"LIMIT \$\d", array), array  # planned once too, for any names


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's plans of prepared statements")
async def test_postgresql_plans_the_walk_of_a_common_word_once(database: Database) -> None:
    """A word found in many dialogs walks the newest first testing each for it, and the walk is planned
    once for any word (it was planned at every page: 0.47 ms of a common word's 0.94 at 1M)."""
    store_records(database.sync_engine, make_records(PLANNED_DIALOGS), zone=ZONE)
    database.run(run_sql, "ANALYZE")
    words = ["ива", "иван", "ов", "сем", "пет", "анн", "смир", "ким"]
    for word in words:  # PostgreSQL weighs a plan for any values after five of their own
        known = SPARSE_LIMIT + 1  # as kept with the view: its pages are walked
        page = await database.read(fetch_page, DialogQuery(parse_search(word, "RU"), known_total=known))
        assert page.rows and all(word in fold(row.client_name or "") for row in page.rows), word

    walk = "SELECT p.id%strpos(d.client_sort, $1) > 0%"
    (statement, generic, _), *others = await database.read(prepared_plans, like=walk)
    assert not others and generic == 3, statement
    assert not re.search(r"LIMIT \$\d", statement), statement


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's plans of prepared statements")
async def test_postgresql_never_reads_the_whole_names_index_for_a_word_of_one_or_two_letters(
    database: Database,
) -> None:
    """A word of fewer than three letters gives the names' trigram index nothing to look up: a plan that
    read the index for it would read it whole and recheck every name (14 ms at 1M, where reading the names
    takes 6). PostgreSQL keeps a plan for any values after five searches of a statement, and the plan of
    a search by such a word does not read that index."""
    store_records(database.sync_engine, make_records(PLANNED_DIALOGS), zone=ZONE)
    # names of clients whose dialogs are gone: as many as an archive of a million dialogs holds, for the
    # plans of one
    database.run(
        run_sql,
        "INSERT INTO client_names (name, name_fold, dialog_count)"
        " SELECT 'Клиент ' || n, 'клиент ' || n, 0 FROM generate_series(1, 30000) AS n",
    )
    database.run(run_sql, "ANALYZE")
    for typed in ("ан", "ов", "ив", "ан", "ов", "ив", "ан", "ов"):
        page = await database.read(fetch_page, DialogQuery(parse_search(typed, "RU"), page_size=3))
        assert page.total and all(typed in fold(row.client_name or "") for row in page.rows), typed
    found = await database.read(fetch_page, DialogQuery(parse_search("ан петров", "RU"), page_size=3))
    assert found.rows and all("петров" in fold(row.client_name or "") for row in found.rows)

    statements = await database.read(prepared_plans, like="%FROM client_names m WHERE%")
    # a word's search, and the two words' (a parameter more)
    (one_word, _, one), _ = sorted(statements, key=lambda statement: statement[2])
    plan = database.run(plan_for_any_values, one_word, one)
    assert "client_names" in plan and "ix_trgm_client_names_name_fold" not in plan, plan


@pytest.mark.parametrize("scope", [None, "own"])
def test_a_card_reads_the_part_asked_for_and_the_last_for_one_past_the_end(
    archive: Database, scope: str | None
) -> None:
    """Every part of every transcript in order, lines and count, however it is cut; a part asked past the
    end (a button older than a transcript stored again) is the last one; a dialog without one has one
    empty part; another employee's dialog has no card for someone who sees only theirs."""
    ids = dict(archive.run(lambda c: list(run_sql(c, "SELECT source_id, id FROM dialogs"))))
    employees = dict(archive.run(lambda c: list(run_sql(c, "SELECT name, id FROM employees"))))
    for record in RECORDS[:60]:
        dialog = ids[record.source_id]
        if scope and record.completed_by is None:
            continue  # nobody's dialog: no one's to see alone
        own = employees[record.completed_by] if scope and record.completed_by else None
        sent = [(line.at, line.sender) for line in record.messages or ()]
        for per_part in (1, 2, 3, 50):
            parts = max(1, -(-len(sent) // per_part))
            for part in (*range(parts), parts, parts + 7):
                card = archive.run(open_card, dialog, part, per_part, own)
                assert card is not None and card.dialog.source_id == record.source_id
                shown = min(part, parts - 1)
                assert (card.part, card.parts, card.total) == (shown, parts, len(sent))
                expected = sent[shown * per_part : (shown + 1) * per_part]
                assert [(line.sent_at, line.sender) for line in card.lines] == expected
        if scope:
            others = [e for name, e in employees.items() if name != record.completed_by]
            assert archive.run(open_card, dialog, 0, 3, others[0]) is None


@pytest.mark.skipif(not on_postgres(), reason="a round trip to the server for each statement")
async def test_postgresql_reads_a_card_with_its_part_and_its_opening_in_one_statement(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A card on the event loop's connection: the dialog, the part of its transcript asked for and the
    audit row of its opening in one statement; a part past the end (an old button) is read again, as the
    last part."""
    record = next(r for r in RECORDS if r.messages and len(r.messages) >= 5)
    store_records(database.sync_engine, [record], zone=ZONE)
    (dialog,) = database.run(lambda c: [id_ for (id_,) in run_sql(c, "SELECT id FROM dialogs")])
    sent = [(line.at, line.sender) for line in record.messages or ()]
    statements: list[str] = []
    execute = db.postgres.connection.execute

    def counted(connection: Connection, sql: str, params: Any) -> Any:
        statements.append(sql)
        return execute(connection, sql, params)

    monkeypatch.setattr(db.postgres.connection, "execute", counted)
    card = await database.write_statement(open_card, dialog, 1, 2, opened_by=ADMIN_ID)
    assert card is not None and len(statements) == 1
    assert [(line.sent_at, line.sender) for line in card.lines] == sent[2:4]
    statements.clear()
    parts = -(-len(sent) // 2)
    card = await database.read(open_card, dialog, parts + 2, 2)
    assert card is not None and card.part == parts - 1 and len(statements) == 2
    assert [(line.sent_at, line.sender) for line in card.lines] == sent[(parts - 1) * 2 :]
    monkeypatch.undo()
    opened = database.run(lambda c: list(run_sql(c, "SELECT telegram_id, dialog_id FROM audit_log")))
    assert [tuple(row) for row in opened] == [(ADMIN_ID, dialog)]
