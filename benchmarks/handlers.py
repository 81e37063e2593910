"""Benchmark of the bot's handler path at a million dialogs: an update in, the Bot API requests out.

    python -m benchmarks.handlers [--dialogs 1000000] [--runs 300] [--folder .bench] [--profile NAME]
                                  [--server postgresql+asyncpg://USER@/postgres?host=/SOCKET/FOLDER]

Uses the archive `benchmarks.engine` builds (and builds it when it is missing), and stores transcripts once
for its first 400 dialogs, so that cards have something to show (runs also leave a user, saved searches and
audit rows in it; the engine's figures do not depend on those). Then every operation runs --runs times,
after twenty warm-up runs, the operations taking turns in a shuffled order, through the real dispatcher of
`bot.app.build_dispatcher` (access middleware, routers, filters, handlers, rendering, keyboards) with the
bot's own `Bot` (`bot.app.build_bot`) and logging (`bot.logs`, written to /dev/null), the write-ahead log
checkpointed in the background as `dialogs-bot run` does it. Only the network is gone: the session builds
every request exactly as the bot's session does (`bot.runtime.JsonSession`: the JSON body), answers it as
the Bot API would (a `Message` with text, entities and keyboard; `true` for a button's answer; "message is
not modified" for an edit that changes nothing) and parses the answer with aiogram's `check_response`.

A run is timed from `Dispatcher.feed_update` until it returns, i.e. until the last request of the update
has been serialized and its answer parsed; the time the stub spends playing the server (decoding the body,
making up the answer) is taken out. The last column adds validating the raw update into an `Update`, which
polling does before `feed_update`. Inputs vary from run to run; every button is pressed on the message the
operation's previous run left on the screen, as a person would. `--profile NAME` runs the operations whose
name contains NAME under cProfile and prints where the time goes. `--server` runs it all on PostgreSQL,
on the archive `benchmarks.postgres` builds there.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import html
import io
import itertools
import json
import logging
import os
import pstats
import random
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update

from benchmarks.engine import (
    ANCHOR,
    DEPTH_PAGE,
    PAGE_SIZE,
    ZONE,
    deep_anchors,
    ms,
    open_archive,
    percentiles,
    typed,
)
from benchmarks.postgres import Picker, open_postgres_archive
from bot.app import build_bot, build_dispatcher
from bot.logs import configure_logging
from bot.runtime import JsonSession, Pace, prepare_runtime
from bot.settings import TELEGRAM_API_URL, Settings
from db.demo import generate_dialogs
from db.dialogs import SPARSE_LIMIT
from db.engine import Database
from db.importer import store_records
from db.users import Role, add_user
from keyboards.callbacks import CardCallback, ListCallback, Position
from keyboards.columns import COLUMNS, Column
from views.card import TRANSCRIPT_PART

TOKEN = "7000000001:AAbenchmarkbenchmarkbenchmarkbench01"
BOT_ID = 7000000001
ADMIN_ID = 100_001  # in ADMIN_IDS: one lookup per update, of the language chosen (the role is known)
HEAD_ID = 100_002  # a head added with `users add`: one lookup per update (the role and the language)
TRANSCRIPT_DIALOGS = 400  # demo-0000001 … demo-0000400 get their transcripts
SEARCHES = 2000  # inputs of each search to draw from (~500 common words): none repeats in a default run
WARM_UP = 20
PROFILE_LINES = 60  # lines of each cProfile table
TARGETS = {False: (0.002, 0.005), True: (0.003, 0.010)}  # (p50, p99) on SQLite, on PostgreSQL (--server)
SCREENS = ("editMessageText", "sendMessage")  # the requests that put a screen on the phone
Calls = list[tuple[str, str | None]]  # Bot API methods called, with the text of a button's answer

# --- The Bot API without a network -------------------------------------------------------------------

BOT_USER = {"id": BOT_ID, "is_bot": True, "first_name": "Диалоги", "username": "dialogs_benchmark_bot"}
ENTITY_TYPES = {"b": "bold", "i": "italic", "code": "code"}
TAG = re.compile(r"<(/?)(b|i|code)>")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly"
    " the same as a current content and reply markup of the message"
)


UNLIMITED = Pace(chat_rate=1e9, chat_burst=1e9, all_rate=1e9, all_burst=1e9)


class StubSession(JsonSession):
    """The bot's session up to the wire: the request is built and serialized as the bot sends it, and the
    answer is parsed by aiogram; in between, this class plays the Bot API for the methods the bot uses."""

    def __init__(self, bot_session: JsonSession) -> None:
        # Paced as the bot's session is (the reservation is part of each request's cost), but under limits
        # no run reaches: a person is never held back by their own taps, and these runs tap hundreds of
        # times a second into one chat, which Telegram's limits would spread out to one a second.
        super().__init__(api=bot_session.api, pace=UNLIMITED)
        self.json_loads, self.json_dumps = bot_session.json_loads, bot_session.json_dumps
        self.server_seconds = 0.0  # spent playing the server: not part of the bot's time
        self.calls: Calls = []
        self.screens: dict[tuple[int, int], dict[str, Any]] = {}  # what each chat shows, as Telegram holds it
        self.not_modified = 0
        self.screen_out: float | None = (
            None  # when the update's first screen (edit or message) was serialized
        )
        self._message_ids = itertools.count(1_000)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.api.api_url(token=bot.token, method=method.__api_method__)
        body = self.json_body(bot, method)  # the request body the bot sends (it sends no files here)
        assert body is not None
        started = time.perf_counter()
        if self.screen_out is None and method.__api_method__ in SCREENS:
            self.screen_out = started
        status, content = self._answer(method.__api_method__, json.loads(body))
        self.server_seconds += time.perf_counter() - started
        response = self.check_response(bot=bot, method=method, status_code=status, content=content)
        return cast(TelegramType, response.result)

    async def close(self) -> None:
        pass

    def _answer(self, name: str, fields: dict[str, Any]) -> tuple[int, str]:
        if name == "answerCallbackQuery":
            self.calls.append((name, fields.get("text")))
            return 200, json.dumps({"ok": True, "result": True})
        self.calls.append((name, None))
        chat_id = int(fields["chat_id"])
        if name == "sendMessage":
            key = (chat_id, next(self._message_ids))
        elif name == "editMessageText":
            key = (chat_id, int(fields["message_id"]))
            shown = self.screens.get(key)
            if shown is None:
                return self._error(400, "Bad Request: message to edit not found")
            if shown["_source"] == (fields["text"], fields.get("reply_markup")):
                self.not_modified += 1
                return self._error(400, NOT_MODIFIED)
        else:
            return self._error(400, f"Bad Request: the benchmark does not expect {name}")
        text, entities = telegram_text(fields["text"])
        message: dict[str, Any] = {
            "message_id": key[1],
            "from": BOT_USER,
            "chat": private_chat(chat_id),
            "date": int(time.time()),
            "text": text,
        }
        if name == "editMessageText":
            message["edit_date"] = int(time.time())
        if entities:
            message["entities"] = entities
        if "link_preview_options" in fields:
            message["link_preview_options"] = fields["link_preview_options"]
        if "reply_markup" in fields:
            message["reply_markup"] = fields["reply_markup"]
        self.screens[key] = {**message, "_source": (fields["text"], fields.get("reply_markup"))}
        return 200, json.dumps({"ok": True, "result": message}, ensure_ascii=False)

    def _error(self, code: int, description: str) -> tuple[int, str]:
        return code, json.dumps({"ok": False, "error_code": code, "description": description})

    def screen(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """The message as a callback query carries it."""
        return {k: v for k, v in self.screens[(chat_id, message_id)].items() if k != "_source"}


def telegram_text(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's reading of the bot's HTML: plain text, and entities in UTF-16 code units."""
    parts: list[str] = []
    entities: list[dict[str, Any]] = []
    opened: dict[str, int] = {}
    offset = position = 0
    for match in TAG.finditer(source):
        chunk = html.unescape(source[position : match.start()])
        parts.append(chunk)
        offset += len(chunk.encode("utf-16-le")) // 2
        position = match.end()
        closing, tag = match.groups()
        if not closing:
            opened[tag] = offset
        elif offset > (start := opened.pop(tag)):
            entities.append({"type": ENTITY_TYPES[tag], "offset": start, "length": offset - start})
    parts.append(html.unescape(source[position:]))
    return "".join(parts), sorted(entities, key=lambda entity: int(entity["offset"]))


def person(user_id: int) -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": "Ольга",
        "last_name": "Смирнова",
        "username": f"head_{user_id}",
        "language_code": "ru",
    }


def private_chat(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Ольга", "last_name": "Смирнова"}


# --- Operations ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Action:
    """What the person does: presses a button with this callback data, presses the button with this label
    on the message on screen, or sends this text."""

    kind: Literal["data", "button", "text"]
    value: str


@dataclass(frozen=True, slots=True)
class Operation:
    name: str
    user_id: int
    actions: Callable[[int], list[Action]]  # run number → what to do; only the last action is timed

    @property
    def expected(self) -> Calls:
        """The Bot API calls of the path measured: a new message for text, else an edit and a silent
        answer (an error, a notice or the fallback would be another path)."""
        return SEARCH if self.actions(0)[-1].kind == "text" else PRESS


PRESS: Calls = [("editMessageText", None), ("answerCallbackQuery", None)]
SEARCH: Calls = [("sendMessage", None)]


def press(callback: ListCallback | CardCallback) -> Action:
    return Action("data", callback.pack())


def operations(raw: sqlite3.Connection | Picker, count: int) -> list[Operation]:
    rng = random.Random(9)
    combos = [(sort, descending) for sort in Column for descending in (False, True)]

    def first_page(run: int) -> list[Action]:
        # on page 2 of some sort, back to its first page with ⏮
        sort, descending = combos[run % len(combos)]
        return [press(ListCallback(sort=sort, desc=descending)), Action("button", "▶"), Action("button", "⏮")]

    def next_page(run: int) -> list[Action]:
        # ▶ through the first 30 pages of each sort in turn
        turn = [Action("button", "▶")]
        if run % 30:
            return turn
        sort, descending = combos[run // 30 % len(combos)]
        return [press(ListCallback(sort=sort, desc=descending)), *turn]

    def sort_switch(run: int) -> list[Action]:
        column = Column(run % len(Column))  # never the column already on screen
        return [press(ListCallback(sort=column, desc=COLUMNS[column].descending_first))]

    depth = min(DEPTH_PAGE * PAGE_SIZE, count // 2)  # deep_anchors looks up to 500 rows either side
    deep = [
        (column, anchor)
        for column in Column
        for anchor in deep_anchors(raw, COLUMNS[column].sort_key, depth, rng)
    ]
    rng.shuffle(deep)

    def deep_page(run: int) -> list[Action]:
        sort, anchor = deep[run % len(deep)]
        view = ListCallback(sort=sort, desc=True, pos=Position.AFTER, anchor=anchor, page=depth // PAGE_SIZE)
        return [press(view)]

    # Every search of a run is one the archive has not seen (`run` forgets the stored ones first): a new
    # number, new last four digits, a new common word, a new full name. Searching again what was searched
    # before is cheaper (the view is stored, a costly total kept with it).
    phones = [
        e164
        for (e164,) in raw.execute(
            "SELECT e164 FROM client_phones WHERE e164 LIKE '+79%' ORDER BY id LIMIT ?", (SEARCHES,)
        )
    ]
    endings = list(dict.fromkeys(phone[-4:] for phone in phones))
    common = common_words(raw, rng)
    full_names = [
        name
        for (name,) in raw.execute(
            "SELECT name_fold FROM client_names WHERE name_fold LIKE '% %' AND name_fold NOT LIKE '% % %'"
            " ORDER BY id LIMIT ?",
            (SEARCHES,),
        )
    ]

    def text(inputs: list[str]) -> Callable[[int], list[Action]]:
        return lambda run: [Action("text", inputs[run % len(inputs)])]

    with_transcripts = raw.execute(
        "SELECT dialog_id, count(*) FROM messages GROUP BY dialog_id ORDER BY dialog_id LIMIT ?",
        (TRANSCRIPT_DIALOGS,),
    ).fetchall()
    cards = [dialog_id for dialog_id, _ in with_transcripts]
    long_cards = [dialog_id for dialog_id, messages in with_transcripts if messages > TRANSCRIPT_PART]
    rng.shuffle(cards)
    rng.shuffle(long_cards)

    def card(dialogs: list[int], part: int) -> Callable[[int], list[Action]]:
        return lambda run: [press(CardCallback(dialog=dialogs[run % len(dialogs)], part=part))]

    return [
        Operation("list page, first (⏮ from page 2)", ADMIN_ID, first_page),
        Operation("list page, next (▶ within pages 1–30)", ADMIN_ID, next_page),
        # the same pages, six sorts away from the admin's at any time (no phone numbers formatted already)
        Operation("list page, next, head user (+ role lookup)", HEAD_ID, lambda run: next_page(run + 180)),
        Operation("sort switch (another column)", ADMIN_ID, sort_switch),
        Operation(f"deep page ({depth // PAGE_SIZE:,}, each sort)", ADMIN_ID, deep_page),
        Operation("phone search, full number typed 8 (9xx) …", ADMIN_ID, text([typed(p) for p in phones])),
        Operation("phone search, last 4 digits", ADMIN_ID, text(endings)),
        Operation("name search, common word (> 3,000 dialogs)", ADMIN_ID, text(common)),
        Operation("name search, first and last name", ADMIN_ID, text(full_names)),
        Operation("card open (audited)", ADMIN_ID, card(cards, 0)),
        Operation("card, transcript page 2", ADMIN_ID, card(long_cards, 1)),
    ]


def common_words(raw: sqlite3.Connection | Picker, rng: random.Random) -> list[str]:
    """Words of the clients' names, and their first or last three or four letters, that each find more
    dialogs than a sparse search takes (3,000; a part of a word finds at least what the word finds), in a
    shuffled order."""
    totals: dict[str, int] = {}
    for name, dialogs in raw.execute("SELECT name_fold, dialog_count FROM client_names"):
        for word in set(name.split()):
            totals[word] = totals.get(word, 0) + dialogs
    words = sorted(word for word, total in totals.items() if total > SPARSE_LIMIT)
    found = dict.fromkeys([*words, *(part for word in words for part in (word[:4], word[-4:], word[:3]))])
    common = [word for word in found if len(word) >= 3]
    rng.shuffle(common)
    return common


# --- Running -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Timing:
    screen_out: float  # from the update to the screen's request serialized: what the person waits for
    handling: float  # feed_update, without the stub's server work
    parsing: float  # the raw update validated into an `Update`
    calls: Calls  # the Bot API methods the bot called


class Chats:
    """The bot, its dispatcher and the people's chats; turns actions into raw updates and times them.

    Each operation has a list message of its own in its person's chat (`slot`), so that the operations can
    take turns and every press still lands on the screen the operation's previous run left."""

    def __init__(self, bot: Bot, session: StubSession, dispatcher: Dispatcher) -> None:
        self.bot = bot
        self.session = session
        self.dispatcher = dispatcher
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._message_ids = itertools.count(1)  # the people's own messages
        self._list_messages: dict[int, int] = {}  # slot → the message with a list, edited by the buttons

    async def open_list(self, user_id: int, slot: int) -> None:
        """/dialogs: the bot sends the list as a new message, which the buttons then edit."""
        calls = await self.do(user_id, slot, Action("text", "/dialogs"))
        if calls != SEARCH:
            raise RuntimeError(f"/dialogs: the bot called {calls}")
        self._list_messages[slot] = max(m for chat, m in self.session.screens if chat == user_id)

    async def do(self, user_id: int, slot: int, action: Action) -> Calls:
        raw = self._update(user_id, slot, action)
        self.session.calls.clear()
        await self.dispatcher.feed_update(self.bot, Update.model_validate(raw, context={"bot": self.bot}))
        return list(self.session.calls)

    async def timed(self, user_id: int, slot: int, action: Action) -> Timing:
        raw = self._update(user_id, slot, action)
        self.session.calls.clear()
        server = self.session.server_seconds
        self.session.screen_out = None
        started = time.perf_counter()
        update = Update.model_validate(raw, context={"bot": self.bot})
        parsed = time.perf_counter()
        await self.dispatcher.feed_update(self.bot, update)
        handled = time.perf_counter() - parsed - (self.session.server_seconds - server)
        assert self.session.screen_out is not None, "the update put no screen on the phone"
        return Timing(self.session.screen_out - parsed, handled, parsed - started, list(self.session.calls))

    def _update(self, user_id: int, slot: int, action: Action) -> dict[str, Any]:
        update_id = next(self._update_ids)
        if action.kind == "text":
            message: dict[str, Any] = {
                "message_id": next(self._message_ids),
                "from": person(user_id),
                "chat": private_chat(user_id),
                "date": int(time.time()),
                "text": action.value,
            }
            if action.value.startswith("/"):
                length = len(action.value.split()[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
            return {"update_id": update_id, "message": message}
        screen = self.session.screen(user_id, self._list_messages[slot])
        data = action.value if action.kind == "data" else button_data(screen, action.value)
        return {
            "update_id": update_id,
            "callback_query": {
                "id": str(4_000_000_000_000 + next(self._callback_ids)),
                "from": person(user_id),
                "message": screen,
                "chat_instance": f"-{user_id}77",
                "data": data,
            },
        }


def button_data(screen: dict[str, Any], label: str) -> str:
    for row in screen["reply_markup"]["inline_keyboard"]:
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise LookupError(f"no button {label!r} on the screen")


Timings = tuple[list[float], list[float]]  # to the screen's request out; the whole update


async def measure(chats: Chats, operations: list[Operation], runs: int) -> list[Timings]:
    """The timed runs of each operation. The operations take turns in a new order every round, so that a
    slow spell of the machine, or a garbage collection that comes every so many allocations, falls on any of
    them rather than on whichever ran then or comes at that point of a round."""
    for slot, operation in enumerate(operations):
        await chats.open_list(operation.user_id, slot)
    timings: list[Timings] = [([], []) for _ in operations]
    prepare_runtime()  # as `dialogs-bot run` does before polling
    print(f"{len(operations)} operations, {runs} runs each (+{WARM_UP} to warm up), taking turns", flush=True)
    order = list(enumerate(operations))
    rng = random.Random(3)
    for run in range(runs + WARM_UP):
        rng.shuffle(order)
        for slot, operation in order:
            *setup, timed = operation.actions(run)
            for action in setup:
                await chats.do(operation.user_id, slot, action)
            timing = await chats.timed(operation.user_id, slot, timed)
            if timing.calls != operation.expected:
                raise RuntimeError(f"{operation.name}, run {run}: the bot called {timing.calls}")
            if run >= WARM_UP:
                timings[slot][0].append(timing.screen_out)
                timings[slot][1].append(timing.handling)
    if chats.session.not_modified:
        raise RuntimeError("edits that changed nothing: the inputs do not vary enough")
    return timings


def ensure_transcripts(database: Database, raw: sqlite3.Connection | Picker, count: int) -> None:
    """Transcripts for the first demo dialogs, stored once (the import updates dialogs by source id)."""
    wanted = min(TRANSCRIPT_DIALOGS, count)
    (stored,) = raw.execute(
        "SELECT count(*) FROM dialogs d WHERE d.source_id <= ? AND d.source_id LIKE 'demo-%'"
        " AND EXISTS (SELECT 1 FROM messages m WHERE m.dialog_id = d.id)",
        (f"demo-{wanted:07d}",),
    ).fetchone()
    if stored >= wanted:
        return
    started = time.monotonic()
    records = itertools.islice(generate_dialogs(count, seed=1, anchor=ANCHOR, transcripts=True), wanted)
    store_records(database.sync_engine, records, zone=ZONE)
    print(f"stored the transcripts of {wanted} dialogs in {time.monotonic() - started:.1f} s")


async def run(args: argparse.Namespace, database: Database, raw: sqlite3.Connection | Picker) -> None:
    url = database.url.render_as_string(hide_password=False)
    settings = Settings(_env_file=None, database_url=url, admin_ids=[ADMIN_ID])
    database.run(add_user, HEAD_ID, Role.HEAD, "Benchmark head")
    raw.execute("DELETE FROM list_views")  # the searches of earlier runs: each search is new to the archive
    raw.commit()
    bot = build_bot(TOKEN, TELEGRAM_API_URL)
    session = StubSession(cast(JsonSession, bot.session))
    bot.session = session
    chats = Chats(bot, session, build_dispatcher(database, settings))

    chosen = operations(raw, args.dialogs)
    if args.only:
        chosen = [operation for operation in chosen if args.only in operation.name]
    if args.profile:
        chosen = [operation for operation in chosen if args.profile in operation.name]
        profiler = cProfile.Profile()
        profiler.enable()
    checkpoints = asyncio.create_task(database.checkpoint_regularly())  # as `run_polling` does
    timings = await measure(chats, chosen, args.runs)
    checkpoints.cancel()
    if args.profile:
        profiler.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(PROFILE_LINES)
            print(out.getvalue())
        return

    print()
    print("| operation | update → request out p50 | p99 | target met | whole update p50 | p99 |")
    print("|---|---:|---:|:---:|---:|---:|")
    for operation, (times, whole) in zip(chosen, timings, strict=True):
        p50, p99 = percentiles(times)
        target_p50, target_p99 = TARGETS[database.postgres]
        met = "yes" if p50 <= target_p50 and p99 <= target_p99 else "no"
        w50, w99 = percentiles(whole)
        print(f"| {operation.name} | {ms(p50)} | {ms(p99)} | {met} | {ms(w50)} | {ms(w99)} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dialogs", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    parser.add_argument("--only", metavar="NAME", help="measure only the operations whose name contains NAME")
    parser.add_argument("--profile", metavar="NAME", help="profile the operations whose name contains NAME")
    parser.add_argument("--server", help="PostgreSQL: a database URL on the server (benchmarks.postgres)")
    args = parser.parse_args()

    raw: sqlite3.Connection | Picker
    if args.server:
        database, raw = open_postgres_archive(args.server, args.folder, args.dialogs)
    else:  # checkpointed in the background, as the bot runs
        database, raw = open_archive(args.folder, args.dialogs, background_checkpoints=True)
    ensure_transcripts(database, raw, args.dialogs)
    with open(os.devnull, "w") as devnull:
        configure_logging(TOKEN)  # the bot's own logging, INFO and all, written to /dev/null
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler):
                handler.setStream(devnull)
        asyncio.run(run(args, database, raw))
    database.sync_engine.dispose()


if __name__ == "__main__":
    main()
