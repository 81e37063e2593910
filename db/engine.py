"""The database and how work reaches it.

All database work in `db` is written as plain functions of a synchronous SQLAlchemy `Connection`; the
`Database` runs them, on one of two engines chosen by DATABASE_URL:

- SQLite (`db.sqlite`, the default): reads run inline in the calling thread. Measured on 1M dialogs
  (benchmarks/README.md), a page query costs ~35 µs in SQLite itself, while the aiosqlite thread hop and
  the async facade add ~400 µs to every statement; reads under WAL never wait for a lock, so running them
  inline stalls the event loop no longer than the query itself. The statements of the bot's taps go
  straight to the driver (`run_sql`): a synchronous SQLAlchemy Core statement costs ~40 µs more.
- PostgreSQL (`db.postgres`): the event loop's work runs through asyncpg, each statement awaited
  (SQLAlchemy's greenlet runs the same functions, see `Database.read`), so a slow server never stalls a
  tap; the command line and the worker threads (an import, the ingestion API's batches, Chatwoot's jobs)
  use psycopg's synchronous driver, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from functools import cache, partial
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import Connection, Engine, TextClause, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool
from sqlalchemy.util import greenlet_spawn

from db.errors import ArchiveBusy, ArchiveReplaced, ArchiveUnwritable
from db.postgres import connection as postgres
from db.postgres.changes import ChangeWatch
from db.sqlite import connection as sqlite
from db.sqlite.connection import stored_time

__all__ = ["Database", "DatabaseUrlError", "Rows", "run_sql", "stored_time"]

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")
Work = Callable[..., T]  # a function of a connection, with its arguments apart

BUSY_TIMEOUT_MS = 5000
CHECKPOINT_SECONDS = 5.0  # see `Database.checkpoint_regularly`
_WRITING = "writing"  # set in a connection's info while it runs a writing transaction


class DatabaseUrlError(ValueError):
    """DATABASE_URL that cannot be used; the message is meant for the person who set it."""


SQLITE_FORM = "sqlite+aiosqlite:///FILE"
POSTGRES_FORM = "postgresql+asyncpg://USER:PASSWORD@HOST/DATABASE"


def parse_database_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseUrlError("DATABASE_URL is not a database URL") from None  # it may hold a password
    backend, _, driver = parsed.drivername.partition("+")  # as written: naming no dialect loads one
    if backend == "sqlite":
        if driver != "aiosqlite":
            raise DatabaseUrlError(f"DATABASE_URL must use an async driver: {SQLITE_FORM}")
        if parsed.database in (None, "", ":memory:"):
            raise DatabaseUrlError(f"DATABASE_URL must name a database file: {SQLITE_FORM}")
        return parsed
    if backend == "postgresql":
        if driver != "asyncpg":
            raise DatabaseUrlError(f"DATABASE_URL must use the asyncpg driver: {POSTGRES_FORM}")
        if not parsed.database:
            raise DatabaseUrlError(f"DATABASE_URL must name the database: {POSTGRES_FORM}")
        return parsed
    raise DatabaseUrlError(
        f"DATABASE_URL: {backend!r} is not supported; use {SQLITE_FORM} or {POSTGRES_FORM}"
    )


def shown_url(url: str) -> str:
    """DATABASE_URL as it may be shown to a person or written to a log: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"


class Rows(Protocol):
    """What a statement returns: rows to iterate, or the first one."""

    def __iter__(self) -> Iterator[Any]: ...
    def fetchone(self) -> Any: ...


def run_sql(connection: Connection, sql: str, params: Mapping[str, Any] | None = None) -> Rows:
    """Runs one textual statement (`:name` parameters) of the bot's paths, where every tap runs a few.

    On SQLite and on the event loop's PostgreSQL connection the statement goes straight to the driver
    (`db.sqlite.connection.execute`, `db.postgres.connection.execute`); errors are raised as SQLAlchemy
    raises them. The threads' PostgreSQL connections (psycopg) get it through `text()`."""
    if postgres.is_asyncpg(connection):
        cursor: Rows = postgres.execute(connection, sql, params or {})
        return cursor
    if sqlite.is_driver(connection):
        try:
            return sqlite.execute(connection, sql, params or {})
        except sqlite.DriverError as error:
            # as SQLAlchemy raises it ("database is locked": OperationalError), and as the engines are
            # made: without the parameters, which hold search texts and numbers
            raise DBAPIError.instance(sql, params, error, sqlite.DriverError, hide_parameters=True) from error
    return connection.execute(_text(sql), params or {})


@cache
def _text(sql: str) -> TextClause:
    return text(sql)


def _begin(connection: Connection) -> None:
    """Every transaction of the bot's engine begins on the driver; a writing one takes the write lock at
    once (BEGIN IMMEDIATE), so that it either waits for another writer before it has read anything or fails
    at once when it must not wait."""
    statement = "BEGIN IMMEDIATE" if connection.connection.info.get(_WRITING, False) else "BEGIN"
    try:
        sqlite.driver_of(connection).execute(statement)
    except sqlite.DriverError as error:  # as SQLAlchemy raises it ("database is locked": OperationalError)
        raise DBAPIError.instance(statement, None, error, sqlite.DriverError) from error


@contextmanager
def begin_writing(engine: Engine) -> Iterator[Connection]:
    """A writing transaction on `engine` that takes the write lock as it begins (on a `Database`'s engine:
    BEGIN IMMEDIATE). It waits for another writer before it has read anything; one that begins as a reader
    and writes later fails at once when another wrote meanwhile (SQLite cannot let it wait)."""
    with engine.connect() as connection:
        info = connection.connection.info
        info[_WRITING] = True
        try:
            with connection.begin():
                yield connection
        finally:
            info.pop(_WRITING, None)


class Database:
    """One database: the runner of `db` functions, and on SQLite an async engine (migrations)."""

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
        self.postgres = self.url.get_backend_name() == "postgresql"
        self._replaced = False
        self._checkpointer: sqlite.Checkpointer | None = None
        if self.postgres:
            self.path = ""
            self._identity = None
            self._open_postgres(bulk=bulk)
            return
        self.path = str(self.url.database)
        sqlite.secure_files(self.path)
        self._identity = sqlite.file_identity(self.path)
        # the bot's own connection for checkpoints, opened now: it holds the file this process started with
        self._checkpointer = sqlite.open_checkpointer(self.path) if background_checkpoints else None
        checkpoints = (sqlite.NO_AUTOCHECKPOINT,) if background_checkpoints else ()
        pragmas = sqlite.pragma_setter(
            sqlite.PRAGMAS
            + (sqlite.busy_timeout(busy_timeout_ms),)
            + checkpoints
            + (sqlite.BULK_PRAGMAS if bulk else sqlite.READ_PRAGMAS)
        )
        # an error never shows a statement's parameters: they hold search texts and numbers (logs carry no
        # personal data)
        self.async_engine: AsyncEngine = create_async_engine(
            self.url, poolclass=NullPool, hide_parameters=True
        )
        event.listen(self.async_engine.sync_engine, "connect", pragmas)
        event.listen(self.async_engine.sync_engine, "begin", sqlite.begin)
        self.sync_engine: Engine = create_engine(
            self.url.set(drivername="sqlite+pysqlite"),
            # writes wait in worker threads (the pool serialises); every page statement shape stays prepared
            connect_args={"check_same_thread": False, "cached_statements": sqlite.STATEMENTS_KEPT},
            # the connection used last comes back first: the bot's work keeps to one connection, whose cache
            # stays valid (SQLite drops a connection's page cache when another one has written); taking
            # turns with a second one (after an export) made every tap ~25 % slower
            pool_use_lifo=True,
            hide_parameters=True,
        )
        event.listen(self.sync_engine, "connect", self._same_file)
        event.listen(self.sync_engine, "connect", pragmas)
        event.listen(self.sync_engine, "begin", _begin)

    def _open_postgres(self, *, bulk: bool) -> None:
        """The engines of a PostgreSQL database: asyncpg for the event loop, psycopg for the threads. A
        write waits for the rows another transaction holds as long as `busy_timeout_ms` (lock_timeout)."""
        options = postgres.session_options(self._busy_timeout_ms, bulk=bulk)
        self._server_settings = options
        self._loop_engines: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncEngine] = (
            weakref.WeakKeyDictionary()
        )
        self._loop_watches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, ChangeWatch]] = (
            weakref.WeakKeyDictionary()
        )
        _postgres_databases.add(self)
        self.sync_engine = create_engine(
            self.url.set(drivername="postgresql+psycopg"),
            hide_parameters=True,
            pool_pre_ping=True,
            connect_args={
                "options": " ".join(
                    f"-c {name}={value}" for name, value in {**options, **postgres.PLANNED_EACH_TIME}.items()
                )
            },
        )

    def _loop_engine(self) -> AsyncEngine:
        """The asyncpg engine of the running event loop: an asyncpg connection belongs to the loop that
        opened it, so each loop (the service has one; a test or `dialogs-bot try` may start several in
        turn) keeps a pool of its own."""
        loop = asyncio.get_running_loop()
        engine = self._loop_engines.get(loop)
        if engine is None:
            # no ping before each use: a round trip for every tap; a connection the server dropped fails
            # one statement, and SQLAlchemy then opens new ones
            engine = create_async_engine(
                self.url, hide_parameters=True, connect_args={"server_settings": self._server_settings}
            )
            self._loop_engines[loop] = engine
        return engine

    def changes_told(self, channel: str) -> int | None:
        """On PostgreSQL, a number that changes whenever a trigger tells `channel` of a change, while this
        event loop hears them (`db.postgres.changes`): what a process kept in memory under one number is
        current while it stays the same. None on SQLite, and whenever hearing is not sure."""
        if not self.postgres:
            return None
        watches = self._loop_watches.setdefault(asyncio.get_running_loop(), {})
        watch = watches.get(channel)
        if watch is None:
            watch = watches[channel] = ChangeWatch(channel, self._listening_connection)
        return watch.generation()

    @asynccontextmanager
    async def _listening_connection(self) -> AsyncIterator[Any]:
        """An asyncpg connection of its own for a `ChangeWatch`, outside the pool (it is held for good),
        named as such in `pg_stat_activity`."""
        settings = {**self._server_settings, "application_name": "dialogs-bot: told of changes"}
        engine = create_async_engine(
            self.url, poolclass=NullPool, hide_parameters=True, connect_args={"server_settings": settings}
        )
        try:
            async with engine.connect() as connection:
                yield (await connection.get_raw_connection()).driver_connection
        finally:
            await engine.dispose()

    async def release_loop(self) -> None:
        """Closes the running event loop's connections (PostgreSQL), for a loop about to end; the next
        statement on it opens them again."""
        if not self.postgres:
            return
        running = asyncio.get_running_loop()
        for watch in self._loop_watches.pop(running, {}).values():
            await watch.stop()
        engine = self._loop_engines.pop(running, None)
        if engine is not None:
            await engine.dispose()

    def migration_engine(self) -> AsyncEngine:
        """The engine Alembic runs the migrations on, in an event loop of its own (`db.migrate`): one that
        keeps no connection, so that none outlives that loop (asyncpg's connections belong to theirs)."""
        if not self.postgres:
            return self.async_engine  # already keeps none (NullPool)
        return create_async_engine(
            self.url,
            poolclass=NullPool,
            hide_parameters=True,
            connect_args={"server_settings": self._server_settings},
        )

    def _same_file(self, _dbapi_connection: Any, _record: Any) -> None:
        """A new connection opens the file this process started with, or none: a file put in its place (or
        none left) would be read and written as if it were the archive, its old write-ahead log included."""
        if self._identity is None:  # created by this process: the first connection finds it
            self._identity = sqlite.file_identity(self.path)
        self._check_same_file()

    def _check_same_file(self) -> None:
        if not self._replaced and sqlite.file_identity(self.path) == self._identity:
            return
        if not self._replaced:
            self._replaced = True
            moved = sqlite.set_aside_log(self.path)
            log.error(
                "the database file %s was replaced or removed while the bot ran; its old write-ahead log"
                " was moved aside (%s) so that it cannot damage the file now there; stopping",
                self.path,
                ", ".join(moved) or "none was left",
            )
        raise ArchiveReplaced(self.path)

    def run(self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Runs work in one transaction, committed when `work` returns, here and now (the command line,
        the import, a worker thread)."""
        with self.sync_engine.begin() as connection:
            return work(connection, *args, **kwargs)

    async def read(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Runs reading work in one transaction. On SQLite it runs at once, in the calling thread (see the
        module's docstring): the coroutine never waits. On PostgreSQL each of its statements is awaited."""
        if self.postgres:
            return await self._in_greenlet(_autocommit_postgres, work, args, kwargs)
        return self.run(work, *args, **kwargs)

    async def write(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Runs short writing work in one transaction, rolled back if it cannot finish. When no one else is
        writing it runs at once (~0.2 ms under WAL); when another writer holds the lock (an import), it
        waits for it in a worker thread, so that the event loop never stalls, and raises `ArchiveBusy`
        when the wait runs out. On PostgreSQL it waits (awaited) only for the rows another holds."""
        if self.postgres:
            with _told_as_writes():
                return await self._in_greenlet(_transaction_postgres, work, args, kwargs)
        try:
            return self._write(work, args, kwargs, wait=False)
        except OperationalError as error:
            if not sqlite.is_locked(error.orig):
                _raise_unwritable(error)
                raise
        try:
            return await asyncio.to_thread(partial(self._write, work, args, kwargs, wait=True))
        except OperationalError as error:
            if sqlite.is_locked(error.orig):
                raise ArchiveBusy from None
            _raise_unwritable(error)
            raise

    async def write_statement(
        self, work: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`write` for work each of whose writes stands alone as one statement, a transaction of its own
        (the work's reads are each one too, as `read`'s): on PostgreSQL each goes to the server alone,
        without BEGIN and COMMIT (two round trips, a tenth of a tap each: benchmarks/README.md). On SQLite
        it is `write`."""
        if self.postgres:
            with _told_as_writes():
                return await self._in_greenlet(_autocommit_postgres, work, args, kwargs)
        return await self.write(work, *args, **kwargs)

    async def _in_greenlet(
        self,
        run: Callable[[Engine, Work[T], tuple[Any, ...], dict[str, Any]], T],
        work: Work[T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> T:
        """`run` on the running loop's asyncpg engine, in SQLAlchemy's greenlet, where each statement is
        awaited on the loop: what `AsyncConnection.run_sync` does, but in one greenlet for the connection,
        the transaction and the work together (`run_sync` and the async connection's own steps take one
        each, ~0.12 ms a read more here: benchmarks/README.md)."""
        return await greenlet_spawn(run, self._loop_engine().sync_engine, work, args, kwargs)

    def _write(
        self,
        work: Work[T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        *,
        wait: bool,
    ) -> T:
        with self.sync_engine.connect() as connection:
            info = connection.connection.info
            driver = sqlite.driver_of(connection)
            if not wait:  # a pragma outside any transaction
                driver.execute(sqlite.busy_timeout(0))
            info[_WRITING] = True
            try:
                with connection.begin():
                    return work(connection, *args, **kwargs)
            finally:
                info.pop(_WRITING, None)
                if not wait:
                    driver.execute(sqlite.busy_timeout(self._busy_timeout_ms))

    async def checkpoint_regularly(self, every: float = CHECKPOINT_SECONDS) -> None:
        """Copies what the write-ahead log gained into the database file every `every` seconds, in a
        worker thread, until cancelled (with `background_checkpoints`); raises `ArchiveReplaced` as soon as
        the file is no longer the one the process started with (moved over, or removed). PostgreSQL
        checkpoints itself: there it only waits to be cancelled."""
        if self.postgres:
            await asyncio.Event().wait()
        if self._checkpointer is None:
            self._checkpointer = sqlite.open_checkpointer(self.path)
        while True:
            await asyncio.sleep(every)
            self._check_same_file()
            await asyncio.to_thread(sqlite.checkpoint, self._checkpointer)

    async def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.sync_engine.dispose()
        if not self.postgres:
            await self.async_engine.dispose()
            return
        await self.release_loop()  # the watches of other loops end with their loops
        running = asyncio.get_running_loop()
        for loop, engine in list(self._loop_engines.items()):
            # another loop's connections cannot be closed from this one: they are let go
            await engine.dispose(close=loop is running)
        self._loop_engines.clear()
        self._loop_watches.clear()


_postgres_databases: weakref.WeakSet[Database] = weakref.WeakSet()


async def release_loop_connections() -> None:
    """Closes every PostgreSQL connection the running event loop holds: for a program that runs event
    loops one after another (the tests), before one ends; a connection cannot outlive its loop."""
    for database in list(_postgres_databases):
        await database.release_loop()


def _autocommit_postgres(engine: Engine, work: Work[T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    # without BEGIN and COMMIT, two round trips: under READ COMMITTED each statement of a read sees the
    # database as it is when it starts, inside a transaction or not; a write of one statement is one
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        return work(connection, *args, **kwargs)


def _transaction_postgres(engine: Engine, work: Work[T], args: tuple[Any, ...], kwargs: dict[str, Any]) -> T:
    with engine.begin() as connection:
        return work(connection, *args, **kwargs)


@contextmanager
def _told_as_writes() -> Iterator[None]:
    """PostgreSQL's errors of writing work as `Database.write` tells them: rows another transaction held
    too long (`ArchiveBusy`), a server that cannot write (`ArchiveUnwritable`)."""
    try:
        yield
    except DBAPIError as error:
        if postgres.is_locked(error.orig):
            raise ArchiveBusy from None
        if postgres.is_unwritable(error.orig):
            raise ArchiveUnwritable(postgres.reason(error.orig)) from None
        raise


def _raise_unwritable(error: OperationalError) -> None:
    if sqlite.is_unwritable(error.orig):
        raise ArchiveUnwritable(str(error.orig)) from None
