"""PostgreSQL sessions: their settings, the errors that mean "wait" or "cannot write", and whether the
database can hold the archive at all."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import psycopg
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

# SQLSTATE classes and codes (PostgreSQL's appendix A)
_LOCKED = ("55P03", "40P01", "40001")  # lock_not_available, deadlock_detected, serialization_failure
_UNWRITABLE = ("53100", "25006", "53200")  # disk_full, read_only_sql_transaction, out_of_memory

TRIGRAM_EXTENSION = "pg_trgm"


def session_options(lock_timeout_ms: int, *, bulk: bool) -> dict[str, str]:
    """The settings every session starts with: times are UTC (the archive stores naive UTC), a write waits
    for rows another transaction holds at most `lock_timeout_ms`, and a bulk load (the import) may use more
    memory to build its indexes."""
    options = {"timezone": "UTC", "lock_timeout": str(lock_timeout_ms)}
    if bulk:
        options["maintenance_work_mem"] = "256MB"
    return options


# The command line's and the worker threads' sessions (psycopg) plan every statement for the rows there are
# now: an import's lookups (`source_id IN (…)`, 500 at a time) repeat thousands of times while the tables
# grow from nothing, and a plan made when a table was empty (psycopg prepares a statement after five
# runs, and PostgreSQL may keep one generic plan for it) scans the whole table each time: a million
# dialogs imported into an empty archive took 160 ms a lookup, ~6 minutes, instead of ~1 ms.
PLANNED_EACH_TIME = {"plan_cache_mode": "force_custom_plan"}


def is_asyncpg(connection: Connection) -> bool:
    """The connection is the event loop's (asyncpg), not a thread's (psycopg)."""
    return connection.dialect.driver == "asyncpg"


def execute(connection: Connection, sql: str, params: Mapping[str, Any]) -> Any:
    """One statement of the bot's taps on the event loop's connection, handed to the driver's cursor
    (SQLAlchemy's asyncpg adapter: asyncpg's prepared statements, each awaited) without SQLAlchemy's
    execution and result layers, which cost ~0.08 ms a statement here (benchmarks/README.md). Rows are
    asyncpg's records: read by position, as `sqlite3`'s tuples are. An error is raised as SQLAlchemy
    raises it, and a connection the server dropped is let go, as SQLAlchemy does."""
    numbered, names = _numbered(sql)
    fairy = connection.connection
    cursor = fairy.cursor()
    dbapi = connection.dialect.loaded_dbapi
    try:
        cursor.execute(numbered, [params[name] for name in names])
    except dbapi.Error as error:
        dropped = connection.dialect.is_disconnect(error, fairy.dbapi_connection, cursor)
        if dropped:
            connection.invalidate(error)
        # without the parameters, which hold search texts and numbers
        raise DBAPIError.instance(
            sql, None, error, dbapi.Error, hide_parameters=True, connection_invalidated=dropped
        ) from error
    return cursor


# `:name` parameters as SQLAlchemy's text() finds them (not `::` casts), numbered as asyncpg wants them
_PARAMETER = re.compile(r"(?<![:\w\\]):(\w+)(?![:\w])")


@lru_cache(maxsize=1024)  # the bot's statement shapes are a few hundred; texts never hold values
def _numbered(sql: str) -> tuple[str, tuple[str, ...]]:
    """`sql` with `$1`, `$2`, … for its parameters, and the parameters' names in that order."""
    names: list[str] = []

    def number(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAMETER.sub(number, sql), tuple(names)


def copy_rows(connection: Connection, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Inserts rows (each with the same columns) by COPY on psycopg's connection (the command line's and
    the threads': every import): several times faster than psycopg's executemany, which sends an INSERT
    a row."""
    columns = list(rows[0])
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection), "COPY is the import's, on psycopg's connection"
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(statement.encode()) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def drop_foreign_keys(connection: Connection, tables: Sequence[str]) -> list[str]:
    """Drops the foreign keys of `tables`; returns the statements that add them back as they were (each
    then checks every row at once, rather than one row at a time as rows arrive)."""
    rows = connection.execute(
        text(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text = ANY(:tables)"
        ),
        {"tables": list(tables)},
    ).all()
    for table, name, _ in rows:
        connection.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in rows]


def sqlstate(error: BaseException | None) -> str:
    """The SQLSTATE of a driver's error (asyncpg's and psycopg's both), or ""."""
    code = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
    return code if isinstance(code, str) else ""


def is_locked(error: BaseException | None) -> bool:
    """Another transaction held the rows longer than a write may wait."""
    return sqlstate(error) in _LOCKED


def is_unwritable(error: BaseException | None) -> bool:
    """The disk is full, the server read-only (a standby) or out of memory: waiting will not help."""
    return sqlstate(error) in _UNWRITABLE


def reason(error: BaseException | None) -> str:
    """The first line of the server's message: it names the problem, never a statement's parameters."""
    return str(error).splitlines()[0] if error is not None else ""


class DatabaseUnfit(Exception):
    """The PostgreSQL database cannot hold the archive as it is; the message says what to change."""


def check_database(connection: Connection) -> None:
    """Makes sure the database can do what the archive needs, or says plainly what is wrong: `pg_trgm` is
    there (created when the user may), and the database's character classes know Cyrillic letters (a
    database created with the `C` locale does not: its trigrams skip every Cyrillic name, and a search for
    «смирнов» would find nothing)."""
    installed = connection.execute(
        text("SELECT 1 FROM pg_extension WHERE extname = :name"), {"name": TRIGRAM_EXTENSION}
    ).first()
    if installed is None:
        available = connection.execute(
            text("SELECT 1 FROM pg_available_extensions WHERE name = :name"), {"name": TRIGRAM_EXTENSION}
        ).first()
        if available is None:
            raise DatabaseUnfit(
                "PostgreSQL lacks the pg_trgm extension (the name and phone search needs it): install the"
                " server's contrib modules (Debian: postgresql-contrib)"
            )
        try:
            with connection.begin_nested():
                connection.execute(text(f"CREATE EXTENSION IF NOT EXISTS {TRIGRAM_EXTENSION}"))
        except Exception:
            raise DatabaseUnfit(
                "the database user may not create the pg_trgm extension: run"
                f" CREATE EXTENSION {TRIGRAM_EXTENSION}; in the database as a superuser, then migrate again"
            ) from None
    ctype = connection.execute(
        text("SELECT datctype FROM pg_database WHERE datname = current_database()")
    ).scalar_one()
    trigrams = connection.execute(text("SELECT array_length(show_trgm('ёж смирнов'), 1)")).scalar_one()
    encoding = connection.execute(text("SHOW server_encoding")).scalar_one()
    if encoding != "UTF8" or not trigrams:
        raise DatabaseUnfit(
            f"the database's encoding is {encoding} and its character classes {ctype!r}: they do not know"
            " Cyrillic letters, so names could not be searched. Create the database as UTF-8 with a UTF-8"
            " locale, e.g. CREATE DATABASE dialogs ENCODING 'UTF8' LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'"
            " TEMPLATE template0;"
        )
