"""The engine benchmark (`benchmarks.engine`) on PostgreSQL: the same million dialogs, the same operations.

    python -m benchmarks.postgres --server postgresql+asyncpg://USER@/postgres?host=/SOCKET/FOLDER
                                  [--dialogs 1000000] [--runs 300] [--folder .bench]

The archive is the database `dialogs_bench_N` on that server (N dialogs), built the first time as
`benchmarks.engine` builds its file: the same demo data written as JSON Lines, loaded by `dialogs-bot
import` in a child process (its time and peak memory are the import's figures). Each operation then runs
--runs times through the engine as the bot calls it (`await Database.read(fetch_page, …)`: asyncpg, each
statement awaited), and the statements the engine sent (noted by SQLAlchemy's `before_cursor_execute`,
and as `db.postgres.connection.execute` hands them to the driver) are replayed through asyncpg itself on
a connection of their own, each committing by itself as the engine's reads do: the ratio is what the
engine adds to PostgreSQL and its driver. A local server through its Unix socket is what the targets are
about. The review queue's two rows (`benchmarks.engine.QUEUE_OPERATIONS`) make a week's queue anew
(`await Database.write(make_queue, …)`) and open one made, each week readied before the run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import URL, make_url

from benchmarks.engine import (
    MAKE_QUEUE,
    QUEUE_OPERATIONS,
    ZONE,
    QueryMaker,
    build,
    ensure_response_times,
    ensure_review_marks,
    ms,
    operations,
    percentiles,
    print_table,
    queue_weeks,
    queue_work,
    ready_week,
)
from db.counters import dialog_total
from db.dialogs import fetch_page
from db.engine import Database, release_loop_connections
from db.migrate import upgrade
from db.postgres import connection as postgres
from db.stats import ensure_stats


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--server", required=True, help="a database URL on the server (postgresql+asyncpg)")
    parser.add_argument("--dialogs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    args = parser.parse_args()

    database, picker = open_postgres_archive(args.server, args.folder, args.dialogs)
    chosen = operations(picker, args.dialogs)
    picker.close()
    print_table(asyncio.run(measure_all(database, database.url, chosen, args.runs)))


class Picker:
    """psycopg's connection as the benchmarks pick their inputs with `sqlite3`'s: `?` placeholders,
    `commit` (every statement commits by itself)."""

    def __init__(self, url: URL) -> None:
        self._connection = psycopg.connect(libpq(url), autocommit=True)

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:  # a cursor, as sqlite3's is read
        if parameters:  # psycopg's placeholders are %s, and a % of the statement's own is written %%
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self._connection.execute(sql.encode(), parameters or None)

    def commit(self) -> None:
        pass

    def close(self) -> None:
        self._connection.close()


def open_postgres_archive(server: str, folder: Path, count: int) -> tuple[Database, Picker]:
    """The benchmark archive on PostgreSQL (built the first time) brought up to date, through the engine
    and through psycopg, as `benchmarks.engine.open_archive` opens SQLite's."""
    url = archive_url(make_url(server), folder, count)
    database = Database(url.render_as_string(hide_password=False))
    upgrade(database)
    database.run(ensure_stats, ZONE)
    database.run(ensure_review_marks)
    database.run(ensure_response_times)
    return database, Picker(url)


def libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def archive_url(server: URL, folder: Path, count: int) -> URL:
    """The benchmark database of `count` demo dialogs on the server: built the first time."""
    url = server.set(database=f"dialogs_bench_{count}")
    with psycopg.connect(libpq(server), autocommit=True) as connection:
        name = str(url.database)
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return url
        create_database(connection, name)
    folder.mkdir(exist_ok=True)
    build(folder, url.render_as_string(hide_password=False), count)
    return url


def create_database(connection: psycopg.Connection[Any], name: str) -> None:
    """A new database for a benchmark's archive: UTF-8, with a locale that knows Cyrillic letters."""
    connection.execute(
        f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        " TEMPLATE template0".encode()
    )


sent: list[tuple[str, Any]] = []


def _note(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
    sent.append((statement, parameters))


def _noting(execute: Callable[[Connection, str, Mapping[str, Any]], Any]) -> Callable[..., Any]:
    """`db.postgres.connection.execute`, noting each statement as the driver gets it."""

    def noted(connection: Connection, sql: str, params: Mapping[str, Any]) -> Any:
        numbered, names = postgres._numbered(sql)
        sent.append((numbered, [params[name] for name in names]))
        return execute(connection, sql, params)

    return noted


async def measure_all(
    database: Database, url: URL, chosen: list[tuple[str, QueryMaker]], runs: int
) -> list[tuple[str, list[float], list[float]]]:
    event.listen(Engine, "before_cursor_execute", _note)  # every engine's, the asyncpg one's included
    postgres.execute = _noting(postgres.execute)  # the bot's statements, which bypass SQLAlchemy's events
    raw = await asyncpg.connect(libpq(url), server_settings={"timezone": "UTC"})
    try:
        rows = [await measure(database, raw, name, make, runs) for name, make in chosen]
        return rows + [await measure_queue(database, raw, name, runs) for name in QUEUE_OPERATIONS]
    finally:
        await raw.close()
        await release_loop_connections()


async def measure(
    database: Database, raw: asyncpg.Connection, name: str, make: QueryMaker, runs: int
) -> tuple[str, list[float], list[float]]:
    total_only = name.startswith("total")
    engine_times: list[float] = []
    raw_times: list[float] = []
    for run in range(-10, runs):  # ten warm-up runs
        query = make(max(run, 0))
        sent.clear()
        started = time.perf_counter()
        if total_only:
            await database.read(dialog_total)
        else:
            await database.read(fetch_page, query)
        elapsed = time.perf_counter() - started
        statements = [(s, p) for s, p in sent if not s.startswith(("BEGIN", "COMMIT", "select pg_catalog"))]

        started = time.perf_counter()
        for statement, parameters in statements:
            await raw.fetch(statement, *parameters)
        raw_elapsed = time.perf_counter() - started
        if run >= 0:
            engine_times.append(elapsed)
            raw_times.append(raw_elapsed)
    e50, e99 = percentiles(engine_times)
    print(f"{name:45s} engine p50 {ms(e50):>9} p99 {ms(e99):>9}", flush=True)
    return name, engine_times, raw_times


async def measure_queue(
    database: Database, raw: asyncpg.Connection, name: str, runs: int
) -> tuple[str, list[float], list[float]]:
    """A queue row (`benchmarks.engine.measure_queue`): its week readied (not timed), the work through the
    engine as the bot runs it, the week readied again and the statements replayed on asyncpg."""
    weeks, ready, work = queue_weeks(), ready_week(name), queue_work(name)
    engine_times: list[float] = []
    raw_times: list[float] = []
    for run in range(-10, runs):  # ten warm-up runs
        week = weeks[max(run, 0) % len(weeks)]
        database.run(ready, week)
        sent.clear()
        started = time.perf_counter()
        if name == MAKE_QUEUE:
            await database.write(work, week)
        else:
            await database.read(work, week)
        elapsed = time.perf_counter() - started
        statements = [(s, p) for s, p in sent if not s.startswith(("BEGIN", "COMMIT", "select pg_catalog"))]
        database.run(ready, week)
        started = time.perf_counter()
        for statement, parameters in statements:
            await raw.fetch(statement, *parameters)
        raw_elapsed = time.perf_counter() - started
        if run >= 0:
            engine_times.append(elapsed)
            raw_times.append(raw_elapsed)
    e50, e99 = percentiles(engine_times)
    print(f"{name:45s} engine p50 {ms(e50):>9} p99 {ms(e99):>9}", flush=True)
    return name, engine_times, raw_times


if __name__ == "__main__":
    main()
