"""Writes from the bot: at once when the database is free, and without stalling the event loop while
another writer (an import) holds the lock."""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from db import audit
from db.engine import Database, run_sql, stored_time, time_param
from db.models import AuditEntry

HELD_SECONDS = 0.5


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
        database.run(run_sql, "UPDATE audit_log SET at = :at", {"at": time_param(moment)})
        assert database.run(lambda c: c.execute(select(AuditEntry.at)).scalar_one()) == moment
        (stored,) = database.run(lambda c: run_sql(c, "SELECT at FROM audit_log").fetchone())
        assert stored_time(stored) == moment


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
