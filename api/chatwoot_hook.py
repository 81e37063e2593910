"""`POST /hooks/chatwoot/<token>`: Chatwoot's webhook events (DESIGN §8).

Chatwoot does not deliver an event twice and waits for no one, so the answer comes at once: an event
that says a conversation was resolved puts the conversation in the durable queue (one short write), and
the worker (`connectors.sync`) fetches it from Chatwoot's API afterwards. The token in the path is an
ingestion token, as Chatwoot sends no header of ours; with CHATWOOT_WEBHOOK_SECRET set, an event must also
carry Chatwoot's signature of its raw body.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiohttp import web

from api.ingest import Refusal, caller_named, read_body
from connectors.chatwoot import resolved_conversation, signature_ok
from connectors.sync import NEEDS, ChatwootSync
from db.chatwoot_queue import queue_event
from db.engine import Database

MAX_EVENT_BYTES = 1 << 20  # an event is a conversation with its last message: kilobytes
OFF = f"the Chatwoot connector is off: {NEEDS}, and restart the bot"


class ChatwootHook:
    def __init__(self, database: Database, sync: ChatwootSync | None, secret: str) -> None:
        """`sync`: the worker (None: the connector is off); `secret`: CHATWOOT_WEBHOOK_SECRET or ""."""
        self._database = database
        self._sync = sync
        self._secret = secret

    async def handle(self, request: web.Request) -> web.Response:
        try:
            caller = await caller_named(self._database, request.match_info["token"])
            if self._sync is None:
                raise Refusal(404, OFF)
            body = await read_body(request, MAX_EVENT_BYTES)
            if self._secret and not signature_ok(
                self._secret,
                request.headers.get("X-Chatwoot-Timestamp"),
                request.headers.get("X-Chatwoot-Signature"),
                body,
            ):
                raise Refusal(401, "the signature is missing or wrong (X-Chatwoot-Signature)")
            try:
                event = json.loads(body)
            except (ValueError, RecursionError):
                raise Refusal(400, "the body is not a JSON event") from None
        except Refusal as refusal:
            return refusal.response()
        conversation_id = resolved_conversation(event)
        if conversation_id is None:  # another event, or not a resolve: nothing to do
            return web.json_response({"queued": False})
        await self._database.write(queue_event, caller, conversation_id, datetime.now(UTC))
        self._sync.wake()
        return web.json_response({"queued": True, "conversation": conversation_id})
