"""The morning digest's schedule (issue 16, point 5): a task of the bot's process that looks each minute
at what is due — each person's digest at their local time, and the alerts of channels fallen silent — and
sends it through the bot's session, whose pacer (`bot.runtime.Pacer`) keeps a hundred digests at 09:00
under Telegram's limits.

Every replica runs it; the database decides who sends what (`db.digest.claim`, `db.digest.tell_silence`),
so that each digest goes out once and none is lost: a process stopped (SIGTERM) finishes the digest in
hand, one killed leaves a claim that runs out (`LEASE`), and a digest missed while no process ran is sent
when one starts, the same local day (the next day brings the next day's digest, never two).

The clock is given (`clock`): the tests set it, and `tick` looks at that moment alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time as wall
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import AiogramError, TelegramBadRequest, TelegramForbiddenError

from bot.settings import Settings
from db import digest
from db.archive import Archive
from db.digest import Digest, Subscription
from db.engine import Database
from db.periods import utc_now
from db.users import Role
from views.digest import digest_screen, silence_text
from views.texts import Texts, texts_for

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # a claim's life: longer than sending a day's digests to everyone takes
RETRY = timedelta(minutes=1)  # a digest whose send failed is tried again after this


def scheduled_at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The moment (UTC) of the local time `minute` of `day`: the first of the two when the clocks go back
    and it occurs twice; when the clocks go forward over it and it does not exist, the first moment after
    it (the moment the clocks jump)."""
    wall_time = datetime.combine(day, time(minute // 60, minute % 60))
    first = wall_time.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall_time:
        return first
    # in the gap: fold=1 reads it with the offset after the jump, which lands before the jump; the jump
    # lies between that and `first`, on a whole minute
    moment = wall_time.replace(tzinfo=zone, fold=1).astimezone(UTC)
    while moment.astimezone(zone).replace(tzinfo=None) < wall_time:
        moment += timedelta(minutes=1)
    return moment


class DigestScheduler:
    def __init__(
        self,
        archive: Archive,
        database: Database,
        bot: Bot,
        settings: Settings,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._archive = archive
        self._db = database
        self._bot = bot
        self._settings = settings
        self._zone = settings.zone
        self._admins = frozenset(settings.admin_ids)
        self._clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        """Looks at what is due at the start of each minute until `stop`; a round under way is finished
        (the digest in hand sent and recorded), the people not reached yet are left to the next start."""
        while not stop.is_set():
            try:
                await self.tick(stop)
            except Exception:  # the database or Telegram away: the next minute tries again
                log.exception("the digest's round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 60.5 - wall.time() % 60)

    async def tick(self, stop: asyncio.Event | None = None) -> int:
        """What is due at the clock's moment: the digests (how many were sent), then the silences."""
        now = self._clock()
        sent = await self.send_digests(now, stop)
        await self.tell_silences(now)
        return sent

    async def send_digests(self, now: datetime, stop: asyncio.Event | None = None) -> int:
        today = now.astimezone(self._zone).date()
        people = await self._db.read(digest.subscribers)
        due = [
            person
            for person in people
            if (person.sent_day is None or person.sent_day < today)
            and now >= scheduled_at(today, person.minute, self._zone)
        ]
        built: Digest | None = None
        sent = 0
        # one after another: the session paces them (25 new messages a second at most), and a claim is
        # taken just before its send, so that a stop leaves the rest unclaimed for the next process
        for person in due:
            if stop is not None and stop.is_set():
                break
            t = await self._reader(person)
            if t is None:
                continue
            if not await self._db.write(digest.claim, person.telegram_id, today, now, LEASE):
                continue  # sent already, or another process is sending it
            try:
                if built is None:
                    built = await self._archive.digest(today - timedelta(days=1))
                screen = digest_screen(built, t)
                await self._bot.send_message(person.telegram_id, screen.text, reply_markup=screen.markup)
            except (TelegramForbiddenError, TelegramBadRequest) as error:
                # blocked the bot, or no chat with them: trying again changes nothing today
                log.warning("the digest for %s cannot be sent: %s", person.telegram_id, error.message)
                await self._db.write(digest.mark_sent, person.telegram_id, today)
            except Exception as error:
                log.warning("the digest for %s failed, trying again later: %s", person.telegram_id, error)
                await self._db.write(digest.put_off, person.telegram_id, today, self._clock() + RETRY)
            else:
                await self._db.write(digest.mark_sent, person.telegram_id, today)
                sent += 1
        return sent

    async def _reader(self, subscription: Subscription) -> Texts | None:
        """The catalogue to write to a person in (the language they chose in the bot since, else the one
        they set the digest in); None for someone who may not read it: only heads and admins get the
        digest, one demoted or removed since keeps their setting, unused."""
        person = await self._archive.person(subscription.telegram_id)
        if subscription.telegram_id not in self._admins and person.role not in (Role.HEAD, Role.ADMIN):
            return None
        return texts_for(person.language or subscription.language)

    async def tell_silences(self, now: datetime) -> int:
        """The channels fallen silent during working hours, each told once to everyone whose digest is on;
        how many were told. Looked at only once the silent hours lie within today's working hours."""
        settings = self._settings
        first, end = settings.work_hours_range
        local = now.astimezone(self._zone)
        minute = local.hour * 60 + local.minute
        if not (first + settings.silence_hours) * 60 <= minute < end * 60:
            return 0
        silences = await self._db.read(
            digest.silent_channels, now, self._zone, settings.silence_hours, settings.silence_usual_dialogs
        )
        if not silences:
            return 0
        readers = []
        for person in await self._db.read(digest.subscribers):
            t = await self._reader(person)
            if t is not None:
                readers.append((person.telegram_id, t))
        told = 0
        for silence in silences:
            if not await self._db.write(digest.tell_silence, silence, now):
                continue
            told += 1
            for telegram_id, t in readers:
                text = silence_text(silence, t, self._zone, now, settings.silence_hours)
                try:
                    await self._bot.send_message(telegram_id, text)
                except AiogramError as error:  # an alert is for now: it is not tried again later
                    log.warning("the silence alert for %s failed: %s", telegram_id, error)
        return told
