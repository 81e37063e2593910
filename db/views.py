"""List views stored by a short id: a search and filters, so that a button can carry "the dialogs of Anna
in WhatsApp this week matching 4567" in a few bytes, and still mean it after a restart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from sqlalchemy import Connection, text

from db.dialogs import Filters
from db.periods import Period, local_today, period_from_code, utc_bounds

MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True, slots=True)
class SavedView:
    search_text: str = ""  # "" : no search
    channel: str = ""  # "" : every channel
    employee_id: int = 0  # 0 : every employee
    period: str = ""  # "" : all time; otherwise a `Period.code`
    employee_name: str | None = None  # read with the view, for its header; not part of its identity

    @property
    def is_empty(self) -> bool:
        return not (self.search_text or self.channel or self.employee_id or self.period)

    @property
    def has_filters(self) -> bool:
        return bool(self.channel or self.employee_id or self.period)

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


_INSERT = text(
    "INSERT INTO list_views (search_text, channel, employee_id, period, created_at)"
    " VALUES (:search_text, :channel, :employee_id, :period, :now)"
    " ON CONFLICT (search_text, channel, employee_id, period) DO NOTHING"
)
_FIND = text(
    "SELECT id FROM list_views WHERE search_text = :search_text AND channel = :channel"
    " AND employee_id = :employee_id AND period = :period"
)
_LOAD = text(
    "SELECT v.search_text, v.channel, v.employee_id, v.period, e.name FROM list_views v"
    " LEFT JOIN employees e ON e.id = v.employee_id WHERE v.id = :id"
)


def _key(view: SavedView) -> dict[str, object]:
    return {
        "search_text": search_text_of(view.search_text),
        "channel": view.channel,
        "employee_id": view.employee_id,
        "period": view.period,
    }


def find_view(connection: Connection, view: SavedView) -> int | None:
    found = connection.execute(_FIND, _key(view)).scalar()
    return int(found) if found is not None else None


def save_view(connection: Connection, view: SavedView) -> int:
    """The id of this view, stored once however often it is asked for."""
    key = _key(view)
    connection.execute(_INSERT, {**key, "now": datetime.now(UTC).replace(tzinfo=None)})
    return int(connection.execute(_FIND, key).scalar_one())


def load_view(connection: Connection, view_id: int) -> SavedView | None:
    row = connection.execute(_LOAD, {"id": view_id}).first()
    if row is None:
        return None
    return SavedView(row[0], row[1], row[2], row[3], employee_name=row[4])
