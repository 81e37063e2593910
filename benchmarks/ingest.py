"""Ingestion benchmark: dialogs pushed over HTTP into `dialogs-bot run`, at a million archived dialogs.

    python -m benchmarks.ingest [--folder .bench] [--dialogs 1000000] [--batches 30] [--paced-seconds 30]
                                [--singles 200]

The bot is the real command (`python -m bot run`, as `benchmarks.load` starts it) in a process of its own,
long polling the Bot API emulator of the tests, which runs in this process with the client of the
ingestion API (`POST /api/v1/dialogs` on the bot's HTTP server, with a token made as `dialogs-bot tokens
add` makes it); its log goes to FOLDER/ingest-bot.log. It runs on a copy of the archive `benchmarks.engine`
builds (built when missing, brought up to date as `benchmarks.load` does), made in FOLDER at the start and
deleted at the end, so that the dialogs posted never pile up in the shared archive.

The dialogs posted are new ones (ids "bench-ingest-<n>", none in the archive), made by the demo generator
(`db.demo`, another seed than the archive's) in the import format (DESIGN §3); those of up to 6 messages
carry their transcript. Every body is made before it is timed.

1. One dialog at a time (a JSON object), --singles of them at --singles-rate a second, each closed later
   than any dialog before it (so first on the list's default sort, Дата завершения ↓): right after the
   POST's answer an admin (ADMIN_IDS) sends /dialogs, and the time from the POST's start to the list
   arriving at the emulator is when the dialog is visible, if that list shows it (its client's name, and
   the list's total counting it). The admins take turns (Telegram allows a chat about a message a second);
   a first round, one each, is not measured. The list's part is the bot's own work for /dialogs as much as
   ingestion's (the update's long poll, the page read and rendered, sendMessage): it is given apart, from
   the /dialogs sent to the list arriving. (Their cost does not grow with the
   dialogs already on their day: a request adds its own part to the statistics, `db.stats.count_batch`.)
2. Batches of 1,000 dialogs (a JSON array) closed during the day before, as a CRM pushes the day's
   dialogs, each posted when the answer to the one before came, after --warm-up of them not measured:
   dialogs stored a second over the whole run, and each batch's time from its POST to its answer. Then
   one batch a second for --paced-seconds, whatever the answers do: is 1,000 dialogs a second sustained
   (every batch answered before the next is due)?

Targets (issue 12): at least 2,000 dialogs a second in batches; one dialog visible in the list within
50 ms at p99.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import random
import re
import shutil
import sqlite3
import statistics
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.engine import ANCHOR, archive_path, open_archive
from benchmarks.load import bot_usage, free_port, ms, percentile, print_log_summary, start_bot, stop_bot
from db.demo import generate_dialogs
from db.engine import Database
from db.records import DialogRecord
from db.tokens import add_token
from emulator import BotAPIEmulator, BotEvent, FloodLimits, SimulatedUser
from emulator.state import EventKind

BATCH = 1_000  # dialogs a request
SEED = 12  # of the dialogs posted (the archive's is 1)
SHORT_TRANSCRIPT = 6  # messages: a dialog this short is posted with its transcript
DAY = 86_400.0  # the batches' dialogs were closed during the day before the benchmark
FIRST_ADMIN = 800_001  # the admins' Telegram ids: 800001, 800002, …
ADMINS = 20  # taking turns: each chat gets a list every 4 s at 5 a second, under Telegram's limit
LIST_SECONDS = 10.0  # a list not there by then is counted as never shown
TOKEN_NAME = "benchmark"
TARGET_RATE = 2_000.0  # dialogs a second, in batches
TARGET_VISIBLE_P99 = 0.050
# The list's total in its header: "Найдено: 1 000 001 диалог" (no-break spaces), "Found: 1,000,001 dialogs"
FOUND = re.compile(r"(?:Найдено|Found): (\d[\d\s,]*)")


@dataclass(frozen=True, slots=True)
class Archive:
    path: Path  # the scratch copy the bot runs on
    token: str  # an ingestion token in it
    dialogs: int  # dialogs in it at the start
    newest: datetime  # the latest completed_at in it


@dataclass
class Run:
    """What one part of the benchmark measured."""

    name: str
    requests: int = 0
    stored: int = 0  # dialogs the answers said were added
    seconds: float = 0.0  # from the first request to the last answer
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    bot_cpu: float = float("nan")  # share of one CPU

    @property
    def rate(self) -> float:
        return self.stored / self.seconds if self.seconds > 0 else float("nan")


class ListWatcher(BotAPIEmulator):
    """The emulator, handing the next thing the bot does in a chat to whoever waits for it there."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.waiting: dict[int, asyncio.Future[BotEvent]] = {}

    def _emit(self, kind: EventKind, method: str, chat_id: int | None, **fields: Any) -> BotEvent:
        event = super()._emit(kind, method, chat_id, **fields)
        if kind in ("message", "error") and chat_id is not None:
            future = self.waiting.pop(chat_id, None)
            if future is not None and not future.done():
                future.set_result(event)
        return event


# --- The archive and the dialogs -------------------------------------------------------------------------


def prepare(folder: Path, count: int) -> Archive:
    """A scratch copy of the benchmark archive (built when missing and brought up to date first, as
    `benchmarks.load` does), with an ingestion token."""
    database, raw = open_archive(folder, count)
    try:
        # everything in the main file, so that a copy of it alone is the whole archive
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
        database.sync_engine.dispose()
    source = archive_path(folder, count)
    scratch = source.with_name(f"{source.stem}-ingest.db")
    remove_archive(scratch)  # left by a run that was killed
    started = time.monotonic()
    shutil.copyfile(source, scratch)
    print(f"copied the archive to {scratch} in {time.monotonic() - started:.1f} s", flush=True)
    copy = Database(f"sqlite+aiosqlite:///{scratch}")
    try:
        token = copy.run(add_token, TOKEN_NAME)
    finally:
        copy.sync_engine.dispose()
    with contextlib.closing(sqlite3.connect(scratch)) as connection:
        (newest,) = connection.execute("SELECT max(completed_at) FROM dialogs").fetchone()
    newest_at = datetime.fromisoformat(newest).replace(tzinfo=UTC)  # stored in UTC
    return Archive(scratch, token, count_dialogs(scratch), newest_at)


def remove_archive(path: Path) -> None:
    for name in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        name.unlink(missing_ok=True)


def new_records(count: int) -> Iterator[DialogRecord]:
    """`count` demo dialogs from another seed than the archive's: other clients, some of them with a
    name already in it."""
    return generate_dialogs(count, seed=SEED, anchor=ANCHOR)


def batch_bodies(records: Iterable[DialogRecord], first: int, latest: datetime) -> list[bytes]:
    """JSON arrays of `BATCH` dialogs, ids "bench-ingest-<n>" from `first`, closed during the day before
    `latest` as a CRM pushes the day's dialogs. Made one batch at a time: the bodies are all it keeps."""
    rng = random.Random(SEED)
    bodies: list[bytes] = []
    batch: list[dict[str, Any]] = []
    for number, record in enumerate(records, start=first):
        completed_at = latest - timedelta(seconds=rng.uniform(60.0, DAY))
        batch.append(posted_dialog(record, f"bench-ingest-{number}", completed_at))
        if len(batch) == BATCH:
            bodies.append(encoded(batch))
            batch = []
    if batch:
        bodies.append(encoded(batch))
    return bodies


def posted_dialog(
    record: DialogRecord, id_: str, completed_at: datetime, client_name: str | None = None
) -> dict[str, Any]:
    """A demo dialog in the import format (DESIGN §3), moved in time to close at `completed_at` (its
    length and its transcript moved with it), with its transcript when it is a short one."""
    shift = completed_at - record.completed_at
    dialog: dict[str, Any] = {
        "id": id_,
        "client_name": client_name or record.client_name,
        "client_phone": record.client_phone,
        "channel": record.channel,
        "completed_by": record.completed_by,
        "started_at": (record.started_at + shift).isoformat() if record.started_at else None,
        "completed_at": completed_at.isoformat(),
        "message_count": record.message_count,
    }
    if record.messages is not None and record.message_count <= SHORT_TRANSCRIPT:
        dialog["messages"] = [
            {
                "at": (message.at + shift).isoformat(),
                "from": message.sender,
                "author": message.author,
                "text": message.text,
            }
            for message in record.messages
        ]
    return dialog


def encoded(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


# --- Requests -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    added: int
    problem: str  # empty when every dialog sent was added
    seconds: float  # from the POST to its answer, read whole


async def post(session: aiohttp.ClientSession, url: str, token: str, body: bytes, sent: int) -> Answer:
    """One POST of `sent` dialogs; what came of it."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    started = time.monotonic()
    try:
        async with session.post(url, data=body, headers=headers) as reply:
            status, text = reply.status, await reply.text()
    except aiohttp.ClientError as error:  # a connection refused or dropped: a failure to count, not a crash
        return Answer(0, f"{type(error).__name__}: {error}", time.monotonic() - started)
    seconds = time.monotonic() - started
    try:
        answer = json.loads(text)
    except ValueError:
        return Answer(0, f"HTTP {status}: {text[:100]!r}", seconds)
    if status != 200:
        return Answer(0, f"HTTP {status}: {answer.get('error')}", seconds)
    added, rejected = int(answer["added"]), answer["rejected"]
    problem = ""
    if rejected:
        problem = f"{len(rejected)} rejected, the first: {rejected[0]}"
    elif added != sent:
        problem = f"{added} added and {answer['updated']} updated of {sent} new dialogs"
    return Answer(added, problem, seconds)


def note(run: Run, answer: Answer) -> None:
    run.requests += 1
    run.stored += answer.added
    run.latencies.append(answer.seconds)
    if answer.problem:
        run.failures.append(answer.problem)


def cpu_seconds(pid: int) -> float:
    return bot_usage(pid)[1]


async def back_to_back(
    session: aiohttp.ClientSession, url: str, token: str, bodies: list[bytes], pid: int
) -> Run:
    """Each batch posted as soon as the one before is answered."""
    run = Run(f"batches of {BATCH:,}, back to back")
    cpu, started = cpu_seconds(pid), time.monotonic()
    for body in bodies:
        note(run, await post(session, url, token, body, BATCH))
    run.seconds = time.monotonic() - started
    run.bot_cpu = (cpu_seconds(pid) - cpu) / run.seconds
    return run


async def paced(session: aiohttp.ClientSession, url: str, token: str, bodies: list[bytes], pid: int) -> Run:
    """A batch a second, each posted when due whether the ones before were answered or not."""
    run = Run(f"batches of {BATCH:,}, one a second")
    cpu, started = cpu_seconds(pid), time.monotonic()
    posts: list[asyncio.Task[Answer]] = []
    for number, body in enumerate(bodies):
        delay = started + number - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        posts.append(asyncio.create_task(post(session, url, token, body, BATCH)))
    for answer in await asyncio.gather(*posts):
        note(run, answer)
    run.seconds = time.monotonic() - started
    run.bot_cpu = (cpu_seconds(pid) - cpu) / run.seconds
    return run


async def open_list(api: ListWatcher, user: SimulatedUser) -> BotEvent | None:
    """/dialogs sent; what the bot next did in the chat (the list, or an error), None when nothing came."""
    waiting = api.waiting[user.id] = asyncio.get_running_loop().create_future()
    await user.send_text("/dialogs")
    try:
        return await asyncio.wait_for(waiting, LIST_SECONDS)
    except TimeoutError:
        api.waiting.pop(user.id, None)
        return None


@dataclass
class Singles:
    """The single dialogs: each POST, each list after it, and each dialog from its POST to the list
    that shows it."""

    answered: Run = field(default_factory=lambda: Run("one dialog: POST answered"))
    listed: Run = field(default_factory=lambda: Run("one dialog: /dialogs → list (the bot's own list)"))
    visible: Run = field(default_factory=lambda: Run("one dialog: POST → list shows it"))

    @property
    def runs(self) -> list[Run]:
        return [self.answered, self.listed, self.visible]


async def singles(
    api: ListWatcher,
    session: aiohttp.ClientSession,
    url: str,
    archive: Archive,
    records: list[DialogRecord],
    latest: datetime,
    rate: float,
    pid: int,
) -> tuple[Singles, Singles]:
    """One dialog posted at a time and the list opened after it, by `ADMINS` admins in turn, `rate` a
    second: (the first round, not measured: each admin's first list, the ingestion's first requests; the
    others). The dialogs' ids are "bench-ingest-<n>" from 1, their clients' names marked to be found on
    the list, and each closes now: later than every dialog before it, whatever this machine's clock says
    of the archive's dates."""
    admins = [api.user(FIRST_ADMIN + number, first_name=f"Админ {number + 1}") for number in range(ADMINS)]
    begun = time.monotonic()
    total = count_dialogs(archive.path)  # what the list's total must say, counted by SQLite

    async def post_and_list(numbers: range, figures: Singles) -> None:
        nonlocal total
        started = time.monotonic()
        for index, number in enumerate(numbers):
            delay = started + index / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            record = records[number]
            completed_at = latest + timedelta(seconds=time.monotonic() - begun)
            name = f"{record.client_name or 'Клиент'} (замер {number + 1})"
            body = encoded(posted_dialog(record, f"bench-ingest-{number + 1}", completed_at, name))
            admin = admins[number % ADMINS]
            total += await probe(api, session, url, archive.token, body, admin, name, total + 1, figures)

    warm_up, measured = Singles(), Singles()
    await post_and_list(range(min(ADMINS, len(records))), warm_up)
    if warm_up.visible.failures:
        raise RuntimeError(f"the warm-up's dialogs were not listed: {warm_up.visible.failures[0]}")
    cpu, started = cpu_seconds(pid), time.monotonic()
    await post_and_list(range(ADMINS, len(records)), measured)
    for run in measured.runs:
        run.seconds = time.monotonic() - started
        run.bot_cpu = (cpu_seconds(pid) - cpu) / run.seconds
    return warm_up, measured


async def probe(
    api: ListWatcher,
    session: aiohttp.ClientSession,
    url: str,
    token: str,
    body: bytes,
    admin: SimulatedUser,
    name: str,
    total: int,
    figures: Singles,
) -> int:
    """One dialog posted, then the admin's list opened: is `name` on it, and its total `total`? The
    dialogs stored (1 or 0)."""
    posted = time.monotonic()
    answer = await post(session, url, token, body, 1)
    note(figures.answered, answer)
    visible = figures.visible
    visible.requests += 1
    if answer.problem:
        visible.failures.append(f"not stored: {answer.problem}")
        return answer.added
    asked = time.monotonic()
    event = await open_list(api, admin)
    figures.listed.requests += 1
    if event is None or event.message is None:
        reason = "no list" if event is None else f"{event.method}: {event.error}"
        figures.listed.failures.append(reason)
        visible.failures.append(reason)
        return answer.added
    figures.listed.latencies.append(event.at - asked)
    text = event.message.content
    found = FOUND.search(text)
    shown = int(re.sub(r"\D", "", found[1])) if found else None
    if name not in text:
        visible.failures.append(f"the list did not show {name!r}")
    elif shown != total:
        visible.failures.append(f"the list's total said {shown}, not {total}")
    else:
        visible.latencies.append(event.at - posted)
    return answer.added


def count_dialogs(path: Path) -> int:
    """Dialogs in the archive, counted by SQLite itself (not by the bot's kept totals)."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        (count,) = connection.execute("SELECT count(*) FROM dialogs").fetchone()
    return int(count)


# --- The run ---------------------------------------------------------------------------------------------


async def run(args: argparse.Namespace, archive: Archive) -> None:
    # The batches' dialogs closed during the day before `latest`, the single ones after it: the newest of
    # all, whatever this machine's clock says of the demo archive's dates.
    latest = max(datetime.now(UTC), archive.newest + timedelta(minutes=1)).replace(microsecond=0)
    batches = args.warm_up + args.batches + args.paced_seconds
    started = time.monotonic()
    records = new_records(ADMINS + args.singles + batches * BATCH)
    probes = list(itertools.islice(records, ADMINS + args.singles))
    bodies = batch_bodies(records, len(probes) + 1, latest)
    size = sum(len(body) for body in bodies) / max(len(bodies), 1) / 1024
    print(
        f"made {len(probes)} single dialogs and {batches} batches of {BATCH:,} ({size:.0f} KiB each as "
        f"JSON) in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    gc.freeze()  # this process times the requests: start-up's objects kept out of the collector's way

    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/dialogs"
    token = archive.token
    admin_ids = ",".join(str(FIRST_ADMIN + number) for number in range(ADMINS))
    log_path = archive.path.parent / "ingest-bot.log"
    api = ListWatcher(flood=FloodLimits(), fail_on_violations=False)  # Telegram's flood limits enforced
    async with api, aiohttp.ClientSession() as session:
        with log_path.open("w", encoding="utf-8") as log:
            bot = await start_bot(api, archive.path, log, {"HTTP_PORT": str(port), "ADMIN_IDS": admin_ids})
            try:
                # the single dialogs first, on a day that holds the archive's dialogs only (see the top)
                warm_singles, single = await singles(
                    api, session, url, archive, probes, latest, args.singles_rate, bot.pid
                )
                print_table(single.runs)
                ahead, bodies = bodies[: args.warm_up], bodies[args.warm_up :]
                warm_batches = await back_to_back(session, url, token, ahead, bot.pid)
                fast = await back_to_back(session, url, token, bodies[: args.batches], bot.pid)
                print_table([fast])
                steady = await paced(session, url, token, bodies[args.batches :], bot.pid)
                print_table([steady])
            finally:
                code = await stop_bot(bot)
    runs = [*single.runs, fast, steady]
    report(
        args, archive, [*warm_singles.runs, warm_batches, *runs], single, fast, steady, api, code, log_path
    )


def print_table(runs: list[Run]) -> None:
    print("| run | requests | dialogs stored | dialogs/s | p50 | p95 | p99 | max | failed | bot CPU |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for run in runs:
        times = [ms(percentile(run.latencies, share)) for share in (0.5, 0.95, 0.99)]
        times.append(ms(max(run.latencies, default=float("nan"))))
        if not run.latencies:
            times = ["–"] * len(times)
        rate = f"{run.rate:,.0f}" if run.name.startswith("batches") else "–"
        stored = f"{run.stored:,}" if run.stored else "–"
        print(
            f"| {run.name} | {run.requests} | {stored} | {rate} | {' | '.join(times)} "
            f"| {len(run.failures)} | {run.bot_cpu:.0%} |",
            flush=True,
        )


def report(
    args: argparse.Namespace,
    archive: Archive,
    everything: list[Run],
    single: Singles,
    fast: Run,
    steady: Run,
    api: BotAPIEmulator,
    code: int,
    log_path: Path,
) -> None:
    """`everything`: every run, the warm-ups' too (their failures and the dialogs they stored count)."""
    print(
        f"\nmeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {archive.dialogs:,} archived dialogs; "
        f"the bot exited with code {code}\n"
    )
    print_table([*single.runs, fast, steady])
    print()
    p99 = percentile(single.visible.latencies, 0.99)
    met = single.visible.requests > 0 and not single.visible.failures and p99 <= TARGET_VISIBLE_P99
    target = f"target ≤ {TARGET_VISIBLE_P99 * 1000:.0f} ms: {'met' if met else 'NOT met'}"
    post_p99 = ms(percentile(single.answered.latencies, 0.99))
    print(
        f"one dialog, POST → visible in the list: p99 {ms(p99)}, {target}; the POST answered alone: p99 "
        f"{post_p99}.\n  Visible is timed through Telegram as a person sees it: from the POST to the list "
        "arriving at the emulator after /dialogs. That includes the bot's own work for /dialogs (the "
        "update's long poll, the page read and rendered, sendMessage), given apart: /dialogs → list."
    )
    met = fast.rate >= TARGET_RATE and not fast.failures
    print(f"batches: {fast.rate:,.0f} dialogs/s, target ≥ {TARGET_RATE:,.0f}: {'met' if met else 'NOT met'}")
    # each batch recounts the statistics of the days it lands on, which grow with every batch
    times = fast.latencies + steady.latencies
    if len(times) >= 10:
        first, last = statistics.median(times[:5]), statistics.median(times[-5:])
        print(f"  a batch took {ms(first)} first and {ms(last)} last of both runs (medians of five)")
    slowest = percentile(steady.latencies, 0.99)
    # sustained: no batch waited for the one before it, so no backlog grows
    sustained = steady.requests > 0 and not steady.failures and slowest < 1.0
    print(
        f"{BATCH:,} dialogs a second for {args.paced_seconds} s: "
        f"{'sustained' if sustained else 'NOT sustained'} (every batch stored, and answered within the "
        f"second before the next is due: p99 {ms(slowest)})"
    )
    for run in everything:
        failures = run.failures
        if failures:
            print(f"{run.name}: {len(failures)} failed, the first: {failures[0]}")
    if api.violations:
        kinds = ", ".join(sorted({violation.kind for violation in api.violations}))
        print(f"emulator violations: {len(api.violations)} ({kinds}); the first: {api.violations[0]}")
    stored = sum(run.stored for run in everything)
    count = count_dialogs(archive.path)
    lost = archive.dialogs + stored - count
    print(
        f"the archive holds {count:,} dialogs: {archive.dialogs:,} before and {stored:,} stored"
        + (f", {lost:,} of those MISSING" if lost else ", none missing")
    )
    print_log_summary(log_path)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dialogs", type=int, default=1_000_000, help="dialogs in the archive")
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    parser.add_argument("--batches", type=int, default=30, help=f"batches of {BATCH:,} back to back")
    parser.add_argument("--warm-up", type=int, default=3, help="batches posted first, not measured")
    parser.add_argument("--paced-seconds", type=int, default=30, help="seconds of a batch a second")
    parser.add_argument("--singles", type=int, default=200, help="single dialogs posted, each then listed")
    parser.add_argument("--singles-rate", type=float, default=5.0, help="single dialogs a second")
    args = parser.parse_args()
    archive = prepare(args.folder, args.dialogs)
    try:
        asyncio.run(run(args, archive))
    finally:
        remove_archive(archive.path)


if __name__ == "__main__":
    main()
