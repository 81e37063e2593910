"""List views stored by a short id: a search and filters, so that a button can carry "the dialogs of Anna
in WhatsApp this week matching 4567" in a few bytes, and still mean it after a restart."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection

from db.counters import REVISION
from db.dialect import sql_of
from db.dialogs import Filters
from db.engine import run_sql
from db.periods import Period, period_from_code, utc_bounds
from db.reviews import REVIEW_FILTERS
from db.search import Search, client_search_text, parse_search, reads_hidden_digits

MAX_SEARCH_LENGTH = 200
NOBODY = -1  # `ListView.employee_id` of the dialogs nobody completed (closed automatically)


@dataclass(frozen=True, slots=True)
class ListView:
    """What a dialog list shows: a search and filters. All empty: the whole archive."""

    search_text: str = ""  # "" : no search
    channel: str = ""  # "" : every channel
    employee_id: int = 0  # 0 : every employee; NOBODY: the dialogs nobody completed
    period: str = ""  # "" : all time; otherwise a `Period.code`
    review: str = ""  # "" : marked or not; `db.reviews.UNMARKED` or `LOW` («без оценки», «оценка ≤ 2»)

    @property
    def is_empty(self) -> bool:
        return not (self.search_text or self.has_filters)

    @property
    def has_filters(self) -> bool:
        return bool(self.channel or self.employee_id or self.period or self.review)

    def without_search(self) -> ListView:
        return replace(self, search_text="")

    def without_filters(self) -> ListView:
        return ListView(search_text=self.search_text)

    def search(self, region: str) -> Search | None:
        """The view's search as the query engine takes it; None without one."""
        return parse_search(self.search_text, region) if self.search_text else None

    def reads_hidden_digits(self, region: str) -> bool:
        """Its search is one that someone who sees numbers masked may not make (`db.search`)."""
        search = self.search(region)
        return search is not None and reads_hidden_digits(search)

    def open_to(self, scope: int | None) -> bool:
        """Whether someone who sees only the dialogs of the employee `scope` (a manager linked to them, with
        MANAGER_SCOPE=own; None: everyone's) may open this view: it is not filtered to another employee, or
        to the dialogs nobody completed. Whatever they open is narrowed to their dialogs (`scoped`)."""
        return scope is None or self.employee_id in (0, scope)

    def employee_filter(self) -> int | None:
        """The employee as the query engine and the statistics take it: None for every employee, 0 for
        nobody (`NOBODY`)."""
        if self.employee_id == NOBODY:
            return 0
        return self.employee_id or None

    def period_value(self) -> Period | None:
        return period_from_code(self.period) if self.period else None

    def filters(self, zone: tzinfo, today: date) -> Filters:
        """The view's filters as the query engine takes them; a relative period is seen on `today`."""
        period = self.period_value()
        days = period.days(today) if period is not None else None
        return Filters(
            channel=self.channel or None,
            employee_id=self.employee_filter(),
            days=days,
            bounds=utc_bounds(*days, zone) if days is not None else None,
            review=self.review if self.review in REVIEW_FILTERS else None,
        )


@dataclass(frozen=True, slots=True)
class StoredView:
    """A list view as stored: its id, which buttons carry, and what is read along with it."""

    id: int
    view: ListView
    employee_name: str | None = None  # the name of the employee filtered by, for the list's header
    total: int | None = None  # what the view found when it was last counted
    counted_for: str = ""  # what that total is valid for (`total_key`)
    revision: int = 0  # the archive's revision when the view was read

    def known_total(self, key: str) -> int | None:
        """The total counted before, if it is still valid for `key`."""
        return self.total if self.total is not None and self.counted_for == key else None


def scoped(filters: Filters, scope: int | None) -> Filters:
    """The filters as someone who sees only the dialogs of the employee `scope` reads them (None: everyone's,
    the filters as they are): the employee forced to theirs, whatever a stored view says (a view that
    names another employee is not `ListView.open_to` them)."""
    return filters if scope is None else replace(filters, employee_id=scope)


def total_key(revision: int, filters: Filters, scope: int | None = None) -> str:
    """What a kept total depends on: the archive (its revision goes up with every import), for a relative
    period like "7 days" the days it stands for today, and whose dialogs alone were counted (`scoped`)."""
    days = f"{filters.days[0]}:{filters.days[1]}" if filters.days else ""
    return f"{revision}:{days}" if scope is None else f"{revision}:{days}:e{scope}"


def client_view(phone: str | None, name: str | None) -> ListView | None:
    """Every dialog of one client, in any channel: of the number (E.164), else of the whole name
    (`db.search.client_search_text`); None when the client has neither, or a name a search cannot hold
    whole (too long, or with characters a stored search leaves out)."""
    text = client_search_text(phone, name)
    if not text or search_text_of(text) != " ".join(text.split()):
        return None
    return ListView(search_text=search_text_of(text))


def search_text_of(typed: str) -> str:
    """The form a search is stored and shown in: control and invisible formatting characters (a NUL, an
    RTL mark, a zero width space pasted along) left out, spaces folded, length bounded."""
    visible = "".join(ch for ch in typed if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE)
    return " ".join(visible.split())[:MAX_SEARCH_LENGTH]


_INVISIBLE = frozenset(
    {"Cc", "Cf", "Cs", "Co", "Cn"}
)  # controls, formatting, surrogates, private, unassigned


_SELECTED = (
    "SELECT v.id, v.search_text, v.channel, v.employee_id, v.period, e.name, v.total, v.total_key,"
    f" v.review, (SELECT value FROM counters WHERE name = '{REVISION}')"
)
_COLUMNS = f"{_SELECTED} FROM list_views v LEFT JOIN employees e ON e.id = v.employee_id"
_FIND = (
    f"{_COLUMNS} WHERE v.search_text = :search_text AND v.channel = :channel"
    " AND v.employee_id = :employee_id AND v.period = :period AND v.review = :review"
)
_LOAD = f"{_COLUMNS} WHERE v.id = :id"
# A no-op update when the view is stored already, so that RETURNING gives its row either way: a view made
# is looked up and stored in one statement, as it is read (`db.listing.read_and_keep`)
_CONFLICT = " ON CONFLICT (search_text, channel, employee_id, period, review)"
_RETURNING = (
    " RETURNING id, search_text, channel, employee_id, period,"
    " (SELECT e.name FROM employees e WHERE e.id = list_views.employee_id), total, total_key, review,"
    f" (SELECT value FROM counters WHERE name = '{REVISION}')"
)
_STORE = (
    "INSERT INTO list_views (search_text, channel, employee_id, period, review, created_at)"
    " VALUES (:search_text, :channel, :employee_id, :period, :review, :now)"
    f"{_CONFLICT} DO UPDATE SET total = list_views.total{_RETURNING}"
)
# A view without filters stored by the statement that counts its search (`counted`, whose `total` is what
# the search finds: `db.postgres.search.counted_along`) keeps that total when counting it was costly (more
# than :limit, `db.dialogs.SPARSE_LIMIT`), valid for the revision it was counted in: what `keep` stores
# after such a page, and the key `total_key` gives a view without filters seen by everyone
_COSTLY = "FROM counted WHERE counted.total > :limit"
_REVISION_KEY = f"CAST((SELECT value FROM counters WHERE name = '{REVISION}') AS TEXT) || ':'"
_STORE_COUNTED = (
    "INSERT INTO list_views (search_text, channel, employee_id, period, review, created_at, total, total_key)"
    " VALUES (:search_text, :channel, :employee_id, :period, :review, :now,"
    f" (SELECT total {_COSTLY}), COALESCE((SELECT {_REVISION_KEY} {_COSTLY}), ''))"
    f"{_CONFLICT} DO UPDATE SET total = COALESCE(excluded.total, list_views.total), total_key = CASE"
    f" WHEN excluded.total IS NULL THEN list_views.total_key ELSE excluded.total_key END{_RETURNING}"
)
_REMEMBER = "UPDATE list_views SET total = :total, total_key = :key WHERE id = :id"


def _key(view: ListView) -> dict[str, object]:
    return {
        "search_text": search_text_of(view.search_text),
        "channel": view.channel,
        "employee_id": view.employee_id,
        "period": view.period,
        "review": view.review,
    }


def find_view(connection: Connection, view: ListView) -> StoredView | None:
    """The stored view with this search and these filters, if any."""
    row = run_sql(connection, _FIND, _key(view)).fetchone()
    return stored_of(row) if row is not None else None


def load_view(connection: Connection, view_id: int) -> StoredView | None:
    """A stored view by its id; None when there is none (a forged button)."""
    row = run_sql(connection, _LOAD, {"id": view_id}).fetchone()
    return stored_of(row) if row is not None else None


def store_view(connection: Connection, view: ListView) -> StoredView:
    """The view stored (once however often it is asked for), as stored: its id, the total counted last
    and the archive's revision now. One statement, which writes: two people who make the same view at
    once get the same id."""
    return stored_of(run_sql(connection, *storing(connection, view)).fetchone())


def storing(
    connection: Connection, view: ListView, *, keeping_count: bool = False
) -> tuple[str, dict[str, Any]]:
    """`store_view`'s statement and its parameters; `stored_of` reads the first columns of its row, whose
    last makes its commit not wait for the disk where commits wait (`db.dialect.UNSYNCED`: a view is
    navigation). `keeping_count`: the statement keeps the count it is run along, if costly, as the view's
    total (see `_STORE_COUNTED`: a view without filters, seen by everyone)."""
    statement = _STORE_COUNTED if keeping_count else _STORE
    unsynced = sql_of(connection).unsynced
    if unsynced:
        statement = f"{statement}, {unsynced}"
    return statement, {**_key(view), "now": datetime.now(UTC).replace(tzinfo=None)}


def store_views(connection: Connection, views: list[ListView]) -> list[int]:
    """The ids of several views, storing those that are new (0 for the whole archive)."""
    return [0 if view.is_empty else store_view(connection, view).id for view in views]


def find_views(connection: Connection, views: list[ListView]) -> list[int] | None:
    """The ids of several views (0 for the whole archive); None when any of them is not stored yet."""
    ids = []
    for view in views:
        found = None if view.is_empty else find_view(connection, view)
        if found is None and not view.is_empty:
            return None
        ids.append(found.id if found is not None else 0)
    return ids


def remember_total(connection: Connection, view_id: int, total: int, key: str) -> None:
    """Keeps a view's total; its commit, as a view's storing, does not wait for the disk (`storing`)."""
    unsynced = sql_of(connection).unsynced
    statement = f"{_REMEMBER} RETURNING {unsynced}" if unsynced else _REMEMBER
    run_sql(connection, statement, {"id": view_id, "total": total, "key": key})


def stored_of(row: Any) -> StoredView:
    """A view as a statement of this module reads it, from its row's first columns."""
    return StoredView(
        id=row[0],
        view=ListView(
            search_text=row[1], channel=row[2], employee_id=row[3], period=row[4], review=row[8] or ""
        ),
        employee_name=row[5],
        total=row[6],
        counted_for=row[7],
        revision=row[9] or 0,
    )
