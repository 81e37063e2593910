"""A fake Chatwoot (v4) server for tests: real HTTP on 127.0.0.1, the REST endpoints the connector reads,
in the shapes of Chatwoot's jbuilder views, and the webhook payloads Chatwoot sends when a conversation is
resolved.

    async with FakeChatwoot.running() as chatwoot:
        conversation_id = chatwoot.add_conversation(messages=47)
        events = chatwoot.resolve(conversation_id)
        ... ChatwootClient(session, chatwoot.url, chatwoot.api_token, chatwoot.account_id) ...

Faults: `fail(status)` (JSON error, or nginx's HTML page for 502–504), `hang(seconds)`, `recover()`; and
two misbehaviours of a broken server: `ignore_before` (the same page of messages again and again) and
`ignore_page` (page 1 of the list for every page). Every request served is in `requests`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from aiohttp import web

from emulator.limits import PROXY_ERROR_PAGE

DEFAULT_TOKEN = "cw-test-token-Zq8xW2vN5kLp3RtY"
DEFAULT_SECRET = "cw-webhook-secret-4HgT7mQa"
START = 1_763_600_000  # 2025-11-20 00:53:20 UTC: the fake's clock starts here, one tick per message

MessageKind = Literal["client", "agent", "bot", "captain", "template", "note", "activity", "attachment"]
# The kinds `add_conversation(messages=N)` cycles through: of every 10, 6 are public text (3 from the client,
# 2 from the agent, 1 from the bot), the rest a private note, an activity message, a template (the
# greeting of an inbox, public) and an attachment without text.
MIX: tuple[MessageKind, ...] = (
    "client",
    "agent",
    "note",
    "client",
    "activity",
    "bot",
    "agent",
    "attachment",
    "client",
    "template",
)
# what each kind becomes in our transcript; None: left out
ROLE: dict[MessageKind, str | None] = {
    "client": "client",
    "agent": "employee",
    "bot": "bot",
    "captain": "bot",
    "template": "employee",
    "note": None,
    "activity": None,
    "attachment": None,
}


@dataclass(frozen=True)
class Served:
    """One request the fake answered."""

    method: str
    path: str
    query: dict[str, str]
    token: str | None  # the api_access_token header as sent
    status: int


@dataclass
class _Fault:
    status: int | None  # None: answer as usual, only late
    seconds: float
    times: int | None  # None: until recover()
    body: str | None
    headers: dict[str, str]


@dataclass
class _Conversation:
    id: int
    inbox_id: int
    contact: dict[str, Any]
    assignee: dict[str, Any] | None
    status: str
    created_at: int
    last_activity_at: int
    uuid: str = field(default_factory=lambda: str(uuid.uuid4()))
    messages: list[dict[str, Any]] = field(default_factory=list)


class FakeChatwoot:
    """One Chatwoot account with its inboxes, conversations and messages, served over HTTP."""

    def __init__(
        self, *, account_id: int = 1, api_token: str = DEFAULT_TOKEN, webhook_secret: str = DEFAULT_SECRET
    ) -> None:
        self.account_id = account_id
        self.api_token = api_token
        self.webhook_secret = webhook_secret
        self.requests: list[Served] = []
        self.messages_per_page = 20
        self.conversations_per_page = 25
        self.ignore_before = False
        self.ignore_page = False
        self.clock = START
        self.agent: dict[str, Any] = _agent(1, "Анна Смирнова")
        self.bot: dict[str, Any] = {"id": 1, "name": "Helper", "avatar_url": "", "type": "agent_bot"}
        self.captain: dict[str, Any] = {
            "id": 1,
            "name": "Captain",
            "avatar_url": "",
            "description": "",
            "created_at": "2025-01-01T00:00:00.000Z",
            "type": "captain_assistant",
        }
        self._inboxes: dict[int, dict[str, Any]] = {}
        self._conversations: dict[int, _Conversation] = {}
        self._next_message_id = 9_001  # message ids are global in Chatwoot, not per conversation
        self._next_contact_id = 501
        self._fault: _Fault | None = None
        self._hang: _Fault | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -----------------------------------------------------------------------------------------------------
    # Life cycle

    @property
    def url(self) -> str:
        """What CHATWOOT_URL would be."""
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, **kwargs: Any) -> AsyncIterator[FakeChatwoot]:
        fake = cls(**kwargs)
        await fake.start()
        try:
            yield fake
        finally:
            await fake.close()

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        prefix = "/api/v1/accounts/{account}"
        app.router.add_get(prefix + "/conversations", self._list)
        app.router.add_get(prefix + "/conversations/{id}", self._show)
        app.router.add_get(prefix + "/conversations/{id}/messages", self._messages)
        app.router.add_get(prefix + "/inboxes/{id}", self._inbox)
        # handler_cancellation: a client that gave up on a hanging request must not keep the fake busy
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()  # port 0: one the OS finds free
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -----------------------------------------------------------------------------------------------------
    # Data

    def add_inbox(self, channel_type: str = "Channel::Whatsapp", *, medium: str | None = None) -> int:
        inbox_id = len(self._inboxes) + 1
        inbox: dict[str, Any] = {
            "id": inbox_id,
            "name": f"{channel_type.removeprefix('Channel::')} inbox",
            "channel_type": channel_type,
            "channel_id": inbox_id,
            "phone_number": "+74950000000",
            "enable_auto_assignment": True,
        }
        if channel_type == "Channel::TwilioSms":  # as the inbox view shows it: only for Twilio
            inbox["medium"] = medium or "sms"
        self._inboxes[inbox_id] = inbox
        return inbox_id

    def add_conversation(
        self,
        *,
        channel: str = "Channel::Whatsapp",
        medium: str | None = None,
        name: str | None = "Иван Петров",
        phone: str | None = "+79161234567",
        email: str | None = None,
        assignee: str | None = "Анна Смирнова",
        messages: int = 0,
        status: str = "open",
    ) -> int:
        """A conversation in a new inbox of `channel`, with `messages` messages of the kinds in `MIX`."""
        inbox_id = self.add_inbox(channel, medium=medium)
        contact_id = self._next_contact_id
        self._next_contact_id += 1
        contact: dict[str, Any] = {
            "additional_attributes": {},
            "availability_status": "offline",
            "email": email,
            "id": contact_id,
            "name": name or "",  # Chatwoot keeps "" for a contact it knows no name of
            "phone_number": phone,
            "blocked": False,
            "identifier": None,
            "thumbnail": "",
            "custom_attributes": {},
            "last_activity_at": self.clock,
            "created_at": self.clock,
            "type": "contact",
        }
        agent: dict[str, Any] | None = None
        if assignee is not None:
            agent = (
                self.agent
                if assignee == self.agent["name"]
                else _agent(2 + len(self._conversations), assignee)
            )
        conversation_id = len(self._conversations) + 1
        self._conversations[conversation_id] = _Conversation(
            id=conversation_id,
            inbox_id=inbox_id,
            contact=contact,
            assignee=agent,
            status=status,
            created_at=self.clock,
            last_activity_at=self.clock,
        )
        for number in range(messages):
            self.add_message(conversation_id, MIX[number % len(MIX)])
        return conversation_id

    def add_message(
        self,
        conversation_id: int,
        kind: MessageKind,
        text: str | None = None,
        *,
        at: int | str | None = None,
        sender_type: bool = True,
    ) -> dict[str, Any]:
        """A message as the messages endpoint lists it; `at` defaults to the next tick of the clock (30 s).
        Without `sender_type`, only `sender.type` says who sent it (as in some of Chatwoot's views)."""
        conversation = self._conversations[conversation_id]
        self.clock += 30
        message_id = self._next_message_id
        self._next_message_id += 1
        message_type = {"client": 0, "attachment": 0, "activity": 2, "template": 3}.get(kind, 1)
        sender: dict[str, Any] | None
        if kind in ("client", "attachment"):
            sender, kind_of_sender = conversation.contact, "Contact"
        elif kind in ("agent", "note"):
            sender, kind_of_sender = conversation.assignee or self.agent, "User"
        elif kind == "bot":
            sender, kind_of_sender = self.bot, "AgentBot"
        elif kind == "captain":
            sender, kind_of_sender = self.captain, "Captain::Assistant"
        else:  # activity and template messages are the system's own
            sender, kind_of_sender = None, None
        if text is None:
            text = {
                "note": f"note {message_id}: client is VIP",
                "activity": f"Conversation was assigned to {self.agent['name']}",
                "template": "Здравствуйте! Мы ответим в течение 5 минут.",
                "attachment": None,
            }.get(kind, f"{kind} message {message_id}")
        message: dict[str, Any] = {
            "id": message_id,
            "content": text,
            "inbox_id": conversation.inbox_id,
            "conversation_id": conversation_id,
            "message_type": message_type,
            "content_type": "text",
            "content_attributes": {},
            "created_at": self.clock if at is None else at,
            "private": kind == "note",
            "source_id": None,
            "status": "sent",
        }
        if sender is not None:
            message["sender"] = sender
            if sender_type:
                message["sender_type"] = kind_of_sender
                message["sender_id"] = sender["id"]
        if kind == "attachment":
            message["attachments"] = [
                {"id": message_id, "message_id": message_id, "file_type": "image", "data_url": "/x.jpg"}
            ]
        conversation.messages.append(message)
        if kind != "activity":
            conversation.last_activity_at = self.clock
        return message

    def messages_of(self, conversation_id: int) -> list[dict[str, Any]]:
        return list(self._conversations[conversation_id].messages)

    def set_times(self, conversation_id: int, *, created_at: int, last_activity_at: int) -> None:
        conversation = self._conversations[conversation_id]
        conversation.created_at, conversation.last_activity_at = created_at, last_activity_at

    def resolve(self, conversation_id: int) -> list[dict[str, Any]]:
        """Resolves it as an agent does, and returns the two webhook payloads Chatwoot sends for that."""
        conversation = self._conversations[conversation_id]
        previous = conversation.status
        conversation.status = "resolved"
        self.add_message(
            conversation_id, "activity", f"Conversation was marked resolved by {self.agent['name']}"
        )
        changed = [{"status": {"previous_value": previous, "current_value": "resolved"}}]
        return [
            self.webhook_payload(conversation_id, "conversation_status_changed"),
            self.webhook_payload(conversation_id, "conversation_updated", changed_attributes=changed),
        ]

    # -----------------------------------------------------------------------------------------------------
    # Webhooks

    def webhook_payload(
        self,
        conversation_id: int,
        event: str,
        *,
        changed_attributes: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """What Chatwoot posts for a conversation event: `Conversation#webhook_data` with the event's name."""
        conversation = self._conversations[conversation_id]
        inbox = self._inboxes[conversation.inbox_id]
        public = [m for m in conversation.messages if not m["private"] and m["message_type"] != 2]
        return {
            "additional_attributes": {},
            "can_reply": True,
            "channel": inbox["channel_type"],
            "contact_inbox": {
                "id": conversation.id,
                "contact_id": conversation.contact["id"],
                "inbox_id": inbox["id"],
                "source_id": f"whatsapp:{conversation.contact['phone_number']}"
                if inbox.get("medium") == "whatsapp"
                else str(uuid.uuid5(uuid.NAMESPACE_OID, str(conversation.id))),
                "hmac_verified": False,
            },
            "id": conversation.id,
            "inbox_id": inbox["id"],
            "messages": public[-1:],  # only the last public message, never the transcript
            "labels": [],
            "meta": {
                "sender": conversation.contact,
                "assignee": conversation.assignee,
                "team": None,
                "hmac_verified": False,
            },
            "status": conversation.status,
            "custom_attributes": {},
            "snoozed_until": None,
            "unread_count": 0,
            "first_reply_created_at": "2025-11-20T00:54:20.000Z",
            "priority": None,
            "waiting_since": 0,
            "agent_last_seen_at": conversation.last_activity_at,
            "contact_last_seen_at": 0,
            "last_activity_at": conversation.last_activity_at,
            "timestamp": conversation.last_activity_at,
            "created_at": conversation.created_at,
            "updated_at": "2025-11-20T01:00:00.000Z",
            "event": event,
            "changed_attributes": changed_attributes,
        }

    @staticmethod
    def body(payload: dict[str, Any]) -> bytes:
        """A payload as the raw bytes of a delivery (Rails' `to_json`: compact, non-ASCII as is)."""
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    def sign(self, body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> dict[str, str]:
        """The headers Chatwoot sends with a signed webhook delivery of `body`."""
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        key = (self.webhook_secret if secret is None else secret).encode()
        digest = hmac.new(key, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return {"X-Chatwoot-Timestamp": stamp, "X-Chatwoot-Signature": f"sha256={digest}"}

    # -----------------------------------------------------------------------------------------------------
    # Faults

    def fail(
        self,
        status: int,
        times: int | None = None,
        *,
        body: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer every request (or the next `times`) with `status`: nginx's HTML page for 502–504 (a proxy
        in front of a Chatwoot that is down), else `body` or Chatwoot's JSON error."""
        self._fault = _Fault(status, 0.0, times, body, dict(headers or {}))

    def hang(self, seconds: float, times: int | None = None) -> None:
        """Answer every request (or the next `times`) only after `seconds`."""
        self._hang = _Fault(None, seconds, times, None, {})

    def recover(self) -> None:
        self._fault = self._hang = None
        self.ignore_before = self.ignore_page = False

    # -----------------------------------------------------------------------------------------------------
    # HTTP

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        response = await self._answer(request, handler)
        self.requests.append(
            Served(
                request.method,
                request.path,
                dict(request.query),
                request.headers.get("api_access_token"),
                response.status,
            )
        )
        return response

    async def _answer(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        hang = self._take("_hang")
        if hang is not None:
            await asyncio.sleep(hang.seconds)
        fault = self._take("_fault")
        if fault is not None and fault.status is not None:
            return _fault_response(fault)
        if request.headers.get("api_access_token") != self.api_token:
            return web.json_response({"error": "Invalid Access Token"}, status=401)
        if request.match_info.get("account") != str(self.account_id):
            return web.json_response({"error": "You are not authorized to access this account"}, status=401)
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return web.json_response({"error": "Resource could not be found"}, status=404)

    def _take(self, which: Literal["_fault", "_hang"]) -> _Fault | None:
        fault: _Fault | None = getattr(self, which)
        if fault is not None and fault.times is not None:
            fault.times -= 1
            if fault.times <= 0:
                setattr(self, which, None)
        return fault

    def _conversation(self, request: web.Request) -> _Conversation:
        raw = request.match_info["id"]
        conversation = self._conversations.get(int(raw)) if raw.isdigit() else None
        if conversation is None:
            raise web.HTTPNotFound()
        return conversation

    async def _show(self, request: web.Request) -> web.Response:
        return web.json_response(self._conversation_json(self._conversation(request)))

    async def _messages(self, request: web.Request) -> web.Response:
        conversation = self._conversation(request)
        # MessageFinder: `before` gives the 20 messages just older than that id, oldest first
        messages = sorted(conversation.messages, key=lambda m: (_unix(m["created_at"]), m["id"]))
        before = request.query.get("before", "")
        if before.isdigit() and not self.ignore_before:
            messages = [m for m in messages if m["id"] < int(before)]
        page = messages[-self.messages_per_page :]
        meta = {"labels": [], "additional_attributes": {}, "contact_id": conversation.contact["id"]}
        return web.json_response({"meta": meta, "payload": page})

    async def _list(self, request: web.Request) -> web.Response:
        status = request.query.get("status", "open")
        chosen = [c for c in self._conversations.values() if status == "all" or c.status == status]
        chosen.sort(key=lambda c: (c.last_activity_at, c.id), reverse=True)
        raw_page = request.query.get("page", "1")
        page = 1 if self.ignore_page or not raw_page.isdigit() else max(int(raw_page), 1)
        size = self.conversations_per_page
        payload = [self._conversation_json(c) for c in chosen[(page - 1) * size : page * size]]
        counts = {
            "mine_count": 0,
            "assigned_count": len(chosen),
            "unassigned_count": 0,
            "all_count": len(chosen),
        }
        return web.json_response({"data": {"meta": counts, "payload": payload}})

    async def _inbox(self, request: web.Request) -> web.Response:
        raw = request.match_info["id"]
        inbox = self._inboxes.get(int(raw)) if raw.isdigit() else None
        if inbox is None:
            raise web.HTTPNotFound()
        return web.json_response(inbox)

    def _conversation_json(self, conversation: _Conversation) -> dict[str, Any]:
        """The conversation partial of Chatwoot's API (`meta.channel`, `timestamp`, the last message)."""
        inbox = self._inboxes[conversation.inbox_id]
        meta: dict[str, Any] = {
            "sender": conversation.contact,
            "channel": inbox["channel_type"],
            "hmac_verified": False,
        }
        if conversation.assignee is not None:  # the view leaves the key out rather than sending null
            meta["assignee"] = conversation.assignee
        return {
            "meta": meta,
            "id": conversation.id,
            "messages": conversation.messages[-1:],
            "account_id": self.account_id,
            "uuid": conversation.uuid,
            "additional_attributes": {},
            "agent_last_seen_at": conversation.last_activity_at,
            "assignee_last_seen_at": 0,
            "can_reply": True,
            "contact_last_seen_at": 0,
            "custom_attributes": {},
            "inbox_id": conversation.inbox_id,
            "labels": [],
            "muted": False,
            "snoozed_until": None,
            "status": conversation.status,
            "created_at": conversation.created_at,
            "timestamp": conversation.last_activity_at,
            "first_reply_created_at": 0,
            "unread_count": 0,
            "last_activity_at": conversation.last_activity_at,
            "priority": None,
            "waiting_since": 0,
            "sla_policy_id": None,
        }


def _agent(agent_id: int, name: str) -> dict[str, Any]:
    return {
        "id": agent_id,
        "account_id": 1,
        "availability_status": "online",
        "auto_offline": True,
        "confirmed": True,
        "email": f"agent{agent_id}@example.com",
        "available_name": name,
        "name": name,
        "role": "agent",
        "thumbnail": "",
        "type": "user",
    }


def _fault_response(fault: _Fault) -> web.Response:
    assert fault.status is not None
    headers = dict(fault.headers)
    if fault.body is not None:
        return web.Response(status=fault.status, text=fault.body, headers=headers)
    if 502 <= fault.status <= 504:
        reason = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}
        page = PROXY_ERROR_PAGE.format(status=fault.status, reason=reason[fault.status])
        return web.Response(status=fault.status, text=page, content_type="text/html", headers=headers)
    if fault.status == 429:
        headers.setdefault("Retry-After", "7")  # Rack::Attack's throttle answer
        return web.json_response({"error": "Too many requests"}, status=429, headers=headers)
    return web.json_response({"error": f"fault {fault.status}"}, status=fault.status, headers=headers)


def _unix(value: int | str) -> float:
    return value if isinstance(value, int) else datetime.fromisoformat(value).timestamp()
