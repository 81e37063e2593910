"""The query engine of the dialog list: one query in, one page out, as fast at page 50,000 as at page 1.

Paging is by keyset `(sort column, id)`: a page starts after (or ends before) a dialog given by its id,
whose sort value is looked up in the same statement, so a cursor is one integer whatever the column.
A column can be sorted by when it is indexed together with the id (`SORT_KEYS`, from the models); the
dialog list's columns name theirs (`keyboards.columns`).

A search or a filter is answered in one of two ways, chosen by how many dialogs match (known cheaply: a
search's from the names' and phones' counters, see `db.sqlite.search`; the filters' from the daily
statistics, see `db.stats`):
- few matches: fetch them through the most selective index (name, phone, time, channel or employee) and
  sort them (cost grows with the matches);
- many matches: walk the sort index and test each row (cost grows with total / matches).
The switch sits where the two costs cross. The plan names the filters whose index may be used; the
statements that say so to SQLite, and read the indexes of names and numbers, are `db.sqlite`'s.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection

from db.counters import DIALOG_TOTAL, archive_revision, dialog_total
from db.dialect import EngineSQL, sql_of
from db.engine import Rows, run_sql, stored_time
from db.models import Base, Dialog
from db.responses import NO_TRANSCRIPT
from db.reviews import LOW, LOW_MARK, marks_of
from db.search import Found, Matches, Search, SearchKind, digit_parts
from db.search_sql import CLIENT_COLUMNS
from db.sqlite.pages import ROW_WIDTH, filter_conditions, page_statement
from db.stats import count_dialogs

SPARSE_LIMIT = 3000  # up to this many matches, fetching and sorting them beats walking an index
# up to this many matches of a name search sorted by client, ordering the matching names (up to ~2,000 of
# them) beats walking the sort index (db.sqlite.pages._names_page); more are spread over the alphabet
NAMES_LIMIT = 50_000
# above this many matches, a name search sorted by client walks its names in order even when they are few
# enough to fetch and sort (`SPARSE_LIMIT`). On both engines sorting is the faster up to ~200 dialogs (205:
# 1.1–1.3 against 1.3–1.5 ms), walking the names from ~1,000 (1,101: 1.7–1.9 against 3.3–4.0 ms; «петров»,
# 2,931: 2.3–2.5 against 7.4–7.8 ms): benchmarks/README.md
NAMES_RATHER_THAN_SORTED = 500
MAX_PAGE_SIZE = 100
# The sorts with a second key for going up, so that the dialogs without a value come last both ways: the
# nameless clients (`db.importer.client_sort_keys`), the dialogs without a response time (`db.responses`).
UP_KEYS = {
    "client_sort": "client_sort_up",
    "first_response": "first_response_up",
    "longest_wait": "longest_wait_up",
}


# The columns a page can be sorted by: those indexed together with the id (keyset paging needs both).
SORT_KEYS = frozenset(
    names[0]
    for names in (
        [column.name for column in index.columns]
        for index in Base.metadata.tables[Dialog.__tablename__].indexes
    )
    if names[1:2] == ["id"]
)


class PagePosition(Enum):
    FIRST = "first"
    LAST = "last"
    AFTER = "after"  # the page that follows the anchor dialog
    BEFORE = "before"  # the page that precedes it


@dataclass(frozen=True, slots=True)
class Filters:
    """The list's filters; None: not filtered by that."""

    channel: str | None = None
    employee_id: int | None = None  # 0: the dialogs nobody completed
    days: tuple[date, date] | None = None  # local days, inclusive (what the statistics count in)
    bounds: tuple[datetime, datetime] | None = None  # the same days as naive UTC [start, end)
    review: str | None = None  # `db.reviews.UNMARKED` or `LOW`: the dialogs without a mark, or marked ≤ 2

    def __bool__(self) -> bool:
        return (
            self.channel is not None
            or self.employee_id is not None
            or self.days is not None
            or self.review is not None
        )


@dataclass(frozen=True, slots=True)
class DialogQuery:
    search: Search | None = None
    sort: str = "completed_at"  # one of `SORT_KEYS`
    descending: bool = True
    position: PagePosition = PagePosition.FIRST
    anchor_id: int | None = None  # required for AFTER and BEFORE
    page_size: int = 10
    filters: Filters = Filters()
    known_total: int | None = None  # what this search and these filters found before: not counted again

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:  # it becomes part of a statement
            raise ValueError(f"the dialogs cannot be sorted by {self.sort!r}")

    @property
    def column(self) -> str:
        """The column walked: going up, the sort's key for that way (`UP_KEYS`) when it has one."""
        return self.sort if self.descending else UP_KEYS.get(self.sort, self.sort)


@dataclass(frozen=True, slots=True)
class DialogRow:
    id: int
    source_id: str
    client_name: str | None
    client_phone: str | None  # E.164
    channel: str
    completed_by: str | None
    started_at: datetime | None  # UTC, aware
    completed_at: datetime  # UTC, aware
    message_count: int
    # `db.responses`: seconds, or a state (no transcript, no client message, unanswered)
    first_response: int = NO_TRANSCRIPT
    longest_wait: int = NO_TRANSCRIPT
    mark: int | None = None  # a head's mark (`db.reviews`): read for exports alone (`iter_dialogs`)
    review_comment: str | None = None


@dataclass(frozen=True, slots=True)
class DialogPage:
    rows: list[DialogRow]
    total: int
    has_previous: bool
    has_next: bool
    total_costly: bool = False  # the total took counting many matches: worth keeping for the next pages


def fetch_page(
    connection: Connection,
    query: DialogQuery,
    plan: PagePlan | None = None,
    newest_rows: list[DialogRow] | None = None,
) -> DialogPage:
    """The page `query` asks for; `plan`: `plan_page(connection, query)` when already made. `newest_rows`:
    the first `first_page_reads(query.page_size)` dialogs of its search newest first, when already read
    (with the search's count: `db.postgres.search.counted_along`), for its first page in that order.
    Without a plan, a page of the whole archive may read its total along (`_page_counted_along`)."""
    size = max(1, min(query.page_size, MAX_PAGE_SIZE))
    if plan is None and _total_read_along(connection, query):
        counted = _page_counted_along(connection, query, size)
        if counted is not None:
            return counted
    plan = plan if plan is not None else plan_page(connection, query)
    if plan.total == 0:
        return DialogPage([], 0, False, False)

    def page(rows: list[DialogRow], has_previous: bool, has_next: bool) -> DialogPage:
        return DialogPage(rows, plan.total, has_previous, has_next, plan.costly)

    if _anchored(query):
        assert query.anchor_id is not None
        forward = query.position is PagePosition.AFTER
        rows = _fetch(connection, query, plan, forward=forward, limit=size + 1, anchor=query.anchor_id)
        if rows or _exists(connection, query.anchor_id):
            return _beside_anchor(rows, size, forward, plan.total, plan.costly)
        # an anchor that no longer exists (or never did): start over from the first page

    if query.position is PagePosition.LAST:
        last_size = plan.total - (plan.total - 1) // size * size
        rows = _fetch(connection, query, plan, forward=False, limit=last_size, anchor=None)
        return page(rows[::-1], has_previous=plan.total > last_size, has_next=False)

    if newest_rows is not None and _first_read_along(query):
        rows = newest_rows
    else:
        first = _newest_first(sql_of(connection), plan, query, size + 1)
        rows = _fetch(connection, query, first, forward=True, limit=size + 1, anchor=None)
    return page(rows[:size], has_previous=False, has_next=len(rows) > size)


def _anchored(query: DialogQuery) -> bool:
    return query.position in (PagePosition.AFTER, PagePosition.BEFORE) and query.anchor_id is not None


def _beside_anchor(rows: list[DialogRow], size: int, forward: bool, total: int, costly: bool) -> DialogPage:
    """The page of the `size` + 1 dialogs read after (`forward`) or before an anchor, as it is shown."""
    more = len(rows) > size
    rows = rows[:size]
    if forward:
        return DialogPage(rows, total, True, more, costly)
    return DialogPage(rows[::-1], total, more, True, costly)


def _total_read_along(connection: Connection, query: DialogQuery) -> bool:
    """The page is of the whole archive, not its last (whose size the total gives), on an engine where a
    statement more is a round trip more (`EngineSQL.counted_along`): its statement reads the total too."""
    whole = query.search is None and not query.filters and query.position is not PagePosition.LAST
    return whole and sql_of(connection).counted_along is not None


def _page_counted_along(connection: Connection, query: DialogQuery, size: int) -> DialogPage | None:
    """A page of the whole archive and the archive's total (`dialog_total`) read by one statement: the
    list's pages on PostgreSQL, where reading the total first took a round trip more (~0.25 ms a button
    pressed: benchmarks/README.md). None when the statement read no dialog (an empty archive, an anchor
    at the end or gone): such a page is read as any other, its total first."""
    anchored = _anchored(query)
    forward = not anchored or query.position is PagePosition.AFTER
    anchor = query.anchor_id if anchored else None
    read = list(
        _page_rows(
            connection,
            query,
            _WHOLE_ARCHIVE,
            forward=forward,
            limit=size + 1,
            anchor=anchor,
            along=_TOTAL_ALONG,
        )
    )
    total = int(read[0][ROW_WIDTH] or 0) if read else 0
    if not total:
        return None
    rows = [dialog_row(row) for row in read]
    if anchored:
        return _beside_anchor(rows, size, forward, total, costly=False)
    return DialogPage(rows[:size], total, False, len(rows) > size)


def first_page_reads(page_size: int) -> int:
    """How many dialogs a first page reads: a page, and one more that tells whether another follows."""
    return max(1, min(page_size, MAX_PAGE_SIZE)) + 1


def reads_newest_first(sort: str, descending: bool) -> bool:
    """The list's default order: the newest dialogs first."""
    return sort == "completed_at" and descending


def _first_read_along(query: DialogQuery) -> bool:
    """The first page a search's count reads along (`db.postgres.search.counted_along`): of a search
    without filters, in the default order."""
    return query.search is not None and not query.filters and reads_newest_first(query.sort, query.descending)


def _read_newest_first(plan: PagePlan, query: DialogQuery) -> bool:
    """A search's first page in the default order is read among the few names or numbers it found."""
    return (
        plan.matches is not None
        and query.search is not None
        and reads_newest_first(query.sort, query.descending)
    )


def _newest_first(sql: EngineSQL, plan: PagePlan, query: DialogQuery, count: int) -> PagePlan:
    """The first `count` dialogs of a search in the default order, newest first, are among those of the
    few names or numbers whose own newest dialogs are newest (`Matches.newest`): only theirs are read (a
    number's last four digits match ~150 numbers; the page needs at most eleven of them)."""
    if not _read_newest_first(plan, query):
        return plan
    assert plan.matches is not None and query.search is not None
    condition, params = sql.sparse_filter(query.search, plan.matches.newest(count))
    return replace(plan, condition=condition, params=params)


EXPORT_BATCH = 1000


def iter_dialogs(connection: Connection, query: DialogQuery) -> Iterator[tuple[int, list[DialogRow]]]:
    """Every dialog of the query's search and sort, a batch at a time, with the total and each one's review
    mark and comment: for exports.

    One plan for the whole walk; each batch is a keyset step after the last dialog of the one before,
    so memory stays at one batch whatever the size. A search told in two parts (`db.search.digit_parts`)
    walks them one after the other, as the list shows them."""
    parts = digit_parts(query.search)
    queries = [replace(query, search=part, known_total=None) for part in parts] if parts else [query]
    plans = [(part_query, plan_page(connection, part_query)) for part_query in queries]
    total = sum(plan.total for _, plan in plans)
    for part_query, plan in plans:
        anchor: int | None = None
        while plan.total:
            rows = _fetch(connection, part_query, plan, forward=True, limit=EXPORT_BATCH, anchor=anchor)
            if not rows:
                break
            marks = marks_of(connection, [row.id for row in rows])
            yield total, [_marked(row, marks.get(row.id)) for row in rows]
            anchor = rows[-1].id


def _marked(row: DialogRow, review: tuple[int, str | None] | None) -> DialogRow:
    return row if review is None else replace(row, mark=review[0], review_comment=review[1])


@dataclass(frozen=True, slots=True)
class PagePlan:
    """How the pages of a query's search and filters are read, whatever the page (`plan_page`)."""

    total: int
    kind: str  # "all", "sparse", "dense" or "names"
    condition: str = ""
    params: dict[str, Any] | None = None
    costly: bool = False  # see `DialogPage.total_costly`
    matches: Matches | None = None  # a search's few names or numbers (a search without filters)


# The whole archive's plan where its total is read by the page's statement (`_page_counted_along`)
_WHOLE_ARCHIVE = PagePlan(0, "all")
_TOTAL_ALONG = f"(SELECT value FROM counters WHERE name = '{DIALOG_TOTAL}')"


def plan_page(connection: Connection, query: DialogQuery, found: Found | None = None) -> PagePlan:
    """The plan of the pages of `query`, with the dialogs it finds counted, for any of its pages (any
    position and anchor; not another search, filter, sort or known total). `found`: what its search finds
    (`EngineSQL.find_matches`), when already found."""
    search, filters = query.search, query.filters
    sql = sql_of(connection)
    if filters.review is not None:
        return _review_plan(connection, query, found)
    if search is None and not filters:
        return PagePlan(dialog_total(connection), "all")
    if not filters:
        assert search is not None
        if query.known_total is not None and query.known_total > SPARSE_LIMIT:
            return _search_walk(sql, query.known_total, search, query.column)
        total, matches = found or sql.find_matches(connection, search, SPARSE_LIMIT)
        if matches is None:
            return _search_walk(sql, total, search, query.column, costly=True)
        if total > NAMES_RATHER_THAN_SORTED and _by_names(search, query.column, total):
            return PagePlan(total, "names", *sql.name_folds(search))
        return PagePlan(total, "sparse", *sql.sparse_filter(search, matches), matches=matches)

    counts = _FilterCounts(connection, filters)
    filtered = counts.total
    sort_column = query.column
    if search is None:
        path, path_rows = _best_path(counts)
        walk, walked = _walk(counts, sort_column)
        # rows read for a page: through the best index, all the filters' dialogs (then sorted); walking
        # the sort index, as many as it takes to meet a page of matches
        per_page = walked / max(filtered, 1) * query.page_size
        if filtered <= SPARSE_LIMIT and path_rows <= per_page:
            return PagePlan(filtered, "sparse", *_conditions(sql, filters, path))
        return PagePlan(filtered, "dense", *_conditions(sql, filters, walk))

    # a search with filters: the smaller side leads, and the total is counted over its matches
    searched, matches = found or sql.find_matches(connection, search, SPARSE_LIMIT)
    if query.known_total is not None and matches is None and filtered > SPARSE_LIMIT:
        return _dense_plan(sql, query.known_total, search, counts, sort_column)
    if searched <= filtered:
        search_condition, search_params = (
            sql.sparse_filter(search, matches) if matches is not None else sql.matching_filter(search)
        )
        conditions, params = _conditions(sql, filters, set())
    else:
        search_condition, search_params = sql.dense_filter(search, "completed_at")  # counted, not walked
        path, _ = _best_path(counts)
        conditions, params = _conditions(sql, filters, path)
    condition = f"{search_condition} AND {conditions}"
    params = {**search_params, **params}
    (total,) = run_sql(connection, f"SELECT count(*) FROM dialogs d WHERE {condition}", params).fetchone()
    if min(searched, filtered) <= SPARSE_LIMIT:
        return PagePlan(total, "sparse", condition, params, costly=True)
    return _dense_plan(sql, total, search, counts, sort_column, costly=True)


# The review filters (`db.reviews`) as a condition on a `dialogs d` row
_LOW_MARKED = f"d.id IN (SELECT dialog_id FROM review_marks WHERE mark <= {LOW_MARK})"
_UNMARKED = "NOT EXISTS (SELECT 1 FROM review_marks r WHERE r.dialog_id = d.id)"


def _review_plan(connection: Connection, query: DialogQuery, found: Found | None) -> PagePlan:
    """A page of the dialogs marked ≤ 2, or of those without a mark, within the search and other filters.

    Marks are given by hand: the low ones are few, fetched through the marks' index and sorted, and counted.
    The unmarked are nearly all: the plan of the search and the other filters walks on, testing each row for
    a mark (a primary key lookup), and their total is that plan's less the marked among its dialogs (counted
    over the marks). Marks change without a new archive revision: the total is never kept (not `costly`)."""
    sql = sql_of(connection)
    filters = replace(query.filters, review=None)
    if query.filters.review == LOW:
        conditions = [_LOW_MARKED]
        params: dict[str, Any] = {}
        if query.search is not None:
            search_condition, params = sql.matching_filter(query.search)
            conditions.append(search_condition)
        if filters:
            filter_condition, filter_params = _conditions(sql, filters, set())
            conditions.append(filter_condition)
            params = {**params, **filter_params}
        condition = " AND ".join(conditions)
        count = f"SELECT count(*) FROM dialogs d WHERE {condition}"
        if len(conditions) == 1:  # the low marks alone, each of a dialog (its foreign key): their index
            count = f"SELECT count(*) FROM review_marks WHERE mark <= {LOW_MARK}"
        (total,) = run_sql(connection, count, params).fetchone()
        return PagePlan(int(total), "sparse", condition, params)
    base = plan_page(connection, replace(query, filters=filters, known_total=None), found)
    if base.kind == "names":  # a name search sorted by client: walked testing each row instead
        assert query.search is not None
        base = PagePlan(base.total, "dense", *sql.dense_filter(query.search, query.column))
    params = base.params or {}
    (marked,) = run_sql(connection, *_marked_among(sql, query.search, filters, base)).fetchone()
    condition = f"{base.condition} AND {_UNMARKED}" if base.condition else _UNMARKED
    kind = "dense" if base.kind == "all" else base.kind
    return PagePlan(max(0, base.total - int(marked)), kind, condition, params)


def _marked_among(
    sql: EngineSQL, search: Search | None, filters: Filters, base: PagePlan
) -> tuple[str, dict[str, Any]]:
    """The statement counting the marked dialogs among those of `base` (the plan of the search and the
    filters without the review filter). Every mark is of a dialog (its foreign key): all of them, without
    one; the filters alone are tested with every index open to the planner, not the hints of `base`'s walk
    (at 1M with 10,000 marks, a channel's 78,000 dialogs scanned for marks took 57 ms, the marks' dialogs
    found through the channel's index 5 ms)."""
    if not base.condition:
        return "SELECT count(*) FROM review_marks", {}
    if search is None:
        condition, params = _conditions(sql, filters, {"period", "channel", "employee"})
    else:
        condition, params = base.condition, base.params or {}
    marked = "d.id IN (SELECT dialog_id FROM review_marks)"
    return f"SELECT count(*) FROM dialogs d WHERE {marked} AND {condition}", params


def _search_walk(
    sql: EngineSQL, total: int, search: Search, sort_column: str, *, costly: bool = False
) -> PagePlan:
    """Many matches of a search without filters: walk the sort index testing each row, or, sorted by
    client, the matching names in order."""
    if _by_names(search, sort_column, total):
        return PagePlan(total, "names", *sql.name_folds(search), costly)
    return PagePlan(total, "dense", *sql.dense_filter(search, sort_column), costly)


def _by_names(search: Search, sort_column: str, total: int) -> bool:
    """A name search sorted by client that can take its matching names in order (`NAMES_LIMIT`)."""
    return search.kind is SearchKind.NAME and sort_column in CLIENT_COLUMNS and total <= NAMES_LIMIT


def _dense_plan(
    sql: EngineSQL,
    total: int,
    search: Search,
    counts: _FilterCounts,
    sort_column: str,
    *,
    costly: bool = False,
) -> PagePlan:
    """Many matches on both sides: walk the sort index, testing each row."""
    search_condition, search_params = sql.dense_filter(search, sort_column)
    walk, _ = _walk(counts, sort_column)
    conditions, params = _conditions(sql, counts.filters, walk)
    condition = f"{search_condition} AND {conditions}"
    return PagePlan(total, "dense", condition, {**search_params, **params}, costly)


def filtered_total(connection: Connection, filters: Filters) -> int:
    """How many dialogs the filters find (without a search), counted as a page of them counts them: from
    the daily statistics, kept until the archive changes (the list opened next finds the count kept)."""
    if not filters:
        return dialog_total(connection)
    if filters.review is not None:
        return _review_plan(connection, DialogQuery(filters=filters), None).total
    return _FilterCounts(connection, filters).total


_counted: dict[tuple[Any, ...], int] = {}
MAX_COUNTS_KEPT = 4096


class _FilterCounts:
    """How many dialogs the filters find, together or some of them on their own (what an index serving
    those would read): sums over the daily statistics (up to 1.5 ms for a channel of all time), kept in
    memory until the archive's revision changes (every import adds one), so paging a filtered list
    counts once. The revision is read once per page."""

    def __init__(self, connection: Connection, filters: Filters) -> None:
        self._connection = connection
        self.filters = filters
        self.present: set[str] = set()
        if filters.days is not None:
            self.present.add("period")
        if filters.channel is not None:
            self.present.add("channel")
        if filters.employee_id is not None:
            self.present.add("employee")
        self._key = (connection.engine.url.database, archive_revision(connection))
        self.total = self.of(self.present)

    def of(self, names: set[str]) -> int:
        days = self.filters.days if "period" in names else None
        channel = self.filters.channel if "channel" in names else None
        employee_id = self.filters.employee_id if "employee" in names else None
        key = (*self._key, days, channel, employee_id)
        found = _counted.get(key)
        if found is None:
            found = count_dialogs(self._connection, days=days, channel=channel, employee_id=employee_id)
            if len(_counted) >= MAX_COUNTS_KEPT:
                _counted.clear()
            _counted[key] = found
        return found

    def all_dialogs(self) -> int:
        return dialog_total(self._connection)


def _best_path(counts: _FilterCounts) -> tuple[set[str], int]:
    """The filters one index serves together, reading the fewest dialogs, and how many it reads: a period
    goes with a channel or an employee ((channel|employee_id, completed_at) indexes)."""
    present = counts.present
    if len(present) == 1 or present in ({"period", "channel"}, {"period", "employee"}):
        return present, counts.total  # one index serves all the filters
    if "period" in present:  # all three: the period with the channel, or with the employee
        paths = [{"period", "channel"}, {"period", "employee"}]
    else:  # a channel and an employee
        paths = [{"channel"}, {"employee"}]
    return min(((path, counts.of(path)) for path in paths), key=lambda pair: pair[1])


def _walk(counts: _FilterCounts, sort_column: str) -> tuple[set[str], int]:
    """The filters that bound a walk of the sort index, and how many dialogs the walk passes."""
    present = counts.present
    if sort_column == "completed_at":
        # in time order: the completion time index, or a channel's or an employee's part of theirs
        period = present & {"period"}
        options = [period | {name} for name in ("channel", "employee") if name in present] or [period]
        if len(options) == 1 and options[0] == present:
            return present, counts.total
        return min(((option, counts.of(option)) for option in options), key=lambda pair: pair[1])
    if sort_column == "channel" and "channel" in present:
        return {"channel"}, counts.of({"channel"})
    if sort_column == "employee_sort" and "employee" in present:
        return {"employee_sort"}, counts.of({"employee"})
    return set(), counts.all_dialogs()


def _conditions(sql: EngineSQL, filters: Filters, indexed: set[str]) -> tuple[str, dict[str, Any]]:
    return filter_conditions(
        filters.bounds, filters.channel, filters.employee_id, indexed=indexed, hints=sql.hints
    )


def _fetch(
    connection: Connection,
    query: DialogQuery,
    plan: PagePlan,
    *,
    forward: bool,
    limit: int,
    anchor: int | None,
) -> list[DialogRow]:
    rows = _page_rows(connection, query, plan, forward=forward, limit=limit, anchor=anchor)
    return [dialog_row(row) for row in rows]


def _page_rows(
    connection: Connection,
    query: DialogQuery,
    plan: PagePlan,
    *,
    forward: bool,
    limit: int,
    anchor: int | None,
    along: str = "",
) -> Rows:
    """The rows of a page's statement: a dialog's (`dialog_row`), then `along`'s column, if any."""
    # walking "forward" in a descending list means going down the index
    descending = query.descending == forward
    hints = sql_of(connection).hints
    # PostgreSQL plans a prepared statement for its parameters' values each time it runs (~0.4 ms for a
    # page at 1M: benchmarks/README.md) unless a plan made for any values is costed no higher, which with
    # the LIMIT a parameter (costed as a tenth of the rows) a large archive's never is. Where every plan of
    # a page is the same (`_planned_once`) its LIMIT is written in, and PostgreSQL plans it once. A
    # filtered page keeps the parameter and a plan for its values: a period of a day and one of a year are
    # best walked apart.
    written = limit if not hints and _planned_once(plan, query) else None
    statement = page_statement(
        query.column,
        descending,
        plan.kind,
        plan.condition,
        anchor is not None,
        hints=hints,
        limit=written,
        along=along,
    )
    params: dict[str, Any] = {**(plan.params or {})}
    if written is None:
        params["limit"] = limit
    if anchor is not None:
        params["anchor"] = anchor
    return run_sql(connection, statement, params)


def _planned_once(plan: PagePlan, query: DialogQuery) -> bool:
    """Every plan of the page is the same whatever its values: with no filter and no search (its only
    parameter, the anchor, is looked up inside the statement), or with a search without filters that
    found few names or numbers (their dialogs, read by the index of names or numbers, then sorted;
    planned at every search when the LIMIT was a parameter: 0.28 ms of the page's 0.52 at 1M); or with
    a search without filters that found many, walked testing each row for its words or digits
    (`_search_walk`: `strpos`, of which PostgreSQL keeps no statistics, so it plans the same walk for any;
    planned at every page when the LIMIT was a parameter: 0.47 ms of a common word's page of 0.94 at 1M).
    A whole name or number is compared (`=`), and its statistics may choose its index instead."""
    search = query.search
    walked_for_any = (
        plan.kind == "dense"
        and not query.filters
        and search is not None
        and (search.kind is SearchKind.DIGITS or (search.kind is SearchKind.NAME and not search.exact))
    )
    return not plan.params or plan.matches is not None or walked_for_any


def dialog_row(row: Any) -> DialogRow:
    """A result row with the columns of `db.sqlite.pages.row_columns`, in that order, as a `DialogRow`."""
    return DialogRow(
        id=row[0],
        source_id=row[1],
        client_name=row[2],
        client_phone=row[3] or None,
        channel=row[4],
        completed_by=row[5],
        started_at=stored_time(row[6]).replace(tzinfo=UTC) if row[6] is not None else None,
        completed_at=stored_time(row[7]).replace(tzinfo=UTC),
        message_count=row[8],
        first_response=row[9],
        longest_wait=row[10],
    )


def _exists(connection: Connection, dialog_id: int) -> bool:
    return (
        run_sql(connection, "SELECT 1 FROM dialogs WHERE id = :id", {"id": dialog_id}).fetchone() is not None
    )


def list_channels(connection: Connection) -> list[str]:
    """The channels the archive has, A→Z: one index seek per channel, not a scan of the dialogs."""
    return [channel for (channel,) in run_sql(connection, _CHANNELS)]


_CHANNELS = (
    "WITH RECURSIVE c(channel) AS (SELECT min(channel) FROM dialogs"
    " UNION ALL SELECT (SELECT min(channel) FROM dialogs WHERE channel > c.channel) FROM c"
    " WHERE c.channel IS NOT NULL) SELECT channel FROM c WHERE channel IS NOT NULL"
)


def list_employees(connection: Connection, only: int | None = None) -> list[tuple[int, str]]:
    """Everyone who has completed a dialog, by name; `only`: that employee alone (if there is one)."""
    if only is not None:
        rows = run_sql(connection, "SELECT id, name FROM employees WHERE id = :id", {"id": only})
    else:
        rows = run_sql(connection, "SELECT id, name FROM employees ORDER BY name_fold, id")
    return [(id_, name) for id_, name in rows]


def page_number(position: PagePosition, page: DialogPage, asked: int, pages: int) -> int:
    """The number, from 1, of a page read at `position` (`asked`: its number as the button knew it), of
    `pages`: the first page is page 1 whatever the button said."""
    if position is PagePosition.LAST:
        return pages
    if position is PagePosition.FIRST or not page.has_previous:
        return 1
    return min(max(asked, 1), pages)
