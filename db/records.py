"""The import format (DESIGN §3) as validated records.

A line of JSON Lines or a CSV row becomes a `DialogRecord`, or a `RecordError` that says what is wrong in
words a person can act on. Nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal, cast

from db.phones import is_placeholder, normalize_phone

Sender = Literal["client", "employee", "bot"]
SENDERS: frozenset[str] = frozenset({"client", "employee", "bot"})

MAX_ID_LENGTH = 100
MAX_NAME_LENGTH = 200
MAX_CHANNEL_LENGTH = 32
MAX_MESSAGE_COUNT = 10**9  # SQLite's integers hold more, but no dialog has a billion messages
# Times a CRM can have recorded: the statistics count every local day from the first dialog to the last,
# and a year 1 or 9999 typed by mistake would also overflow on the way to UTC.
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# Lone surrogates come from a JSON escape such as "\udc80": Python holds them, but no UTF-8 text does, and
# the database could not store the batch with them.
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


class RecordError(ValueError):
    """A record that cannot be imported; the message is the reason shown to the person importing."""


@dataclass(frozen=True, slots=True)
class MessageRecord:
    at: datetime  # UTC
    sender: Sender
    author: str | None
    text: str


@dataclass(frozen=True, slots=True)
class DialogRecord:
    source_id: str
    client_name: str | None
    client_phone: str | None  # E.164
    channel: str
    completed_by: str | None
    started_at: datetime | None  # UTC
    completed_at: datetime  # UTC
    message_count: int
    # None when the source gave no transcript: a re-import without one keeps the stored transcript.
    messages: tuple[MessageRecord, ...] | None


def parse_record(raw: Mapping[str, Any], *, region: str, local_tz: tzinfo) -> DialogRecord:
    """Validates one imported object. Times without an offset are taken as `local_tz`."""
    source_id = _text(raw, "id", MAX_ID_LENGTH, required=True)
    channel = _text(raw, "channel", MAX_CHANNEL_LENGTH, required=True)
    client_name = _text(raw, "client_name", MAX_NAME_LENGTH)
    raw_phone = _text(raw, "client_phone", 64)
    completed_by = _text(raw, "completed_by", MAX_NAME_LENGTH)
    completed_at = _time(raw, "completed_at", local_tz, required=True)
    started_at = _time(raw, "started_at", local_tz)
    assert source_id is not None and channel is not None and completed_at is not None

    client_phone = None
    if raw_phone is not None:
        client_phone = normalize_phone(raw_phone, region)
        if client_phone is None:
            raise RecordError(f"client_phone: {raw_phone!r} is not a phone number")
        if is_placeholder(client_phone):
            raise RecordError(f"client_phone: {raw_phone!r} cannot be a real number (a placeholder?)")
    if client_name is None and client_phone is None:
        raise RecordError("client_name or client_phone is required")
    if started_at is not None and started_at > completed_at:
        raise RecordError("started_at is later than completed_at")

    messages = _messages(raw.get("messages"), local_tz)
    message_count = _count(raw.get("message_count"))
    if message_count is None:
        if messages is None:
            raise RecordError("message_count is required when there are no messages")
        message_count = len(messages)

    return DialogRecord(
        source_id=source_id,
        client_name=client_name,
        client_phone=client_phone,
        channel=channel.lower(),
        completed_by=completed_by,
        started_at=started_at,
        completed_at=completed_at,
        message_count=message_count,
        messages=messages,
    )


def _text(raw: Mapping[str, Any], key: str, limit: int, *, required: bool = False) -> str | None:
    value = raw.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and key == "id":
        value = str(value)  # numeric ids from a CRM are ids all the same
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise RecordError(f"{key} must be text")
    _check_unicode(value, key)
    value = " ".join(value.split())
    if len(value) > limit:
        raise RecordError(f"{key} is longer than {limit} characters")
    return value


def _time(raw: Mapping[str, Any], key: str, local_tz: tzinfo, *, required: bool = False) -> datetime | None:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            raise RecordError(f"{key} is required")
        return None
    return parse_time(value, key, local_tz)


def parse_time(value: object, key: str, local_tz: tzinfo) -> datetime:
    if not isinstance(value, str):
        raise RecordError(f"{key} must be an ISO 8601 time such as 2026-11-20T10:42:00+03:00")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise RecordError(
            f"{key}: {value!r} is not an ISO 8601 time such as 2026-11-20T10:42:00+03:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=local_tz)
    utc: datetime | None
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:  # the first or the last day of the calendar, shifted out of it
        utc = None
    if utc is None or not EARLIEST <= utc < LATEST:
        raise RecordError(f"{key}: {value!r} is not between {EARLIEST.year} and {LATEST.year - 1}")
    return utc


def _count(value: object) -> int | None:
    if value is None or value == "":
        return None
    # ASCII digits only: "²" and "٣" are digits to str.isdigit but not to int()
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip()) if len(value.strip()) <= 20 else MAX_MESSAGE_COUNT + 1
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RecordError("message_count must be a whole number, 0 or more")
    if value > MAX_MESSAGE_COUNT:
        raise RecordError(f"message_count is over {MAX_MESSAGE_COUNT:,}")
    return value


def _messages(value: object, local_tz: tzinfo) -> tuple[MessageRecord, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise RecordError("messages must be a list")
    result = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise RecordError(f"messages[{number}] must be an object")
        sender = item.get("from")
        if not isinstance(sender, str) or sender not in SENDERS:
            raise RecordError(f"messages[{number}].from must be client, employee or bot")
        text = item.get("text")
        if not isinstance(text, str):
            raise RecordError(f"messages[{number}].text must be text")
        _check_unicode(text, f"messages[{number}].text")
        author = item.get("author")
        if author is not None and not isinstance(author, str):
            raise RecordError(f"messages[{number}].author must be text")
        if author is not None:
            _check_unicode(author, f"messages[{number}].author")
        at = parse_time(item.get("at"), f"messages[{number}].at", local_tz)
        result.append(MessageRecord(at=at, sender=cast(Sender, sender), author=author or None, text=text))
    return tuple(result)


def _check_unicode(value: str, key: str) -> None:
    if LONE_SURROGATE.search(value):
        raise RecordError(f"{key} holds a lone surrogate (\\ud800–\\udfff), which is not a character")
    if "\x00" in value:  # no text shows it, and PostgreSQL cannot store it
        raise RecordError(f"{key} holds a NUL character (\\u0000), which is not text")
