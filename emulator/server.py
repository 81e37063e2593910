"""A local Telegram Bot API server for end-to-end tests of an aiogram bot.

The bot talks to it over real HTTP (``AiohttpSession(api=TelegramAPIServer.from_base(url))``) and
long polling; the test plays the people in the chats through :class:`~.client.SimulatedUser`.
Every request is checked against the limits of the real Bot API; a request that Telegram would
reject gets Telegram's exact error and is recorded in :attr:`BotAPIEmulator.violations`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import mimetypes
import re
import secrets
import socket
import struct
import time
import types
import typing
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from .formatting import EntityParseError, FormattedText, render_text
from .limits import (
    CALLBACK_ANSWER_MAX,
    CAPTION_MAX,
    CHAT_ACTIONS,
    DOCUMENT_MAX_BYTES,
    EDIT_METHODS,
    NEW_MESSAGE_METHODS,
    PHOTO_MAX_BYTES,
    PHOTO_MAX_DIMENSIONS_SUM,
    PHOTO_MAX_RATIO,
    PROXY_ERROR_PAGE,
    TEXT_MAX,
    ApiError,
    Errors,
    FloodLimits,
    normalize_inline_markup,
    normalize_reply_markup,
    validate_commands,
)
from .spec import ApiSpec
from .state import (
    ApiCall,
    BotEvent,
    CallbackAnswer,
    CallbackQueryRecord,
    ChatInfo,
    ChatMessage,
    EventKind,
    SentFile,
    UserInfo,
    Violation,
)

if TYPE_CHECKING:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession

    from .client import GroupChat, SimulatedUser

__all__ = ["DEFAULT_TOKEN", "BotAPIEmulator", "UploadedFile"]

DEFAULT_TOKEN = "123456789:TEST-emulator-token_AAAAAAAAAAAAAAAAAAAA"
CALLBACK_QUERY_TTL = 15.0
"""Seconds after which Telegram no longer accepts an answer to a callback query."""
LONG_POLL_MAX = 50
_INTEGER_RE = re.compile(r"-?\d+")
# Update types delivered when allowed_updates is not set or empty.
_NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

Params = dict[str, Any]
Handler = Callable[["BotAPIEmulator", Params, "dict[str, UploadedFile]"], Awaitable[Any]]


# Webhook delivery: how long a post may take, and the pause before one that failed is posted again
# (Telegram waits longer; tests should not).
WEBHOOK_TIMEOUT = 60.0
WEBHOOK_RETRY_SECONDS = 0.2
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass
class Webhook:
    url: str
    secret_token: str
    max_connections: int
    last_error: tuple[int, str] | None = None


FaultKind = Literal["error", "html", "drop", "lose_reply", "hang"]


@dataclass(frozen=True)
class _Fault:
    """One injected failure of a request (see :meth:`BotAPIEmulator.fail_next`)."""

    kind: FaultKind
    error: ApiError | None = None
    status: int = 502
    seconds: float = 0.0


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    data: bytes
    content_type: str | None


# ---------------------------------------------------------------------------------------------
# Decoding of form values: everything arrives as a string, the type comes from aiogram's models.


ParamKind = Literal["str", "int", "float", "bool", "int_or_str", "file", "json"]


def _aiogram_param_kinds() -> dict[str, dict[str, ParamKind]]:
    """Parameter kinds of every Bot API method aiogram knows, keyed by lower-case method name."""
    from aiogram import methods
    from aiogram.client.default import Default
    from aiogram.types import InputFile

    def kind_of(annotation: Any) -> ParamKind:
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation) if origin in (typing.Union, types.UnionType) else (annotation,)
        options = {a for a in args if a is not type(None) and a is not Default}
        if options == {str}:
            return "str"
        if options == {bool}:
            return "bool"
        if options == {int}:
            return "int"
        if options == {float} or options == {int, float}:
            return "float"
        if options == {int, str}:
            return "int_or_str"
        if str in options and any(isinstance(o, type) and issubclass(o, InputFile) for o in options):
            return "file"
        return "json"

    result: dict[str, dict[str, ParamKind]] = {}
    for name in dir(methods):
        cls = getattr(methods, name)
        api_method = getattr(cls, "__api_method__", None)
        fields = getattr(cls, "model_fields", None)
        if isinstance(api_method, str) and isinstance(fields, dict):
            result[api_method.lower()] = {
                field_name: kind_of(field.annotation) for field_name, field in fields.items()
            }
    return result


_PARAM_KINDS: dict[str, dict[str, ParamKind]] | None = None


def _param_kinds(method: str) -> dict[str, ParamKind]:
    global _PARAM_KINDS
    if _PARAM_KINDS is None:
        _PARAM_KINDS = _aiogram_param_kinds()
    return _PARAM_KINDS.get(method.lower(), {})


def _aiogram_method_names() -> set[str]:
    global _PARAM_KINDS
    if _PARAM_KINDS is None:
        _PARAM_KINDS = _aiogram_param_kinds()
    return set(_PARAM_KINDS)


def _decode_form_value(kind: ParamKind | None, value: str) -> Any:
    if kind == "str" or kind == "file":
        return value
    if kind == "int" or (kind == "int_or_str" and _INTEGER_RE.fullmatch(value)):
        return int(value) if _INTEGER_RE.fullmatch(value) else value
    if kind == "int_or_str":
        return value
    if kind == "float":
        try:
            return float(value)
        except ValueError:
            return value
    if kind == "bool":
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        return value
    if kind is None and value[:1] not in ("{", "["):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INTEGER_RE.fullmatch(value):
        return int(value)
    return None


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF, BMP or WebP image; ``None`` if ``data`` is no image."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"BM") and len(data) >= 26:
        width, height = struct.unpack("<ii", data[18:26])
        return abs(int(width)), abs(int(height))
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return 0, 0
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return int(width), int(height)
            i += 2 + length
        return 0, 0
    return None


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


class BotAPIEmulator:
    """In-process Telegram Bot API server.

    Use it as an async context manager::

        async with BotAPIEmulator() as api:
            bot = api.create_bot()
            async with api.run_polling(dispatcher, bot):
                user = api.user(1001, first_name="Anna")
                await user.send_text("/start")
                reaction = await user.wait_answer()

    By default leaving the context raises ``AssertionError`` if the bot caused any violation
    (``fail_on_violations=False`` turns that off; :meth:`take_violations` consumes expected ones).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "emulated_test_bot",
        bot_first_name: str = "Test Bot",
        host: str = "127.0.0.1",
        strict_html: bool = True,
        fail_on_violations: bool = True,
        spec: ApiSpec | Path | Literal["auto"] | None = "auto",
        callback_query_ttl: float = CALLBACK_QUERY_TTL,
        flood: FloodLimits | None = None,
        port: int = 0,
    ) -> None:
        bot_id, _, _ = token.partition(":")
        if not bot_id.isdigit():
            raise ValueError("the token must look like '<digits>:<secret>'")
        self.token = token
        self.host = host
        self.strict_html = strict_html
        self.fail_on_violations = fail_on_violations
        self.callback_query_ttl = callback_query_ttl
        self.flood = flood
        """Telegram's flood control, enforced when given (off by default: tests tap faster than people)."""
        self.bot_user = UserInfo(
            id=int(bot_id), first_name=bot_first_name, username=bot_username, is_bot=True
        )
        if spec == "auto":
            self.spec: ApiSpec | None = ApiSpec.load()
        elif isinstance(spec, Path):
            self.spec = ApiSpec.load(spec)
        else:
            self.spec = spec

        self.violations: list[Violation] = []
        """Every request Telegram would have rejected (see :class:`~.state.Violation`)."""
        self.calls: list[ApiCall] = []
        """Every request of the bot, in order."""
        self.events: list[BotEvent] = []
        """Everything the bot did in chats, in order."""
        self.handler_errors: list[tuple[int, BaseException]] = []
        """Exceptions that escaped the bot's handlers, with the update id (tracked polling only)."""
        self.dropped_updates: list[dict[str, Any]] = []
        """Updates Telegram would not deliver because of the bot's allowed_updates."""
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        """setMyCommands state: (scope as JSON, language_code) -> commands."""

        self._users: dict[int, UserInfo] = {}
        self._chats: dict[int, ChatInfo] = {}
        self._messages: dict[int, dict[int, ChatMessage]] = {}
        self._next_message_id: dict[int, int] = {}
        self._files: dict[str, SentFile] = {}
        self._callback_queries: dict[str, CallbackQueryRecord] = {}
        self._simulated_users: dict[int, SimulatedUser] = {}
        self._groups: dict[int, GroupChat] = {}
        self._bots: list[Bot] = []

        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1000
        self._delivered: set[int] = set()
        self._processing: set[int] = set()
        self._processed: set[int] = set()
        self._allowed_updates: frozenset[str] | None = None
        self._get_updates_calls = 0
        self._poller: asyncio.Future[None] | None = None
        self.webhook: Webhook | None = None
        """The webhook set with setWebhook: updates are posted to it instead of waiting for getUpdates."""
        self.webhook_posts: list[tuple[int, int | str]] = []
        """Every post of an update to the webhook: (update_id, HTTP status or the error)."""
        self._webhook_task: asyncio.Task[None] | None = None
        self.tracking = False
        """True while a dispatcher runs with the update tracker (see :meth:`run_polling`)."""

        self._seq = 0
        self._changed = asyncio.Event()
        self._injected: dict[str, deque[_Fault]] = {}
        self._flood_until: dict[tuple[str, int | None], float] = {}
        self._chat_buckets: dict[int, _Bucket] = {}
        self._all_bucket = _Bucket(flood.all_burst if flood else 0.0, time.monotonic())
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._wanted_port = port
        self.port = 0
        """The port it listens on once started: ``port`` when given, else a free one."""

    # -----------------------------------------------------------------------------------------
    # Life cycle

    @property
    def base_url(self) -> str:
        """Base URL for ``TelegramAPIServer.from_base``."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=DOCUMENT_MAX_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        if self._wanted_port:  # a bot already knows where to look (one started before its Bot API)
            await web.TCPSite(self._runner, self.host, self._wanted_port).start()
            self.port = self._wanted_port
            return
        for attempt in range(5):
            port = _free_port(self.host)
            site = web.TCPSite(self._runner, self.host, port)
            try:
                await site.start()
            except OSError:
                if attempt == 4:
                    raise
                continue
            self.port = port
            break

    async def close(self) -> None:
        self._closing = True
        self._notify()
        await self._stop_webhook()
        for bot in self._bots:
            await bot.session.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: Any
    ) -> None:
        await self.close()
        if exc_type is None and self.fail_on_violations:
            self.assert_no_violations()

    # -----------------------------------------------------------------------------------------
    # Test-facing API

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
    ) -> SimulatedUser:
        """A person in a private chat with the bot (chat id = user id). Same id -> same object."""
        from .client import SimulatedUser

        if user_id in self._simulated_users:
            return self._simulated_users[user_id]
        if user_id <= 0:
            raise ValueError("user ids are positive")
        info = UserInfo(user_id, first_name, last_name, username, language_code)
        self._users[user_id] = info
        self._chats[user_id] = ChatInfo(
            user_id, "private", first_name=first_name, last_name=last_name, username=username
        )
        simulated = SimulatedUser(self, info)
        self._simulated_users[user_id] = simulated
        return simulated

    def group(
        self, chat_id: int, title: str = "Test group", *, kind: Literal["group", "supergroup"] = "supergroup"
    ) -> GroupChat:
        """A group chat the bot is a member of; people send there with ``send_text(..., chat=group)``."""
        from .client import GroupChat

        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if chat_id not in self._groups:
            self._chats[chat_id] = ChatInfo(chat_id, kind, title=title)
            self._groups[chat_id] = GroupChat(self, self._chats[chat_id])
        return self._groups[chat_id]

    def fail_next(
        self,
        method: str,
        *,
        retry_after: int | None = None,
        error_code: int = 400,
        description: str | None = None,
        times: int = 1,
        html: bool = False,
        drop: bool = False,
        lose_reply: bool = False,
        hang: float | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail.

        With ``retry_after`` the answer is Telegram's flood-control error (429 "Too Many Requests:
        retry after N" with ``parameters.retry_after``) and the emulator then enforces the wait:
        a retry of the same method in the same chat before N seconds is a ``flood`` violation.
        Otherwise the error has ``error_code`` and ``description``.

        The failures of the network and of what stands in front of Telegram:

        * ``html=True`` – a reverse proxy's error page (``error_code``, e.g. 502, with an HTML body);
          the request is not carried out;
        * ``drop=True`` – the connection is closed without a reply, the request not carried out;
        * ``lose_reply=True`` – the request is carried out, then the connection closed without a reply
          (the bot cannot know it went through);
        * ``hang=seconds`` – no answer for that long, then the request is carried out as usual; a bot
          that gives up first closes the connection, and the request is not carried out.

        Injected failures are not violations.
        """
        fault: _Fault
        if retry_after is not None:
            error = ApiError(
                429,
                Errors.too_many_requests(retry_after),
                parameters={"retry_after": retry_after},
                violation=False,
            )
            fault = _Fault("error", error)
        elif html:
            fault = _Fault("html", status=error_code)
        elif drop:
            fault = _Fault("drop")
        elif lose_reply:
            fault = _Fault("lose_reply")
        elif hang is not None:
            fault = _Fault("hang", seconds=hang)
        else:
            error = ApiError(error_code, description or f"Error {error_code}", violation=False)
            fault = _Fault("error", error)
        queue = self._injected.setdefault(method.lower(), deque())
        queue.extend([fault] * times)

    def assert_no_violations(self) -> None:
        if self.violations:
            listed = "\n".join(f"  {v}" for v in self.violations)
            raise AssertionError(f"the bot made {len(self.violations)} bad Bot API request(s):\n{listed}")

    def take_violations(self) -> list[Violation]:
        """Return the violations recorded so far and forget them (for tests that expect some)."""
        taken = list(self.violations)
        self.violations.clear()
        return taken

    def calls_of(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        """Messages of a chat in order, as its members see them now."""
        chat_messages = self._messages.get(chat_id, {})
        return [m for _, m in sorted(chat_messages.items()) if include_deleted or not m.deleted]

    def message(self, chat_id: int, message_id: int) -> ChatMessage | None:
        return self._messages.get(chat_id, {}).get(message_id)

    def callback_query(self, query_id: str) -> CallbackQueryRecord | None:
        return self._callback_queries.get(query_id)

    def file(self, file_id: str) -> SentFile | None:
        """A file the bot sent, by its file_id (the web chat's downloads)."""
        return self._files.get(file_id)

    def unanswered_callback_queries(self) -> list[CallbackQueryRecord]:
        return [q for q in self._callback_queries.values() if q.answer is None]

    @property
    def get_updates_received(self) -> int:
        """getUpdates requests received so far, counted when they arrive.

        :attr:`calls` lists a request once it has been answered, and a long poll without updates is
        answered only when its timeout is up (aiogram's default is 10 s): to know that a bot polls,
        wait for this number to grow."""
        return self._get_updates_calls

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot."""
        return list(self._updates)

    def is_delivered(self, update_id: int) -> bool:
        return update_id in self._delivered

    def is_processed(self, update_id: int) -> bool:
        return update_id in self._processed

    def is_dropped(self, update_id: int) -> bool:
        return any(u["update_id"] == update_id for u in self.dropped_updates)

    def push_update(self, payload: dict[str, Any]) -> int:
        """Queue a raw update (``payload`` without ``update_id``, e.g. ``{"message": {...}}``)."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, **payload})
        self._notify()
        return update_id

    def new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def store_message(self, message: ChatMessage) -> None:
        self._messages.setdefault(message.chat.id, {})[message.message_id] = message

    def register_callback_query(self, record: CallbackQueryRecord) -> None:
        self._callback_queries[record.id] = record

    def chat_info(self, chat_id: int) -> ChatInfo | None:
        return self._chats.get(chat_id)

    @property
    def seq(self) -> int:
        """Sequence number of the last event; user actions remember it to find the reaction."""
        return self._seq

    async def wait_for_change(self, timeout: float) -> None:
        """Sleep until anything happens in the emulator or ``timeout`` passes."""
        event = self._changed
        if timeout <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)

    async def wait_until(self, predicate: Callable[[], bool], timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await self.wait_for_change(remaining)
        return True

    # -----------------------------------------------------------------------------------------
    # Running an aiogram bot against the emulator

    def create_bot(self, session_class: type[AiohttpSession] | None = None, **kwargs: Any) -> Bot:
        """An aiogram ``Bot`` whose session talks to this emulator (kwargs go to ``Bot``).

        ``session_class``: the bot's own ``AiohttpSession`` subclass, if it has one."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        class LocalSession(session_class or AiohttpSession):  # type: ignore[misc]
            async def close(self) -> None:
                # aiogram waits 250 ms here for TLS connections to close; there are none locally.
                if self._session is not None and not self._session.closed:
                    await self._session.close()

        session = LocalSession(api=TelegramAPIServer.from_base(self.base_url))
        bot = Bot(token=self.token, session=session, **kwargs)
        self._bots.append(bot)
        return bot

    def track(self, dispatcher: Dispatcher) -> Callable[[], None]:
        """Let the emulator see when the dispatcher starts and finishes each update.

        With tracking, ``wait_answer`` knows exactly when the bot has finished reacting instead of
        waiting for a quiet period.  Returns a function that removes the tracker.
        """
        from .client import UpdateTracker

        tracker = UpdateTracker(self)
        middlewares = dispatcher.update.outer_middleware
        # Outermost, so that the bot's own error handlers have run when an update counts as handled.
        registered = getattr(middlewares, "_middlewares", None)
        if isinstance(registered, list):
            registered.insert(0, tracker)
        else:  # pragma: no cover - a future aiogram without the private list
            middlewares.register(tracker)
        self.tracking = True

        def untrack() -> None:
            with contextlib.suppress(ValueError):
                dispatcher.update.outer_middleware.unregister(tracker)
            self.tracking = False

        return untrack

    @contextlib.asynccontextmanager
    async def run_polling(
        self, dispatcher: Dispatcher, *bots: Bot, ready_timeout: float = 5.0, **kwargs: Any
    ) -> AsyncIterator[asyncio.Task[None]]:
        """Run ``dispatcher.start_polling`` in the background for the duration of the block.

        Waits until the bot's first getUpdates request arrives, so pushed updates are picked up;
        on exit stops polling and waits for it to end.  Extra kwargs go to ``start_polling``
        (``handle_signals`` is off).  Updates are tracked (see :meth:`track`).
        """
        untrack = self.track(dispatcher)
        started = self._get_updates_calls
        kwargs.setdefault("handle_signals", False)
        task: asyncio.Task[None] = asyncio.create_task(dispatcher.start_polling(*bots, **kwargs))
        try:
            ready = await self.wait_until(
                lambda: self._get_updates_calls > started or task.done(), ready_timeout
            )
            if task.done():
                task.result()
                raise RuntimeError("polling stopped before the first getUpdates request")
            if not ready:
                raise TimeoutError(f"the bot did not call getUpdates within {ready_timeout} s")
            yield task
        finally:
            if not task.done():
                with contextlib.suppress(RuntimeError):
                    await dispatcher.stop_polling()
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, 10)
            untrack()

    # Called by the update tracker middleware.
    def mark_update_started(self, update_id: int) -> None:
        self._processing.add(update_id)
        self._notify()

    def mark_update_finished(self, update_id: int, error: BaseException | None) -> None:
        self._processing.discard(update_id)
        self._processed.add(update_id)
        if error is not None:
            self.handler_errors.append((update_id, error))
        self._notify()

    # -----------------------------------------------------------------------------------------
    # Internals: events and bookkeeping

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    def _emit(self, kind: EventKind, method: str, chat_id: int | None, **fields: Any) -> BotEvent:
        self._seq += 1
        event = BotEvent(
            seq=self._seq, kind=kind, method=method, chat_id=chat_id, at=time.monotonic(), **fields
        )
        self.events.append(event)
        self._notify()
        return event

    def _record_call(self, method: str, params: Params, error: ApiError | None) -> None:
        shown = {k: v for k, v in params.items()}
        self.calls.append(
            ApiCall(
                seq=len(self.calls) + 1,
                method=method,
                params=shown,
                ok=error is None,
                error_code=None if error is None else error.error_code,
                description=None if error is None else error.description,
            )
        )

    def _violation(
        self,
        method: str,
        error_code: int,
        description: str,
        params: Params,
        kind: Literal["api", "spec", "flood"],
    ) -> None:
        self.violations.append(Violation(method, error_code, description, dict(params), kind))

    # -----------------------------------------------------------------------------------------
    # HTTP

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": Errors.NOT_FOUND}, status=404
        )

    async def _read_params(self, request: web.Request, method: str) -> tuple[Params, dict[str, UploadedFile]]:
        params: Params = {}
        files: dict[str, UploadedFile] = {}
        kinds = _param_kinds(method)
        for key, value in request.query.items():
            params[key] = _decode_form_value(kinds.get(key), value)
        if request.content_type == "application/json":
            body = await request.read()
            if body.strip():
                data = json.loads(body)
                if not isinstance(data, dict):
                    raise ApiError(400, "Bad Request: can't parse JSON object")
                for key, item in data.items():
                    # A JSON-serialized object may also arrive as a string inside a JSON body.
                    if kinds.get(key) == "json" and isinstance(item, str):
                        item = _decode_form_value("json", item)
                    params[key] = item
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for key, part in form.items():
                if isinstance(part, web.FileField):
                    files[key] = UploadedFile(part.filename or None, part.file.read(), part.content_type)
                    continue
                decoded = part.decode("utf-8") if isinstance(part, bytes | bytearray) else part
                params[key] = _decode_form_value(kinds.get(key), decoded)
        # Multipart parts referenced as attach://name are files, not parameters.
        attached = {
            v.removeprefix("attach://")
            for v in params.values()
            if isinstance(v, str) and v.startswith("attach://")
        }
        for key in list(files):
            if key not in attached and key in kinds:
                params[key] = files[key]
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            self._violation(method, 401, Errors.UNAUTHORIZED, {}, "api")
            return web.json_response(
                {"ok": False, "error_code": 401, "description": Errors.UNAUTHORIZED}, status=401
            )
        name = method.lower()
        entry = _METHODS.get(name)
        canonical = entry[0] if entry else method
        try:
            params, files = await self._read_params(request, canonical)
        except web.HTTPRequestEntityTooLarge:
            error = ApiError(413, Errors.TOO_LARGE)
            self._violation(canonical, 413, Errors.TOO_LARGE, {}, "api")
            return web.json_response(error.payload(), status=413)
        except (ValueError, ApiError) as exc:
            error = (
                exc if isinstance(exc, ApiError) else ApiError(400, "Bad Request: can't parse JSON object")
            )
            self._violation(canonical, error.error_code, error.description, {}, "api")
            return web.json_response(error.payload(), status=error.error_code)

        if self.spec is not None:
            for problem in self.spec.check(canonical, params):
                self._violation(canonical, 400, problem, params, "spec")

        try:
            if entry is None:
                raise ApiError(404, Errors.NOT_FOUND)
            fault = self._check_injected_and_flood(name, canonical, params)
            if fault is not None and fault.kind == "hang":
                await asyncio.sleep(fault.seconds)  # cancelled when the bot gives up and disconnects
                fault = None
            if fault is not None and fault.kind in ("html", "drop"):
                return self._fail_transport(request, canonical, params, fault)
            if name == "getupdates":
                result: Any = await self._get_updates(params, request)
            else:
                result = await entry[1](self, params, files)
            if fault is not None:  # lose_reply: done, and the answer never arrives
                return self._fail_transport(request, canonical, params, fault)
        except ApiError as error:
            self._record_call(canonical, params, error)
            if error.violation:
                kind: Literal["api", "flood"] = "flood" if error.error_code == 429 else "api"
                description = error.description
                if entry is None and name in _aiogram_method_names():
                    description += f" ({method} is a Bot API method the emulator does not implement yet)"
                self._violation(canonical, error.error_code, description, params, kind)
            self._emit_error(canonical, params, error)
            return web.json_response(error.payload(), status=error.error_code)
        self._record_call(canonical, params, None)
        return web.json_response({"ok": True, "result": result})

    def _emit_error(self, method: str, params: Params, error: ApiError) -> None:
        if method.lower() == "getupdates":
            return
        chat_id = _as_int(params.get("chat_id"))
        query_id = params.get("callback_query_id")
        query = self._callback_queries.get(query_id) if isinstance(query_id, str) else None
        if chat_id is None and query is not None:
            chat_id = query.chat.id
        self._emit(
            "error",
            method,
            chat_id,
            message_id=_as_int(params.get("message_id")),
            callback_query_id=query_id if isinstance(query_id, str) else None,
            error=str(error),
        )

    def _fail_transport(
        self, request: web.Request, method: str, params: Params, fault: _Fault
    ) -> web.Response:
        """A failure below the Bot API: a proxy's HTML page, or a connection closed without a reply."""
        if fault.kind == "html":
            try:
                reason = HTTPStatus(fault.status).phrase
            except ValueError:
                reason = "Error"
            error = ApiError(fault.status, f"{reason} (an HTML page, injected)", violation=False)
            self._record_call(method, params, error)
            self._emit_error(method, params, error)
            page = PROXY_ERROR_PAGE.format(status=fault.status, reason=reason)
            return web.Response(status=fault.status, text=page, content_type="text/html")
        what = "carried out, reply lost" if fault.kind == "lose_reply" else "not carried out"
        error = ApiError(0, f"connection closed without a reply ({what}, injected)", violation=False)
        if fault.kind == "lose_reply":
            self._record_call(method, params, None)
        else:
            self._record_call(method, params, error)
            self._emit_error(method, params, error)
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response()  # written to nothing: the bot sees the connection close

    def _check_flood_limits(self, name: str, chat_id: int | None) -> None:
        """Telegram's flood control (:class:`FloodLimits`), when the emulator enforces it."""
        limits = self.flood
        if (
            limits is None
            or chat_id is None
            or (name not in NEW_MESSAGE_METHODS and name not in EDIT_METHODS)
        ):
            return
        now = time.monotonic()
        chat = self._chat_buckets.get(chat_id)
        if chat is None:
            chat = self._chat_buckets[chat_id] = _Bucket(limits.chat_burst, now)
        buckets = [(chat, limits.chat_rate, limits.chat_burst)]
        if name in NEW_MESSAGE_METHODS:
            buckets.append((self._all_bucket, limits.all_rate, limits.all_burst))
        short = 0.0
        for bucket, rate, burst in buckets:
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
            bucket.at = now
            if bucket.tokens < 1.0:
                short = max(short, (1.0 - bucket.tokens) / rate)
        if short:
            retry_after = max(1, math.ceil(short))
            raise ApiError(
                429,
                Errors.too_many_requests(retry_after),
                parameters={"retry_after": retry_after},
                violation=True,
            )
        for bucket, _, _ in buckets:
            bucket.tokens -= 1.0

    def _check_injected_and_flood(self, name: str, method: str, params: Params) -> _Fault | None:
        """Raises the API error due now (a flood wait broken, an injected error); returns an injected
        failure of another kind."""
        chat_id = _as_int(params.get("chat_id"))
        now = time.monotonic()
        until = self._flood_until.get((name, chat_id))
        if until is not None and now < until:
            retry_after = max(1, math.ceil(until - now))
            raise ApiError(
                429,
                Errors.too_many_requests(retry_after),
                parameters={"retry_after": retry_after},
                violation=True,
            )
        self._check_flood_limits(name, chat_id)
        queue = self._injected.get(name)
        if not queue:
            return None
        fault = queue.popleft()
        error = fault.error
        if error is None:
            return fault
        if error.parameters and "retry_after" in error.parameters:
            self._flood_until[(name, chat_id)] = now + float(error.parameters["retry_after"])
        raise error

    # -----------------------------------------------------------------------------------------
    # Shared validation

    def _chat(self, params: Params) -> ChatInfo:
        raw = params.get("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, Errors.CHAT_ID_EMPTY)
        chat_id = _as_int(raw)
        chat: ChatInfo | None = None
        if chat_id is not None:
            chat = self._chats.get(chat_id)
        elif isinstance(raw, str) and raw.startswith("@"):
            chat = next((c for c in self._chats.values() if c.username and "@" + c.username == raw), None)
        if chat is None:
            raise ApiError(400, Errors.CHAT_NOT_FOUND)
        if chat.blocked:
            raise ApiError(403, Errors.BLOCKED, violation=False)
        return chat

    def _render(self, text: str, parse_mode: Any, entities: Any) -> FormattedText:
        try:
            return render_text(
                text,
                parse_mode if isinstance(parse_mode, str) else None,
                entities,
                strict_html=self.strict_html,
            )
        except ValueError as exc:
            raise ApiError(400, Errors.UNSUPPORTED_PARSE_MODE) from exc
        except EntityParseError as exc:
            raise ApiError(400, exc.description) from exc

    def _text(self, params: Params, too_long: str) -> FormattedText:
        text = params.get("text")
        if not isinstance(text, str) or not text:
            raise ApiError(400, Errors.TEXT_EMPTY)
        formatted = self._render(text, params.get("parse_mode"), params.get("entities"))
        if not formatted.text:
            raise ApiError(400, Errors.TEXT_EMPTY)
        if len(formatted.text) > TEXT_MAX:
            raise ApiError(400, too_long)
        return formatted

    def _caption(self, params: Params) -> FormattedText | None:
        caption = params.get("caption")
        if caption is None or caption == "":
            return None
        if not isinstance(caption, str):
            caption = str(caption)
        formatted = self._render(caption, params.get("parse_mode"), params.get("caption_entities"))
        if len(formatted.text) > CAPTION_MAX:
            raise ApiError(400, Errors.CAPTION_TOO_LONG)
        return formatted if formatted.text else None

    def _reply_to(self, chat: ChatInfo, params: Params) -> int | None:
        reply = params.get("reply_parameters")
        message_id: int | None = None
        allow_missing = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            message_id = _as_int(reply.get("message_id"))
            allow_missing = allow_missing or bool(reply.get("allow_sending_without_reply"))
        elif params.get("reply_to_message_id") is not None:
            message_id = _as_int(params.get("reply_to_message_id"))
        if message_id is None:
            return None
        target = self.message(chat.id, message_id)
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise ApiError(400, Errors.REPLY_NOT_FOUND)
        return message_id

    def _new_bot_message(self, chat: ChatInfo, **fields: Any) -> ChatMessage:
        message = ChatMessage(
            message_id=self.new_message_id(chat.id),
            chat=chat,
            sender=self.bot_user,
            date=int(time.time()),
            **fields,
        )
        self.store_message(message)
        return message

    def _editable(self, params: Params) -> ChatMessage:
        if params.get("inline_message_id"):
            raise ApiError(400, Errors.EDIT_NOT_FOUND)  # inline mode is not emulated
        chat = self._chat(params)
        message_id = _as_int(params.get("message_id"))
        if message_id is None:
            raise ApiError(400, Errors.MESSAGE_ID_MISSING)
        message = self.message(chat.id, message_id)
        if message is None or message.deleted:
            raise ApiError(400, Errors.EDIT_NOT_FOUND)
        if not message.from_bot:
            raise ApiError(400, Errors.CANT_EDIT)
        return message

    def _apply_edit(self, method: str, message: ChatMessage, **changes: Any) -> dict[str, Any]:
        current = {key: getattr(message, key) for key in changes}
        if current == changes:
            raise ApiError(400, Errors.NOT_MODIFIED)
        message.history.append(message.snapshot())
        for key, value in changes.items():
            setattr(message, key, value)
        message.edit_date = max(int(time.time()), (message.edit_date or message.date))
        self._emit("edit", method, message.chat.id, message=message, message_id=message.message_id)
        return message.to_api()

    def _file(
        self, params: Params, files: dict[str, UploadedFile], kind: Literal["document", "photo"]
    ) -> SentFile:
        source = params.get(kind)
        if source is None or source == "":
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        upload: UploadedFile | None = None
        if isinstance(source, UploadedFile):
            upload = source
        elif isinstance(source, str) and source.startswith("attach://"):
            upload = files.get(source.removeprefix("attach://"))
            if upload is None:
                raise ApiError(400, Errors.WRONG_FILE_ID)
        elif isinstance(source, str) and source.startswith(("http://", "https://")):
            return self._new_file(kind, None, b"", None, url=source)
        elif isinstance(source, str):
            known = self._files.get(source)
            if known is None:
                raise ApiError(400, Errors.WRONG_FILE_ID)
            return known
        else:
            raise ApiError(400, Errors.WRONG_FILE_ID)

        if not upload.data:
            raise ApiError(400, Errors.FILE_EMPTY)
        if kind == "document":
            if len(upload.data) > DOCUMENT_MAX_BYTES:
                raise ApiError(413, Errors.TOO_LARGE)
            # Document.mime_type is "as defined by the sender": the part's own type (aiohttp sends
            # application/octet-stream unless told otherwise), guessed from the name only when it has none
            mime = upload.content_type or mimetypes.guess_type(upload.filename or "")[0]
            return self._new_file(kind, upload.filename, upload.data, mime)
        size = _image_size(upload.data)
        if size is None or len(upload.data) > PHOTO_MAX_BYTES:
            raise ApiError(400, Errors.IMAGE_PROCESS_FAILED)
        width, height = size
        if (
            width
            and height
            and (
                width + height > PHOTO_MAX_DIMENSIONS_SUM
                or max(width, height) / min(width, height) > PHOTO_MAX_RATIO
            )
        ):
            raise ApiError(400, Errors.PHOTO_INVALID_DIMENSIONS)
        sent = self._new_file(kind, upload.filename, upload.data, "image/jpeg")
        sent.width, sent.height = width or 1, height or 1
        return sent

    def _new_file(
        self, kind: str, filename: str | None, data: bytes, mime: str | None, *, url: str | None = None
    ) -> SentFile:
        number = len(self._files) + 1
        file = SentFile(
            file_id=f"{kind.upper()}-{number}-{secrets.token_hex(8)}",
            file_unique_id=f"U{number}{secrets.token_hex(4)}",
            filename=filename,
            data=data,
            mime_type=mime,
            url=url,
        )
        self._files[file.file_id] = file
        return file

    # -----------------------------------------------------------------------------------------
    # getUpdates

    def _update_type(self, update: dict[str, Any]) -> str:
        return next((key for key in update if key != "update_id"), "")

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        update_type = self._update_type(update)
        if self._allowed_updates is None:
            return update_type not in _NOT_DEFAULT_UPDATES
        return update_type in self._allowed_updates

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        kept: list[dict[str, Any]] = []
        for update in self._updates:
            if self._is_allowed(update):
                kept.append(update)
            else:
                self.dropped_updates.append(update)
        if len(kept) != len(self._updates):
            self._updates = kept
            self._notify()
        return kept[:limit]

    async def _get_updates(self, params: Params, request: web.Request) -> list[dict[str, Any]]:
        self._get_updates_calls += 1
        if self.webhook is not None:
            raise ApiError(409, Errors.WEBHOOK_ACTIVE)
        offset = _as_int(params.get("offset")) or 0
        limit = _as_int(params.get("limit"))
        limit = 100 if limit is None else min(max(limit, 1), 100)
        timeout = min(max(_as_int(params.get("timeout")) or 0, 0), LONG_POLL_MAX)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) or None
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

        previous = self._poller
        if previous is not None and not previous.done():
            previous.set_result(None)  # the older request ends with a Conflict error
        ticket: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poller = ticket
        self._notify()
        deadline = time.monotonic() + timeout
        try:
            while True:
                updates = self._deliverable(limit)
                if ticket.done():
                    transport = request.transport
                    alive = transport is not None and not transport.is_closing()
                    raise ApiError(409, Errors.CONFLICT, violation=alive)
                remaining = deadline - time.monotonic()
                if updates or self._closing or remaining <= 0:
                    break
                await self.wait_for_change(remaining)
        finally:
            if self._poller is ticket:
                self._poller = None
        for update in updates:
            self._delivered.add(update["update_id"])
        if updates:
            self._notify()
        return updates

    def _callback_query_for_answer(self, params: Params) -> CallbackQueryRecord:
        query_id = params.get("callback_query_id")
        query = self._callback_queries.get(query_id) if isinstance(query_id, str) else None
        if query is None or query.answer is not None:
            raise ApiError(400, Errors.QUERY_TOO_OLD)
        if time.monotonic() - query.created_at > self.callback_query_ttl:
            raise ApiError(400, Errors.QUERY_TOO_OLD)
        return query

    # -----------------------------------------------------------------------------------------
    # Webhook delivery

    async def _start_webhook(self, webhook: Webhook) -> None:
        await self._stop_webhook()
        self.webhook = webhook
        self._webhook_task = asyncio.create_task(self._deliver(webhook))

    async def _stop_webhook(self) -> None:
        self.webhook = None
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver(self, webhook: Webhook) -> None:
        """Posts each update as Telegram does: up to `max_connections` at once, in order of arrival; one
        that is not answered 2xx is posted again later (and waits, with those after it in line)."""
        in_flight: dict[int, asyncio.Task[bool]] = {}
        async with ClientSession() as session:
            try:
                await self._deliver_all(webhook, session, in_flight)
            finally:  # stopped: posts under way are abandoned (their updates stay pending)
                for task in in_flight.values():
                    task.cancel()
                await asyncio.gather(*in_flight.values(), return_exceptions=True)

    async def _deliver_all(
        self, webhook: Webhook, session: ClientSession, in_flight: dict[int, asyncio.Task[bool]]
    ) -> None:
        while not self._closing:
            for update in self._deliverable(100):
                update_id = update["update_id"]
                if update_id not in in_flight and len(in_flight) < webhook.max_connections:
                    in_flight[update_id] = asyncio.create_task(self._post(session, webhook, update))
            if not in_flight:
                await self.wait_for_change(1.0)
                continue
            changed = asyncio.ensure_future(self.wait_for_change(1.0))
            await asyncio.wait([*in_flight.values(), changed], return_when=asyncio.FIRST_COMPLETED)
            changed.cancel()
            for update_id, task in list(in_flight.items()):
                if not task.done():
                    continue
                del in_flight[update_id]
                if task.result():
                    self._delivered.add(update_id)
                    self._processed.add(update_id)
                    self._updates = [u for u in self._updates if u["update_id"] != update_id]
                    self._notify()
                else:
                    await asyncio.sleep(WEBHOOK_RETRY_SECONDS)

    async def _post(self, session: ClientSession, webhook: Webhook, update: dict[str, Any]) -> bool:
        headers = {"X-Telegram-Bot-Api-Secret-Token": webhook.secret_token} if webhook.secret_token else {}
        try:
            async with session.post(
                webhook.url, json=update, headers=headers, timeout=ClientTimeout(total=WEBHOOK_TIMEOUT)
            ) as reply:
                await reply.read()
                status: int | str = reply.status
        except (ClientError, TimeoutError) as error:
            status = type(error).__name__
        self.webhook_posts.append((update["update_id"], status))
        ok = isinstance(status, int) and 200 <= status < 300
        if not ok:
            webhook.last_error = (int(time.time()), f"Wrong response from the webhook: {status}")
        return ok


# -------------------------------------------------------------------------------------------------
# Method implementations. Each takes (emulator, params, files) and returns the "result" value.

_METHODS: dict[str, tuple[str, Handler]] = {}


def _method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _METHODS[name.lower()] = (name, handler)
        return handler

    return register


async def _unused_get_updates(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    raise AssertionError("getUpdates is handled by BotAPIEmulator._get_updates")


_METHODS["getupdates"] = ("getUpdates", _unused_get_updates)


@_method("getMe")
async def _get_me(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    return {
        **api.bot_user.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@_method("setWebhook")
async def _set_webhook(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    url = params.get("url")
    if not isinstance(url, str) or not url:
        await api._stop_webhook()  # an empty url removes the webhook, as deleteWebhook does
        return True
    parts = urlsplit(url)
    # Telegram posts only to HTTPS; the emulator also posts to this machine over plain HTTP (the tests)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOCAL_HOSTS):
        raise ApiError(400, Errors.WEBHOOK_NOT_HTTPS)
    secret = params.get("secret_token")
    if secret is not None and not (isinstance(secret, str) and _SECRET_TOKEN.fullmatch(secret)):
        raise ApiError(400, Errors.WEBHOOK_BAD_SECRET)
    connections = _as_int(params.get("max_connections")) or 40
    if not 1 <= connections <= 100:
        raise ApiError(400, Errors.WEBHOOK_BAD_CONNECTIONS)
    allowed = params.get("allowed_updates")
    if isinstance(allowed, list):
        api._allowed_updates = frozenset(str(a) for a in allowed) or None
    if params.get("drop_pending_updates") is True:
        api._updates.clear()
    await api._start_webhook(Webhook(url, secret if isinstance(secret, str) else "", connections))
    return True


@_method("deleteWebhook")
async def _delete_webhook(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    await api._stop_webhook()
    if params.get("drop_pending_updates") is True:
        api._updates.clear()
    return True


@_method("getWebhookInfo")
async def _get_webhook_info(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    webhook = api.webhook
    info: dict[str, Any] = {
        "url": webhook.url if webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(api._updates),
    }
    if webhook is not None:
        info["max_connections"] = webhook.max_connections
        if api._allowed_updates is not None:
            info["allowed_updates"] = sorted(api._allowed_updates)
        if webhook.last_error is not None:
            info["last_error_date"], info["last_error_message"] = webhook.last_error
    return info


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.get("scope")
    scope_key = json.dumps(scope if isinstance(scope, dict) else {"type": "default"}, sort_keys=True)
    language = params.get("language_code")
    return scope_key, language if isinstance(language, str) else ""


@_method("setMyCommands")
async def _set_my_commands(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    api.commands[_commands_key(params)] = validate_commands(params.get("commands"))
    return True


@_method("getMyCommands")
async def _get_my_commands(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    return api.commands.get(_commands_key(params), [])


@_method("deleteMyCommands")
async def _delete_my_commands(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    api.commands.pop(_commands_key(params), None)
    return True


@_method("sendMessage")
async def _send_message(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    chat = api._chat(params)
    formatted = api._text(params, Errors.SEND_TOO_LONG)
    markup = normalize_reply_markup(params.get("reply_markup"))
    reply_to = api._reply_to(chat, params)
    message = api._new_bot_message(
        chat,
        text=formatted.text,
        entities=formatted.entities,
        source=params["text"],
        parse_mode=params.get("parse_mode"),
        reply_markup=markup,
        reply_to_message_id=reply_to,
    )
    api._emit("message", "sendMessage", chat.id, message=message, message_id=message.message_id)
    return message.to_api()


async def _send_media(
    api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile], kind: Literal["document", "photo"]
) -> Any:
    chat = api._chat(params)
    caption = api._caption(params)
    markup = normalize_reply_markup(params.get("reply_markup"))
    reply_to = api._reply_to(chat, params)
    sent = api._file(params, files, kind)
    if caption is not None:
        sent.caption = caption.text
    message = api._new_bot_message(
        chat,
        caption=None if caption is None else caption.text,
        caption_entities=[] if caption is None else caption.entities,
        source=params.get("caption"),
        parse_mode=params.get("parse_mode"),
        reply_markup=markup,
        reply_to_message_id=reply_to,
        **{kind: sent},
    )
    method = "sendDocument" if kind == "document" else "sendPhoto"
    api._emit("message", method, chat.id, message=message, message_id=message.message_id)
    return message.to_api()


@_method("sendDocument")
async def _send_document(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    return await _send_media(api, params, files, "document")


@_method("sendPhoto")
async def _send_photo(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    return await _send_media(api, params, files, "photo")


@_method("editMessageText")
async def _edit_message_text(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    message = api._editable(params)
    formatted = api._text(params, Errors.EDIT_TOO_LONG)
    markup = normalize_inline_markup(params.get("reply_markup"))
    if message.text is None:
        raise ApiError(400, Errors.NO_TEXT_TO_EDIT)
    result = api._apply_edit(
        "editMessageText", message, text=formatted.text, entities=formatted.entities, reply_markup=markup
    )
    message.source = params["text"]
    message.parse_mode = params.get("parse_mode")
    return result


@_method("editMessageCaption")
async def _edit_message_caption(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    message = api._editable(params)
    caption = api._caption(params)
    markup = normalize_inline_markup(params.get("reply_markup"))
    if message.document is None and message.photo is None:
        raise ApiError(400, Errors.NO_CAPTION_TO_EDIT)
    return api._apply_edit(
        "editMessageCaption",
        message,
        caption=None if caption is None else caption.text,
        caption_entities=[] if caption is None else caption.entities,
        reply_markup=markup,
    )


@_method("editMessageReplyMarkup")
async def _edit_message_reply_markup(
    api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]
) -> Any:
    message = api._editable(params)
    markup = normalize_inline_markup(params.get("reply_markup"))
    return api._apply_edit("editMessageReplyMarkup", message, reply_markup=markup)


@_method("deleteMessage")
async def _delete_message(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    chat = api._chat(params)
    message_id = _as_int(params.get("message_id"))
    if message_id is None:
        raise ApiError(400, Errors.MESSAGE_ID_MISSING)
    message = api.message(chat.id, message_id)
    if message is None or message.deleted:
        raise ApiError(400, Errors.DELETE_NOT_FOUND)
    if chat.type != "private" and not message.from_bot:
        raise ApiError(400, Errors.CANT_DELETE)  # the emulated bot is not a group admin
    message.deleted = True
    api._emit("delete", "deleteMessage", chat.id, message=message, message_id=message_id)
    return True


@_method("answerCallbackQuery")
async def _answer_callback_query(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    query = api._callback_query_for_answer(params)
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        text = str(text)
    if text is not None and len(text) > CALLBACK_ANSWER_MAX:
        raise ApiError(400, Errors.EDIT_TOO_LONG)
    url = params.get("url")
    answer = CallbackAnswer(
        callback_query_id=query.id,
        text=text or None,
        show_alert=params.get("show_alert") is True,
        url=url if isinstance(url, str) and url else None,
    )
    query.answer = answer
    api._emit(
        "callback_answer", "answerCallbackQuery", query.chat.id, callback_query_id=query.id, answer=answer
    )
    return True


@_method("sendChatAction")
async def _send_chat_action(api: BotAPIEmulator, params: Params, files: dict[str, UploadedFile]) -> Any:
    chat = api._chat(params)
    action = params.get("action")
    if action not in CHAT_ACTIONS:
        raise ApiError(400, Errors.WRONG_ACTION)
    api._emit("chat_action", "sendChatAction", chat.id, action=str(action))
    return True


def supported_methods() -> Iterable[str]:
    """Bot API methods the emulator implements."""
    return sorted(name for name, _ in _METHODS.values())
