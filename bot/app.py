"""Building the bot and running it: everything is created here, nothing at import time."""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.types import BotCommand, LinkPreviewOptions

from bot.middlewares import AccessMiddleware
from bot.runtime import JsonSession, prepare_runtime
from bot.settings import Settings
from db.archive import Archive
from db.engine import Database
from db.listing import ListSettings
from handlers import build_router
from views.texts import LANGUAGES, texts_for

log = logging.getLogger(__name__)

COMMANDS = ("start", "dialogs", "help", "cancel")


def bot_defaults() -> DefaultBotProperties:
    """Every text is HTML; links in dialogs' data are not previewed."""
    return DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True))


def build_bot(token: str, api_url: str) -> Bot:
    session = JsonSession(api=TelegramAPIServer.from_base(api_url))
    return Bot(token, session=session, default=bot_defaults())


def build_dispatcher(database: Database, settings: Settings) -> Dispatcher:
    dispatcher = Dispatcher()
    archive = Archive(database, ListSettings(settings.zone, settings.phone_region, settings.page_size))
    access = AccessMiddleware(archive, settings.admin_ids)
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
