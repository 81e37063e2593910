"""Writes from the bot: at once when the database is free, and without stalling the event loop while
another writer (an import) holds the lock."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import DBAPIError

from db import audit
from db.engine import Database, run_sql, stored_time
from db.errors import ArchiveBusy
from db.models import AuditEntry
from db.users import Role, add_user, find_person
from tests.databases import WritesHeld, on_postgres, query_archive

HELD_SECONDS = 0.5
WRITES_PAST_AN_AUTOMATIC_CHECKPOINT = 600  # ~3 pages of log each; SQLite's default checkpoints at 1,000


def audit_rows(database: Database) -> int:
    return int(database.run(lambda c: c.execute(text("SELECT COUNT(*) FROM audit_log")).scalar_one()))


async def test_a_write_to_a_free_database_is_done_at_once(database: Database) -> None:
    await database.write(audit.record, 7, audit.OPEN_DIALOG)
    assert audit_rows(database) == 1


async def test_times_written_through_the_driver_read_back_through_sqlalchemy(database: Database) -> None:
    """`run_sql` statements store times as SQLAlchemy does, so that either can read what the other wrote."""
    await database.write(audit.record, 7, audit.OPEN_DIALOG)
    at = database.run(lambda c: c.execute(select(AuditEntry.at)).scalar_one())
    assert abs(datetime.now(UTC).replace(tzinfo=None) - at) < timedelta(minutes=1)
    for moment in (datetime(2026, 11, 1, 21, 0), datetime(2026, 11, 1, 21, 0, 0, 1)):
        database.run(run_sql, "UPDATE audit_log SET at = :at", {"at": moment})
        assert database.run(lambda c: c.execute(select(AuditEntry.at)).scalar_one()) == moment
        (stored,) = database.run(lambda c: run_sql(c, "SELECT at FROM audit_log").fetchone())
        assert stored_time(stored) == moment


async def test_a_write_of_one_statement_is_committed_or_told_busy(database: Database) -> None:
    """`write_statement` (one statement, a transaction of its own; on PostgreSQL sent without BEGIN and
    COMMIT): what it wrote is there for everyone at once, and while another writer holds the table it
    fails as `write` does, writing nothing."""
    database.sync_engine.dispose()
    url = database.url.render_as_string(hide_password=False)
    bot = Database(url, busy_timeout_ms=200)
    await bot.write_statement(audit.record, 7, audit.OPEN_DIALOG)
    assert query_archive(url, "SELECT telegram_id FROM audit_log") == [(7,)]
    importer = WritesHeld(url, "audit_log")
    try:
        with pytest.raises(ArchiveBusy):
            await bot.write_statement(audit.record, 8, audit.OPEN_DIALOG)
    finally:
        importer.release()
    assert query_archive(url, "SELECT telegram_id FROM audit_log") == [(7,)]
    await bot.dispose()


@pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's connections, which its server may drop")
async def test_a_connection_the_server_dropped_fails_one_statement_then_is_replaced(
    database: Database,
) -> None:
    """The bot's statements go to asyncpg's cursor past SQLAlchemy's execution (`db.postgres.connection`):
    a connection the server closed (a restart, an administrator) is let go there too, so that only the
    statement it was running fails and every tap after it gets a new connection."""
    database.run(add_user, 42, Role.HEAD, "Ольга")
    assert (await database.read(find_person, 42)).role is Role.HEAD  # a pooled connection, now idle
    dropped = query_archive(
        database.url.render_as_string(hide_password=False),
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    assert dropped and dropped[0][0] >= 1
    with pytest.raises(DBAPIError):
        await database.read(find_person, 42)
    for _ in range(3):
        assert (await database.read(find_person, 42)).role is Role.HEAD
    await database.write(audit.record, 42, audit.OPEN_DIALOG)
    assert audit_rows(database) == 1


@pytest.mark.sqlite_only("SQLite's one writer and its write-ahead log")
async def test_a_write_waits_for_another_writer_without_stalling_the_loop(database: Database) -> None:
    path = database.url.database
    assert path is not None
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # an import's transaction holds the write lock
    other.execute("INSERT INTO counters (name, value) VALUES ('held', 1)")

    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.01)

    async def release() -> None:
        await asyncio.sleep(HELD_SECONDS)
        other.execute("COMMIT")

    ticking = asyncio.create_task(ticker())
    releasing = asyncio.create_task(release())
    started = time.perf_counter()
    await database.write(audit.record, 7, audit.OPEN_DIALOG)
    waited = time.perf_counter() - started
    ticking.cancel()
    await releasing
    other.close()

    assert waited >= HELD_SECONDS * 0.9, "the write went through while another writer held the lock"
    assert audit_rows(database) == 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert max(gaps) < 0.2, f"the event loop stalled for {max(gaps):.3f} s"


@pytest.mark.sqlite_only("SQLite's one writer and its write-ahead log")
async def test_with_background_checkpoints_commits_leave_the_database_file_to_the_checkpointer(
    database: Database,
) -> None:
    """The bot's commits never copy the log into the file themselves (that ends with an fsync on the
    event loop); `checkpoint_regularly` does it in a worker thread."""
    path = Path(str(database.url.database))
    database.sync_engine.dispose()
    bot = Database(f"sqlite+aiosqlite:///{path}", background_checkpoints=True)
    before = path.stat().st_mtime_ns, path.read_bytes()
    for _ in range(WRITES_PAST_AN_AUTOMATIC_CHECKPOINT):
        await bot.write(audit.record, 7, audit.OPEN_DIALOG)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before, "a commit checkpointed"

    checkpoints = asyncio.create_task(bot.checkpoint_regularly(every=0.01))
    await asyncio.sleep(0.5)
    checkpoints.cancel()
    assert path.read_bytes() != before[1], "the log was not copied into the database file"
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT COUNT(*) FROM audit_log").fetchone() == (
        WRITES_PAST_AN_AUTOMATIC_CHECKPOINT,
    )
    reader.close()
    await bot.dispose()


@pytest.mark.sqlite_only("SQLite's page cache, kept by one connection")
def test_work_keeps_to_the_connection_used_last(database: Database) -> None:
    """After a worker thread (an export, a write that waited) used a second connection, the bot's work
    still goes to the one it used last, whose page cache is warm."""

    def driver(connection: Connection) -> object:
        return connection.connection.driver_connection

    used_last = database.sync_engine.connect()
    other = database.sync_engine.connect()
    hot = used_last.connection.driver_connection
    other.close()
    used_last.close()
    assert database.run(driver) is hot
    database.run(audit.record, 7, audit.OPEN_DIALOG)
    assert database.run(driver) is hot
