"""Webhook mode: Telegram posts each update to the path of WEBHOOK_URL, with WEBHOOK_SECRET in a header.

An update is answered 200 only once it is handled, so an update is never accepted and then lost: should
the bot stop or fail midway, Telegram, which got no answer, delivers it again. (Telegram keeps up to
`max_connections` requests open at once, so a slow update holds up none of the others.) A stopping service
stops taking requests and finishes those under way (`bot.server`).
"""

from __future__ import annotations

import hmac
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import AiogramError, TelegramBadRequest, TelegramUnauthorizedError
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from bot.polling import process_update
from bot.runtime import read_update, said

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_CONNECTIONS = 40  # Telegram's default: requests it keeps open to the bot at once


class WebhookRefused(Exception):
    """Telegram would not take WEBHOOK_URL; the message says why, in its words."""


class Webhook:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self._secret = secret.encode()
        self.in_flight = 0  # updates being handled

    async def handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self._secret):
            return web.json_response({"error": "wrong or missing secret token"}, status=401)
        try:
            update = Update.model_validate(read_update(await request.read()), context={"bot": self.bot})
        except (ValueError, ValidationError):
            return web.json_response({"error": "not a Telegram update"}, status=400)
        self.in_flight += 1
        try:  # a failure is logged, and Telegram is not asked to deliver the update again
            await process_update(self.dispatcher, self.bot, update)
        finally:
            self.in_flight -= 1
        return web.Response()


async def set_webhook(bot: Bot, dispatcher: Dispatcher, url: str, secret: str) -> None:
    """Tells Telegram where to post updates: only the kinds the bot handles. Updates that waited while the
    bot was away are delivered, not dropped."""
    try:
        await bot.set_webhook(
            url,
            secret_token=secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
            max_connections=MAX_CONNECTIONS,
            drop_pending_updates=False,
        )
    except TelegramBadRequest as error:  # an http:// address, a port Telegram does not post to, ...
        raise WebhookRefused(error.message) from None


async def delete_webhook(bot: Bot) -> None:
    """Back to long polling: Telegram refuses getUpdates while a webhook is set."""
    try:
        await bot.delete_webhook(drop_pending_updates=False)
    except TelegramUnauthorizedError:
        raise
    except AiogramError as error:  # polling will say what is wrong if it matters
        log.warning("could not delete the webhook: %s", said(error))
