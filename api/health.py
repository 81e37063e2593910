"""`GET /healthz`: whether the service can do its work, for a load balancer or a monitor."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from aiohttp import web

from db.counters import dialog_total
from db.engine import Database

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return version("dialogs-bot")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


VERSION = _version()


class Health:
    def __init__(self, database: Database, last_contact: Callable[[], float | None], mode: str) -> None:
        """`last_contact`: when Telegram last answered (time.time()), or None; `mode`: polling or webhook."""
        self._database = database
        self._last_contact = last_contact
        self._mode = mode

    async def handle(self, _request: web.Request) -> web.Response:
        body: dict[str, Any] = {"status": "ok", "version": VERSION, "mode": self._mode}
        try:
            body["dialogs"] = await self._database.read(dialog_total)
            body["database"] = "ok"
        except Exception as error:  # whatever keeps it from answering: the monitor should know
            log.warning("health: the database does not answer (%s)", type(error).__name__)
            body["status"] = body["database"] = "unavailable"
        contact = self._last_contact()
        body["telegram"] = {
            "last_contact": None if contact is None else datetime.fromtimestamp(contact, UTC).isoformat(),
            "seconds_ago": None if contact is None else round(time.time() - contact, 1),
        }
        return web.json_response(body, status=200 if body["status"] == "ok" else 503)
