"""Load benchmark: many people tapping at once through the Bot API emulator, against `dialogs-bot run`.

    python -m benchmarks.load [--folder .bench] [--people 200] [--rate 200] [--seconds 60] [--timeline]
                              [--webhook]

The bot is the real command (`python -m bot run`) in a process of its own, on the million-dialog archive
that `benchmarks.engine` builds (built when missing), polling the Bot API emulator of the tests
(`emulator`, Telegram's flood limits enforced) over HTTP; its log goes to FOLDER/load-bot.log. The
emulator and the simulated people live in this process, so that the bot has a CPU to itself. With
`--webhook` the bot runs in webhook mode instead (WEBHOOK_URL on its own HTTP server, with WEBHOOK_SECRET)
and the emulator posts each update to it as Telegram does; everything else is the same, so that the figures
of the two modes compare.

Each person (a mix of admins, heads and managers, added to the archive as `dialogs-bot users add` does)
first opens the list with /dialogs, then taps about once a second, on whatever the bot last showed them:
next page ▶ and previous ◀, a sort switch, a card opened and "⬅ К списку" back, a transcript page, now and
then a search typed (a name, a whole number, or the last four digits for those who see numbers). The
taps are due at a steady total rate (every person once in every round of people, in a new order each
round). A person whose last tap is still unanswered when the next one comes due taps as soon as the
answer comes (nobody taps a frozen screen): the tap counts as late, and a tap still waiting so when the
run ends is never made (the backlog a bot too slow for the rate leaves).

Measured per tap: from the update being queued for getUpdates (or for the post to the webhook) to the
emulator receiving the request that puts the answer on the phone (editMessageText for a button,
sendMessage for text). Errors: every failed request of the bot (429 included), every emulator violation,
every alert, every answer that is not a list page or a card. Lost: a tap given to the bot and not
answered within --drain seconds after the run. The bot's memory (RSS, and its heap apart from the
archive's pages mapped), CPU and major page faults are read from /proc every second. The steady run
(--rate for --seconds after --warm-up) is followed by a saturation run: --steps rates of --step-seconds
each, one person a tap a second (so that no chat meets Telegram's one message a second), until a rate is
not sustained (handled/s under 95 % of the offered, p99 over 1 s, a lost tap or a tap never made, or more
than a second's taps outstanding at its end).
`--timeline` adds every second's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import random
import secrets
import signal
import socket
import sqlite3
import statistics
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from benchmarks.engine import archive_path, open_archive, typed
from db.users import Role, add_user
from emulator import DEFAULT_TOKEN, BotAPIEmulator, BotEvent, ChatMessage, FloodLimits, SimulatedUser
from emulator.state import EventKind
from views.texts import texts_for

FIRST_ID = 700_001  # the simulated people's Telegram ids: 700001, 700002, …
OPEN_RATE = 20.0  # /dialogs a second while people arrive: under the bot's 25 new messages a second
STARTUP_SECONDS = 300.0  # a cold interpreter, the migrations and the statistics at a million dialogs
STOP_SECONDS = 30.0
SEARCH_SHARE = 0.05  # of the taps on a list page
SEARCHES_PER_SECOND = 10.0  # typed searches at most (each a new message, under the 25 a second overall)
SUSTAINED_P99 = 1.0  # seconds: a rate is sustained with p99 under this…
SUSTAINED_SHARE = 0.95  # …handling at least this share of the offered taps a second, none lost
FLAT_SLOPE = 2.0  # MiB a minute: RSS that grows slower than this in the measured minute is flat
TARGET_P99 = 0.100
TEXT_SEARCHES = 400  # inputs of each kind of search to draw from

# The screens the bot answers a tap with, as the person reads them (Russian: the people's Telegram is).
LIST_BUTTON = "🔎 Поиск"  # on every list page, found or not
CARD_BUTTON = "⬅ К списку"  # on every card
NEXT, PREVIOUS, FIRST = "▶", "◀", "⏮"
LATER, EARLIER = "Дальше ▶", "◀ Раньше"  # a card's transcript pages
RESET_SEARCH = "✖ Сбросить поиск"
SORT_LABELS = ("Клиент", "Канал", "Номер", "Кто", "Дата", "Сообщ.")
ERROR_TEXT_KEYS = (
    "error-generic",
    "archive-busy",
    "search-unavailable",
    "card-unavailable",
    "button-outdated",
    "search-masked-digits",
)

# What people do on a list page, with weights (a choice not on the screen falls back to ▶, then ◀).
LIST_MIX = (
    ("next page ▶", 40.0),
    ("previous page ◀", 12.0),
    ("first page ⏮", 3.0),
    ("sort switch", 15.0),
    ("card open", 22.0),
    ("search typed", 0.0),  # SEARCH_SHARE of the taps, fewer at high rates (SEARCHES_PER_SECOND)
    ("search reset", 3.0),
)
# One person in ten is a head, one in twenty an admin, the rest are managers (numbers masked).
ROLES = (Role.MANAGER,) * 17 + (Role.HEAD,) * 2 + (Role.ADMIN,)


# --- The people ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Tap:
    person: int
    phase: str
    due: float  # when the person meant to tap
    kind: str = ""
    pushed: float | None = None  # the update queued for getUpdates
    answered: float | None = None  # the emulator received the screen that answers it
    late: bool = False  # came due while the person still waited for their last answer
    answered_late: float | None = None  # a lost tap's answer, after the drain gave up on it
    detail: str = ""  # the text typed, or the button and the screen it was on (to repeat a slow one)


@dataclass
class Person:
    user: SimulatedUser
    role: Role
    screen: ChatMessage | None = None  # what the bot last showed them
    in_flight: Tap | None = None  # at most one tap unanswered: people wait for the screen to change
    given_up: Tap | None = None  # a lost tap, whose answer may still come
    waiting: deque[Tap] = field(default_factory=deque)  # taps that came due meanwhile


@dataclass(frozen=True)
class Searches:
    names: list[str]  # a first and last name, or one of them, as people type them (lower case)
    numbers: list[str]  # a whole number, typed 8 (9xx) xxx-xx-xx
    endings: list[str]  # the last four digits (heads and admins only: a manager sees them masked)


class LoadEmulator(BotAPIEmulator):
    """The emulator, telling the load what the bot did the moment it did it."""

    def __init__(self, load: Load, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.load = load

    def _emit(self, kind: EventKind, method: str, chat_id: int | None, **fields: Any) -> BotEvent:
        event = super()._emit(kind, method, chat_id, **fields)
        self.load.on_event(event)
        return event


class Load:
    """The people, their taps and what came of them."""

    def __init__(self, searches: Searches, seed: int) -> None:
        self.searches = searches
        self.rng = random.Random(seed)
        self.people: dict[int, Person] = {}
        self.taps: list[Tap] = []
        self.errors: list[tuple[float, str]] = []  # (when, what) of every error a person could notice
        self.notices: Counter[str] = Counter()  # button answers with a text that is no error
        self.stalls: list[tuple[float, float]] = []  # (when, how long) this process's loop was held up
        self.search_share = 0.0  # of the taps on a list page, set for each rate
        error_texts = texts_for("ru")
        self.error_texts = {error_texts(key) for key in ERROR_TEXT_KEYS}
        self._pushing: set[asyncio.Task[None]] = set()

    def add_person(self, api: LoadEmulator, user_id: int, role: Role) -> Person:
        user = api.user(user_id, first_name=f"Нагрузка {user_id}", language_code="ru")
        person = self.people[user_id] = Person(user, role)
        return person

    # -- taps

    def due(self, person: Person, at: float, phase: str) -> Tap:
        """A tap comes due: made now, or as soon as the person's last tap is answered."""
        tap = Tap(person.user.id, phase, at)
        self.taps.append(tap)
        if person.in_flight is None:
            self._push(person, tap)
        else:
            tap.late = True
            person.waiting.append(tap)
        return tap

    def _push(self, person: Person, tap: Tap) -> None:
        person.in_flight = tap  # reserved before the update exists: the next answer in the chat is its
        task = asyncio.ensure_future(self._act(person, tap))
        self._pushing.add(task)
        task.add_done_callback(self._pushing.discard)

    async def _act(self, person: Person, tap: Tap) -> None:
        user, screen = person.user, person.screen
        if screen is None or tap.phase == "open":
            tap.kind, text = "open list (/dialogs)", "/dialogs"
        elif screen.find_button(CARD_BUTTON) is not None:
            tap.kind, text = self._on_card(screen), ""
        elif screen.find_button(LIST_BUTTON) is not None:
            tap.kind, text = self._on_list(person, screen)
        else:  # an answer that was no screen of the list (already counted as an error): start again
            tap.kind, text = "open list (/dialogs)", "/dialogs"
        if text:
            tap.detail = f"{person.role.value} typed {text!r}"
            tap.pushed = time.monotonic()
            await user.send_text(text)
        else:
            assert screen is not None
            label = self._label(tap.kind, screen)
            header = " · ".join(screen.content.split("\n\n", 1)[0].split("\n")[1:])
            tap.detail = f"{person.role.value} pressed {label!r} on: {header[:150]}"
            tap.pushed = time.monotonic()
            await user.press(screen, label)

    def _on_card(self, screen: ChatMessage) -> str:
        roll = self.rng.random()
        if roll < 0.25 and screen.find_button(LATER) is not None:
            return "transcript page"
        if roll < 0.35 and screen.find_button(EARLIER) is not None:
            return "transcript page back"
        return "back to list"

    def _on_list(self, person: Person, screen: ChatMessage) -> tuple[str, str]:
        rng = self.rng
        kinds = [kind for kind, _ in LIST_MIX]
        weights = [weight for _, weight in LIST_MIX]
        searching = kinds.index("search typed")
        others = sum(weights) - weights[searching]
        weights[searching] = others * self.search_share / (1.0 - self.search_share)
        kind = rng.choices(kinds, weights)[0]
        if kind == "search typed":
            return kind, self._search_text(person)
        available = {
            "previous page ◀": PREVIOUS,
            "first page ⏮": FIRST,
            "search reset": RESET_SEARCH,
            "next page ▶": NEXT,
        }
        if kind in available and screen.find_button(available[kind]) is None:
            kind = "next page ▶" if screen.find_button(NEXT) is not None else "previous page ◀"
            if screen.find_button(available[kind]) is None:  # a list of one page
                kind = "sort switch"
        if kind == "card open" and not self._numbers(screen):
            kind = "sort switch"
        return kind, ""

    def _label(self, kind: str, screen: ChatMessage) -> str:
        rng = self.rng
        if kind == "card open":
            return rng.choice(self._numbers(screen))
        if kind == "sort switch":
            sorts = [t for t in screen.button_texts() if t.split(" ")[0] in SORT_LABELS]
            return rng.choice(sorts)
        labels = {
            "next page ▶": NEXT,
            "previous page ◀": PREVIOUS,
            "first page ⏮": FIRST,
            "search reset": RESET_SEARCH,
            "transcript page": LATER,
            "transcript page back": EARLIER,
            "back to list": CARD_BUTTON,
        }
        return labels[kind]

    @staticmethod
    def _numbers(screen: ChatMessage) -> list[str]:
        return [text for text in screen.button_texts() if text.isdigit()]

    def _search_text(self, person: Person) -> str:
        rng, searches = self.rng, self.searches
        kinds = [searches.names, searches.names, searches.numbers]
        if person.role is not Role.MANAGER:  # part of a number is refused to those who see it masked
            kinds.append(searches.endings)
        return rng.choice(rng.choice(kinds))

    # -- what the bot did

    def on_event(self, event: BotEvent) -> None:
        person = self.people.get(event.chat_id) if event.chat_id is not None else None
        if event.kind == "error":
            self.errors.append((event.at, f"{event.method}: {event.error}"))
            return
        if event.kind == "callback_answer" and event.answer is not None and event.answer.text:
            text = event.answer.text
            if event.answer.show_alert or text in self.error_texts:
                self.errors.append((event.at, f"alert: {text}"))
            else:
                self.notices[text] += 1
            return
        if event.kind not in ("message", "edit") or person is None or event.message is None:
            return
        message = event.message
        message.history.clear()  # the emulator keeps every version; nobody here reads them
        tap = person.in_flight
        if tap is None and person.given_up is not None:  # the answer to a lost tap, after the drain
            person.given_up.answered_late = event.at
            person.given_up, person.screen = None, message
            return
        if tap is None or tap.pushed is None:
            self.errors.append((event.at, f"{event.method}: a screen nobody asked for"))
            return
        tap.answered = event.at
        person.screen = message
        if message.find_button(LIST_BUTTON) is None and message.find_button(CARD_BUTTON) is None:
            first_line = message.content.split("\n", 1)[0][:80]
            self.errors.append((event.at, f"{tap.kind}: answered with {first_line!r}"))
        person.in_flight = None
        if person.waiting:
            self._push(person, person.waiting.popleft())

    def outstanding(self) -> int:
        """Taps due and not answered yet (in the bot, or still in the people's hands)."""
        return sum((p.in_flight is not None) + len(p.waiting) for p in self.people.values())

    async def offer(self, people: list[Person], rate: float, start: float, end: float, phase: str) -> None:
        """Taps due at `rate` a second from `start` until `end`, whatever the bot does meanwhile: every
        person once in each round of them, in a new order each round."""
        interval = 1.0 / rate
        order: list[Person] = []
        number = 0
        while (at := start + number * interval) < end:
            delay = at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if not order:
                order = list(people)
                self.rng.shuffle(order)
            self.due(order.pop(), at, phase)
            number += 1

    async def settle(self, seconds: float) -> bool:
        """Waits until every tap due has been answered, `seconds` at most; whether they were."""
        deadline = time.monotonic() + seconds
        while self.outstanding() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        return not self.outstanding()

    def stop_waiting(self) -> int:
        """At the end of a run: the taps that came due while their people waited for an answer are never
        made (the backlog the bot left); forgotten, and counted."""
        never_made = 0
        for person in self.people.values():
            never_made += len(person.waiting)
            person.waiting.clear()
        return never_made

    def give_up(self) -> None:
        """After the drain: a tap still unanswered is lost; its person taps on (on the screen they have)."""
        for person in self.people.values():
            if person.in_flight is not None:
                person.given_up, person.in_flight = person.in_flight, None


# --- The bot's process ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sample:
    at: float
    rss: float  # MiB, all of it
    anon: float  # MiB of the heap: objects, SQLite's page caches
    file: float  # MiB of files mapped: the archive's pages read through mmap (mmap_size), shared libraries
    bot_cpu: float  # seconds of CPU the bot used so far
    own_cpu: float  # and this process (the emulator and the people)
    all_cpu: float  # and the whole machine: what neither used was someone else's
    faults: int  # the bot's major page faults so far: archive pages read from the disk, the loop waiting


def bot_usage(pid: int) -> tuple[dict[str, float], float, int]:
    """The bot's resident memory (MiB: VmRSS, RssAnon, RssFile) and CPU time (s, every thread), from /proc.
    The bot reads the archive through mmap, so the pages of the file it has touched count in its RSS
    (RssFile) though they are the kernel's page cache, not a leak: the heap (RssAnon) is told apart. Also
    its major page faults: a page of the archive no longer in memory, read from the disk while the bot's
    event loop (which reads the archive in its own thread) waits."""
    memory: dict[str, float] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                memory[key] = int(value.split()[0]) / 1024
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return memory, (int(fields[11]) + int(fields[12])) / ticks, int(fields[9])


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (all CPUs), from /proc/stat."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def watch_loop(stalls: list[tuple[float, float]]) -> None:
    """Notes every time this process's event loop (the emulator's and the people's) was held up for more
    than 20 ms: the figures stand on the load generator keeping time."""
    while True:
        before = time.monotonic()
        await asyncio.sleep(0.01)
        late = time.monotonic() - before - 0.01
        if late > 0.02:
            stalls.append((before, late))


async def sample(pid: int, samples: list[Sample], api: BotAPIEmulator) -> None:
    """The bot's RSS and CPU every second. The emulator's own records of every call and event, which
    nothing here reads, are let go meanwhile, so that this process does not slow down as they grow."""
    while True:
        with contextlib.suppress(OSError, ValueError, IndexError):
            memory, cpu, faults = bot_usage(pid)
            rss, anon, file = memory["VmRSS"], memory["RssAnon"], memory["RssFile"]
            at, own = time.monotonic(), time.process_time()
            samples.append(Sample(at, rss, anon, file, cpu, own, machine_cpu(), faults))
        api.calls.clear()
        api.events.clear()
        await asyncio.sleep(1.0)


def free_port() -> int:
    """A port nobody listens on now, for the bot's HTTP server (whose address must be known beforehand:
    WEBHOOK_URL names it, and the ingestion benchmark posts to it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def webhook_settings(port: int) -> dict[str, str]:
    """The bot's environment for webhook mode: the emulator posts updates over plain HTTP to its HTTP
    server on this machine (allowed for local addresses only, as the tests do), with a secret."""
    return {
        "HTTP_PORT": str(port),
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram-webhook",
        "WEBHOOK_SECRET": secrets.token_urlsafe(32),
    }


async def start_bot(
    api: BotAPIEmulator, db_path: Path, log: TextIO, settings: dict[str, str] | None = None
) -> asyncio.subprocess.Process:
    """`python -m bot run` as a person starts it, its output written to `log`; `settings`: environment
    variables over the benchmark's. Ready once it polls, or (with WEBHOOK_URL) once its webhook is set:
    its HTTP server listens before either."""
    environment = {
        **os.environ,
        "BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
        "ADMIN_IDS": "",  # every person is in the archive with a role, as `users add` puts them
        "HTTP_PORT": "0",  # its HTTP server on any free port
    }
    # the defaults, as in the other benchmarks; long polling unless webhook mode is asked for
    for name in ("PAGE_SIZE", "TIMEZONE", "PHONE_REGION", "HTTP_HOST", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        environment.pop(name, None)
    environment.update(settings or {})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=db_path.parent,  # no .env of a developer's there
        env=environment,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=log,
    )
    webhook = bool(environment.get("WEBHOOK_URL"))
    ready = "has set its webhook" if webhook else "polls"
    started = time.monotonic()
    while not (api.webhook is not None if webhook else api.get_updates_received):
        if process.returncode is not None:
            raise RuntimeError(f"the bot exited with code {process.returncode}; see {log.name}")
        if time.monotonic() - started > STARTUP_SECONDS:
            raise RuntimeError(f"the bot's start took over {STARTUP_SECONDS:.0f} s; see {log.name}")
        await asyncio.sleep(0.1)
    print(
        f"the bot {ready}, {time.monotonic() - started:.1f} s after its start (pid {process.pid})", flush=True
    )
    return process


async def stop_bot(bot: asyncio.subprocess.Process) -> int:
    """SIGTERM, as a service manager stops it (killed after `STOP_SECONDS`); its exit code."""
    if bot.returncode is not None:
        return bot.returncode
    bot.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(bot.wait(), STOP_SECONDS)
    except TimeoutError:
        bot.kill()
        return await bot.wait()


# --- Figures -------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    rate: float
    people: int
    start: float
    end: float
    settled: float = 0.0  # when its taps had all been answered, or the drain gave up
    outstanding: int = 0  # taps due and unanswered at its end
    never_made: int = 0  # due, never made: the person still waited for an answer when the run ended
    violations: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Figures:
    phase: Phase
    offered: float  # taps due a second
    handled: float  # taps answered a second, within the phase
    latencies: list[float]
    late: int  # made later than due: the person was still waiting for their last answer
    errors: int
    lost: int
    bot_cpu: float  # share of one CPU
    own_cpu: float
    others_cpu: float  # everyone else on the machine, in CPUs: other work that ran meanwhile
    faults: int  # the bot's major page faults
    rss_start: float
    rss_end: float

    @property
    def sustained(self) -> bool:
        p99 = percentile(self.latencies, 0.99)
        return (
            self.handled >= SUSTAINED_SHARE * self.offered
            and p99 <= SUSTAINED_P99
            and self.lost == 0
            and self.phase.never_made == 0
            and self.phase.outstanding <= self.phase.rate
        )


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def at_time(samples: list[Sample], moment: float) -> Sample:
    return min(samples, key=lambda s: abs(s.at - moment))


def figures(load: Load, phase: Phase, samples: list[Sample]) -> Figures:
    taps = [tap for tap in load.taps if tap.phase == phase.name]
    answered = [tap for tap in taps if tap.answered is not None and tap.pushed is not None]
    latencies = [tap.answered - tap.pushed for tap in answered if tap.answered and tap.pushed]
    seconds = phase.end - phase.start
    # throughput counts answers within the phase, whichever phase their taps were due in
    handled = sum(
        1 for tap in load.taps if tap.answered is not None and phase.start <= tap.answered < phase.end
    )
    errors = sum(1 for at, _ in load.errors if phase.start <= at < phase.settled)
    errors += sum(phase.violations[kind] for kind in phase.violations if kind == "spec")
    lost = sum(1 for tap in taps if tap.pushed is not None and tap.answered is None)
    late = sum(1 for tap in taps if tap.late)
    first, last = at_time(samples, phase.start), at_time(samples, phase.end)
    span = max(last.at - first.at, 1e-9)
    return Figures(
        phase,
        len(taps) / seconds,
        handled / seconds,
        latencies,
        late,
        errors,
        lost,
        (last.bot_cpu - first.bot_cpu) / span,
        (last.own_cpu - first.own_cpu) / span,
        (last.all_cpu - first.all_cpu - (last.bot_cpu - first.bot_cpu) - (last.own_cpu - first.own_cpu))
        / span,
        last.faults - first.faults,
        first.rss,
        last.rss,
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def slope(samples: list[Sample], what: str = "rss") -> float:
    """Growth of `what` (rss, anon, file), MiB a minute, by least squares."""
    if len(samples) < 3:
        return float("nan")
    xs = [s.at for s in samples]
    ys = [float(getattr(s, what)) for s in samples]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    num = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    den = sum((x - mean_x) ** 2 for x in xs)
    return num / den * 60


def print_table(rows: list[Figures], stalls: list[tuple[float, float]]) -> None:
    print(
        "| run | people | offered/s | handled/s | p50 | p95 | p99 | max | errors | lost | late taps "
        "| never made | bot CPU | bot page faults | load CPU | load's longest pause | others' CPU "
        "| bot RSS start → end |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        lat = row.latencies
        pause = max((late for at, late in stalls if row.phase.start <= at < row.phase.end), default=0.0)
        print(
            f"| {row.phase.name} | {row.phase.people} | {row.offered:.0f} | {row.handled:.0f} "
            f"| {ms(percentile(lat, 0.5))} | {ms(percentile(lat, 0.95))} | {ms(percentile(lat, 0.99))} "
            f"| {ms(max(lat, default=float('nan')))} | {row.errors} | {row.lost} | {row.late} "
            f"| {row.phase.never_made} | {row.bot_cpu:.0%} | {row.faults} "
            f"| {row.own_cpu:.0%} | {ms(pause)} | {max(row.others_cpu, 0.0):.0%} "
            f"| {row.rss_start:.0f} → {row.rss_end:.0f} MiB |"
        )


def print_slowest(load: Load, phase: Phase, count: int = 8) -> None:
    """The slowest taps of a run, with what was tapped (to repeat one) and how many others were answered
    in the same 50 ms after it: many means the bot's loop was held up and every person waited."""
    taps = [t for t in load.taps if t.phase == phase.name and t.answered is not None and t.pushed is not None]
    answers = sorted(t.answered for t in load.taps if t.answered is not None)
    print(f"\n{phase.name}, the slowest taps:\n")
    for tap in sorted(taps, key=lambda t: (t.answered or 0) - (t.pushed or 0), reverse=True)[:count]:
        assert tap.answered is not None and tap.pushed is not None
        after = sum(1 for at in answers if tap.answered < at <= tap.answered + 0.05)
        print(
            f"  {ms(tap.answered - tap.pushed):>7}  {tap.kind}: {tap.detail} (+{after} answered within 50 ms)"
        )


def print_kinds(load: Load, phase: Phase) -> None:
    by_kind: dict[str, list[float]] = {}
    for tap in load.taps:
        if tap.phase == phase.name and tap.answered is not None and tap.pushed is not None:
            by_kind.setdefault(tap.kind, []).append(tap.answered - tap.pushed)
    print(f"\n{phase.name}, by kind of tap:\n")
    print("| tap | taps | p50 | p99 | max |")
    print("|---|---:|---:|---:|---:|")
    for kind, times in sorted(by_kind.items(), key=lambda item: -len(item[1])):
        print(
            f"| {kind} | {len(times)} | {ms(statistics.median(times))} | {ms(percentile(times, 0.99))} "
            f"| {ms(max(times))} |"
        )


# --- The run ---------------------------------------------------------------------------------------------


def prepare(folder: Path, dialogs: int, people: int) -> tuple[Path, Searches]:
    """The archive (built when missing, brought up to date) with `people` users in it, and what they
    search for; closed again before the bot opens it."""
    database, raw = open_archive(folder, dialogs)
    try:
        for number in range(people):
            database.run(add_user, FIRST_ID + number, ROLES[number % len(ROLES)], f"Нагрузка {number + 1}")
        searches = search_inputs(raw)
    finally:
        raw.close()
        database.sync_engine.dispose()
    return archive_path(folder, dialogs), searches


def search_inputs(raw: sqlite3.Connection) -> Searches:
    names = [
        name
        for (name,) in raw.execute(
            "SELECT name_fold FROM client_names WHERE name_fold LIKE '% %' AND name_fold NOT LIKE '% % %'"
            " AND id % 37 = 0 ORDER BY id LIMIT ?",
            (TEXT_SEARCHES,),
        )
    ]
    rng = random.Random(5)
    # a person types the whole name, or only the surname or the first name
    names = [name if rng.random() < 0.5 else rng.choice(name.split()) for name in names]
    phones = [
        e164
        for (e164,) in raw.execute(
            "SELECT e164 FROM client_phones WHERE e164 LIKE '+79%' AND id % 41 = 0 ORDER BY id LIMIT ?",
            (TEXT_SEARCHES,),
        )
    ]
    return Searches(names, [typed(phone) for phone in phones], [phone[-4:] for phone in phones])


async def open_lists(load: Load, people: list[Person]) -> list[float]:
    """Each person sends /dialogs (at `OPEN_RATE` a second) and waits for the list; their latencies."""
    start = time.monotonic()
    first = len(load.taps)
    await load.offer(people, OPEN_RATE, start, start + len(people) / OPEN_RATE, "open")
    await load.settle(30.0)
    load.give_up()
    return [t.answered - t.pushed for t in load.taps[first:] if t.answered and t.pushed]


async def run_phase(
    load: Load,
    api: BotAPIEmulator,
    people: list[Person],
    rate: float,
    name: str,
    seconds: float,
    drain: float | None,
) -> Phase:
    """`seconds` of taps at `rate`, then (unless `drain` is None: the next phase follows at once) up to
    `drain` seconds for the last answers."""
    load.search_share = min(SEARCH_SHARE, SEARCHES_PER_SECOND / rate)
    violations = len(api.violations)
    start = time.monotonic()
    phase = Phase(name, rate, len(people), start, start + seconds)
    await load.offer(people, rate, start, phase.end, name)
    phase.outstanding = load.outstanding()
    if drain is not None:
        phase.never_made = load.stop_waiting()
        await load.settle(drain)
        load.give_up()
    phase.settled = time.monotonic()
    phase.violations = Counter(v.kind for v in api.violations[violations:])
    return phase


async def run(args: argparse.Namespace, db_path: Path, searches: Searches) -> None:
    # This process plays Telegram: a pause of its own would be charged to the bot. Its full garbage
    # collections, over every tap and message it keeps, took 30-150 ms and grew with the run; what start-up
    # made is set aside and the full ones come rarely (its memory is no figure of the benchmark).
    gc.freeze()
    gc.set_threshold(50_000, 50, 1_000)
    load = Load(searches, seed=1)
    steps = [float(step) for step in args.steps.split(",") if step] if args.steps else []
    most = max([args.people, *(int(step) for step in steps)])
    log_path = db_path.parent / "load-bot.log"
    samples: list[Sample] = []
    api = LoadEmulator(load, flood=FloodLimits(), fail_on_violations=False)  # flood limits enforced
    async with api:
        everyone = [
            load.add_person(api, FIRST_ID + number, ROLES[number % len(ROLES)]) for number in range(most)
        ]
        with log_path.open("w", encoding="utf-8") as log:
            bot = await start_bot(api, db_path, log, webhook_settings(free_port()) if args.webhook else None)
            sampler = asyncio.create_task(sample(bot.pid, samples, api))
            watcher = asyncio.create_task(watch_loop(load.stalls))
            try:
                rows, steady = await drive(args, load, api, everyone, steps, samples)
            finally:
                sampler.cancel()
                watcher.cancel()
                code = await stop_bot(bot)
        report(args, load, api, rows, steady, samples, code, log_path)


async def drive(
    args: argparse.Namespace,
    load: Load,
    api: LoadEmulator,
    everyone: list[Person],
    steps: list[float],
    samples: list[Sample],
) -> tuple[list[Figures], Phase]:
    people = everyone[: args.people]
    opened = await open_lists(load, people)
    print(
        f"{len(opened)} people opened the list: p50 {ms(statistics.median(opened))}, "
        f"p99 {ms(percentile(opened, 0.99))} (paced at 25 new messages a second overall)",
        flush=True,
    )
    await run_phase(load, api, people, args.rate, "warm-up", args.warm_up, None)
    steady = await run_phase(
        load, api, people, args.rate, f"steady {args.rate:.0f}/s", args.seconds, args.drain
    )
    rows = [figures(load, steady, samples)]
    print_table(rows, load.stalls)
    for rate in steps:
        crowd = everyone[: int(rate)]
        newcomers = [person for person in crowd if person.screen is None]
        if newcomers:
            await open_lists(load, newcomers)
        await asyncio.sleep(2.0)  # the chats' flood buckets refill a little between steps
        phase = await run_phase(
            load, api, crowd, rate, f"saturation {rate:.0f}/s", args.step_seconds, args.drain
        )
        rows.append(figures(load, phase, samples))
        print_table(rows[-1:], load.stalls)
        if not rows[-1].sustained:
            break
    return rows, steady


def print_timeline(load: Load, samples: list[Sample], start: float) -> None:
    """Second by second: taps made, answered, the slowest of those made, the bot's CPU and heap; where a
    stall or a growing backlog shows itself."""
    made: dict[int, list[float]] = {}
    answered: Counter[int] = Counter()
    for tap in load.taps:
        if tap.pushed is not None and tap.pushed >= start:
            made.setdefault(int(tap.pushed - start), []).append(
                (tap.answered - tap.pushed) if tap.answered is not None else float("inf")
            )
        if tap.answered is not None and tap.answered >= start:
            answered[int(tap.answered - start)] += 1
    cpu = {int(s.at - start): s for s in samples if s.at >= start}
    print("\n| second | made | answered | p50 | max | bot CPU | heap |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for second in sorted(made):
        times = made[second]
        now, before = cpu.get(second + 1), cpu.get(second)
        used = f"{now.bot_cpu - before.bot_cpu:.0%}" if now and before else "–"
        heap = f"{now.anon:.0f}" if now else "–"
        print(
            f"| {second} | {len(times)} | {answered[second]} | {ms(statistics.median(times))} "
            f"| {ms(max(times))} | {used} | {heap} |"
        )


def report(
    args: argparse.Namespace,
    load: Load,
    api: BotAPIEmulator,
    rows: list[Figures],
    steady: Phase,
    samples: list[Sample],
    code: int,
    log_path: Path,
) -> None:
    mode = "webhook" if args.webhook else "long polling"
    print(f"\nmeasured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC ({mode}); the bot exited with code {code}\n")
    print_table(rows, load.stalls)
    print_kinds(load, steady)
    if len(rows) > 1:  # the lowest rate: the bot's own tails, without a queue
        print_kinds(load, rows[1].phase)
        print_slowest(load, rows[1].phase)
    if args.timeline:
        print_timeline(load, samples, samples[0].at)

    warm = [s for s in samples if s.at < steady.start]
    minute = [s for s in samples if steady.start <= s.at <= steady.end]
    print("\nbot memory (MiB) | when it polled | after the warm-up | after the steady minute | peak | slope")
    for what, label in (("rss", "RSS"), ("anon", "heap (RssAnon)"), ("file", "mapped files (RssFile)")):
        values = [float(getattr(s, what)) for s in samples]

        def last(chosen: list[Sample], what: str = what) -> str:
            return f"{getattr(chosen[-1], what):.0f}" if chosen else "–"

        print(
            f"  {label}: {values[0]:.0f} | {last(warm)} | {last(minute)} | {max(values):.0f} "
            f"| {slope(minute, what):+.1f} MiB/min over the steady minute"
        )
    flat = "flat" if abs(slope(minute, "anon")) < FLAT_SLOPE else "NOT flat"
    print(
        f"  the heap is {flat} in the steady minute (under {FLAT_SLOPE:.0f} MiB/min); "
        f"RSS after the saturation run: {samples[-1].rss:.0f} MiB"
    )

    row = rows[0]
    p99 = percentile(row.latencies, 0.99)
    met = p99 <= TARGET_P99 and row.errors == 0 and row.lost == 0 and steady.never_made == 0
    print(
        f"steady target (p99 ≤ {TARGET_P99 * 1000:.0f} ms, 0 errors, 0 lost, {args.rate:.0f}/s handled): "
        f"{'met' if met and row.handled >= SUSTAINED_SHARE * row.offered else 'NOT met'}"
    )
    sustained = [r for r in rows[1:] if r.sustained]
    if rows[1:]:
        best = max(sustained, key=lambda r: r.phase.rate) if sustained else None
        most = max(rows, key=lambda r: r.handled)
        print(
            "saturation: highest rate sustained "
            + (f"{best.phase.rate:.0f}/s (p99 {ms(percentile(best.latencies, 0.99))})" if best else "none")
            + f"; most handled {most.handled:.0f}/s ({most.phase.name})"
        )

    stalls = [late for at, late in load.stalls if steady.start <= at < steady.end]
    print(
        f"the load process's loop (emulator and people) was held up over 20 ms {len(stalls)} times "
        "in the steady run"
    )
    late_answers = sum(1 for tap in load.taps if tap.answered_late is not None)
    if late_answers:
        print(f"lost taps answered after the drain gave up on them: {late_answers}")

    described = Counter(what for _, what in load.errors)
    if described:
        print("\nerrors, by kind:")
        for what, count in described.most_common(12):
            print(f"  {count:6d}  {what}")
    kinds = Counter(v.kind for v in api.violations)
    if kinds:
        print(f"emulator violations: {dict(kinds)}; the first: {api.violations[0]}")
    if load.notices:
        print(f"button answers with a text: {dict(load.notices.most_common(5))}")
    unanswered = len(api.unanswered_callback_queries())
    if unanswered:
        print(f"buttons never answered (left spinning): {unanswered}")
    refused = [status for _, status in api.webhook_posts if status != 200]
    if refused:  # each one posted again later, as Telegram does: its tap waited meanwhile
        print(f"webhook posts not answered 200: {len(refused)} ({dict(Counter(refused).most_common(3))})")
    print_log_summary(log_path)


def print_log_summary(log_path: Path) -> None:
    """How many warnings and errors the bot logged, and the first of each kind."""
    levels = Counter[str]()
    firsts: dict[str, str] = {}
    with log_path.open(encoding="utf-8", errors="replace") as log:
        for line in log:
            for level in (" WARNING ", " ERROR ", " CRITICAL ", "Traceback"):
                if level in line:
                    levels[level.strip()] += 1
                    firsts.setdefault(level.strip(), line.strip()[:200])
    print(f"bot log ({log_path}): " + (", ".join(f"{n} {lvl}" for lvl, n in levels.items()) or "no warnings"))
    for level, line in firsts.items():
        print(f"  first {level}: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dialogs", type=int, default=1_000_000)
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    parser.add_argument("--people", type=int, default=200, help="people in the steady run")
    parser.add_argument("--rate", type=float, default=200.0, help="taps a second in the steady run")
    parser.add_argument("--seconds", type=float, default=60.0, help="the steady run, after the warm-up")
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds at --rate, not measured")
    parser.add_argument("--drain", type=float, default=10.0, help="seconds an answer may take after a run")
    parser.add_argument(
        "--steps",
        default="40,60,80,100,120,150,200,300",
        help="rates of the saturation run, one person a tap a second ('' for none)",
    )
    parser.add_argument("--step-seconds", type=float, default=15.0)
    parser.add_argument("--timeline", action="store_true", help="print every second's figures too")
    parser.add_argument(
        "--webhook", action="store_true", help="webhook mode: the emulator posts updates to the bot"
    )
    args = parser.parse_args()
    steps = [int(float(step)) for step in args.steps.split(",") if step] if args.steps else []
    db_path, searches = prepare(args.folder, args.dialogs, max([args.people, *steps]))
    asyncio.run(run(args, db_path, searches))


if __name__ == "__main__":
    main()
