"""Benchmark of the morning digest (issue 16, point 5) at a million dialogs: building a day's digest and
looking for silent channels, as the schedule does each minute.

    python -m benchmarks.digest [--dialogs 1000000] [--runs 100] [--folder .bench]

Uses the archive `benchmarks.engine` builds (`dialogs-N.db` in --folder, built when missing). The day is
the archive's last whole day. Timed, --runs times each after warm-up:

- figures: `db.digest.day_figures` (the day and the same weekday a week earlier, from `daily_stats`);
- slowest responses: `db.digest.slowest_responses` (the day's dialogs through the completed_at index, the
  five slowest first responses kept by the database);
- whole digest: `Archive.digest` (the figures, the slowest responses, the stored list views its rows
  open, found once they are stored, and the week's review queue, made by the first run and read after) and
  the message rendered (`views.digest.digest_screen`), what each day's round does once;
- silent channels: `db.digest.silent_channels` at 14:00 of that day, two hours, the four weeks before
  (what every minute of the working hours costs).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.engine import ZONE, ms, open_archive, percentiles
from db.archive import Archive
from db.digest import day_figures, silent_channels, slowest_responses
from db.engine import Database
from db.listing import ListSettings
from db.models import Dialog
from views.digest import digest_screen
from views.texts import texts_for


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dialogs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    args = parser.parse_args()
    database, raw = open_archive(args.folder, args.dialogs)  # migrates: before the event loop runs
    raw.close()
    asyncio.run(run(database, args.dialogs, args.runs))


async def run(database: Database, count: int, runs: int) -> None:
    last: datetime | None = database.run(
        lambda connection: connection.scalar(select(func.max(Dialog.completed_at)))
    )
    assert last is not None, "the benchmark archive has no dialogs"
    day = last.replace(tzinfo=UTC).astimezone(ZONE).date() - timedelta(days=1)
    at = datetime(day.year, day.month, day.day, 14, tzinfo=ZONE).astimezone(UTC)
    archive = Archive(database, ListSettings(ZONE, "RU", 10))
    t = texts_for("ru")

    async def whole() -> None:
        digest_screen(await archive.digest(day), t)

    async def figures() -> None:
        database.run(day_figures, day)

    async def slowest() -> None:
        database.run(slowest_responses, day, ZONE)

    async def silences() -> None:
        database.run(silent_channels, at, ZONE, 2, 5.0)

    print(f"{count:,} dialogs; the digest of {day:%d.%m.%Y}; silences at {at.astimezone(ZONE):%H:%M}")
    print("| operation | p50 | p99 |")
    print("|---|---:|---:|")
    operations = (
        ("figures", figures),
        ("slowest responses", slowest),
        ("whole digest", whole),
        ("silent channels", silences),
    )
    for name, work in operations:
        times = []
        for _ in range(runs + 10):
            started = time.perf_counter()
            await work()
            times.append(time.perf_counter() - started)
        p50, p99 = percentiles(times[10:])
        print(f"| {name} | {ms(p50)} | {ms(p99)} |", flush=True)
    await database.dispose()


if __name__ == "__main__":
    main()
