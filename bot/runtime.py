"""The runtime tuning of the bot's process, in one place, each piece measured by `python -m
benchmarks.handlers` (benchmarks/README.md, "The handler path"):

- `JsonSession`: requests to the Bot API as JSON bodies. aiogram sends every request as a form and prepares
  it value by value in Python: for a list screen with its twenty-odd buttons that is ~0.3 ms of an update
  that takes ~1.5 ms in all. The Bot API takes JSON bodies as well, and the keyboard, the bulk of a
  request, is written by pydantic's serializer with the rest of the body in one call: ~0.02 ms. Requests
  that upload files still go aiogram's way, as multipart forms.
- `prepare_runtime`: the garbage collector's thresholds, start-up's objects frozen out of its way, and
  aiogram's response classes kept alive.
"""

from __future__ import annotations

import gc
from typing import Any, cast

from aiogram import Bot
from aiogram.client.default import Default
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
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
from aiohttp import ClientError, ClientTimeout
from pydantic_core import to_json

_JSON_HEADERS = {"Content-Type": "application/json"}


class JsonSession(AiohttpSession):
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

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            seconds = self.timeout if timeout is None else timeout
            async with session.post(
                url, data=body, headers=_JSON_HEADERS, timeout=ClientTimeout(total=seconds)
            ) as reply:
                content = await reply.text()
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except ClientError as error:
            raise TelegramNetworkError(method=method, message=f"{type(error).__name__}: {error}") from error
        response = self.check_response(bot=bot, method=method, status_code=reply.status, content=content)
        return cast(TelegramType, response.result)


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
