"""Building the bot and running it: everything is created here, nothing at import time."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import cast

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import AiogramError, TelegramUnauthorizedError
from aiogram.types import BotCommand, LinkPreviewOptions

from bot.middlewares import AccessMiddleware
from bot.polling import Polling, wait_for_bot_api
from bot.runtime import JsonSession, prepare_runtime, said
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
    """The command menu in each language; Russian for everyone else. A Bot API that fails here (the
    session has tried again already) costs the menu, not the start: the bot works without it."""
    for language in LANGUAGES:
        t = texts_for(language)
        commands = [BotCommand(command=name, description=t(f"command-{name}")) for name in COMMANDS]
        try:
            await bot.set_my_commands(commands, language_code=None if language == "ru" else language)
        except TelegramUnauthorizedError:
            raise
        except AiogramError as error:
            log.warning("could not set the command menu: %s", said(error))
            return


async def run_polling(
    settings: Settings, database: Database, token: str, stop: asyncio.Event | None = None
) -> None:
    """Long polling until SIGINT or SIGTERM (or `stop`): waits for the Bot API when it is out of reach,
    and on a stop finishes the updates in hand before the session and the database close."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, _stop_on_signal, stop, number)
    bot = build_bot(token, settings.telegram_api_url)
    dispatcher = build_dispatcher(database, settings)
    try:
        me = await wait_for_bot_api(bot, stop)
        if me is not None:
            log.info("the Bot API answers: @%s", me.username)
            await set_commands(bot)
            prepare_runtime()
            checkpoints = asyncio.create_task(database.checkpoint_regularly())
            # the archive's file replaced or removed (the task logged it): stop, as a signal does
            checkpoints.add_done_callback(lambda _task: stop.set())
            try:
                await Polling(dispatcher, bot).run(stop)
            finally:
                checkpoints.cancel()
            if checkpoints.done() and not checkpoints.cancelled() and checkpoints.exception():
                raise cast(BaseException, checkpoints.exception())
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
        await bot.session.close()
        await database.dispose()
        log.info("stopped")


def _stop_on_signal(stop: asyncio.Event, number: signal.Signals) -> None:
    log.info("%s: finishing the updates in hand, then stopping", number.name)
    stop.set()
