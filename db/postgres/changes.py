"""Word of what changed in the database, for what a process keeps in memory between updates (PostgreSQL).

Triggers count each change in the `counters` row named after a channel, and send a notification on that
channel as the change commits (migration 0021: `db.users.PEOPLE_CHANGES`, whenever who may use the bot
changes). A `ChangeWatch` listens on a connection of its own: a notification tells it at once; its
heartbeat, the count read every `HEARTBEAT_SECONDS`, tells it of a change whose notification it missed
(a pooler in transaction mode passes none on) and that its connection still answers. What was kept under
one number of changes heard is current while the number stays the same. The watch vouches for nothing
until its first heartbeat, after its connection is lost and whenever a heartbeat is late: what was kept
is then read again from the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 1.0
# no heartbeat answered this long after the one before it: the watch may have stopped hearing
_TRUSTED_SECONDS = 2.5 * HEARTBEAT_SECONDS
_COUNT = "SELECT coalesce((SELECT value FROM counters WHERE name = $1), 0)"

Listening = Callable[[], AbstractAsyncContextManager[Any]]  # an asyncpg connection of the watch's own


class ChangeWatch:
    """Counts the changes a channel tells of, on the running event loop, from the first `generation()`
    asked until `stop()`."""

    def __init__(self, channel: str, connect: Listening) -> None:
        self._channel = channel
        self._connect = connect
        self._changes = 0  # heard, or found by a heartbeat
        self._count: int | None = None  # the channel's count at the last heartbeat
        self._answered_at = -_TRUSTED_SECONDS  # time.monotonic() of the last heartbeat answered
        self._listening = False
        self._task: asyncio.Task[None] | None = None

    def generation(self) -> int | None:
        """A number that changes whenever the channel's changes do; None while the watch cannot vouch
        that it would know of one (nothing kept may then be trusted, nor kept)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen())
        if not self._listening or time.monotonic() - self._answered_at > _TRUSTED_SECONDS:
            return None
        return self._changes

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _listen(self) -> None:
        """Listens, and heartbeats, for as long as it runs; a connection lost or refused is tried again
        after a heartbeat's time. The log says it once when the word of changes stops, once when it is
        back."""
        failing = False
        while True:
            try:
                async with self._listening_connection() as connection:
                    while True:
                        count = await connection.fetchval(_COUNT, self._channel, timeout=_TRUSTED_SECONDS)
                        if count != self._count:
                            self._count = count
                            self._changes += 1
                        self._answered_at = time.monotonic()
                        if failing:
                            log.info("told of changes again")
                            failing = False
                        await asyncio.sleep(HEARTBEAT_SECONDS)
            except Exception as error:  # the server gone or refusing, a heartbeat late: asyncpg's, OSError
                if not failing:
                    log.warning("not told of changes (%s): reading them at each update", type(error).__name__)
                    failing = True
            await asyncio.sleep(HEARTBEAT_SECONDS)

    @contextlib.asynccontextmanager
    async def _listening_connection(self) -> AsyncIterator[Any]:
        async with self._connect() as connection:
            connection.add_termination_listener(self._lost)
            await connection.add_listener(self._channel, self._heard)
            self._listening = True
            try:
                yield connection
            finally:
                self._lost()

    def _heard(self, *_: Any) -> None:
        self._changes += 1

    def _lost(self, *_: Any) -> None:
        """Changes made while not listening may be missed: what was kept before is not trusted after."""
        self._listening = False
        self._count = None
        self._changes += 1
