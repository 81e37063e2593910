"""The runtime of the bot's process, in one place: how it talks to the Bot API, and the tuning measured by
`python -m benchmarks.handlers` (benchmarks/README.md, "The handler path"):

- `JsonSession`: requests to the Bot API as JSON bodies. aiogram sends every request as a form and prepares
  it value by value in Python: for a list screen with its twenty-odd buttons that is ~0.3 ms of an update
  that takes ~1.5 ms in all. The Bot API takes JSON bodies as well, and the keyboard, the bulk of a
  request, is written by pydantic's serializer with the rest of the body in one call: ~0.02 ms. Requests
  that upload files still go as multipart forms.
- The same session paces what goes into chats (`Pacer`) and tries a request again when Telegram's fault
  lost it (`retry_delay`), so that a tap survives a flood wait, a 5xx, a proxy's HTML page or a dropped
  connection. Both cost nothing while Telegram answers: one dictionary look-up and a little arithmetic.
- `read_reply`: the Bot API's answers without the keyboards Telegram echoes back. An edited list screen
  and the button a person tapped each bring the screen's twenty-five buttons back; aiogram validates them
  into models (~0.4 ms each, two every tap: ~12 % of the bot's CPU in `python -m benchmarks.load`) that
  nothing reads.
- Errors never carry the token: aiohttp's messages name the URL, which holds it, and a proxy's error page
  may echo the path; the session words every error itself and drops the original (`from None`).
- `prepare_runtime`: the garbage collector's thresholds, start-up's objects frozen out of its way, and
  aiogram's response classes kept alive.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import random
import time
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Final, cast

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageText,
    GetUpdates,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType
from aiogram.types import InlineKeyboardMarkup, InputFile
from aiohttp import ClientConnectorError, ClientError, ClientTimeout, FormData, InvalidURL
from pydantic_core import to_json

from api.metrics import Metrics
from bot.logs import redact

log = logging.getLogger(__name__)

_JSON_HEADERS = {"Content-Type": "application/json"}

# A small request (a screen, a button's answer) waits this long for Telegram, which answers them in well
# under a second: after a minute (aiogram's default, still used for uploads) a repeat comes too late for
# the person who tapped. getUpdates sets its own, longer than its long poll.
ANSWER_SECONDS: Final = 10.0


class NotSent(TelegramNetworkError):
    """No connection to the Bot API could be made: the request never left, so any method may be repeated."""


class UnusableApiUrl(TelegramAPIError):
    """TELEGRAM_API_URL cannot be requested at all (a port out of range, say): repeating will not help."""


# --- Retrying ------------------------------------------------------------------------------------------

# Methods whose second arrival changes nothing: an edit to the same text is "message is not modified", a
# button answered twice is refused, a deleted message is gone already, the menu and the reads are the same.
# They are repeated after any transient failure, a timeout or a connection dropped mid-request included.
IDEMPOTENT: Final = frozenset(
    {
        "getMe",
        "getUpdates",
        "setMyCommands",
        "deleteMyCommands",
        "getMyCommands",
        "deleteWebhook",
        "getWebhookInfo",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "answerCallbackQuery",
        "deleteMessage",
        "sendChatAction",
    }
)
# sendMessage is not idempotent: after a timeout, a dropped connection or a 5xx Telegram may have shown
# the message, and a repeat shows it twice. It is repeated all the same: every message of this bot is a
# screen whose buttons carry their own state, so a second copy works like the first and costs a glance,
# while a lost one costs the person their answer (a search typed for nothing, with no sign whether it
# went through). Files are not: an upload that timed out is likely to time out again, and a second copy
# of an export costs minutes and megabytes; the export says so and the person presses again. Every method
# is repeated after a 429 (Telegram refused it) and when no connection could be made (nothing was sent).
REPEATED_DESPITE_DOUBT: Final = IDEMPOTENT | {"sendMessage"}
# What a repeat hears when the attempt it repeats had been done after all: the outcome it wanted.
ALREADY_DONE: Final = {
    "answerCallbackQuery": "query is too old",
    "deleteMessage": "message to delete not found",
}
ATTEMPTS: Final = 4  # of a request failing for a transient reason (5xx, timeout, dropped connection)
BACKOFF: Final = (0.25, 1.0, 3.0)  # seconds before the 2nd, 3rd, 4th attempt, ±25 % so that chats spread
FLOOD_WAITS: Final = 3  # flood waits one request sits out before its caller hears of it
FLOOD_WAIT_MAX: Final = 30  # seconds: a longer retry_after goes to the caller at once
ANSWER_WAIT_MAX: Final = 10  # a button's answer later than that finds the query expired (~15 s after the tap)


def retry_delay(method: str, error: Exception, attempt: int, floods: int) -> float | None:
    """Seconds to wait before attempt `attempt + 1` of `method` after `error`; None: give up. `floods`:
    the flood waits this request sat out so far."""
    if isinstance(error, TelegramRetryAfter):  # refused, nothing done: any method may come again
        longest = ANSWER_WAIT_MAX if method == "answerCallbackQuery" else FLOOD_WAIT_MAX
        return float(error.retry_after) if floods < FLOOD_WAITS and error.retry_after <= longest else None
    if attempt >= ATTEMPTS or isinstance(error, TelegramEntityTooLarge):  # too large stays too large
        return None
    if isinstance(error, NotSent) or (
        isinstance(error, TelegramServerError | TelegramNetworkError) and method in REPEATED_DESPITE_DOUBT
    ):
        return BACKOFF[attempt - 1] * random.uniform(0.75, 1.25)
    return None


# --- Pacing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """Telegram's limits as the bot keeps them: about one message a second in a chat, "short bursts
    allowed", and about thirty messages a second to all chats for bulk notifications (the Bot FAQ; the
    exact numbers are not published). Each is a token bucket: `*_burst` requests at once, then `*_rate` a
    second. A chat's bucket holds a minute's worth, so a person is never held back by the answers to
    their own taps, yet a runaway burst into one chat (progress edits, a digest and its retries) is spread
    to one a second. The overall bucket counts new messages only (edits answer a person's tap, and are
    held by the chat's bucket); it stays under Telegram's thirty in any second."""

    chat_rate: float = 1.0
    chat_burst: float = 60.0
    all_rate: float = 25.0
    all_burst: float = 5.0


# How a method counts: "send" a new message (its chat and all chats), "edit" a change to one (its chat).
_COUNTED: Final = {
    "sendMessage": "send",
    "sendDocument": "send",
    "sendPhoto": "send",
    "sendMediaGroup": "send",
    "copyMessage": "send",
    "forwardMessage": "send",
    "editMessageText": "edit",
    "editMessageCaption": "edit",
    "editMessageReplyMarkup": "edit",
    "editMessageMedia": "edit",
}
_SWEEP_EVERY: Final = 4096  # new chats between sweeps of the chats whose buckets are full again


class _Bucket:
    __slots__ = ("at", "held", "tokens")

    def __init__(self, tokens: float, at: float) -> None:
        self.tokens = tokens
        self.at = at
        self.held = 0.0  # no request before this moment (a flood wait Telegram asked for)


class Pacer:
    """Reserves each request its place in its chat's bucket (and the overall one for new messages), and
    says how long it waits for it: 0 while the bot keeps within the limits. Reservations are made in
    order, so requests to one chat go out in the order they were made, a second apart once the burst is
    spent. A flood wait Telegram asked for holds the whole chat (`hold`), the error message of a failed
    tap included."""

    def __init__(self, pace: Pace) -> None:
        self.pace = pace
        self._chats: dict[int | str, _Bucket] = {}
        self._all = _Bucket(pace.all_burst, time.monotonic())
        self._held: dict[str, float] = {}  # flood waits of methods outside chats (getUpdates), until when
        self._reserved = 0

    def reserve(self, method: TelegramMethod[Any]) -> float:
        counted = _COUNTED.get(method.__api_method__)
        if counted is None:
            return self._held_for(method.__api_method__) if self._held else 0.0
        chat = getattr(method, "chat_id", None)
        if chat is None:  # an inline message: not in a chat of the bot
            return 0.0
        pace = self.pace
        now = time.monotonic()
        bucket = self._chats.get(chat)
        if bucket is None:
            bucket = self._chats[chat] = _Bucket(pace.chat_burst, now)
            self._reserved += 1
            if self._reserved % _SWEEP_EVERY == 0:
                self._sweep(now)
        wait = _take(bucket, now, pace.chat_rate, pace.chat_burst)
        if counted == "send":
            wait = max(wait, _take(self._all, now, pace.all_rate, pace.all_burst))
        return wait

    def hold(self, method: TelegramMethod[Any], seconds: float) -> None:
        """Telegram asked for a flood wait in this method's chat (or, outside chats, for this method):
        nothing goes there before it is over."""
        chat = getattr(method, "chat_id", None)
        now = time.monotonic()
        if chat is None or method.__api_method__ not in _COUNTED:
            name = method.__api_method__
            self._held[name] = max(self._held.get(name, 0.0), now + seconds)
            return
        bucket = self._chats.setdefault(chat, _Bucket(0.0, now))
        bucket.held = max(bucket.held, now + seconds)

    def _held_for(self, name: str) -> float:
        until = self._held.get(name)
        if until is None:
            return 0.0
        wait = until - time.monotonic()
        if wait <= 0:
            del self._held[name]
        return max(wait, 0.0)

    def _sweep(self, now: float) -> None:
        """Forgets the chats whose buckets have filled up again (and are not held): memory stays bounded
        by the chats active in the last minute, not by everyone the bot ever answered."""
        full = self.pace.chat_burst / self.pace.chat_rate
        idle = [chat for chat, bucket in self._chats.items() if now - bucket.at > full and bucket.held < now]
        for chat in idle:
            del self._chats[chat]


def _take(bucket: _Bucket, now: float, rate: float, burst: float) -> float:
    """Takes one token, in advance when there is none (the bucket goes below zero): the seconds until
    that token would have come, or until a flood wait is over."""
    tokens = min(burst, bucket.tokens + (now - bucket.at) * rate) - 1.0
    bucket.tokens, bucket.at = tokens, now
    wait = -tokens / rate if tokens < 0 else 0.0
    return max(wait, bucket.held - now)


def read_reply(content: str) -> Any:
    """The Bot API's JSON answer less the inline keyboards it echoes back: that of a message a request
    returns (sent or edited) and that of the message under a tapped button. The bot reads a button's data
    from the query, never a message's keyboard, so nothing is lost but the work of parsing them."""
    reply = json.loads(content)
    result = reply.get("result") if isinstance(reply, dict) else None
    if isinstance(result, dict):
        result.pop("reply_markup", None)
    elif isinstance(result, list):  # updates
        for update in result:
            _drop_keyboard(update)
    return reply


def read_update(body: bytes) -> Any:
    """An update as a webhook brings it, less the keyboard of the message under a tapped button."""
    update = json.loads(body)
    _drop_keyboard(update)
    return update


def _drop_keyboard(update: object) -> None:
    query = update.get("callback_query") if isinstance(update, dict) else None
    message = query.get("message") if isinstance(query, dict) else None
    if isinstance(message, dict):
        message.pop("reply_markup", None)


# --- The session --------------------------------------------------------------------------------------


# the files the bot sends, by suffix; anything else goes as bytes
FILE_TYPES: Final = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
}


def file_type(name: str) -> str:
    return FILE_TYPES.get(PurePath(name).suffix.lower(), "application/octet-stream")


class JsonSession(AiohttpSession):
    def __init__(
        self,
        *,
        pace: Pace | None = None,
        answer_seconds: float = ANSWER_SECONDS,
        metrics: Metrics | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(json_loads=read_reply, **kwargs)
        self.pacer = Pacer(pace or Pace())
        self.answer_seconds = answer_seconds
        self.metrics = metrics  # failed attempts counted by HTTP status
        self.last_contact: float | None = None  # when Telegram last answered (time.time()), for /healthz

    def build_form_data(self, bot: Bot, method: TelegramMethod[TelegramType]) -> FormData:
        """aiogram's form, each file with its MIME type: Telegram keeps the type the sender gives
        (`Document.mime_type`), and aiohttp gives application/octet-stream, which a phone cannot open."""
        form = FormData(quote_fields=False)
        files: dict[str, InputFile] = {}
        for key, value in method.model_dump(warnings=False).items():
            value = self.prepare_value(value, bot=bot, files=files)
            if value:
                form.add_field(key, value)
        for key, file in files.items():
            name = file.filename or key
            form.add_field(key, file.read(bot), filename=name, content_type=file_type(name))
        return form

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The request as a JSON body; None when it uploads files (those go as a multipart form)."""
        files: dict[str, InputFile] = {}
        fields: dict[str, Any] = {}
        for name, value in method:
            if isinstance(value, Default):
                value = bot.default[value.name]
            if value is None:
                continue
            if isinstance(value, str | int | float | InlineKeyboardMarkup):  # buttons hold plain values only
                fields[name] = value  # bool and the str and int enums included
            else:  # anything else (defaults inside objects, dates, files) as aiogram prepares it
                fields[name] = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
        if files:
            return None
        # pydantic's serializer writes the keyboard and the rest straight to JSON: ~20 µs, where dumping
        # the keyboard to dicts and those with `json` took ~45 µs
        return to_json(fields, exclude_none=True)

    async def __call__(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        """One request as the bot makes it: paced, and tried again while Telegram's fault allows."""
        wait = self.pacer.reserve(method)
        if wait:
            await asyncio.sleep(wait)
        try:
            return await self._attempt(bot, method, timeout)
        except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as error:
            return await self._again(bot, method, timeout, error)

    async def _attempt(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None
    ) -> TelegramType:
        if self.middleware:  # aiogram's request middlewares, when someone registered any
            return await super().__call__(bot, method, timeout)
        return await self.make_request(bot, method, timeout)

    async def _again(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None, error: Exception
    ) -> TelegramType:
        name = method.__api_method__
        attempt, floods, doubtful = 1, 0, False
        while True:
            delay = retry_delay(name, error, attempt, floods)
            if delay is None:
                raise error
            # an attempt that timed out, lost its connection or met a 5xx may have been done all the same
            doubtful = doubtful or not isinstance(error, TelegramRetryAfter | NotSent)
            if isinstance(error, TelegramRetryAfter):
                floods += 1
                self.pacer.hold(method, delay)
            else:
                attempt += 1
            log.warning("%s failed (%s): trying again in %.1f s", name, said(error), delay)
            await asyncio.sleep(delay)
            wait = self.pacer.reserve(method)
            if wait:
                await asyncio.sleep(wait)
            try:
                return await self._attempt(bot, method, timeout)
            except TelegramBadRequest as refused:
                done = ALREADY_DONE.get(name)
                if doubtful and done is not None and done in refused.message:
                    return cast(TelegramType, True)  # the earlier attempt went through
                raise
            except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as again:
                error = again

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        """One attempt. Every failure comes out as one of aiogram's TelegramAPIError classes (a reply that
        is not the Bot API's JSON, say a proxy's HTML page, included) and without the token."""
        body = self.json_body(bot, method)
        if body is None:
            data: Any = self.build_form_data(bot=bot, method=method)
            headers = None
            seconds = self.timeout if timeout is None else timeout
        else:
            data, headers = body, _JSON_HEADERS
            seconds = self.answer_seconds if timeout is None else timeout
        session = await self.create_session()
        try:
            url = self.api.api_url(token=bot.token, method=method.__api_method__)
            async with session.post(
                url, data=data, headers=headers, timeout=ClientTimeout(total=seconds)
            ) as reply:
                content = (await reply.read()).decode("utf-8", "replace")
        except TimeoutError:
            self._failed("network")
            raise TelegramNetworkError(method=method, message=f"no answer in {seconds:g} s") from None
        except InvalidURL:
            raise UnusableApiUrl(method=method, message="the Bot API URL is not a valid URL") from None
        except ClientConnectorError as error:
            self._failed("network")
            message = redact(f"{type(error).__name__}: {error}", bot.token)
            raise NotSent(method=method, message=message) from None
        except ClientError as error:
            self._failed("network")
            message = redact(f"{type(error).__name__}: {error}", bot.token)
            raise TelegramNetworkError(method=method, message=message) from None
        self.last_contact = time.time()
        try:
            response = self.check_response(bot=bot, method=method, status_code=reply.status, content=content)
        except ClientDecodeError:  # its text holds the whole page, and a page may echo the URL
            self._failed(str(reply.status))
            raise unreadable(method, reply.status, reply.reason, reply.content_type, len(content)) from None
        except TelegramAPIError:
            self._failed(str(reply.status))
            raise
        return cast(TelegramType, response.result)

    def _failed(self, code: str) -> None:
        if self.metrics is not None:
            self.metrics.telegram_errors.labels(code).inc()


def unreadable(
    method: TelegramMethod[Any], status: int, reason: str | None, content_type: str, size: int
) -> TelegramAPIError:
    """The error for a reply that is not the Bot API's JSON: a proxy's or a web server's page."""
    kind = content_type or "no type"
    message = f"HTTP {status} {reason or ''} with {kind} ({size} bytes), not the Bot API's JSON"
    if status == 401:
        return TelegramUnauthorizedError(method=method, message=message)
    if status == 404:
        return TelegramNotFound(method=method, message=message)
    if status == 413:
        return TelegramEntityTooLarge(method=method, message=message)
    if status >= 500:
        return TelegramServerError(method=method, message=message)
    return TelegramNetworkError(method=method, message=message)  # a 200 page, a 429 page: worth a repeat


def said(error: BaseException) -> str:
    """What an aiogram error says (its message, which this session words without the token), for a log."""
    message = getattr(error, "message", None)
    return message if isinstance(message, str) else type(error).__name__


# The methods of every update. aiogram parses each answer with `Response[method.__returning__]`, a pydantic
# class that pydantic caches only weakly: after a garbage collection it is built again (~1–4 ms).
HOT_METHODS = (
    GetUpdates,
    SendMessage,
    EditMessageText,
    AnswerCallbackQuery,
    SendDocument,
    SendPhoto,
    DeleteMessage,
)
_response_types: list[object] = []


# The bot makes no reference cycles while it works (`gc.DEBUG_SAVEALL` over the handler benchmark: none),
# so the collector's passes free nothing. At the default threshold (700 new objects, which one update's
# models pass) they cost ~65 µs an update on average and ~3.5 ms every hundred updates or so, mostly while
# a reply was being parsed (whole-update p99 of a list page 5–7 ms; 2.3–3 ms with these). What caches keep
# is still collected now and then (a pass of ~15 ms every few thousand updates).
GC_THRESHOLDS = (50_000, 20, 100)


def prepare_runtime() -> None:
    """Keeps aiogram's response classes alive, moves what start-up created out of the collector's way (a
    full collection of aiogram's types would otherwise pause the bot for ~150 ms now and then) and makes
    the collector pass rarely (`GC_THRESHOLDS`)."""
    if not _response_types:
        _response_types.extend(Response[method.__returning__] for method in HOT_METHODS)  # type: ignore[name-defined]
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
