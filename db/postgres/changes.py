"""Word of what changed in the database, for what a process keeps in memory between updates (PostgreSQL).

Triggers send a notification on a channel as a change commits (migration 0021: on
`db.users.PEOPLE_CHANGES` whenever who may use the bot changes). A `ChangeWatch` listens on a connection
of its own and counts the changes it hears; what was kept under one count is current while the count
stays the same. The watch can only vouch for what it would have heard: until it listens, after its
connection is lost, and whenever its heartbeat (a notification of its own, sent every
`HEARTBEAT_SECONDS`) has not come back in time, it vouches for nothing, and what was kept is read again
from the database.
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
# a heartbeat not back this long after the one before it: the watch may have stopped hearing
_TRUSTED_SECONDS = 2.5 * HEARTBEAT_SECONDS
_HEARTBEAT = "heartbeat"  # the payload of the watch's own notification; a trigger's is another

Listening = Callable[[], AbstractAsyncContextManager[Any]]  # an asyncpg connection of the watch's own


class ChangeWatch:
    """Counts the changes a channel tells of, on the running event loop, from the first `generation()`
    asked until `stop()`."""

    def __init__(self, channel: str, connect: Listening) -> None:
        self._channel = channel
        self._connect = connect
        self._changes = 0
        self._listening = False
        self._heard_at = -_TRUSTED_SECONDS  # time.monotonic() of the last heartbeat come back
        self._task: asyncio.Task[None] | None = None

    def generation(self) -> int | None:
        """A number that changes whenever the channel tells of a change; None while the watch cannot vouch
        that it would hear one (nothing kept may then be trusted, nor kept)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen())
        if not self._listening or time.monotonic() - self._heard_at > _TRUSTED_SECONDS:
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
                    if failing:
                        log.info("told of changes again")
                        failing = False
                    while True:
                        await connection.execute(
                            "SELECT pg_notify($1, $2)", self._channel, _HEARTBEAT, timeout=_TRUSTED_SECONDS
                        )
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

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        if payload == _HEARTBEAT:
            self._heard_at = time.monotonic()
        else:
            self._changes += 1

    def _lost(self, *_: Any) -> None:
        """Changes made while not listening are not heard: what was kept before is not trusted after."""
        self._listening = False
        self._changes += 1
