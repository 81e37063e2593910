"""SQLite connections: opened with the archive's pragmas, transactions begun explicitly, the statements of a
tap run straight on the `sqlite3` driver, times stored as text, checkpoints of the write-ahead log."""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
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


def is_unwritable(error: BaseException | None) -> bool:
    """The disk is full, the file read-only or failing: waiting will not help."""
    messages = ("database or disk is full", "readonly database", "disk I/O error")
    return isinstance(error, sqlite3.OperationalError) and any(text in str(error) for text in messages)


def is_locked(error: BaseException | None) -> bool:
    """Another connection holds the write lock (an import), or the snapshot read is older than its write."""
    return isinstance(error, sqlite3.OperationalError) and "database is locked" in str(error)


STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite: text in time order


def stored_time(value: str | datetime) -> datetime:
    """A naive UTC time as a statement of `db.engine.run_sql` reads it: text on SQLite (a time on
    PostgreSQL)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _time_param(moment: datetime) -> str:
    return moment.strftime(STORED_TIME)


# A naive UTC time given to a statement on the driver (`execute`) is bound in the stored form, as
# SQLAlchemy binds it, so that text comparisons are exact (sqlite3's own adapter drops zero microseconds):
# the statements of `db` pass times, whichever engine runs them.
sqlite3.register_adapter(datetime, _time_param)


Checkpointer = sqlite3.Connection


def open_checkpointer(path: str) -> Checkpointer:
    """A connection for the checkpoints, open for the process's life: it also holds the file open, so that
    its inode is not given to another file while the process runs (see `file_identity`)."""
    checkpointer = sqlite3.connect(path, check_same_thread=False)  # used from worker threads, one at a time
    checkpointer.execute("SELECT count(*) FROM sqlite_master").fetchall()  # opens the file now
    return checkpointer


def checkpoint(checkpointer: Checkpointer) -> None:
    """Copies what the write-ahead log gained into the database file. PASSIVE: it never waits for readers or
    writers, and what it cannot copy now it copies next time. On a connection of its own, opened once (not
    one of the pool's: the bot's work keeps to the one it used last; and not one opened by path each time,
    which would take the old log for the log of a file put in the database's place)."""
    try:
        checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    except sqlite3.OperationalError as error:
        log.warning("checkpoint failed: %s", error)


FILE_MODE = 0o600  # the archive holds clients' names, numbers and conversations: its owner's alone
COMPANIONS = ("", "-wal", "-shm", "-journal")


def secure_files(path: str) -> None:
    """Creates the database file readable by its owner only, or takes group and others' access away from
    it and its companions (SQLite creates the write-ahead log and its index with the file's own mode).
    A path that cannot be created is left for SQLite to report."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    except OSError:
        return
    for suffix in COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            if os.stat(path + suffix).st_mode & 0o077:
                os.chmod(path + suffix, FILE_MODE)


def file_identity(path: str) -> tuple[int, int] | None:
    """Which file is at `path` (device and inode); None when there is none. Two files have told apart only
    while the first one is held open (a removed file's inode is given to the next one made)."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


def set_aside_log(path: str) -> list[str]:
    """Moves the write-ahead log and its index beside the path of a database file that was replaced or
    removed: they belong to the old file, and SQLite would apply them to whatever file is opened at `path`
    next (a file moved in, or a new empty one) and damage it. Returns the names they were given."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    moved = []
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            target = f"{path}{suffix}.replaced-{stamp}"
            os.replace(path + suffix, target)
            moved.append(target)
    return moved
