"""Building the bot and running it: everything is created here, nothing at import time."""

from __future__ import annotations

import asyncio
import gc
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageText,
    GetUpdates,
    SendDocument,
    SendMessage,
    SendPhoto,
)
from aiogram.methods.base import Response
from aiogram.types import BotCommand, LinkPreviewOptions

from bot.i18n import LANGUAGES, texts_for
from bot.middlewares import AccessMiddleware
from bot.session import JsonSession
from bot.settings import Settings
from db.archive import Archive
from db.engine import Database
from handlers import build_router

log = logging.getLogger(__name__)

COMMANDS = ("start", "dialogs", "help", "cancel")
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


def bot_defaults() -> DefaultBotProperties:
    """Every text is HTML; links in dialogs' data are not previewed."""
    return DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True))


def build_bot(token: str, api_url: str) -> Bot:
    session = JsonSession(api=TelegramAPIServer.from_base(api_url))
    return Bot(token, session=session, default=bot_defaults())


def build_dispatcher(database: Database, settings: Settings) -> Dispatcher:
    dispatcher = Dispatcher()
    access = AccessMiddleware(
        Archive(database), settings.admin_ids, settings.zone, settings.page_size, settings.phone_region
    )
    dispatcher.message.outer_middleware(access)
    dispatcher.callback_query.outer_middleware(access)
    dispatcher.include_router(build_router())
    return dispatcher


async def set_commands(bot: Bot) -> None:
    """The command menu in each language; Russian for everyone else."""
    for language in LANGUAGES:
        t = texts_for(language)
        commands = [BotCommand(command=name, description=t(f"command-{name}")) for name in COMMANDS]
        await bot.set_my_commands(commands, language_code=None if language == "ru" else language)


async def run_polling(settings: Settings, database: Database, token: str) -> None:
    """Long polling until SIGINT or SIGTERM (aiogram stops polling on both); then closes cleanly."""
    bot = build_bot(token, settings.telegram_api_url)
    dispatcher = build_dispatcher(database, settings)
    try:
        try:
            await set_commands(bot)
        except TelegramUnauthorizedError:
            raise
        except TelegramAPIError as error:  # Telegram out of reach for now: polling retries on its own
            log.warning("could not set the command menu: %s", error)
        prepare_runtime()
        checkpoints = asyncio.create_task(database.checkpoint_regularly())
        try:
            await dispatcher.start_polling(bot, handle_signals=True, close_bot_session=False)
        finally:
            checkpoints.cancel()
    finally:
        await bot.session.close()
        await database.dispose()
        log.info("stopped")
