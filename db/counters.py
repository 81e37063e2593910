"""Counters the import keeps (`counters` table), so that nothing on a tap's path counts a million rows:
the total of all dialogs, and the archive's revision, which every import that stored something moves on
(kept totals and cached counts are valid for one revision)."""

from __future__ import annotations

from sqlalchemy import Connection

from db.engine import run_sql

DIALOG_TOTAL = "dialogs"
REVISION = "revision"

_READ = "SELECT value FROM counters WHERE name = :name"
_SET = (
    "INSERT INTO counters (name, value) VALUES (:name, :value)"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)
_ADVANCE = (
    "INSERT INTO counters (name, value) VALUES (:name, 1)"
    " ON CONFLICT (name) DO UPDATE SET value = counters.value + 1"
)


def counter_value(connection: Connection, name: str) -> int:
    """One of the counters (`DIALOG_TOTAL`, `REVISION`); 0 before it was first counted."""
    row = run_sql(connection, _READ, {"name": name}).fetchone()
    return int(row[0]) if row is not None else 0


def dialog_total(connection: Connection) -> int:
    return counter_value(connection, DIALOG_TOTAL)


def archive_revision(connection: Connection) -> int:
    """How many imports have stored something: what kept totals and counts are valid for."""
    return counter_value(connection, REVISION)


def count_dialog_total(connection: Connection) -> None:
    """Counts all dialogs again into `DIALOG_TOTAL` (after an import)."""
    (total,) = run_sql(connection, "SELECT count(*) FROM dialogs").fetchone()
    run_sql(connection, _SET, {"name": DIALOG_TOTAL, "value": total})


def advance_revision(connection: Connection) -> None:
    run_sql(connection, _ADVANCE, {"name": REVISION})
