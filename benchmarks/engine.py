"""Benchmark of the dialog archive at a million dialogs: import, then every kind of page and search.

    python -m benchmarks.engine [--dialogs 1000000] [--runs 300] [--folder .bench]

Builds the data once (demo data written as JSON Lines, then loaded with `dialogs-bot import` in a child
process, whose time and peak memory are the import's figures) and keeps it in --folder for later runs.
Each operation then runs --runs times through the engine (`Database.run(fetch_page, …)`, as the bot calls
it) and the SQL statements the engine sent (noted by its connection, `RecordingConnection`) are replayed
through the `sqlite3` module on a connection with the same pragmas: the ratio is what the engine adds to
SQLite itself. The first run after the review marks came (issue 16) marks one dialog in a hundred, for the
review filters' rows (`ensure_review_marks`); the first run after the response times came gives nine
dialogs in ten figures (`ensure_response_times`): the demo archive is built without transcripts.

The review queue (issue 16, point 2) adds two rows: making a week's queue (`db.review_queue.make_queue`,
the week forgotten before each run, so each run makes it anew) and opening one made (`read_queue`, what
the screen reads), over the last `QUEUE_WEEKS` full weeks of the archive in turn.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, event

from bot.settings import Settings
from db.counters import dialog_total
from db.demo import generate_dialogs
from db.dialogs import DialogQuery, PagePosition, fetch_page
from db.engine import Database, run_sql
from db.migrate import upgrade
from db.periods import day_number
from db.responses import NO_TRANSCRIPT, UNANSWERED, up_key_sql
from db.review_queue import DEFAULT_SAMPLE, make_queue, queue_week, read_queue
from db.reviews import LOW, UNMARKED, mark_dialog
from db.search import parse_search
from db.sqlite.connection import PRAGMAS, READ_PRAGMAS
from db.stats import ensure_stats, rebuild_stats
from db.views import ListView
from keyboards.columns import COLUMNS, Column

ANCHOR = datetime(2026, 11, 25, tzinfo=UTC)
DEPTH_PAGE = 50_000
PAGE_SIZE = 10


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dialogs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    args = parser.parse_args()

    database, raw = open_archive(args.folder, args.dialogs)
    record_statements(database)
    rows = [measure(database, raw, name, make, args.runs) for name, make in operations(raw, args.dialogs)]
    rows += [measure_queue(database, raw, name, args.runs) for name in QUEUE_OPERATIONS]
    print_table(rows)


def print_table(rows: list[tuple[str, list[float], list[float]]]) -> None:
    """The operations' times through the engine and for the same statements on the driver alone."""
    print()
    print("| operation | engine p50 | engine p99 | raw SQL p50 | raw SQL p99 | engine / raw (p50) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, engine_times, raw_times in rows:
        e50, e99 = percentiles(engine_times)
        r50, r99 = percentiles(raw_times)
        print(f"| {name} | {ms(e50)} | {ms(e99)} | {ms(r50)} | {ms(r99)} | {e50 / r50:.1f}× |")


# The zone of the settings' default, which the import (a child `dialogs-bot import`) and the bot count in.
ZONE = ZoneInfo(Settings.model_fields["timezone"].default)


def archive_path(folder: Path, count: int) -> Path:
    """The benchmark archive of `count` demo dialogs, kept in `folder`: built the first time."""
    folder.mkdir(exist_ok=True)
    db_path = (folder / f"dialogs-{count}.db").resolve()
    if not db_path.exists():
        build(folder, f"sqlite+aiosqlite:///{db_path}", count)
    return db_path


def open_archive(
    folder: Path, count: int, *, background_checkpoints: bool = False
) -> tuple[Database, sqlite3.Connection]:
    """The benchmark archive brought up to date (one kept from an earlier version gets the newer
    migrations and its statistics), through the engine and through `sqlite3` with the same pragmas."""
    db_path = archive_path(folder, count)
    database = Database(f"sqlite+aiosqlite:///{db_path}", background_checkpoints=background_checkpoints)
    upgrade(database)
    database.run(ensure_stats, ZONE)
    database.run(ensure_review_marks)
    database.run(ensure_response_times)
    raw = sqlite3.connect(db_path)
    for pragma in PRAGMAS + READ_PRAGMAS:
        raw.execute(pragma)
    return database, raw


REVIEWED_EVERY = 100  # the archive's dialogs a head has marked: one in a hundred (10,000 of a million)
REVIEWER = 100_002


def ensure_review_marks(connection: Connection) -> None:
    """Marks one dialog in `REVIEWED_EVERY`, 1 to 5 in turn (a fifth of them «≤ 2» twice over), the first
    time the archive is opened after the review marks came (issue 16): what the review filters read."""
    if run_sql(connection, "SELECT 1 FROM review_marks LIMIT 1").fetchone() is not None:
        return
    ids = [row[0] for row in run_sql(connection, "SELECT id FROM dialogs ORDER BY id")][::REVIEWED_EVERY]
    for index, dialog_id in enumerate(ids):
        mark_dialog(connection, dialog_id, index % 5 + 1, REVIEWER, "Бенчмарк")


# Deterministic pseudo-random response times from the id (the ids' products kept in 64 bits on both
# engines): one dialog in ten without a transcript, one in fifty never answered, the rest answered in up
# to ~2 h, mostly within minutes, and a longest wait of the first response and up to an hour more.
_SPREAD = "CAST(id AS BIGINT)"
_FIRST_RESPONSE = (
    f"CASE WHEN {_SPREAD} * 7919 % 10 = 0 THEN {NO_TRANSCRIPT}"
    f" WHEN {_SPREAD} * 104729 % 50 = 0 THEN {UNANSWERED}"
    f" ELSE {_SPREAD} * 48271 % 600 * ({_SPREAD} * 16807 % 12 + 1) END"
)
_LONGEST_WAIT = (
    f"CASE WHEN first_response < 0 OR first_response = {UNANSWERED} THEN first_response"
    f" ELSE first_response + {_SPREAD} * 69621 % 3600 END"
)


def ensure_response_times(connection: Connection) -> None:
    """Gives nine dialogs in ten response times, the first time the archive is opened after they came
    (issue 16), and counts the statistics again (the first responses' among them): what the two sorts
    and the analytics read. Set-based: three statements over the dialogs, once."""
    if run_sql(
        connection, f"SELECT 1 FROM dialogs WHERE first_response > {NO_TRANSCRIPT} LIMIT 1"
    ).fetchone():
        return
    run_sql(connection, f"UPDATE dialogs SET first_response = {_FIRST_RESPONSE}")
    run_sql(connection, f"UPDATE dialogs SET longest_wait = {_LONGEST_WAIT}")
    up_keys = ", ".join(f"{name}_up = {up_key_sql(name)}" for name in ("first_response", "longest_wait"))
    run_sql(connection, f"UPDATE dialogs SET {up_keys}")
    rebuild_stats(connection, ZONE)


def write_source(folder: Path, count: int) -> Path:
    """The demo archive of `count` dialogs as a JSON Lines file in `folder`, as an import reads it."""
    source = folder / f"dialogs-{count}.jsonl"
    started = time.monotonic()
    with source.open("w", encoding="utf-8") as out:
        for record in generate_dialogs(count, seed=1, anchor=ANCHOR, transcripts=False):
            line = {
                "id": record.source_id,
                "client_name": record.client_name,
                "client_phone": record.client_phone,
                "channel": record.channel,
                "completed_by": record.completed_by,
                "started_at": record.started_at.isoformat() if record.started_at else None,
                "completed_at": record.completed_at.isoformat(),
                "message_count": record.message_count,
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    size = source.stat().st_size / 2**20
    print(f"wrote {count:,} lines of JSON ({size:.0f} MiB) in {time.monotonic() - started:.0f} s")
    return source


def build(folder: Path, database_url: str, count: int) -> None:
    """The demo archive of `count` dialogs loaded into the (empty) archive at `database_url` by
    `dialogs-bot import`, whose time and peak memory are printed."""
    source = write_source(folder, count)
    environment = {**os.environ, "DATABASE_URL": database_url}
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "bot", "import", str(source)], env=environment, check=True)
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"import of {count:,} dialogs without transcripts: {seconds:.0f} s, peak memory {peak:.0f} MiB")
    source.unlink()


QueryMaker = Callable[[int], DialogQuery]


class Picker(Protocol):
    """A driver's connection the inputs are picked with: `sqlite3`'s, or psycopg's (`benchmarks.postgres`)."""

    def execute(self, sql: str) -> Any: ...


def operations(raw: Picker, count: int) -> list[tuple[str, QueryMaker]]:
    """(name, run number → query): varied inputs per run, so no run just repeats the one before."""
    rng = random.Random(5)
    result: list[tuple[str, QueryMaker]] = []
    for column in Column:
        sort = COLUMNS[column].sort_key
        for descending in (False, True):
            arrow = "↓" if descending else "↑"
            name = f"first page, {column.name.lower()} {arrow}"
            result.append((name, fixed(DialogQuery(None, sort, descending))))
    depth = min(DEPTH_PAGE * PAGE_SIZE, count // 2)  # page 50,000 of a million, the middle of less
    for column in Column:
        sort = COLUMNS[column].sort_key
        anchors = deep_anchors(raw, sort, depth, rng)
        result.append((f"page {depth // PAGE_SIZE:,}, {column.name.lower()} ↓", after(sort, anchors)))
    for sort in ("completed_at", "channel"):
        result.append((f"last page, {sort} ↓", fixed(DialogQuery(None, sort, True, PagePosition.LAST))))

    common = ["иван", "петров", "анна", "ова", "smith"]
    rare = [
        name
        for (name,) in raw.execute(
            "SELECT name FROM client_names WHERE dialog_count BETWEEN 1 AND 3 ORDER BY id LIMIT 200"
        )
    ]
    phones = [
        e164
        for (e164,) in raw.execute(
            "SELECT e164 FROM client_phones WHERE e164 LIKE '+79%' ORDER BY id LIMIT 200"
        )
    ]
    result.append(("name search, common word", searching(lambda run: common[run % len(common)])))
    for descending in (True, False):
        arrow = "↓" if descending else "↑"
        result.append(
            (
                f"name search, common word, client {arrow}",
                searching(lambda run: common[run % len(common)], "client_sort", descending),
            )
        )
    result.append(
        ("name search, two words", searching(lambda run: "семен иван" if run % 2 else "алена король"))
    )
    result.append(("name search, rare full name", searching(lambda run: rare[run % len(rare)].lower())))
    result.append(
        ("phone search, full number typed 8 (9xx) …", searching(lambda run: typed(phones[run % len(phones)])))
    )
    result.append(("phone search, last 4 digits", searching(lambda run: phones[run % len(phones)][-4:])))
    result.append(("phone search, 3 digits", searching(lambda run: phones[run % len(phones)][-3:])))
    # a word the trigram indexes cannot look up: every name is read
    result.append(("name search, two letters", searching(lambda run: ("ан", "ов", "ер")[run % 3])))
    result.append(("total of all dialogs", fixed(DialogQuery())))
    result += filter_operations(raw, phones)
    return result


FILTER_TODAY = date(2026, 11, 24)  # the last day of the demo archive


def filter_operations(raw: Picker, phones: list[str]) -> list[tuple[str, QueryMaker]]:
    """The list's filters, alone and together with a search, on the default sort and on the client sort."""
    channels = [channel for (channel,) in raw.execute("SELECT DISTINCT channel FROM dialogs")]
    employees = [employee_id for (employee_id,) in raw.execute("SELECT id FROM employees")]

    def filtered(
        sort: str,
        descending: bool,
        view: Callable[[int], ListView],
        search: Callable[[int], str] | None,
    ) -> QueryMaker:
        def make(run: int) -> DialogQuery:
            chosen = view(run)
            found = parse_search(search(run), "RU") if search else None
            filters = chosen.filters(ZONE, FILTER_TODAY)
            return DialogQuery(found, sort, descending, filters=filters)

        return make

    def channel(run: int) -> ListView:
        return ListView(channel=channels[run % len(channels)])

    def employee(run: int) -> ListView:
        return ListView(employee_id=employees[run % len(employees)])

    def week(_run: int) -> ListView:
        return ListView(period="7d")

    def today_and_employee(run: int) -> ListView:
        return ListView(period="today", employee_id=employees[run % len(employees)])

    def month_and_channel(run: int) -> ListView:
        return ListView(period="30d", channel=channels[run % len(channels)])

    def unmarked(_run: int) -> ListView:
        return ListView(review=UNMARKED)

    def unmarked_channel(run: int) -> ListView:
        return ListView(review=UNMARKED, channel=channels[run % len(channels)])

    def low(_run: int) -> ListView:
        return ListView(review=LOW)

    by_date, by_client = COLUMNS[Column.COMPLETED_AT].sort_key, COLUMNS[Column.CLIENT].sort_key
    by_response, by_wait = (
        COLUMNS[column].sort_key for column in (Column.FIRST_RESPONSE, Column.LONGEST_WAIT)
    )
    return [
        ("filter: channel, by date ↓", filtered(by_date, True, channel, None)),
        ("filter: channel, by client ↑", filtered(by_client, False, channel, None)),
        ("filter: employee, by date ↓", filtered(by_date, True, employee, None)),
        ("filter: employee, by client ↑", filtered(by_client, False, employee, None)),
        ("filter: 7 days, by client ↑", filtered(by_client, False, week, None)),
        ("filter: today + employee, by client ↑", filtered(by_client, False, today_and_employee, None)),
        ("filter: 30 days + channel, by date ↓", filtered(by_date, True, month_and_channel, None)),
        (
            "filter: 30 days + channel + common word",
            filtered(by_date, True, month_and_channel, lambda run: ["иван", "ова", "анна"][run % 3]),
        ),
        (
            "filter: channel + common word (all time)",
            filtered(by_date, True, channel, lambda run: ["иван", "ова", "анна"][run % 3]),
        ),
        (
            "filter: channel + last 4 digits",
            filtered(by_date, True, channel, lambda run: phones[run % len(phones)][-4:]),
        ),
        ("filter: without a mark, by date ↓", filtered(by_date, True, unmarked, None)),
        ("filter: without a mark + channel, by client ↑", filtered(by_client, False, unmarked_channel, None)),
        ("filter: marked ≤ 2, by date ↓", filtered(by_date, True, low, None)),
        ("filter: employee, by first response ↓", filtered(by_response, True, employee, None)),
        ("filter: 30 days + channel, by longest wait ↑", filtered(by_wait, False, month_and_channel, None)),
        (
            "filter: channel + common word, by first response ↓",
            filtered(by_response, True, channel, lambda run: ["иван", "ова", "анна"][run % 3]),
        ),
    ]


QUEUE_WEEKS = 40  # the weeks the queue rows make and open in turn: the archive's last full ones
MAKE_QUEUE, OPEN_QUEUE = "review queue: make a week's", "review queue: open a week's"
QUEUE_OPERATIONS = (MAKE_QUEUE, OPEN_QUEUE)


def queue_weeks() -> list[date]:
    """The Mondays of the archive's last `QUEUE_WEEKS` full weeks, newest first."""
    last = queue_week(FILTER_TODAY + timedelta(days=7))  # the week of the archive's last day, if full
    return [last - timedelta(weeks=n) for n in range(QUEUE_WEEKS)]


def forget_week(connection: Connection, week: date) -> None:
    """The week's queue gone, to be made again."""
    for table in ("review_queue", "review_weeks"):
        run_sql(connection, f"DELETE FROM {table} WHERE week = :week", {"week": day_number(week)})


def ready_week(name: str) -> Callable[[Connection, date], object]:
    """What a queue row's run starts from (not timed): the week not made, to make; made, to open."""
    if name == MAKE_QUEUE:
        return forget_week
    return lambda connection, week: make_queue(connection, week, DEFAULT_SAMPLE, ZONE)


def queue_work(name: str) -> Callable[[Connection, date], object]:
    """A queue row's work, as the bot does it (`db.archive.Archive.review_queue`)."""
    if name == MAKE_QUEUE:
        return lambda connection, week: make_queue(connection, week, DEFAULT_SAMPLE, ZONE)
    return read_queue


def measure_queue(
    database: Database, raw: sqlite3.Connection, name: str, runs: int
) -> tuple[str, list[float], list[float]]:
    """A queue row: each run readies its week, runs the work through the engine, readies the week again and
    replays the statements sent (the writes too, committed) on `sqlite3`."""
    weeks, ready, work = queue_weeks(), ready_week(name), queue_work(name)
    sent = RecordingConnection.sent
    engine_times: list[float] = []
    raw_times: list[float] = []
    for run in range(-10, runs):  # ten warm-up runs
        week = weeks[max(run, 0) % len(weeks)]
        database.run(ready, week)
        sent.clear()
        started = time.perf_counter()
        database.run(work, week)
        elapsed = time.perf_counter() - started
        statements = [(s, p) for s, p in sent if not s.startswith(("BEGIN", "COMMIT"))]
        database.run(ready, week)
        started = time.perf_counter()
        for statement, parameters in statements:
            raw.execute(statement, parameters).fetchall()
        raw.commit()
        raw_elapsed = time.perf_counter() - started
        if run >= 0:
            engine_times.append(elapsed)
            raw_times.append(raw_elapsed)
    e50, e99 = percentiles(engine_times)
    print(f"{name:45s} engine p50 {ms(e50):>9} p99 {ms(e99):>9}", flush=True)
    return name, engine_times, raw_times


def fixed(query: DialogQuery) -> QueryMaker:
    return lambda _run: query


def after(sort: str, anchors: list[int]) -> QueryMaker:
    return lambda run: DialogQuery(None, sort, True, PagePosition.AFTER, anchors[run % len(anchors)])


def searching(text: Callable[[int], str], sort: str = "completed_at", descending: bool = True) -> QueryMaker:
    return lambda run: DialogQuery(parse_search(text(run), "RU"), sort, descending)


def typed(e164: str) -> str:
    """+79161234567 as a person in Russia types it: 8 (916) 123-45-67."""
    d = e164[2:]
    return f"8 ({d[:3]}) {d[3:6]}-{d[6:8]}-{d[8:]}"


def deep_anchors(raw: Picker, column: str, depth: int, rng: random.Random) -> list[int]:
    """Dialogs about `depth` deep in the list sorted by `column` (a sort key) descending."""
    spread = min(PAGE_SIZE * 50, depth // 2)
    offsets = [depth + rng.randrange(-spread, spread + 1) for _ in range(20)]
    return [
        # the offset written out (an int): a connection of either engine's driver runs it
        raw.execute(
            f"SELECT id FROM dialogs ORDER BY {column} DESC, id DESC LIMIT 1 OFFSET {o:d}"
        ).fetchone()[0]
        for o in offsets
    ]


class RecordingCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> RecordingCursor:
        RecordingConnection.sent.append((sql, parameters))
        return super().execute(sql, parameters)


class RecordingConnection(sqlite3.Connection):
    """The engine's connection to SQLite, noting every statement it runs: those of `db.engine.run_sql`
    (straight to the connection) and SQLAlchemy's (through a cursor)."""

    sent: ClassVar[list[tuple[str, Any]]] = []

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        RecordingConnection.sent.append((sql, parameters))
        return super().execute(sql, parameters)

    def cursor(self, factory: Any = RecordingCursor) -> Any:
        return super().cursor(factory)


def record_statements(database: Database) -> None:
    """The engine's connections from now on are `RecordingConnection`s."""

    def connect(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
        params["factory"] = RecordingConnection

    event.listen(database.sync_engine, "do_connect", connect)
    database.sync_engine.dispose()


def measure(
    database: Database, raw: sqlite3.Connection, name: str, make: QueryMaker, runs: int
) -> tuple[str, list[float], list[float]]:
    total_only = name.startswith("total")
    sent = RecordingConnection.sent
    engine_times: list[float] = []
    raw_times: list[float] = []
    for run in range(-10, runs):  # ten warm-up runs
        query = make(max(run, 0))
        sent.clear()
        started = time.perf_counter()
        if total_only:
            database.run(dialog_total)
        else:
            database.run(fetch_page, query)
        elapsed = time.perf_counter() - started
        statements = [(s, p) for s, p in sent if not s.startswith(("BEGIN", "COMMIT"))]

        started = time.perf_counter()
        for statement, parameters in statements:
            raw.execute(statement, parameters).fetchall()
        raw_elapsed = time.perf_counter() - started
        if run >= 0:
            engine_times.append(elapsed)
            raw_times.append(raw_elapsed)
    e50, e99 = percentiles(engine_times)
    print(f"{name:45s} engine p50 {ms(e50):>9} p99 {ms(e99):>9}", flush=True)
    return name, engine_times, raw_times


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


if __name__ == "__main__":
    main()
