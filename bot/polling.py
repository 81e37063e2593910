"""Long polling that loses no tap: waiting for the Bot API at start, honouring Telegram's retry_after, and
on SIGTERM finishing the updates already taken before anything is closed.

aiogram's own `start_polling` cancels its loop on a signal and returns while the handlers of the updates
it took still run; the session was then closed under them (17 taps of 200 people lost in a probe). It
also waits 1 s after a 429 that asks for 10, and it never tells Telegram which of the last updates it
handled, so a restart handles them again. This loop keeps every update it took in `in_flight` and, when
told to stop, stops asking for more, waits for those (`DRAIN_SECONDS` at most) and confirms the ones
finished to Telegram; an update it had to abandon is left unconfirmed, so Telegram delivers it again to
the next start instead of it being lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Final

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    AiogramError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramUnauthorizedError,
)
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import Update, User

from bot.runtime import UnusableApiUrl, said

log = logging.getLogger(__name__)

POLL_SECONDS: Final = 10  # a long poll's wait for updates (aiogram's default)
DRAIN_SECONDS: Final = 10.0  # how long a stop waits for the updates in hand
CONFIRM_SECONDS: Final = 5.0  # the last getUpdates, which tells Telegram what was handled
BACKOFF_FIRST: Final = 1.0
BACKOFF_MAX: Final = 60.0  # a Bot API out of reach for hours is asked once a minute


class Backoff:
    """1, 2, 4, … seconds up to a minute; back to 1 after a success."""

    def __init__(self) -> None:
        self.delay = BACKOFF_FIRST

    def next(self) -> float:
        delay = self.delay
        self.delay = min(self.delay * 2, BACKOFF_MAX)
        return delay

    def reset(self) -> None:
        self.delay = BACKOFF_FIRST


async def stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Sleeps `seconds`, or less when `stop` is set meanwhile; whether it was."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


async def wait_for_bot_api(bot: Bot, stop: asyncio.Event) -> User | None:
    """The bot's own user, once the Bot API answers; None when told to stop first. A service started
    while the network, Telegram or a proxy is down waits for them, asking again with a backoff. What
    waiting cannot mend goes to the caller: a token Telegram refuses (401), a URL that is no Bot API
    (404) or no URL at all."""
    backoff = Backoff()
    while True:
        try:
            return await bot.get_me()
        except (TelegramUnauthorizedError, TelegramNotFound, UnusableApiUrl):
            raise
        except AiogramError as error:
            delay = float(error.retry_after) if isinstance(error, TelegramRetryAfter) else backoff.next()
            log.warning("the Bot API is out of reach (%s): asking again in %.0f s", said(error), delay)
        if await stopped_within(stop, delay):
            return None


class Polling:
    """Takes updates with getUpdates and handles each in a task of its own, as aiogram does."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        bot: Bot,
        *,
        poll_seconds: int = POLL_SECONDS,
        drain_seconds: float = DRAIN_SECONDS,
    ) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.poll_seconds = poll_seconds
        self.drain_seconds = drain_seconds
        self.in_flight: dict[asyncio.Task[None], int] = {}  # each update being handled, by its id
        self.taken = 0  # updates taken so far
        self.abandoned: list[int] = []  # updates a stop did not wait for (Telegram delivers them again)
        self._offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Polls until `stop` is set, then finishes the updates in hand and confirms them. A token
        Telegram stops accepting (401) ends it too, after the same finish."""
        dispatcher, bot = self.dispatcher, self.bot
        workflow = {"dispatcher": dispatcher, "bots": [bot], **dispatcher.workflow_data}
        await dispatcher.emit_startup(bot=bot, **workflow)
        log.info("Start polling")
        try:
            await self._take(stop)
        finally:
            await self._finish()
            await dispatcher.emit_shutdown(bot=bot, **workflow)
            log.info("Polling stopped")

    async def _take(self, stop: asyncio.Event) -> None:
        bot = self.bot
        allowed = self.dispatcher.resolve_used_update_types()
        # longer than the long poll, so that a poll with nothing to deliver is not taken for a hang
        request_timeout = int(bot.session.timeout + self.poll_seconds)
        backoff = Backoff()
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                request = GetUpdates(offset=self._offset, timeout=self.poll_seconds, allowed_updates=allowed)
                fetch = asyncio.ensure_future(bot(request, request_timeout=request_timeout))
                await asyncio.wait((fetch, stopping), return_when=asyncio.FIRST_COMPLETED)
                if not fetch.done():  # told to stop mid-poll: what it would bring stays unconfirmed
                    fetch.cancel()
                    with contextlib.suppress(asyncio.CancelledError, AiogramError):
                        await fetch
                    break
                try:
                    updates = fetch.result()
                except TelegramUnauthorizedError:
                    raise
                except AiogramError as error:  # the session tried already: back off, or as Telegram says
                    if isinstance(error, TelegramRetryAfter):
                        delay = float(error.retry_after)
                    else:
                        delay = backoff.next()
                    log.warning("getUpdates failed (%s): asking again in %.1f s", said(error), delay)
                    await stopped_within(stop, delay)
                    continue
                backoff.reset()
                for update in updates:  # every update taken gets its task, even when a stop came meanwhile
                    self._handle(update)
        finally:
            stopping.cancel()

    def _handle(self, update: Update) -> None:
        task = asyncio.ensure_future(self._process(update))
        self.in_flight[task] = update.update_id
        task.add_done_callback(self._done)
        self.taken += 1
        self._offset = update.update_id + 1

    def _done(self, task: asyncio.Task[None]) -> None:
        self.in_flight.pop(task, None)

    async def _process(self, update: Update) -> None:
        await process_update(self.dispatcher, self.bot, update)

    async def _finish(self) -> None:
        """Waits for the updates in hand, then tells Telegram which were handled."""
        pending = set(self.in_flight)
        if pending:
            log.info("finishing %d updates in hand", len(pending))
            _, pending = await asyncio.wait(pending, timeout=self.drain_seconds)
        if pending:
            self.abandoned = sorted(self.in_flight[task] for task in pending if task in self.in_flight)
            log.warning(
                "%d updates not finished in %.0f s: Telegram delivers them again to the next start",
                len(pending),
                self.drain_seconds,
            )
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._offset is None:
            return
        # Telegram forgets the updates below `offset`; an abandoned one and those after it stay for the
        # next start (handling a few of them twice beats losing one)
        offset = min([*self.abandoned, self._offset])
        confirm = GetUpdates(offset=offset, timeout=0, limit=1)
        try:  # after a flood wait Telegram asked for, if it is short; the session keeps it
            await asyncio.wait_for(self.bot(confirm, request_timeout=int(CONFIRM_SECONDS)), CONFIRM_SECONDS)
        except (AiogramError, TimeoutError) as error:
            log.warning("could not confirm the handled updates (%s): they may come again", said(error))


async def process_update(dispatcher: Dispatcher, bot: Bot, update: Update) -> None:
    """As aiogram's polling does (and the webhook, `bot.webhook`): the update through the dispatcher, a
    method a handler returned sent, and whatever escaped the error handlers logged."""
    try:
        response = await dispatcher.feed_update(bot, update)
        if isinstance(response, TelegramMethod):
            await dispatcher.silent_call_request(bot=bot, result=response)
    except Exception:
        log.exception("update %s failed", update.update_id)
