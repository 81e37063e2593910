"""Counters the import keeps (`counters` table), so that nothing on a tap's path counts a million rows:
the total of all dialogs, and the archive's revision, which every transaction that changes dialogs moves on
(kept totals and cached counts are valid for one revision); and the names' and phones' own counts of
their dialogs (`dialog_count`, `last_completed_at`), which the numbers' digit grams carry too
(`ClientPhoneGram`). They change in the transaction that changes the dialogs, so that they agree with them
whenever an import stops; `db.integrity` checks and repairs them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, or_, select, text, update

from db.engine import run_sql
from db.lookups import chunks
from db.models import ClientName, ClientPhone, ClientPhoneGram
from db.search import phone_grams

DIALOG_TOTAL = "dialogs"
REVISION = "revision"

_READ = "SELECT value FROM counters WHERE name = :name"
_SET = (
    "INSERT INTO counters (name, value) VALUES (:name, :value)"
    " ON CONFLICT (name) DO UPDATE SET value = excluded.value"
)
_ADD = (
    "INSERT INTO counters (name, value) VALUES (:name, :value)"
    " ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value"
)
# (the client table, the dialogs' column that points to it)
CLIENT_TABLES: tuple[tuple[Any, str], ...] = ((ClientName, "name_id"), (ClientPhone, "phone_id"))


def counter_value(connection: Connection, name: str) -> int:
    """One of the counters (`DIALOG_TOTAL`, `REVISION`); 0 before it was first counted."""
    row = run_sql(connection, _READ, {"name": name}).fetchone()
    return int(row[0]) if row is not None else 0


def dialog_total(connection: Connection) -> int:
    return counter_value(connection, DIALOG_TOTAL)


def archive_revision(connection: Connection) -> int:
    """How many times the dialogs changed: what kept totals and counts are valid for."""
    return counter_value(connection, REVISION)


def count_dialog_total(connection: Connection) -> int:
    """Counts all dialogs again into `DIALOG_TOTAL` (after a bulk load, or a repair); returns the total."""
    (total,) = run_sql(connection, "SELECT count(*) FROM dialogs").fetchone()
    run_sql(connection, _SET, {"name": DIALOG_TOTAL, "value": total})
    return int(total)


def add_to_dialog_total(connection: Connection, added: int) -> None:
    """`added` new dialogs, in the transaction that inserted them."""
    if added:
        run_sql(connection, _ADD, {"name": DIALOG_TOTAL, "value": added})


def advance_revision(connection: Connection) -> None:
    run_sql(connection, _ADD, {"name": REVISION, "value": 1})


def refresh_client_counts(connection: Connection, model: Any, column: str, ids: Iterable[int]) -> None:
    """Counts the dialogs of these names (`model` ClientName, `column` "name_id") or phones again (and
    gives the phones' grams their counts)."""
    statement = text(f"{_recount(model, column)} WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    for chunk in chunks(sorted(ids)):
        connection.execute(statement, {"ids": chunk})
        if model is ClientPhone:
            copy_counts_to_grams(connection, chunk)


def refresh_all_client_counts(connection: Connection) -> None:
    for model, column in CLIENT_TABLES:
        connection.execute(text(_recount(model, column)))
    connection.execute(_COPY_ALL)


# A gram (joined to its number) whose counts are not its number's
GRAM_DIFFERS = or_(
    ClientPhoneGram.dialog_count != ClientPhone.dialog_count,
    ClientPhoneGram.last_completed_at.is_distinct_from(ClientPhone.last_completed_at),
)
# The grams that differ, given their number's counts (UPDATE … FROM)
_COPY_ALL = (
    update(ClientPhoneGram)
    .values(dialog_count=ClientPhone.dialog_count, last_completed_at=ClientPhone.last_completed_at)
    .where(ClientPhone.id == ClientPhoneGram.phone_id, GRAM_DIFFERS)
)
# One gram (found by its key), given its number's counts: copied by the database, as it stores them
_COPY_ONE = _COPY_ALL.where(
    ClientPhoneGram.gram == bindparam("g"), ClientPhoneGram.phone_id == bindparam("p")
)
_NUMBERS = select(ClientPhone.id, ClientPhone.e164).where(
    ClientPhone.id.in_(bindparam("ids", expanding=True))
)


def copy_counts_to_grams(connection: Connection, phone_ids: list[int | None]) -> None:
    """The counts of these numbers (at most `db.lookups.CHUNK`; None: none) as their grams carry them."""
    grams = [
        {"g": gram, "p": phone_id}
        for phone_id, e164 in connection.execute(_NUMBERS, {"ids": phone_ids})
        for gram in phone_grams(e164)
    ]
    if grams:
        connection.execute(_COPY_ONE, grams)


def _recount(model: Any, column: str) -> str:
    table = model.__tablename__
    dialogs = f"FROM dialogs WHERE {column} = {table}.id"
    return (
        f"UPDATE {table} SET dialog_count = (SELECT COUNT(*) {dialogs}),"
        f" last_completed_at = (SELECT MAX(completed_at) {dialogs})"
    )
