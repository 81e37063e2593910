"""Engines and how work reaches the database.

All database work in `db` is written as plain functions of a synchronous SQLAlchemy `Connection`, and
the `Database` runs them on SQLite directly in the calling thread (a server database will take them
through the async engine's `run_sync`, without changing the functions). Measured on 1M dialogs (README,
"Benchmarks"): a page query costs ~25 µs in SQLite itself; the aiosqlite thread hop and the async facade
add ~400 µs to every statement, a synchronous SQLAlchemy Core statement far less. Reads under WAL never
wait for a lock, so running them inline stalls the event loop no longer than the query itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

P = ParamSpec("P")
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
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


class Database:
    """One database: an async engine (migrations, the bot's writes) and the runner for `db` functions."""

    def __init__(self, url: str, *, bulk: bool = False, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        """`bulk`: for a process that mostly writes (the import), tuned for memory rather than reads.
        `busy_timeout_ms`: how long a write waits for another writer before it gives up."""
        self._busy_timeout_ms = busy_timeout_ms
        self.url = parse_database_url(url)
        busy = (f"PRAGMA busy_timeout={busy_timeout_ms}",)
        pragmas = _pragma_setter(SQLITE_PRAGMAS + busy + (BULK_PRAGMAS if bulk else READ_PRAGMAS))
        self.async_engine: AsyncEngine = create_async_engine(self.url, poolclass=NullPool)
        event.listen(self.async_engine.sync_engine, "connect", pragmas)
        event.listen(self.async_engine.sync_engine, "begin", _begin)
        self.sync_engine: Engine = create_engine(
            self.url.set(drivername="sqlite+pysqlite"),
            connect_args={"check_same_thread": False},  # `write` runs in worker threads; the pool serialises
        )
        event.listen(self.sync_engine, "connect", pragmas)
        event.listen(self.sync_engine, "begin", _begin)

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

    async def dispose(self) -> None:
        self.sync_engine.dispose()
        await self.async_engine.dispose()
