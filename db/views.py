"""List views stored by a short id: a search and filters, so that a button can carry "the dialogs of Anna
in WhatsApp this week matching 4567" in a few bytes, and still mean it after a restart."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import Connection

from db.dialogs import DialogPage, DialogQuery, Filters, fetch_page
from db.engine import run_sql, time_param
from db.importer import REVISION, archive_revision
from db.periods import Period, local_today, period_from_code, utc_bounds
from db.search import Search, parse_search

MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SavedView:
    search_text: str = ""  # "" : no search
    channel: str = ""  # "" : every channel
    employee_id: int = 0  # 0 : every employee
    period: str = ""  # "" : all time; otherwise a `Period.code`
    # read with a stored view, not part of its identity: its id, the employee's name for its header, and
    # the total it found last time with the key that total is valid for (see `total_key`)
    id: int = 0
    employee_name: str | None = None
    total: int | None = None
    counted_for: str = ""
    revision: int = 0  # the archive's revision when the view was read

    def total_key(self, filters: Filters) -> str:
        """What a stored total depends on: the archive (its revision goes up with every import) and, for
        a relative period like "7 days", the days it stands for today."""
        days = f"{filters.days[0]}:{filters.days[1]}" if filters.days else ""
        return f"{self.revision}:{days}"

    def known_total(self, filters: Filters) -> int | None:
        return self.total if self.total is not None and self.counted_for == self.total_key(filters) else None

    @property
    def is_empty(self) -> bool:
        return not (self.search_text or self.channel or self.employee_id or self.period)

    @property
    def has_filters(self) -> bool:
        return bool(self.channel or self.employee_id or self.period)

    def search(self, region: str) -> Search | None:
        """The view's search as the query engine takes it; None without one."""
        return parse_search(self.search_text, region) if self.search_text else None

    def period_value(self) -> Period | None:
        return period_from_code(self.period) if self.period else None

    def filters(self, zone: tzinfo, today: date | None = None) -> Filters:
        """The view's filters as the query engine takes them; a relative period is seen on `today`."""
        period = self.period_value()
        days = period.days(today or local_today(zone)) if period is not None else None
        return Filters(
            channel=self.channel or None,
            employee_id=self.employee_id or None,
            days=days,
            bounds=utc_bounds(*days, zone) if days is not None else None,
        )


def search_text_of(typed: str) -> str:
    """The form a search is stored and shown in: spaces folded, length bounded."""
    return " ".join(typed.split())[:MAX_SEARCH_LENGTH]


_COLUMNS = (
    "SELECT v.id, v.search_text, v.channel, v.employee_id, v.period, e.name, v.total, v.total_key,"
    f" (SELECT value FROM counters WHERE name = '{REVISION}') FROM list_views v"
    " LEFT JOIN employees e ON e.id = v.employee_id"
)
_FIND = (
    f"{_COLUMNS} WHERE v.search_text = :search_text AND v.channel = :channel"
    " AND v.employee_id = :employee_id AND v.period = :period"
)
_LOAD = f"{_COLUMNS} WHERE v.id = :id"
_REMEMBER = "UPDATE list_views SET total = :total, total_key = :key WHERE id = :id"


def _key(view: SavedView) -> dict[str, object]:
    return {
        "search_text": search_text_of(view.search_text),
        "channel": view.channel,
        "employee_id": view.employee_id,
        "period": view.period,
    }


def find_view(connection: Connection, view: SavedView) -> SavedView | None:
    """The stored view with this search and these filters, if any."""
    return _view(run_sql(connection, _FIND, _key(view)).fetchone())


def look_up_view(connection: Connection, view: SavedView) -> SavedView:
    """The stored view with this search and these filters; if there is none, this one as not stored yet
    (id 0, no total) and seen at the archive's current revision, to be stored with `store_view`."""
    found = find_view(connection, view)
    if found is not None:
        return found
    return replace(view, id=0, total=None, counted_for="", revision=archive_revision(connection))


def store_view(connection: Connection, view: SavedView, total: int | None = None, key: str = "") -> SavedView:
    """Stores a view (once however often it is asked for; the id as stored), with the total its first page
    counted when counting it was costly, valid for `key` (`SavedView.total_key`): one statement. A view
    stored already keeps the total counted last."""
    counted_for = key if total is not None else ""
    values = {**_key(view), "now": time_param(datetime.now(UTC).replace(tzinfo=None))}
    (view_id,) = run_sql(connection, _STORE, {**values, "total": total, "key": counted_for}).fetchone()
    return replace(view, id=view_id, total=total, counted_for=counted_for)


_STORE = (
    "INSERT INTO list_views (search_text, channel, employee_id, period, created_at, total, total_key)"
    " VALUES (:search_text, :channel, :employee_id, :period, :now, :total, :key)"
    " ON CONFLICT (search_text, channel, employee_id, period) DO UPDATE"
    " SET total = coalesce(excluded.total, total),"
    " total_key = CASE WHEN excluded.total IS NULL THEN total_key ELSE excluded.total_key END"
    " RETURNING id"
)


def view_page(
    connection: Connection, view: SavedView | int, query_of: Callable[[SavedView | None], DialogQuery]
) -> tuple[SavedView | None, DialogPage]:
    """A list view and its page (`query_of` the view), read in one transaction: a stored view by its id
    (None when it is gone), or a view just made (a search typed) by what it holds (`look_up_view`)."""
    saved = load_view(connection, view) if isinstance(view, int) else look_up_view(connection, view)
    return saved, fetch_page(connection, query_of(saved))


def load_view(connection: Connection, view_id: int) -> SavedView | None:
    return _view(run_sql(connection, _LOAD, {"id": view_id}).fetchone())


def remember_total(connection: Connection, view_id: int, total: int, key: str) -> None:
    run_sql(connection, _REMEMBER, {"id": view_id, "total": total, "key": key})


def _view(row: Any) -> SavedView | None:
    if row is None:
        return None
    return SavedView(
        search_text=row[1],
        channel=row[2],
        employee_id=row[3],
        period=row[4],
        id=row[0],
        employee_name=row[5],
        total=row[6],
        counted_for=row[7],
        revision=row[8] or 0,
    )
