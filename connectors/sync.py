"""The Chatwoot connector at work: conversations from the durable queue (`db.chatwoot_queue`) fetched
from Chatwoot and stored by the import's own code, a re-poll now and then, and the backfill.

One conversation at a time: Chatwoot's API pages 20 messages a call, and a helpdesk under load is better
asked in turn. A failed fetch (Chatwoot down, slow, refusing) puts its job off with a growing delay and
it is tried again, at the latest every `retry_cap` seconds, for as long as it takes: nothing queued is
dropped. After `FAILING_AFTER` failures in a row it is reported: logged once, counted (`failing`), and
listed by `dialogs-bot sync status`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp

from connectors.chatwoot import ChatwootClient, ChatwootError, ChatwootUnavailable
from db.chatwoot_queue import (
    FAILING_AFTER,
    Job,
    due_jobs,
    enqueue,
    enqueue_unknown,
    mark_done,
    mark_failed,
    next_due,
    queue_state,
    retry_delay,
)
from db.engine import Database
from db.importer import ImportReport, import_items

log = logging.getLogger(__name__)

SOURCE = "chatwoot"
NEEDS = "set CHATWOOT_URL, CHATWOOT_API_TOKEN and CHATWOOT_ACCOUNT_ID"  # to turn the connector on
TAKEN_AT_ONCE = 20  # due jobs read a time; the queue is read again after them
REPOLL_SECONDS = 300.0  # how often recently resolved conversations are listed, for lost webhooks
REPOLL_WINDOW = timedelta(days=1)  # how far back a re-poll looks
RETRY_BASE_SECONDS = 5.0
RETRY_CAP_SECONDS = 3600.0
IDLE_SECONDS = 60.0  # the longest the worker sleeps without looking at the queue


@dataclass(frozen=True, slots=True)
class ChatwootSettings:
    url: str
    api_token: str
    account_id: int
    region: str  # PHONE_REGION
    zone: ZoneInfo  # TIMEZONE
    repoll_seconds: float = REPOLL_SECONDS
    retry_base: float = RETRY_BASE_SECONDS
    retry_cap: float = RETRY_CAP_SECONDS


@dataclass
class SyncReport:
    """What a pass over the queue did."""

    stored: int = 0  # conversations stored
    added: int = 0
    updated: int = 0


Stored = Callable[[int, int, int], None]  # added, updated, rejected: told after each store


class ChatwootSync:
    def __init__(self, database: Database, settings: ChatwootSettings, stored: Stored | None = None) -> None:
        self._database = database
        self._settings = settings
        self._stored = stored
        self._wake = asyncio.Event()
        self.waiting = 0  # jobs not done, as last counted
        self.failing = 0  # of them, those failing `FAILING_AFTER` times or more

    def wake(self) -> None:
        """A job was queued: look at the queue now."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """The service's worker, until `stop`: the job in hand is finished first (its requests are
        bounded by the client's timeout), and a job cut short stays queued."""
        async with aiohttp.ClientSession() as session:
            client = self._client(session)
            next_poll = 0.0
            loop = asyncio.get_running_loop()
            while not stop.is_set():
                self._wake.clear()  # before the work: a job queued during it wakes the wait below
                try:
                    if loop.time() >= next_poll:
                        await self._repoll(client)
                        next_poll = loop.time() + self._settings.repoll_seconds
                    await self.work(client, stop)
                    wait = min(next_poll - loop.time(), await self._until_due())
                except Exception:  # the database locked too long, full…: the queue keeps the jobs
                    log.exception(
                        "the Chatwoot worker failed; it goes on in %.0f s", self._settings.retry_base
                    )
                    wait = self._settings.retry_base
                await _first(stop, self._wake, max(wait, 0.0))

    async def backfill(self, since: datetime) -> int:
        """Queues every conversation resolved since `since` (aware), fetched again if known; returns how
        many. Chatwoot's listing may fail midway: what was listed is queued, and the error raised."""
        async with aiohttp.ClientSession() as session:
            client = self._client(session)
            found: list[int] = []
            try:
                async for conversation_id in client.resolved_since(since):
                    found.append(conversation_id)
            finally:
                await self._database.write(enqueue, found, _now())
        return len(found)

    async def drain(self, stop: asyncio.Event | None = None) -> SyncReport:
        """Works the queue until no job is due now (the command line's `sync chatwoot`)."""
        async with aiohttp.ClientSession() as session:
            return await self.work(self._client(session), stop or asyncio.Event())

    async def work(self, client: ChatwootClient, stop: asyncio.Event) -> SyncReport:
        """Fetches and stores the jobs due now, one at a time, until none is due or `stop`."""
        report = SyncReport()
        tried: set[int] = set()  # a job failing again is left for later, not retried in a loop
        while not stop.is_set():
            jobs = [
                job
                for job in await self._database.read(due_jobs, _now(), TAKEN_AT_ONCE)
                if job.conversation_id not in tried
            ]
            if not jobs:
                break
            for job in jobs:
                if stop.is_set():
                    break
                tried.add(job.conversation_id)
                await self._take(client, job, report)
        await self._count()
        return report

    async def _take(self, client: ChatwootClient, job: Job, report: SyncReport) -> None:
        try:
            dialog = await client.dialog(job.conversation_id)
        except ChatwootError as error:
            retry_after = error.retry_after if isinstance(error, ChatwootUnavailable) else None
            await self._failed(job, str(error), retry_after)
            return
        try:
            stored = await self._store(dialog)
        except Exception as error:  # a locked or full database: the job waits, as for Chatwoot down
            await self._failed(job, f"could not store it: {type(error).__name__}", None)
            return
        if self._stored is not None:
            self._stored(stored.added, stored.updated, len(stored.rejected))
        if stored.rejected:  # Chatwoot gave something the import refuses: it is reported, and kept
            reason = stored.rejected[0].reason
            await self._failed(job, f"the archive refused it: {reason}", None)
            return
        await self._database.write(mark_done, job, _now())
        report.stored += 1
        report.added += stored.added
        report.updated += stored.updated

    async def _store(self, dialog: dict[str, object]) -> ImportReport:
        settings = self._settings
        # shielded: a stop while the thread writes lets the write finish; the job is fetched again
        return await asyncio.shield(
            asyncio.to_thread(
                import_items,
                self._database.sync_engine,
                [(0, 0, dialog)],
                region=settings.region,
                local_tz=settings.zone,
            )
        )

    async def _failed(self, job: Job, error: str, retry_after: float | None) -> None:
        attempts = job.attempts + 1
        settings = self._settings
        delay = retry_delay(attempts, settings.retry_base, settings.retry_cap, retry_after)
        await self._database.write(mark_failed, job, error, _now() + delay)
        if attempts == FAILING_AFTER:
            log.error(
                "Chatwoot conversation %d failed %d times, still queued: %s",
                job.conversation_id,
                attempts,
                error,
            )
        else:
            log.warning(
                "Chatwoot conversation %d: %s; trying again in %.0f s",
                job.conversation_id,
                error,
                delay.total_seconds(),
            )

    async def _repoll(self, client: ChatwootClient) -> None:
        found: list[int] = []
        try:
            async for conversation_id in client.resolved_since(_now() - REPOLL_WINDOW):
                found.append(conversation_id)
        except ChatwootError as error:
            log.warning("Chatwoot re-poll: %s; trying again in %.0f s", error, self._settings.repoll_seconds)
        added = await self._database.write(enqueue_unknown, found, _now())
        if added:
            log.info("Chatwoot re-poll: %d resolved conversations no webhook brought, queued", added)

    async def _until_due(self) -> float:
        due = await self._database.read(next_due)
        if due is None:
            return IDLE_SECONDS
        return min((due - _now()).total_seconds(), IDLE_SECONDS)

    async def _count(self) -> None:
        state = await self._database.read(queue_state, 0)
        self.waiting, self.failing = state.waiting, state.failing_count

    def _client(self, session: aiohttp.ClientSession) -> ChatwootClient:
        settings = self._settings
        return ChatwootClient(session, settings.url, settings.api_token, settings.account_id)


async def _first(stop: asyncio.Event, wake: asyncio.Event, timeout: float) -> None:
    """Waits until `stop` or `wake` is set, or `timeout` seconds."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _now() -> datetime:
    return datetime.now(UTC)
