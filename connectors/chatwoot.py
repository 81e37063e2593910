"""Chatwoot (v4) as a source of completed dialogs.

The pure parts: which webhook event means a conversation was resolved (`resolved_conversation`), the check
of a signed webhook (`signature_ok`) and the mapping of a conversation with its messages to our import
format (`dialog_of`). The one part that talks to Chatwoot is `ChatwootClient`, over its REST API; its
errors say whether trying again later can help (`ChatwootUnavailable`) or not (`ChatwootRefused`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

import aiohttp

from db.records import LONE_SURROGATE, MAX_CHANNEL_LENGTH, MAX_NAME_LENGTH

logger = logging.getLogger(__name__)

RESOLVED = "resolved"
MAX_MESSAGES = 10_000
# 25 conversations a page: 100,000 resolved conversations before a backfill gives up on a server that
# keeps answering with new pages
MAX_LISTING_PAGES = 4_000
MAX_ID = 2**63 - 1  # Chatwoot's ids are PostgreSQL bigints

Role = Literal["client", "employee", "bot"]

# Chatwoot's channel class (without "Channel::", lower-cased) -> our channel code
CHANNELS: Mapping[str, str] = {
    "whatsapp": "whatsapp",
    "telegram": "telegram",
    "instagram": "instagram",
    "facebookpage": "facebook",
    "webwidget": "webchat",
    "email": "email",
    "api": "api",
    "sms": "sms",
    "line": "line",
}
# message_type arrives as an integer from the REST API, as a name in some webhook payloads
MESSAGE_TYPES: Mapping[str, int] = {"incoming": 0, "outgoing": 1, "activity": 2, "template": 3}
INCOMING, OUTGOING, ACTIVITY, TEMPLATE = 0, 1, 2, 3
# Automated senders: agent bots, and Captain, the AI assistant of Chatwoot's enterprise edition
BOT_SENDER_TYPES = frozenset({"AgentBot", "Captain::Assistant"})
BOT_SENDER_KINDS = frozenset({"agent_bot", "captain_assistant"})
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15  # E.164; a longer "number" would make our parser reject the whole dialog


# ---------------------------------------------------------------------------------------------------------
# Webhooks


def resolved_conversation(event: Mapping[str, Any]) -> int | None:
    """The id of the conversation this webhook event reports as resolved, else None (never raises).

    v4 sends `conversation_status_changed` and `conversation_updated` for one resolve, in either order,
    and sometimes only the second; servers before 2022 sent `conversation_resolved`.
    """
    if not isinstance(event, Mapping):
        return None
    name = event.get("event")
    if name == "conversation_resolved":
        resolved = True
    elif name == "conversation_status_changed":
        resolved = _is_resolved(event.get("status"))
    elif name == "conversation_updated":
        resolved = _is_resolved(event.get("status")) or _became_resolved(event.get("changed_attributes"))
    else:
        return None
    return _positive_id(event.get("id")) if resolved else None


def _is_resolved(status: object) -> bool:
    return isinstance(status, str) and status == RESOLVED


def _became_resolved(changes: object) -> bool:
    # v4 sends a list of one-key objects; a lone object is accepted in case a server sends it bare
    items: Sequence[object] = changes if isinstance(changes, list) else [changes]
    for item in items:
        if isinstance(item, Mapping):
            change = item.get("status")
            if isinstance(change, Mapping) and _is_resolved(change.get("current_value")):
                return True
    return False


def _positive_id(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


def signature_ok(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float | None = None,
    tolerance: float = 300,
) -> bool:
    """Whether `X-Chatwoot-Signature` is `sha256=` + HMAC-SHA256(secret, "<timestamp>.<raw body>") and
    `X-Chatwoot-Timestamp` is within `tolerance` seconds of now (an old delivery replayed is refused)."""
    if not secret or timestamp is None or signature is None:
        return False  # an empty secret would let anyone sign
    stamp = timestamp.strip()
    if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(stamp)) > tolerance:
        return False
    scheme, _, given = signature.strip().partition("=")
    if scheme.lower() != "sha256" or len(given) != 64 or not given.isascii():
        return False
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + bytes(body), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given.lower())


# ---------------------------------------------------------------------------------------------------------
# Mapping to the import format


def dialog_of(
    account_id: int, conversation: Mapping[str, Any], messages: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """The import dict (DESIGN §3) of a conversation: the API's (`meta.channel`) or a webhook's (`channel`).

    Only public messages with text are kept. Raises ValueError when the conversation has no id or no
    time at all, as no dialog can be made of it.
    """
    conversation_id = _positive_id(conversation.get("id"))
    if conversation_id is None:
        raise ValueError("the conversation has no id")
    meta = _mapping(conversation.get("meta"))
    contact = _mapping(meta.get("sender"))
    assignee = _mapping(meta.get("assignee"))

    kept = sorted(
        (message for message in (_message(item) for item in messages) if message is not None),
        key=lambda message: message[0],  # stable: messages of one second keep Chatwoot's order
    )
    created = _moment(conversation.get("created_at"))
    last_activity = (
        _moment(conversation.get("last_activity_at"))
        or _moment(conversation.get("timestamp"))
        or _moment(conversation.get("updated_at"))
    )
    started_at = kept[0][0] if kept else created
    completed_at = kept[-1][0] if kept else (last_activity or created)
    if completed_at is None:
        raise ValueError(f"conversation {conversation_id} has no time")
    if started_at is not None and started_at > completed_at:
        started_at = completed_at  # a clock that went back must not cost the whole dialog

    client_name = _name(contact.get("name"))
    client_phone = _phone(contact.get("phone_number"))
    if client_name is None and client_phone is None:
        client_name = _name(contact.get("email")) or f"Chatwoot #{conversation_id}"

    return {
        "id": f"chatwoot-{account_id}-{conversation_id}",
        "client_name": client_name,
        "client_phone": client_phone,
        "channel": _channel(conversation),
        "completed_by": _name(assignee.get("name")) or _name(assignee.get("available_name")),
        "started_at": started_at.isoformat() if started_at is not None else None,
        "completed_at": completed_at.isoformat(),
        "message_count": len(kept),
        "messages": [
            {"at": at.isoformat(), "from": role, "author": author, "text": text}
            for at, role, author, text in kept
        ],
    }


def _message(message: Mapping[str, Any]) -> tuple[datetime, Role, str | None, str] | None:
    if not isinstance(message, Mapping) or message.get("private") in (True, "true"):
        return None
    kind = message.get("message_type")
    if isinstance(kind, str):
        kind = MESSAGE_TYPES.get(kind)
    elif isinstance(kind, bool):
        kind = None
    role: Role
    if kind == INCOMING:
        role = "client"
    elif kind in (OUTGOING, TEMPLATE):
        role = "bot" if _from_bot(message) else "employee"
    else:  # activity ("Conversation was marked resolved by …") and unknown kinds are not said to anyone
        return None
    content = message.get("content")
    if not isinstance(content, str) or not content.strip():
        return None  # attachments only: nothing to read in a transcript
    at = _moment(message.get("created_at"))
    if at is None:
        return None  # a message that cannot be placed in time cannot be placed in the transcript
    sender = _mapping(message.get("sender"))
    author = _name(sender.get("name")) or _name(sender.get("available_name"))
    return at, role, author, _clean(content)


def _from_bot(message: Mapping[str, Any]) -> bool:
    sender_type = message.get("sender_type")
    kind = _mapping(message.get("sender")).get("type")
    return (isinstance(sender_type, str) and sender_type in BOT_SENDER_TYPES) or (
        isinstance(kind, str) and kind in BOT_SENDER_KINDS
    )


def _channel(conversation: Mapping[str, Any]) -> str:
    kind = _channel_class(conversation)
    # one class for Twilio's SMS and its WhatsApp: the inbox's medium tells them apart
    if kind == "twiliosms":
        return "whatsapp" if _medium(conversation) == "whatsapp" else "sms"
    if kind in CHANNELS:
        return CHANNELS[kind]
    return _clean(kind)[:MAX_CHANNEL_LENGTH] or "chatwoot"


def _channel_class(conversation: Mapping[str, Any]) -> str:
    """`Channel::TwilioSms` -> `twiliosms`: a webhook's top-level `channel`, or the API's `meta.channel`."""
    raw = conversation.get("channel") or _mapping(conversation.get("meta")).get("channel")
    return raw.strip().removeprefix("Channel::").lower() if isinstance(raw, str) else ""


def _medium(conversation: Mapping[str, Any]) -> str | None:
    """A Twilio inbox's medium: put on the conversation by `ChatwootClient.dialog` (from the inbox), or
    seen in a webhook's contact_inbox, whose source id is Twilio's `whatsapp:+…` address."""
    for holder in (conversation, _mapping(conversation.get("meta")), _mapping(conversation.get("inbox"))):
        medium = holder.get("medium")
        if isinstance(medium, str) and medium.strip():
            return medium.strip().lower()
    source_id = _mapping(conversation.get("contact_inbox")).get("source_id")
    if isinstance(source_id, str) and source_id.startswith("whatsapp:"):
        return "whatsapp"
    return None


def _name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    name = " ".join(_clean(value).split())
    return name[:MAX_NAME_LENGTH] or None  # a longer name would make our parser reject the dialog


def _phone(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    digits = sum(ch.isdigit() for ch in value)
    return value.strip() if MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS else None


def _clean(text: str) -> str:
    # a lone surrogate (from a JSON escape) would make our parser reject the whole dialog
    return LONE_SURROGATE.sub("\ufffd", text)


def _moment(value: object) -> datetime | None:
    """A time Chatwoot gave as Unix seconds (number or digits) or ISO 8601 text; None for none, or 0 (Rails'
    `nil.to_i`, a time that never happened)."""
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 12:
            return _moment(int(text))
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).astimezone(UTC)
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):  # beyond the calendar, or NaN
            return None
    return None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


# ---------------------------------------------------------------------------------------------------------
# The REST client


class ChatwootError(Exception):
    """Chatwoot could not give what was asked. The message never holds the API token."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status, when there was an answer


class ChatwootUnavailable(ChatwootError):
    """Worth trying again later: a timeout, no connection, 429, 5xx, or a reply that is not Chatwoot's."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after  # seconds, when the server said (429, 503)


class ChatwootRefused(ChatwootError):
    """Trying again will not help: a wrong token (401), no access (403), no such conversation (404)…"""


class ChatwootClient:
    """Reads one account of a Chatwoot server over its REST API (`api_access_token` of an agent or admin)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        api_token: str,
        account_id: int,
        *,
        timeout: float = 10.0,
    ) -> None:
        if _positive_id(account_id) is None:
            raise ValueError("account_id must be a positive integer")
        if not api_token:
            raise ValueError("api_token is empty")
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._token = api_token
        self._account_id = account_id
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._mediums: dict[int, str | None] = {}  # Twilio inboxes' media, asked once per inbox

    async def conversation(self, conversation_id: int) -> dict[str, Any]:
        """The conversation as `GET …/conversations/{id}` gives it."""
        path = f"/conversations/{_checked(conversation_id)}"
        reply = await self._get(path)
        if not isinstance(reply, dict) or _positive_id(reply.get("id")) is None:
            raise self._unexpected(path, "a conversation")
        return reply

    async def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        """All its messages, oldest first, private notes and activity messages included (of a longer
        conversation, its newest `MAX_MESSAGES`: the end, with the resolve, matters most)."""
        path = f"/conversations/{_checked(conversation_id)}/messages"
        pages: list[list[dict[str, Any]]] = []
        count = 0
        before: int | None = None
        while count < MAX_MESSAGES:
            reply = await self._get(path, {} if before is None else {"before": str(before)})
            payload = reply.get("payload") if isinstance(reply, dict) else None
            if not isinstance(payload, list) or not all(
                isinstance(item, dict) and _positive_id(item.get("id")) is not None for item in payload
            ):
                raise self._unexpected(path, "a page of messages")
            # A server that ignores `before` repeats a page: what is not older than the last page is not new.
            page = [item for item in payload if before is None or item["id"] < before]
            if not page:
                break
            pages.append(page)
            count += len(page)
            before = min(item["id"] for item in page)
        messages = [item for page in reversed(pages) for item in page]
        if len(messages) > MAX_MESSAGES:
            logger.warning(
                "Chatwoot conversation %d has over %d messages; the oldest are left out",
                conversation_id,
                MAX_MESSAGES,
            )
            messages = messages[-MAX_MESSAGES:]
        return messages

    async def dialog(self, conversation_id: int) -> dict[str, Any]:
        """The conversation in our import format (`dialog_of`)."""
        conversation = await self._with_medium(await self.conversation(conversation_id))
        messages = await self.messages(conversation_id)
        try:
            return dialog_of(self._account_id, conversation, messages)
        except ValueError as error:  # the same reply tomorrow will be no better
            raise ChatwootRefused(f"conversation {conversation_id}: {error}") from None

    async def resolved_since(self, since: datetime) -> AsyncIterator[int]:
        """Ids of resolved conversations last active at or after `since` (aware), most recent first."""
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        seen: set[int] = set()
        for page_number in range(1, MAX_LISTING_PAGES + 1):
            params = {
                "status": RESOLVED,
                "assignee_type": "all",
                "sort_by": "last_activity_at_desc",  # the default, said aloud: the paging stops on it
                "page": str(page_number),
            }
            reply = await self._get("/conversations", params)
            data = reply.get("data") if isinstance(reply, dict) else None
            payload = data.get("payload") if isinstance(data, dict) else None
            if not isinstance(payload, list):
                raise self._unexpected("/conversations", "a page of conversations")
            if not payload:
                return
            reached_older = new = False
            for entry in payload:
                item = _mapping(entry)
                conversation_id = _positive_id(item.get("id"))
                active = _moment(item.get("last_activity_at")) or _moment(item.get("timestamp"))
                if conversation_id is None or active is None:
                    continue
                if active < since:
                    reached_older = True
                    continue
                # a conversation active while we page moves to page 1 and pushes others onto the next
                if conversation_id in seen:
                    continue
                seen.add(conversation_id)
                new = True
                yield conversation_id
            if reached_older or not new:  # not new: a server that ignores `page` gives page 1 forever
                return

    async def _with_medium(self, conversation: dict[str, Any]) -> dict[str, Any]:
        """A Twilio conversation with its inbox's medium (whatsapp or sms), which only the inbox knows."""
        inbox_id = _positive_id(conversation.get("inbox_id"))
        if (
            _channel_class(conversation) != "twiliosms"
            or inbox_id is None
            or _medium(conversation) is not None
        ):
            return conversation
        if inbox_id not in self._mediums:
            try:
                inbox = await self._get(f"/inboxes/{inbox_id}")
            except ChatwootRefused as error:  # an agent's token may not read the inbox: SMS, as for no medium
                logger.warning("Chatwoot inbox %d: %s; its conversations are taken as SMS", inbox_id, error)
                inbox = {}
            medium = _mapping(inbox).get("medium")
            self._mediums[inbox_id] = medium if isinstance(medium, str) else None
        medium = self._mediums[inbox_id]
        return conversation if medium is None else {**conversation, "medium": medium}

    async def _get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The JSON reply to a GET of `path` under the account."""
        full_path = f"/api/v1/accounts/{self._account_id}{path}"
        url = f"{self._base_url}{full_path}"
        where = f"GET {full_path}"
        try:
            # No redirects: the token is a plain header, which aiohttp would carry to any other host.
            async with self._session.get(
                url,
                params=params,
                headers={"api_access_token": self._token, "Accept": "application/json"},
                timeout=self._timeout,
                allow_redirects=False,
            ) as response:
                status = response.status
                body = await response.read()
                content_type = response.content_type
                retry_after = _seconds(response.headers.get("Retry-After"))
                location = response.headers.get("Location", "")
        except TimeoutError:
            raise ChatwootUnavailable(
                f"Chatwoot {where}: no answer within {self._timeout.total:g} s"
            ) from None
        except aiohttp.ClientError as error:
            # `from None`: aiohttp's errors hold the request, headers and token included
            raise ChatwootUnavailable(
                self._scrub(f"Chatwoot {where}: {type(error).__name__}: {error}")
            ) from None

        if 200 <= status < 300:
            try:
                return json.loads(body)
            except ValueError:  # UnicodeDecodeError included: a proxy's page, a login form…
                raise ChatwootUnavailable(
                    f"Chatwoot {where}: HTTP {status}, the reply is not JSON "
                    f"({content_type}, {len(body)} bytes)",
                    status=status,
                ) from None
        # 408: the server gave up waiting for us, which is as passing as a 503
        if status in (408, 429) or status >= 500 or status < 200:
            raise ChatwootUnavailable(
                self._scrub(f"Chatwoot {where}: HTTP {status}{self._said(body)}"),
                status=status,
                retry_after=retry_after,
            )
        if 300 <= status < 400:
            raise ChatwootRefused(
                self._scrub(
                    f"Chatwoot {where}: HTTP {status} to {location!r}: is CHATWOOT_URL that address?"
                ),
                status=status,
            )
        meaning = {401: " (a wrong API token?)", 403: " (no access)", 404: " (not found: deleted?)"}
        raise ChatwootRefused(
            self._scrub(f"Chatwoot {where}: HTTP {status}{meaning.get(status, '')}{self._said(body)}"),
            status=status,
        )

    def _unexpected(self, path: str, wanted: str) -> ChatwootUnavailable:
        return ChatwootUnavailable(
            f"Chatwoot GET /api/v1/accounts/{self._account_id}{path}: "
            f"the reply is not {wanted} (is it Chatwoot v4?)"
        )

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "[token]")

    def _said(self, body: bytes) -> str:
        """Chatwoot's own words for an error (`{"error": …}`, `{"errors": […]}`), shortened; not a page."""
        try:
            reply = json.loads(body)
        except ValueError:
            return ""
        said = (
            reply.get("error") or reply.get("message") or reply.get("errors")
            if isinstance(reply, dict)
            else None
        )
        if isinstance(said, list):
            said = "; ".join(str(item) for item in said)
        # scrubbed before it is cut short: half a token is still a secret given away
        return f": {self._scrub(str(said))[:200]}" if said else ""


def _checked(conversation_id: int) -> int:
    if _positive_id(conversation_id) is None:
        raise ValueError(f"{conversation_id!r} is not a conversation id")
    return conversation_id


def _seconds(value: str | None) -> float | None:
    try:
        seconds = float(value) if value is not None else None
    except ValueError:  # an HTTP date: rare enough to leave to the caller's own back-off
        return None
    return seconds if seconds is not None and 0 <= seconds < 86_400 else None
