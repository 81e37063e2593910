"""Benchmark of the statistics at a million dialogs: counting them, the analytics screens, the list's totals.

    python -m benchmarks.analytics [--runs 100] [--folder .bench] [--no-import] [--server URL]

Uses the archive `benchmarks.engine` builds (`dialogs-1000000.db`, built when missing). Brings it up to
date (`db.migrate.upgrade`, then `db.stats.ensure_stats` in Europe/Moscow, timed: on an archive from
before migration 0004 that is the full count), then times a full count again under the read and the
import pragmas (rolled back). Then for each period — the archive runs from 2024-11-25 to 2026-11-24,
"today" is its last day — every analytics function and a whole screen (all of them) run --runs times,
after warm-up, and the same figures are computed straight from `dialogs` with plain GROUP BY (fewer runs:
they are slow), and so are the list's totals for filter combinations: the ratio is what the statistics
tables buy. The direct daily and hourly figures shift UTC by a fixed offset, right for Moscow only.

Last, unless --no-import: an incremental import of 5,000 dialogs that are already stored, unchanged (so
the archive stays as it was), first the latest ones (a daily import: a few days to count again, with
each batch), then 5,000 from all over the archive (every day changed: counted once at the end).

`--server postgresql+asyncpg://…` runs the same on the archive `benchmarks.postgres` builds on that
PostgreSQL server, without the direct figures (their SQL is SQLite's: `julianday`, `strftime`).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.engine import make_url

from benchmarks.engine import ZONE, archive_path, ensure_response_times, ms, percentiles
from benchmarks.postgres import archive_url
from db import analytics
from db.engine import Database
from db.importer import store_records
from db.migrate import upgrade
from db.models import Dialog, Employee
from db.periods import Period, PeriodKind, previous_days, previous_span, range_period, utc_bounds
from db.records import DialogRecord
from db.stats import count_dialogs, ensure_stats, rebuild_stats

TODAY = date(2026, 11, 24)
ARCHIVE_FIRST = date(2024, 11, 25)
# the screens are seen at this local time of TODAY: a period that ends today is compared with as much
# time before it (`db.periods.previous_span`), its last day counted up to this time from the dialogs
SEEN_AT = datetime(TODAY.year, TODAY.month, TODAY.day, 14, 30)
NAMED = {
    "today": PeriodKind.TODAY,
    "yesterday": PeriodKind.YESTERDAY,
    "7 days": PeriodKind.WEEK,
    "30 days": PeriodKind.MONTH_30,
    "this month": PeriodKind.THIS_MONTH,
}
PERIODS = {
    **{name: Period(kind).days(TODAY) for name, kind in NAMED.items()},
    "1 year": (TODAY - timedelta(days=364), TODAY),
    "whole archive": (ARCHIVE_FIRST, TODAY),
}
DIALOGS = 1_000_000
IMPORTED = 5000

Work = Callable[[Connection], object]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    parser.add_argument("--no-import", action="store_true", help="skip timing the incremental import")
    parser.add_argument("--server", help="PostgreSQL: a database URL on the server (benchmarks.postgres)")
    args = parser.parse_args()

    if args.server:
        url = archive_url(make_url(args.server), args.folder, DIALOGS).render_as_string(hide_password=False)
    else:
        url = f"sqlite+aiosqlite:///{archive_path(args.folder, DIALOGS)}"
    database = Database(url)
    upgrade(database)
    started = time.perf_counter()
    counted = database.run(ensure_stats, ZONE)
    seconds = time.perf_counter() - started
    print(f"ensure_stats: {'counted everything' if counted else 'up to date'} in {seconds:.2f} s")
    database.run(ensure_response_times)  # the first time: figures for the employees' first responses
    for name, pragmas in (("read", Database(url)), ("import (bulk)", Database(url, bulk=True))):
        print(f"a full count under the {name} pragmas, rolled back: {timed_rebuild(pragmas):.2f} s")
        pragmas.sync_engine.dispose()

    direct_runs = 0 if database.postgres else max(3, args.runs // 20)
    rows: list[tuple[str, str, list[float], list[float]]] = []
    for period, (first, last) in PERIODS.items():
        for name, work, direct in screen_operations(period, first, last):
            rows.append(measure(database, period, name, work, direct, args.runs, direct_runs))
    for period, days in (
        ("whole archive", None),
        ("30 days", PERIODS["30 days"]),
        ("1 year", PERIODS["1 year"]),
    ):
        for name, work, direct in count_operations(database, days):
            rows.append(measure(database, period, name, work, direct, args.runs, direct_runs))

    print()
    print("| figure | period | stats p50 | stats p99 | direct p50 | direct p99 | direct / stats (p50) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, period, times, direct_times in rows:
        s50, s99 = percentiles(times)
        if not direct_times:
            print(f"| {name} | {period} | {ms(s50)} | {ms(s99)} | — | — | — |")
            continue
        d50, d99 = percentiles(direct_times)
        print(f"| {name} | {period} | {ms(s50)} | {ms(s99)} | {ms(d50)} | {ms(d99)} | {d50 / s50:.0f}× |")
    if not args.no_import:
        print()
        time_imports(database)
    database.sync_engine.dispose()


def timed_rebuild(database: Database) -> float:
    with database.sync_engine.connect() as connection, connection.begin() as transaction:
        started = time.perf_counter()
        rebuild_stats(connection, ZONE)
        seconds = time.perf_counter() - started
        transaction.rollback()
    return seconds


Operation = tuple[str, Work, Work]  # name, through the statistics, straight from the dialogs


def screen_operations(name: str, first: date, last: date) -> list[Operation]:
    period = Period(NAMED[name]) if name in NAMED else range_period(first, last)
    assert period is not None
    compared = previous_span(period, SEEN_AT)
    since, until = utc_bounds(first, last, ZONE)
    previous_since, _ = utc_bounds(*previous_days(first, last), ZONE)
    bounds = {"since": since, "until": until, "previous_since": previous_since}
    functions: list[tuple[str, Work, Work]] = [
        (
            "employees",
            lambda c: analytics.employee_stats(c, first, last),
            lambda c: (sql(c, DIRECT_EMPLOYEES, bounds), sql(c, DIRECT_DURATIONS, bounds)),
        ),
        (
            "channels",
            lambda c: analytics.channel_stats(c, first, last, compared, ZONE),
            lambda c: sql(c, DIRECT_CHANNELS, bounds),
        ),
        ("days", lambda c: analytics.daily_counts(c, first, last), lambda c: sql(c, DIRECT_DAYS, bounds)),
        ("hours", lambda c: analytics.hourly_counts(c, first, last), lambda c: sql(c, DIRECT_HOURS, bounds)),
        (
            "top clients",
            lambda c: analytics.top_clients(c, first, last, ZONE),
            lambda c: sql(c, DIRECT_TOP, bounds),
        ),
    ]

    def screen(connection: Connection) -> None:
        for _, work, _ in functions:
            work(connection)

    def direct_screen(connection: Connection) -> None:
        for _, _, direct in functions:
            direct(connection)

    return [*functions, ("whole screen", screen, direct_screen)]


def count_operations(database: Database, days: tuple[date, date] | None) -> list[Operation]:
    employee = database.run(lambda c: c.scalar(select(Employee.id).order_by(Employee.id)))
    bounds: dict[str, Any] = {}
    condition = "1"
    if days is not None:
        since, until = utc_bounds(*days, ZONE)
        bounds = {"since": since, "until": until}
        condition = "completed_at >= :since AND completed_at < :until"
    combinations: list[tuple[str, str | None, int | None]] = [
        ("total", None, None),
        ("total: channel", "whatsapp", None),
        ("total: employee", None, employee),
        ("total: channel + employee", "whatsapp", employee),
        ("total: rare channel + employee", "email", employee),
    ]
    result: list[Operation] = []
    for name, channel, employee_id in combinations:
        where = condition
        params = dict(bounds)
        if channel is not None:
            where += " AND channel = :channel"
            params["channel"] = channel
        if employee_id is not None:
            where += " AND employee_id = :employee"
            params["employee"] = employee_id
        statement = f"SELECT count(*) FROM dialogs WHERE {where}"
        result.append((name, counting(days, channel, employee_id), directly(statement, params)))
    return result


def counting(days: tuple[date, date] | None, channel: str | None, employee_id: int | None) -> Work:
    return lambda c: count_dialogs(c, days=days, channel=channel, employee_id=employee_id)


def directly(statement: str, params: dict[str, Any]) -> Work:
    return lambda c: sql(c, statement, params)


def sql(connection: Connection, statement: str, params: dict[str, Any]) -> list[Any]:
    return list(connection.execute(text(statement), params))


_PERIOD = "completed_at >= :since AND completed_at < :until"
DIRECT_EMPLOYEES = f"""
    SELECT employee_id, count(*), sum(message_count) FROM dialogs WHERE {_PERIOD} GROUP BY employee_id
"""
_SECONDS = "max(0, CAST(round((julianday(completed_at) - julianday(started_at)) * 86400) AS INTEGER))"
DIRECT_DURATIONS = f"""
    SELECT employee_id, {_SECONDS} / 60 AS minute, count(*) FROM dialogs
    WHERE {_PERIOD} AND started_at IS NOT NULL GROUP BY employee_id, minute
"""
DIRECT_CHANNELS = """
    SELECT channel, sum(completed_at >= :since), sum(completed_at < :since) FROM dialogs
    WHERE completed_at >= :previous_since AND completed_at < :until GROUP BY channel
"""
DIRECT_DAYS = (
    f"SELECT date(completed_at, '+3 hours') AS day, count(*) FROM dialogs WHERE {_PERIOD} GROUP BY day"
)
DIRECT_HOURS = f"""
    SELECT strftime('%H', completed_at, '+3 hours') AS hour, count(*) FROM dialogs
    WHERE {_PERIOD} GROUP BY hour
"""
DIRECT_TOP = """
    SELECT p.e164, count(*) AS n FROM dialogs d JOIN client_phones p ON p.id = d.phone_id
    WHERE d.completed_at >= :since AND d.completed_at < :until
    GROUP BY d.phone_id ORDER BY n DESC, p.e164 LIMIT 10
"""


def measure(
    database: Database, period: str, name: str, work: Work, direct: Work, runs: int, direct_runs: int
) -> tuple[str, str, list[float], list[float]]:
    times = [timed(database, work) for _ in range(runs + 10)][10:]
    direct_times = [timed(database, direct) for _ in range(direct_runs + 1)][1:] if direct_runs else []
    s50, s99 = percentiles(times)
    told = f"direct p50 {ms(percentiles(direct_times)[0]):>12}" if direct_times else ""
    print(f"{period:14s} {name:31s} stats p50 {ms(s50):>11} p99 {ms(s99):>11}   {told}", flush=True)
    return name, period, times, direct_times


def timed(database: Database, work: Work) -> float:
    started = time.perf_counter()
    database.run(work)
    return time.perf_counter() - started


def time_imports(database: Database) -> None:
    """Stores again dialogs that are stored already, unchanged, through the import's incremental path."""
    latest = database.run(stored_records, Dialog.completed_at.desc())
    spread = database.run(stored_records, Dialog.id)  # ids do not follow time in the demo archive
    for name, records in (("the latest", latest), ("from all over the archive", spread)):
        days = {record.completed_at.astimezone(ZONE).date() for record in records}
        started = time.perf_counter()
        store_records(database.sync_engine, records, zone=ZONE, expected=len(records))
        seconds = time.perf_counter() - started
        print(f"import of {len(records):,} stored dialogs, {name} ({len(days)} days): {seconds:.2f} s")
    assert database.run(ensure_stats, ZONE) is False  # the import left the statistics counted


def stored_records(connection: Connection, order: Any) -> list[DialogRecord]:
    rows = connection.execute(
        select(
            Dialog.source_id,
            Dialog.client_name,
            Dialog.client_phone,
            Dialog.channel,
            Employee.name,
            Dialog.started_at,
            Dialog.completed_at,
            Dialog.message_count,
        )
        .outerjoin(Employee, Employee.id == Dialog.employee_id)
        .order_by(order)
        .limit(IMPORTED)
    )
    return [
        DialogRecord(
            source_id=source_id,
            client_name=name,
            client_phone=phone or None,
            channel=channel,
            completed_by=employee,
            started_at=None if started is None else started.replace(tzinfo=UTC),
            completed_at=completed.replace(tzinfo=UTC),
            message_count=messages,
            messages=None,  # keeps the stored transcript, if any
        )
        for source_id, name, phone, channel, employee, started, completed, messages in rows
    ]


if __name__ == "__main__":
    main()
