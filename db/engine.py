"""Engines and how work reaches the database.

All database work in `db` is written as plain functions of a synchronous SQLAlchemy `Connection`, and
the `Database` runs them on SQLite directly in the calling thread (a server database will take them
through the async engine's `run_sync`, without changing the functions). Measured on 1M dialogs (README,
"Benchmarks"): a page query costs ~25 µs in SQLite itself; the aiosqlite thread hop and the async facade
add ~400 µs to every statement, a synchronous SQLAlchemy Core statement far less. Reads under WAL never
wait for a lock, so running them inline stalls the event loop no longer than the query itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

P = ParamSpec("P")
T = TypeVar("T")

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA cache_size=-65536",  # 64 MiB of page cache per connection
    "PRAGMA mmap_size=1073741824",
    "PRAGMA temp_store=MEMORY",
)


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


def _apply_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


class Database:
    """One database: an async engine (migrations, the bot's writes) and the runner for `db` functions."""

    def __init__(self, url: str) -> None:
        self.url = parse_database_url(url)
        self.async_engine: AsyncEngine = create_async_engine(self.url, poolclass=NullPool)
        event.listen(self.async_engine.sync_engine, "connect", _apply_sqlite_pragmas)
        self.sync_engine: Engine = create_engine(self.url.set(drivername="sqlite+pysqlite"))
        event.listen(self.sync_engine, "connect", _apply_sqlite_pragmas)

    def run(self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Runs read-only or short work in one transaction, committed when `work` returns."""
        with self.sync_engine.begin() as connection:
            return work(connection, *args, **kwargs)

    async def dispose(self) -> None:
        self.sync_engine.dispose()
        await self.async_engine.dispose()
