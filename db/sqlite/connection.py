"""SQLite connections: opened with the archive's pragmas, transactions begun explicitly, the statements of a
tap run straight on the `sqlite3` driver, times stored as text, checkpoints of the write-ahead log."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

log = logging.getLogger(__name__)

DriverError = sqlite3.Error
STATEMENTS_KEPT = 512  # prepared statements each connection keeps (sqlite3's default: 128)
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
# Reading: the whole file mapped into memory saves a system call per page read.
READ_PRAGMAS = ("PRAGMA cache_size=-65536", "PRAGMA mmap_size=1073741824", "PRAGMA temp_store=MEMORY")
# Bulk writing (import) touches every page once: mapping them would only grow the process by the file's
# size, and index builds sort in temporary files rather than in memory.
BULK_PRAGMAS = ("PRAGMA cache_size=-16384", "PRAGMA mmap_size=0", "PRAGMA temp_store=FILE")
# The bot's own commits never copy the write-ahead log into the file (see `checkpoint`).
NO_AUTOCHECKPOINT = "PRAGMA wal_autocheckpoint=0"


def busy_timeout(milliseconds: int) -> str:
    return f"PRAGMA busy_timeout={milliseconds}"


def pragma_setter(pragmas: tuple[str, ...]) -> Callable[[Any, Any], None]:
    """A "connect" listener that opens every connection with `pragmas`."""

    def apply(dbapi_connection: Any, _record: Any) -> None:
        # The sqlite3 module opens transactions only before INSERT/UPDATE/DELETE, so DDL and reads would
        # run outside them; the "begin" listeners below open every transaction explicitly instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    return apply


def begin(connection: Connection) -> None:
    """A "begin" listener for the async engine (migrations)."""
    connection.exec_driver_sql("BEGIN")


def driver_of(connection: Connection) -> sqlite3.Connection:
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def is_driver(connection: Connection) -> bool:
    return isinstance(connection.connection.driver_connection, sqlite3.Connection)


def execute(connection: Connection, sql: str, params: Mapping[str, Any]) -> sqlite3.Cursor:
    """One statement straight on the driver: SQLAlchemy's execution and result layers cost ~40 µs a
    statement and ~2 µs a row here, more than SQLite takes for a whole page. Rows are plain tuples; times
    come as stored (`stored_time`)."""
    return driver_of(connection).execute(sql, params)


def is_locked(error: BaseException | None) -> bool:
    """Another connection holds the write lock (an import), or the snapshot read is older than its write."""
    return isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error)


STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite: text in time order


def stored_time(value: str | datetime) -> datetime:
    """A naive UTC time as a statement of `db.engine.run_sql` reads it: text on SQLite."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def time_param(moment: datetime) -> str:
    """A naive UTC time as a statement parameter, in the stored form, so that text comparisons are exact
    (the driver's own conversion drops zero microseconds)."""
    return moment.strftime(STORED_TIME)


def checkpoint(path: str) -> None:
    """Copies what the write-ahead log gained into the database file. PASSIVE: it never waits for readers or
    writers, and what it cannot copy now it copies next time. A connection of its own, not one of the
    pool's: the bot's work keeps to the one it used last."""
    checkpointer = sqlite3.connect(path)
    try:
        checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.OperationalError as error:
        log.warning("checkpoint failed: %s", error)
    finally:
        checkpointer.close()
