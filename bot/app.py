"""Building the bot and running it: everything is created here, nothing at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from typing import cast

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import AiogramError, TelegramUnauthorizedError
from aiogram.fsm.storage.redis import RedisStorage
from aiogram.types import BotCommand, LinkPreviewOptions

from api.chatwoot_hook import ChatwootHook
from api.health import Health
from api.ingest import Ingestion, IngestSettings
from api.metrics import Metrics
from bot.digests import DigestScheduler
from bot.middlewares import AccessMiddleware, LeftQuestion, UpdateMetrics
from bot.polling import Polling, wait_for_bot_api
from bot.runtime import JsonSession, prepare_runtime, said
from bot.server import DRAIN_SECONDS, Server
from bot.settings import Settings
from bot.webhook import Webhook, delete_webhook, set_webhook
from connectors.sync import SOURCE, ChatwootSync
from db.archive import Archive
from db.engine import Database
from db.listing import ListSettings
from handlers import build_router
from views.texts import LANGUAGES, texts_for

log = logging.getLogger(__name__)

COMMANDS = ("start", "dialogs", "find", "analytics", "digest", "help", "cancel", "language")


def bot_defaults() -> DefaultBotProperties:
    """Every text is HTML; links in dialogs' data are not previewed."""
    return DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview=LinkPreviewOptions(is_disabled=True))


def build_bot(token: str, api_url: str, metrics: Metrics | None = None) -> Bot:
    session = JsonSession(api=TelegramAPIServer.from_base(api_url), metrics=metrics)
    return Bot(token, session=session, default=bot_defaults())


def build_dispatcher(database: Database, settings: Settings, metrics: Metrics | None = None) -> Dispatcher:
    """The dispatcher of the bot's updates. With REDIS_URL, what a person is asked (a search typed after
    🔎, dates for a filter: aiogram's FSM) and the turn of each chat's updates (one at a time) live in
    Redis, so that bot processes behind one webhook answer a person as one would."""
    if settings.redis_url is not None:
        storage = RedisStorage.from_url(settings.redis_url.get_secret_value())
        dispatcher = Dispatcher(storage=storage, events_isolation=storage.create_isolation())
    else:
        dispatcher = Dispatcher()
    archive = Archive(
        database,
        ListSettings(settings.zone, settings.phone_region, settings.page_size, settings.review_sample),
    )
    if metrics is not None:
        dispatcher.update.outer_middleware(UpdateMetrics(metrics))
    access = AccessMiddleware(archive, settings.admin_ids, managers_see_own=settings.managers_see_own)
    left = LeftQuestion()
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.outer_middleware(access)
        observer.outer_middleware(left)
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


async def run_service(
    settings: Settings,
    database: Database,
    token: str,
    stop: asyncio.Event | None = None,
    *,
    listening: Callable[[Server], None] | None = None,
) -> None:
    """The bot until SIGINT or SIGTERM (or `stop`): the HTTP server first (health and ingestion work while
    Telegram is out of reach, which it waits for), then updates by long polling or, with WEBHOOK_URL, by
    webhook. A stop finishes the updates and the ingestion already accepted before the session and the
    database close. `listening`: told the server once it listens (tests read its port)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for number in signals:
        loop.add_signal_handler(number, _stop_on_signal, stop, number)
    metrics = Metrics()
    bot = build_bot(token, settings.telegram_api_url, metrics)
    session = cast(JsonSession, bot.session)
    dispatcher = build_dispatcher(database, settings, metrics)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    webhook = Webhook(dispatcher, bot, secret) if settings.webhook_url else None
    polling = Polling(dispatcher, bot)
    metrics.watch_queue(
        "updates", (lambda: webhook.in_flight) if webhook is not None else (lambda: len(polling.in_flight))
    )
    ingestion = Ingestion(
        database, IngestSettings(settings.phone_region, settings.zone, settings.ingest_max_bytes), metrics
    )
    sync = _chatwoot_sync(settings, database, metrics)
    chatwoot_secret = (
        settings.chatwoot_webhook_secret.get_secret_value() if settings.chatwoot_webhook_secret else ""
    )
    server = Server(
        settings.http_host,
        settings.http_port,
        health=Health(database, lambda: session.last_contact, "webhook" if webhook else "polling"),
        metrics=metrics,
        ingestion=ingestion,
        chatwoot=ChatwootHook(database, sync, chatwoot_secret),
        webhook=(settings.webhook_path, webhook) if webhook is not None else None,
    )
    worker: asyncio.Task[None] | None = None
    try:
        await server.start()
        if listening is not None:
            listening(server)
        if sync is not None:  # Chatwoot is worked while Telegram is out of reach too
            worker = asyncio.create_task(sync.run(stop))
        me = await wait_for_bot_api(bot, stop)
        if me is not None:
            log.info("the Bot API answers: @%s", me.username)
            await set_commands(bot)
            prepare_runtime()
            checkpoints = asyncio.create_task(database.checkpoint_regularly())
            digests = asyncio.create_task(_digest_scheduler(settings, database, bot).run(stop))
            # the archive's file replaced or removed (the task logged it): stop, as a signal does
            checkpoints.add_done_callback(lambda _task: stop.set())
            try:
                if webhook is not None:
                    await _serve_webhook(settings, dispatcher, bot, secret, stop)
                else:
                    await delete_webhook(bot)
                    await polling.run(stop)
            finally:
                checkpoints.cancel()
                stop.set()  # the digest in hand is sent and recorded; the rest wait for the next start
                await _finish(digests, DRAIN_SECONDS, "the digest's schedule")
            if checkpoints.done() and not checkpoints.cancelled() and checkpoints.exception():
                raise cast(BaseException, checkpoints.exception())
    finally:
        for number in signals:
            loop.remove_signal_handler(number)
        await server.stop()  # after the updates in hand: requests under way (ingestion, webhook) finish
        if worker is not None:  # the conversation in hand is finished; one cut short stays queued
            stop.set()
            await _finish(worker, DRAIN_SECONDS, "the Chatwoot worker")
        await bot.session.close()
        await dispatcher.storage.close()
        await dispatcher.fsm.events_isolation.close()
        await database.dispose()
        log.info("stopped")


async def _serve_webhook(
    settings: Settings, dispatcher: Dispatcher, bot: Bot, secret: str, stop: asyncio.Event
) -> None:
    workflow = {"dispatcher": dispatcher, "bots": [bot], **dispatcher.workflow_data}
    await dispatcher.emit_startup(bot=bot, **workflow)
    try:
        await set_webhook(bot, dispatcher, settings.webhook_url, secret)
        log.info("Telegram posts updates to %s", settings.webhook_path)
        await stop.wait()
    finally:
        await dispatcher.emit_shutdown(bot=bot, **workflow)


def _chatwoot_sync(settings: Settings, database: Database, metrics: Metrics) -> ChatwootSync | None:
    """The Chatwoot connector's worker, with its figures in the metrics; None when it is off."""
    chatwoot = settings.chatwoot()
    if chatwoot is None:
        return None
    sync = ChatwootSync(
        database,
        chatwoot,
        stored=lambda added, updated, rejected: metrics.stored(SOURCE, added, updated, rejected),
    )
    metrics.watch_queue("chatwoot", lambda: sync.waiting)
    metrics.watch_chatwoot_failing(lambda: sync.failing)
    return sync


def _digest_scheduler(settings: Settings, database: Database, bot: Bot) -> DigestScheduler:
    """The morning digest's schedule, with an archive of its own that sees every dialog."""
    archive = Archive(database, ListSettings(settings.zone, settings.phone_region, settings.page_size))
    return DigestScheduler(archive, database, bot, settings)


async def _finish(task: asyncio.Task[None], seconds: float, name: str) -> None:
    """Waits `seconds` at most for the task to end, then cancels it; its failure is logged, not raised."""
    try:
        await asyncio.wait_for(asyncio.shield(task), seconds)
    except TimeoutError:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    except Exception:
        log.exception("%s failed", name)


def _stop_on_signal(stop: asyncio.Event, number: signal.Signals) -> None:
    log.info("%s: finishing the updates in hand, then stopping", number.name)
    stop.set()
