"""Engines and how work reaches the database.

All database work in `db` is written as plain functions of a synchronous SQLAlchemy `Connection`, and
the `Database` runs them on SQLite directly in the calling thread (a server database will take them
through the async engine's `run_sync`, without changing the functions). Measured on 1M dialogs (README,
"Benchmarks"): a page query costs ~35 µs in SQLite itself; the aiosqlite thread hop and the async facade
add ~400 µs to every statement, a synchronous SQLAlchemy Core statement ~40 µs, and the statements of the
bot's taps go straight to the driver (`run_sql`), a few µs. Reads under WAL never wait for a lock, so
running them inline stalls the event loop no longer than the query itself.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from functools import cache, partial
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import Connection, Engine, TextClause, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
CHECKPOINT_SECONDS = 5.0  # see `Database.checkpoint_regularly`
STATEMENTS_KEPT = 512  # prepared statements each connection keeps (sqlite3's default: 128)
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)
# Reading: the whole file mapped into memory saves a system call per page read.
READ_PRAGMAS = ("PRAGMA cache_size=-65536", "PRAGMA mmap_size=1073741824", "PRAGMA temp_store=MEMORY")
# Bulk writing (import) touches every page once: mapping them would only grow the process by the file's
# size, and index builds sort in temporary files rather than in memory.
BULK_PRAGMAS = ("PRAGMA cache_size=-16384", "PRAGMA mmap_size=0", "PRAGMA temp_store=FILE")


class DatabaseUrlError(ValueError):
    """DATABASE_URL that cannot be used; the message is meant for the person who set it."""


def parse_database_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseUrlError(f"DATABASE_URL is not a database URL: {url!r}") from None
    if parsed.get_backend_name() != "sqlite":
        raise DatabaseUrlError(
            f"DATABASE_URL: {parsed.get_backend_name()!r} is not supported yet; use sqlite+aiosqlite:///FILE"
        )
    if parsed.get_driver_name() != "aiosqlite":
        raise DatabaseUrlError("DATABASE_URL must use an async driver: sqlite+aiosqlite:///FILE")
    if parsed.database in (None, "", ":memory:"):
        raise DatabaseUrlError("DATABASE_URL must name a database file: sqlite+aiosqlite:///FILE")
    return parsed


def _pragma_setter(pragmas: tuple[str, ...]) -> Callable[[Any, Any], None]:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        # The sqlite3 module opens transactions only before INSERT/UPDATE/DELETE, so DDL and reads would
        # run outside them; SQLAlchemy's "begin" below opens every transaction explicitly instead.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    return apply


def _begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _begin_sqlite3(connection: Connection) -> None:
    """`_begin` straight to the sqlite3 driver: ~10 µs less than SQLAlchemy's execution path."""
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    driver.execute("BEGIN")


class Rows(Protocol):
    """What a statement returns: rows to iterate, or the first one."""

    def __iter__(self) -> Iterator[Any]: ...
    def fetchone(self) -> Any: ...


def run_sql(connection: Connection, sql: str, params: Mapping[str, Any] | None = None) -> Rows:
    """Runs one textual statement (`:name` parameters) of the bot's paths, where every tap runs a few.

    On SQLite the statement goes straight to the driver: SQLAlchemy's execution and result layers cost
    ~40 µs a statement and ~2 µs a row here, more than SQLite takes for a whole page. Rows are then
    plain tuples, and times come as stored (`stored_time`, `time_param`). Other databases get the same
    statement through `text()`, so the functions that use this stay portable."""
    driver = connection.connection.driver_connection
    if isinstance(driver, sqlite3.Connection):
        try:
            return driver.execute(sql, params or {})
        except sqlite3.Error as error:  # as SQLAlchemy raises it ("database is locked": OperationalError)
            raise DBAPIError.instance(sql, params, error, sqlite3.Error) from error
    return connection.execute(_text(sql), params or {})


@cache
def _text(sql: str) -> TextClause:
    return text(sql)


STORED_TIME = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite: text in time order


def stored_time(value: str | datetime) -> datetime:
    """A naive UTC time read by `run_sql`: text on SQLite, a datetime from other drivers."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def time_param(moment: datetime) -> str:
    """A naive UTC time as a `run_sql` parameter, in the stored form, so that text comparisons are exact
    (the driver's own conversion drops zero microseconds)."""
    return moment.strftime(STORED_TIME)


class Database:
    """One database: an async engine (migrations, the bot's writes) and the runner for `db` functions."""

    def __init__(
        self,
        url: str,
        *,
        bulk: bool = False,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        background_checkpoints: bool = False,
    ) -> None:
        """`bulk`: for a process that mostly writes (the import), tuned for memory rather than reads.
        `busy_timeout_ms`: how long a write waits for another writer before it gives up.
        `background_checkpoints`: the process runs `checkpoint_regularly` (the bot), and its commits never
        copy the write-ahead log into the database file themselves: a commit that does (every ~250 of the
        bot's writes, or the first after an import's batches) ends with an fsync, ~4 ms here and much more
        on a slow disk, and the bot commits on its event loop."""
        self._busy_timeout_ms = busy_timeout_ms
        self.url = parse_database_url(url)
        busy = (f"PRAGMA busy_timeout={busy_timeout_ms}",)
        checkpoints = ("PRAGMA wal_autocheckpoint=0",) if background_checkpoints else ()
        pragmas = _pragma_setter(
            SQLITE_PRAGMAS + busy + checkpoints + (BULK_PRAGMAS if bulk else READ_PRAGMAS)
        )
        self.async_engine: AsyncEngine = create_async_engine(self.url, poolclass=NullPool)
        event.listen(self.async_engine.sync_engine, "connect", pragmas)
        event.listen(self.async_engine.sync_engine, "begin", _begin)
        self.sync_engine: Engine = create_engine(
            self.url.set(drivername="sqlite+pysqlite"),
            # `write` runs in worker threads (the pool serialises); every page statement shape stays prepared
            connect_args={"check_same_thread": False, "cached_statements": STATEMENTS_KEPT},
            # the connection used last comes back first: the bot's work keeps to one connection, whose cache
            # stays valid (SQLite drops a connection's page cache when another one has written); taking
            # turns with a second one (after an export) made every tap ~25 % slower
            pool_use_lifo=True,
        )
        event.listen(self.sync_engine, "connect", pragmas)
        event.listen(self.sync_engine, "begin", _begin_sqlite3)

    def run(self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Runs read-only or short work in one transaction, committed when `work` returns."""
        with self.sync_engine.begin() as connection:
            return work(connection, *args, **kwargs)

    async def write(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Runs short writing work. When no one else is writing it runs at once (~0.2 ms under WAL); when
        another writer holds the lock (an import), it waits for it in a worker thread, so that the event
        loop never stalls. The work runs in one transaction either way, rolled back if it cannot finish."""
        try:
            return self._write_or_fail(work, *args, **kwargs)
        except OperationalError as error:
            if "database is locked" not in str(error.orig):
                raise
        return await asyncio.to_thread(partial(self.run, work, *args, **kwargs))

    def _write_or_fail(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        with self.sync_engine.connect() as connection:
            driver = connection.connection.driver_connection  # a pragma outside any transaction
            assert driver is not None
            driver.execute("PRAGMA busy_timeout=0")
            try:
                with connection.begin():
                    return work(connection, *args, **kwargs)
            finally:
                driver.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")

    async def checkpoint_regularly(self, every: float = CHECKPOINT_SECONDS) -> None:
        """Copies what the write-ahead log gained into the database file every `every` seconds, in a
        worker thread, until cancelled (with `background_checkpoints`). PASSIVE: it never waits for
        readers or writers, and what it cannot copy now it copies next time."""
        while True:
            await asyncio.sleep(every)
            await asyncio.to_thread(self._checkpoint)

    def _checkpoint(self) -> None:
        # a connection of its own, not one of the pool's: the bot's work keeps to the one it used last
        checkpointer = sqlite3.connect(str(self.url.database))
        try:
            checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.OperationalError as error:
            log.warning("checkpoint failed: %s", error)
        finally:
            checkpointer.close()

    async def dispose(self) -> None:
        self.sync_engine.dispose()
        await self.async_engine.dispose()
