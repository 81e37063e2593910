"""`POST /api/v1/dialogs`: dialogs pushed by a CRM, stored by the import's own code (`db.importer`).

The body is one JSON object, a JSON array of them, or JSON Lines; every item is stored or rejected with
its reason, as a line of an imported file is. Requests are stored one at a time (SQLite has one writer,
and a queue keeps a burst of requests from holding the bot's own writes up in turn), in a worker thread,
so the bot goes on answering taps meanwhile. A request that was read whole is stored whatever happens to
the caller's connection afterwards, and a stopping service finishes it first.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from api.metrics import Metrics
from db.engine import Database
from db.importer import DatabaseUnwritable, ImportReport, import_items
from db.sources import Item, json_object
from db.tokens import caller_of, note_call

log = logging.getLogger(__name__)

SOURCE = "api"
JSON_TYPE = "application/json"
LINES_TYPES = frozenset({"application/x-ndjson", "application/jsonl", "application/x-jsonlines"})
CHUNK_BYTES = 1 << 16


class Refusal(Exception):
    """A request refused as a whole: its HTTP status and one line saying why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> web.Response:
        headers = {"WWW-Authenticate": "Bearer"} if self.status == 401 else None
        return web.json_response({"error": self.message}, status=self.status, headers=headers)


@dataclass(frozen=True, slots=True)
class IngestSettings:
    region: str  # PHONE_REGION
    zone: ZoneInfo  # TIMEZONE: times without an offset, and the statistics' days
    max_bytes: int  # INGEST_MAX_BYTES


class Ingestion:
    def __init__(self, database: Database, settings: IngestSettings, metrics: Metrics) -> None:
        self._database = database
        self._settings = settings
        self._metrics = metrics
        self._turn = asyncio.Lock()
        self.waiting = 0  # requests read whole and not yet stored
        metrics.watch_queue("ingest", lambda: self.waiting)

    async def handle(self, request: web.Request) -> web.Response:
        try:
            caller = await self._caller(request)
            lines = _is_lines(request.content_type)
            body = await read_body(request, self._settings.max_bytes)
            items = list(_items(body, lines))
            if not items:
                raise Refusal(400, "the body holds no dialogs")
            report = await self._store(items)
        except Refusal as refusal:
            return refusal.response()
        self._metrics.stored(SOURCE, report.added, report.updated, len(report.rejected))
        detail = f"added {report.added}, updated {report.updated}, rejected {len(report.rejected)}"
        await self._database.write(note_call, caller, detail)
        ids = {index: _id_of(found) for index, _, found in items}
        rejected = [
            {"index": rejection.line, "id": ids.get(rejection.line), "error": rejection.reason}
            for rejection in report.rejected
        ]
        return web.json_response({"added": report.added, "updated": report.updated, "rejected": rejected})

    async def _caller(self, request: web.Request) -> str:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Refusal(401, "Authorization: Bearer <token> is required (dialogs-bot tokens add NAME)")
        return await caller_named(self._database, token)

    async def _store(self, items: list[Item]) -> ImportReport:
        self.waiting += 1
        try:
            async with self._turn:
                settings = self._settings
                # shielded: a caller who hangs up does not stop a store under way
                return await asyncio.shield(
                    asyncio.to_thread(
                        import_items,
                        self._database.sync_engine,
                        items,
                        region=settings.region,
                        local_tz=settings.zone,
                    )
                )
        except DatabaseUnwritable as error:
            log.error("ingestion: %s", error)
            stored = error.report.added + error.report.updated
            raise Refusal(
                503, f"the archive cannot be written now ({stored} stored); send again later"
            ) from None
        finally:
            self.waiting -= 1


async def caller_named(database: Database, token: str) -> str:
    """The name of the token's caller; refused when the token is unknown (401) or revoked (403)."""
    caller = await database.read(caller_of, token)
    if caller is None:
        raise Refusal(401, "the token is not known")
    if caller.revoked:
        raise Refusal(403, "the token was revoked")
    return caller.name


def _is_lines(content_type: str) -> bool:
    if content_type == JSON_TYPE:
        return False
    if content_type in LINES_TYPES:
        return True
    raise Refusal(415, "send application/json (an object or an array) or application/x-ndjson (JSON Lines)")


async def read_body(request: web.Request, max_bytes: int) -> bytes:
    """The body, refused as soon as it is known to be larger than `max_bytes` (before it is read whole)."""
    too_large = Refusal(413, f"the body is larger than {max_bytes:,} bytes; send fewer dialogs at a time")
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    parts: list[bytes] = []
    size = 0
    async for part in request.content.iter_chunked(CHUNK_BYTES):
        size += len(part)
        if size > max_bytes:
            raise too_large
        parts.append(part)
    return b"".join(parts)


def _items(body: bytes, lines: bool) -> Iterator[Item]:
    """The body's items as an import file's lines (`db.sources.Item`), numbered from 0: an array's
    elements, or the lines of JSON Lines (blank ones skipped, but counted)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise Refusal(400, f"the body is not UTF-8 text (byte {error.start})") from None
    if lines:
        for index, line in enumerate(text.split("\n")):
            if line.strip():
                yield index, index, json_object(line)
        return
    try:
        found = json.loads(text)
    except ValueError as error:
        raise Refusal(400, f"the body is not valid JSON ({error})") from None
    except RecursionError:
        raise Refusal(400, "the body is not valid JSON (nested too deeply)") from None
    if isinstance(found, dict):
        yield 0, 0, found
    elif isinstance(found, list):
        for index, element in enumerate(found):
            yield index, index, element if isinstance(element, dict) else "not a JSON object"
    else:
        raise Refusal(400, "the body must be a dialog (a JSON object) or an array of them")


def _id_of(found: dict[str, Any] | str) -> str | int | None:
    """The `id` an item gave, to name it in the answer: None when it gave none that could be an id."""
    id_ = found.get("id") if isinstance(found, dict) else None
    return id_ if isinstance(id_, str | int) and not isinstance(id_, bool) else None
