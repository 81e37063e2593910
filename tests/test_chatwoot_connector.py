"""The Chatwoot connector's parts: which webhook events mean "resolved", signed deliveries, the mapping to
our import format (checked by our own parser), and the REST client against a fake Chatwoot over real HTTP,
healthy and failing."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from connectors import chatwoot as connector
from connectors.chatwoot import (
    ChatwootClient,
    ChatwootError,
    ChatwootRefused,
    ChatwootUnavailable,
    dialog_of,
    resolved_conversation,
    signature_ok,
)
from db.records import DialogRecord, parse_record
from tests.fake_chatwoot import DEFAULT_SECRET, START, FakeChatwoot

MOSCOW = ZoneInfo("Europe/Moscow")


def parse(raw: dict[str, Any]) -> DialogRecord:
    return parse_record(raw, region="RU", local_tz=MOSCOW)


@pytest.fixture
async def chatwoot() -> AsyncIterator[FakeChatwoot]:
    async with FakeChatwoot.running() as fake:
        yield fake


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def client_of(
    session: aiohttp.ClientSession, chatwoot: FakeChatwoot, *, token: str | None = None, timeout: float = 2.0
) -> ChatwootClient:
    return ChatwootClient(
        session, chatwoot.url, token or chatwoot.api_token, chatwoot.account_id, timeout=timeout
    )


def assert_no_token(error: BaseException, token: str) -> None:
    assert token not in str(error)
    assert token not in repr(error)
    assert all(token not in str(arg) for arg in error.args)
    # aiohttp's exceptions carry the request's headers, the token among them: none is chained to ours
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


# ---------------------------------------------------------------------------------------------------------
# Webhook events


async def test_a_resolve_is_reported_by_each_of_the_two_events_chatwoot_sends(chatwoot: FakeChatwoot) -> None:
    for _ in range(2):
        chatwoot.add_conversation(messages=2)
    conversation_id = chatwoot.add_conversation(messages=3)
    status_changed, updated = chatwoot.resolve(conversation_id)

    assert status_changed["event"] == "conversation_status_changed"
    assert status_changed["changed_attributes"] is None
    assert updated["changed_attributes"] == [
        {"status": {"previous_value": "open", "current_value": "resolved"}}
    ]
    assert resolved_conversation(status_changed) == 3
    assert resolved_conversation(updated) == 3
    # as the endpoint will get them: JSON bytes
    assert resolved_conversation(json.loads(chatwoot.body(updated))) == 3


async def test_an_update_without_the_status_change_counts_when_the_conversation_is_resolved(
    chatwoot: FakeChatwoot,
) -> None:
    conversation_id = chatwoot.add_conversation(status="resolved")
    labelled = chatwoot.webhook_payload(
        conversation_id,
        "conversation_updated",
        changed_attributes=[{"label_list": {"previous_value": [], "current_value": ["vip"]}}],
    )
    assert resolved_conversation(labelled) == conversation_id


def test_the_event_of_servers_before_2022_is_accepted() -> None:
    assert resolved_conversation({"event": "conversation_resolved", "id": 7, "status": "resolved"}) == 7


async def test_events_that_do_not_resolve_give_none(chatwoot: FakeChatwoot) -> None:
    conversation_id = chatwoot.add_conversation(messages=2, status="resolved")
    reopened = chatwoot.webhook_payload(
        conversation_id,
        "conversation_updated",
        changed_attributes=[{"status": {"previous_value": "resolved", "current_value": "open"}}],
    )
    reopened["status"] = "open"
    opened = {**chatwoot.webhook_payload(conversation_id, "conversation_status_changed"), "status": "open"}
    snoozed = {**opened, "status": "snoozed"}
    created = chatwoot.webhook_payload(
        conversation_id, "conversation_created"
    )  # status resolved, but created
    # message events carry the message's id at the top, never to be taken for a conversation's
    message = {"event": "message_created", "id": 9001, "status": "resolved", "message_type": "outgoing"}
    for event in (reopened, opened, snoozed, created, message, {"event": "contact_updated", "id": 5}):
        assert resolved_conversation(event) is None, event["event"]


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"event": None, "id": 3, "status": "resolved"},
        {"event": "conversation_status_changed", "status": "resolved"},
        {"event": "conversation_status_changed", "status": "resolved", "id": "3"},
        {"event": "conversation_status_changed", "status": "resolved", "id": 0},
        {"event": "conversation_status_changed", "status": "resolved", "id": -3},
        {"event": "conversation_status_changed", "status": "resolved", "id": True},
        {"event": "conversation_status_changed", "status": "resolved", "id": 3.0},
        {"event": "conversation_status_changed", "status": "resolved", "id": 2**70},
        {"event": "conversation_status_changed", "status": ["resolved"], "id": 3},
        {"event": "conversation_status_changed", "status": {"resolved": True}, "id": 3},
        {"event": "conversation_updated", "id": 3, "changed_attributes": "status"},
        {"event": "conversation_updated", "id": 3, "changed_attributes": [None, 1, "x", []]},
        {"event": "conversation_updated", "id": 3, "changed_attributes": [{"status": "resolved"}]},
        {
            "event": "conversation_updated",
            "id": 3,
            "changed_attributes": [{"status": {"current_value": None}}],
        },
        {"event": ["conversation_resolved"], "id": 3},
        {"event": "conversation_resolved", "id": None},
    ],
)
def test_malformed_events_give_none(event: dict[str, Any]) -> None:
    assert resolved_conversation(event) is None


@pytest.mark.parametrize("event", [None, [], "conversation_resolved", 3, b"{}"])
def test_an_event_that_is_not_an_object_gives_none(event: Any) -> None:
    assert resolved_conversation(event) is None


def test_a_lone_change_object_is_read_like_the_list() -> None:
    changes = {"status": {"previous_value": "open", "current_value": "resolved"}}
    event = {"event": "conversation_updated", "id": 11, "status": "open", "changed_attributes": changes}
    assert resolved_conversation(event) == 11


# ---------------------------------------------------------------------------------------------------------
# Signed webhooks

NOW = 1_763_700_000


def signed(chatwoot: FakeChatwoot, **kwargs: Any) -> tuple[bytes, str, str]:
    body = chatwoot.body(chatwoot.webhook_payload(chatwoot.add_conversation(), "conversation_status_changed"))
    headers = chatwoot.sign(body, **kwargs)
    return body, headers["X-Chatwoot-Timestamp"], headers["X-Chatwoot-Signature"]


async def test_a_delivery_signed_with_the_secret_is_accepted(chatwoot: FakeChatwoot) -> None:
    body, stamp, signature = signed(chatwoot)  # signed now, checked against the real clock
    assert signature_ok(DEFAULT_SECRET, stamp, signature, body)
    body, stamp, signature = signed(chatwoot, timestamp=NOW)
    assert signature_ok(DEFAULT_SECRET, stamp, signature, body, now=NOW + 299)
    assert signature_ok(DEFAULT_SECRET, stamp, signature.upper().replace("SHA256=", "sha256="), body, now=NOW)


async def test_a_wrong_secret_or_a_changed_body_or_timestamp_is_refused(chatwoot: FakeChatwoot) -> None:
    body, stamp, signature = signed(chatwoot, timestamp=NOW)
    assert signature_ok(DEFAULT_SECRET, stamp, signature, body, now=NOW)
    assert not signature_ok("another-secret", stamp, signature, body, now=NOW)
    assert not signature_ok(DEFAULT_SECRET, stamp, signature, body.replace(b'"id":', b'"id":1'), now=NOW)
    assert not signature_ok(DEFAULT_SECRET, str(NOW + 1), signature, body, now=NOW)
    # the secret of another webhook, correct in form
    _, other_stamp, other = signed(chatwoot, timestamp=NOW, secret="other")
    assert other_stamp == stamp
    assert not signature_ok(DEFAULT_SECRET, stamp, other, body, now=NOW)


async def test_a_stale_or_future_delivery_is_refused(chatwoot: FakeChatwoot) -> None:
    body, stamp, signature = signed(chatwoot, timestamp=NOW)
    assert not signature_ok(DEFAULT_SECRET, stamp, signature, body, now=NOW + 301)
    assert not signature_ok(DEFAULT_SECRET, stamp, signature, body, now=NOW - 301)
    assert not signature_ok(DEFAULT_SECRET, stamp, signature, body, now=NOW + 61, tolerance=60)
    assert signature_ok(DEFAULT_SECRET, stamp, signature, body, now=NOW + 59, tolerance=60)


async def test_missing_or_malformed_headers_are_refused(chatwoot: FakeChatwoot) -> None:
    body, stamp, signature = signed(chatwoot, timestamp=NOW)
    digest = signature.removeprefix("sha256=")
    cases: list[tuple[str, str | None, str | None]] = [
        (DEFAULT_SECRET, None, signature),
        (DEFAULT_SECRET, stamp, None),
        ("", stamp, signature),
        (DEFAULT_SECRET, "", signature),
        (DEFAULT_SECRET, f"{stamp}.5", signature),
        (DEFAULT_SECRET, "1.76e9", signature),
        (DEFAULT_SECRET, "-" + stamp, signature),
        (DEFAULT_SECRET, "9" * 40, signature),
        (DEFAULT_SECRET, stamp, digest),  # no scheme
        (DEFAULT_SECRET, stamp, f"sha1={digest}"),
        (DEFAULT_SECRET, stamp, f"sha256={digest[:-2]}"),
        (DEFAULT_SECRET, stamp, "sha256=" + "zz" * 32),
        (DEFAULT_SECRET, stamp, "sha256=" + "é" * 64),
        (DEFAULT_SECRET, stamp, ""),
    ]
    for secret, timestamp, header in cases:
        assert not signature_ok(secret, timestamp, header, body, now=NOW), (secret, timestamp, header)


# ---------------------------------------------------------------------------------------------------------
# Mapping to the import format

CONTACT = {"id": 7, "name": "Иван Петров", "phone_number": "+79161234567", "email": "ivan@example.com"}
AGENT = {"id": 2, "name": "Анна Смирнова", "available_name": "Аня", "type": "user"}


def conversation(**changes: Any) -> dict[str, Any]:
    """A conversation as `GET …/conversations/{id}` gives it."""
    meta = {"sender": {**CONTACT, "type": "contact"}, "assignee": AGENT, "channel": "Channel::Whatsapp"}
    meta.update(changes.pop("meta", {}))
    return {
        "id": 42,
        "status": "resolved",
        "inbox_id": 3,
        "created_at": 1_763_600_000,  # 2025-11-20T00:53:20Z
        "timestamp": 1_763_603_600,
        "last_activity_at": 1_763_603_600,  # 01:53:20Z
        "meta": meta,
        **changes,
    }


def message(
    message_id: int,
    message_type: object,
    content: str | None,
    at: int | str,
    *,
    private: bool = False,
    sender: dict[str, Any] | None = None,
    sender_type: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": message_id,
        "content": content,
        "message_type": message_type,
        "created_at": at,
        "private": private,
    }
    if sender is not None:
        item["sender"] = sender
    if sender_type is not None:
        item["sender_type"] = sender_type
    return item


CONTACT_SENDER = {**CONTACT, "type": "contact"}
TRANSCRIPT = [
    message(
        1, 0, "Здравствуйте, где мой заказ 123?", 1_763_600_060, sender=CONTACT_SENDER, sender_type="Contact"
    ),
    message(2, 2, "Conversation was assigned to Анна Смирнова", 1_763_600_070),
    message(3, 1, "Сейчас проверю", "2025-11-20T00:55:00.000Z", sender=AGENT, sender_type="User"),
    message(4, 1, "клиент VIP", 1_763_600_110, private=True, sender=AGENT, sender_type="User"),
    message(5, 1, "Заказ в пути", 1_763_600_120, sender={"id": 1, "name": "Helper"}, sender_type="AgentBot"),
    message(6, 1, "Трек: RA123", "1763600130", sender={"id": 1, "name": "Helper", "type": "agent_bot"}),
    message(
        7, 1, "Ещё вопросы?", 1_763_600_140, sender={"name": "Captain"}, sender_type="Captain::Assistant"
    ),
    message(8, 3, "Оцените нас", 1_763_600_150),
    message(9, 0, None, 1_763_600_160, sender=CONTACT_SENDER, sender_type="Contact"),  # a photo only
    message(10, 0, "  \n ", 1_763_600_170, sender=CONTACT_SENDER, sender_type="Contact"),
    message(11, 0, "Спасибо!", "2025-11-20T04:00:00+03:00", sender=CONTACT_SENDER, sender_type="Contact"),
    message(12, 2, "Conversation was marked resolved by Анна Смирнова", 1_763_603_600),
]


def test_a_conversation_becomes_a_dialog_of_its_public_messages() -> None:
    dialog = dialog_of(5, conversation(), TRANSCRIPT)

    assert dialog == {
        "id": "chatwoot-5-42",
        "client_name": "Иван Петров",
        "client_phone": "+79161234567",
        "channel": "whatsapp",
        "completed_by": "Анна Смирнова",
        "started_at": "2025-11-20T00:54:20+00:00",
        "completed_at": "2025-11-20T01:00:00+00:00",  # the last message, not the resolve's activity
        "message_count": 7,
        "messages": [
            {"at": "2025-11-20T00:54:20+00:00", "from": "client", "author": "Иван Петров",
             "text": "Здравствуйте, где мой заказ 123?"},
            {"at": "2025-11-20T00:55:00+00:00", "from": "employee", "author": "Анна Смирнова",
             "text": "Сейчас проверю"},
            {"at": "2025-11-20T00:55:20+00:00", "from": "bot", "author": "Helper", "text": "Заказ в пути"},
            {"at": "2025-11-20T00:55:30+00:00", "from": "bot", "author": "Helper", "text": "Трек: RA123"},
            {"at": "2025-11-20T00:55:40+00:00", "from": "bot", "author": "Captain", "text": "Ещё вопросы?"},
            {"at": "2025-11-20T00:55:50+00:00", "from": "employee", "author": None, "text": "Оцените нас"},
            {"at": "2025-11-20T01:00:00+00:00", "from": "client", "author": "Иван Петров",
             "text": "Спасибо!"},
        ],
    }  # fmt: skip


def test_the_dialog_is_accepted_by_our_importer() -> None:
    record = parse(dialog_of(5, conversation(), TRANSCRIPT))

    assert record.source_id == "chatwoot-5-42"
    assert record.client_phone == "+79161234567"
    assert record.channel == "whatsapp"
    assert record.started_at == datetime(2025, 11, 20, 0, 54, 20, tzinfo=UTC)
    assert record.completed_at == datetime(2025, 11, 20, 1, 0, tzinfo=UTC)
    assert record.message_count == 7
    assert record.messages is not None
    assert [m.sender for m in record.messages] == [
        "client",
        "employee",
        "bot",
        "bot",
        "bot",
        "employee",
        "client",
    ]
    assert record.messages[1].at == datetime(2025, 11, 20, 0, 55, tzinfo=UTC)


def test_messages_out_of_order_are_put_in_time_order() -> None:
    dialog = dialog_of(5, conversation(), list(reversed(TRANSCRIPT)))
    assert [m["text"] for m in dialog["messages"]][:2] == [
        "Здравствуйте, где мой заказ 123?",
        "Сейчас проверю",
    ]
    assert dialog["started_at"] == "2025-11-20T00:54:20+00:00"
    assert dialog["completed_at"] == "2025-11-20T01:00:00+00:00"


def test_a_conversation_without_public_text_takes_its_own_times() -> None:
    notes = [TRANSCRIPT[1], TRANSCRIPT[3], TRANSCRIPT[8]]  # activity, private note, a photo
    dialog = dialog_of(5, conversation(), notes)

    assert dialog["messages"] == []
    assert dialog["message_count"] == 0
    assert dialog["started_at"] == "2025-11-20T00:53:20+00:00"  # created_at
    assert dialog["completed_at"] == "2025-11-20T01:53:20+00:00"  # last_activity_at
    record = parse(dialog)
    assert (record.message_count, record.messages) == (0, ())


def test_a_conversation_created_after_its_last_activity_is_not_rejected() -> None:
    # clocks of servers disagree; our parser rejects a dialog that starts after it ends
    dialog = dialog_of(5, conversation(created_at=1_763_610_000), [])
    assert dialog["started_at"] == dialog["completed_at"] == "2025-11-20T01:53:20+00:00"
    assert parse(dialog).started_at == datetime(2025, 11, 20, 1, 53, 20, tzinfo=UTC)


def test_times_given_as_iso_text_in_the_conversation_are_read() -> None:
    dialog = dialog_of(
        5,
        conversation(created_at="2025-11-20T03:00:00+03:00", last_activity_at=None, timestamp=None,
                     updated_at="2025-11-20T02:30:00.123Z"),
        [],
    )  # fmt: skip
    assert dialog["started_at"] == "2025-11-20T00:00:00+00:00"
    assert dialog["completed_at"] == "2025-11-20T02:30:00.123000+00:00"
    assert parse(dialog).completed_at == datetime(2025, 11, 20, 2, 30, 0, 123000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("channel", "code"),
    [
        ("Channel::Whatsapp", "whatsapp"),
        ("Channel::Telegram", "telegram"),
        ("Channel::Instagram", "instagram"),
        ("Channel::FacebookPage", "facebook"),
        ("Channel::WebWidget", "webchat"),
        ("Channel::Email", "email"),
        ("Channel::Api", "api"),
        ("Channel::TwilioSms", "sms"),
        ("Channel::Sms", "sms"),
        ("Channel::Line", "line"),
        ("Channel::TwitterProfile", "twitterprofile"),
        ("Channel::Tiktok", "tiktok"),
        (None, "chatwoot"),
    ],
)
def test_channels_map_to_our_codes(channel: str | None, code: str) -> None:
    from_api = dialog_of(1, conversation(meta={"channel": channel}), TRANSCRIPT)
    assert from_api["channel"] == code
    # a webhook's payload: `channel` at the top, none in meta
    webhook = {**conversation(meta={"channel": None}), "channel": channel}
    assert dialog_of(1, webhook, TRANSCRIPT)["channel"] == code
    assert parse(from_api).channel == code


def test_twilio_whatsapp_is_told_from_twilio_sms_by_the_medium() -> None:
    twilio = conversation(meta={"channel": "Channel::TwilioSms"})
    assert dialog_of(1, {**twilio, "medium": "whatsapp"}, [])["channel"] == "whatsapp"
    assert dialog_of(1, {**twilio, "medium": "sms"}, [])["channel"] == "sms"
    from_webhook = {**twilio, "contact_inbox": {"source_id": "whatsapp:+79161234567"}}
    assert dialog_of(1, from_webhook, [])["channel"] == "whatsapp"


@pytest.mark.parametrize(
    ("contact", "name", "phone"),
    [
        ({"name": "", "phone_number": None, "email": "ivan@example.com"}, "ivan@example.com", None),
        ({"name": None, "phone_number": None, "email": None}, "Chatwoot #42", None),
        ({}, "Chatwoot #42", None),
        ({"name": "Иван", "phone_number": "12345", "email": None}, "Иван", None),
        ({"name": "", "phone_number": "+7 (916) 12", "email": None}, "Chatwoot #42", None),
        ({"name": "  ", "phone_number": "+79161234567", "email": "x@example.com"}, None, "+79161234567"),
        ({"name": "Иван", "phone_number": "+1234567890123456789", "email": None}, "Иван", None),
        ({"name": "Иван\n  Петров", "phone_number": "", "email": None}, "Иван Петров", None),
    ],
)
def test_a_contact_without_a_name_or_a_usable_phone_still_makes_a_dialog(
    contact: dict[str, Any], name: str | None, phone: str | None
) -> None:
    dialog = dialog_of(1, conversation(meta={"sender": contact}), TRANSCRIPT[:1])
    assert (dialog["client_name"], dialog["client_phone"]) == (name, phone)
    record = parse(dialog)
    assert record.client_name == name


def test_no_assignee_no_sender_and_odd_text_still_make_an_importable_dialog() -> None:
    messages: list[Any] = [
        message(1, "incoming", "строка \udc80 с обломком", 1_763_600_060),  # type by name, no sender
        message(2, "outgoing", "ответ", 1_763_600_090, sender={"name": None, "available_name": "Аня"}),
        message(3, 1, "без времени", "вчера"),
        message(4, True, "тип-булево", 1_763_600_100),
        {"id": 5},
        "не сообщение",
    ]
    long_name = "Я" * 300
    dialog = dialog_of(1, conversation(meta={"assignee": None, "sender": {"name": long_name}}), messages)

    assert dialog["completed_by"] is None
    assert dialog["client_name"] == "Я" * 200
    assert [(m["from"], m["author"], m["text"]) for m in dialog["messages"]] == [
        ("client", None, "строка \ufffd с обломком"),
        ("employee", "Аня", "ответ"),
    ]
    assert parse(dialog).message_count == 2


def test_a_conversation_without_an_id_or_any_time_is_refused() -> None:
    with pytest.raises(ValueError, match="no id"):
        dialog_of(1, {**conversation(), "id": None}, TRANSCRIPT)
    timeless = conversation(created_at=0, last_activity_at=0, timestamp=None)
    with pytest.raises(ValueError, match="conversation 42 has no time"):
        dialog_of(1, timeless, [])
    # with a message, its time is enough
    assert dialog_of(1, timeless, TRANSCRIPT[:1])["completed_at"] == "2025-11-20T00:54:20+00:00"


# ---------------------------------------------------------------------------------------------------------
# The client against the fake Chatwoot


async def test_a_resolved_conversation_is_fetched_and_accepted_by_our_importer(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    chatwoot.add_conversation(messages=3)
    conversation_id = chatwoot.add_conversation(messages=10)  # MIX once: 7 public messages with text
    chatwoot.resolve(conversation_id)

    dialog = await client_of(session, chatwoot).dialog(conversation_id)
    record = parse(dialog)

    assert record.source_id == "chatwoot-1-2"
    assert (record.client_name, record.client_phone) == ("Иван Петров", "+79161234567")
    assert (record.channel, record.completed_by) == ("whatsapp", "Анна Смирнова")
    assert record.message_count == 7
    assert record.messages is not None
    assert [m.sender for m in record.messages] == [
        "client", "employee", "client", "bot", "employee", "client", "employee",
    ]  # fmt: skip
    assert [m.author for m in record.messages] == [
        "Иван Петров", "Анна Смирнова", "Иван Петров", "Helper", "Анна Смирнова", "Иван Петров", None,
    ]  # fmt: skip
    # the fake's clock: 3 messages of the first conversation, then one tick (30 s) per message
    assert record.started_at == datetime.fromtimestamp(START + 4 * 30, UTC)
    assert record.completed_at == datetime.fromtimestamp(
        START + 13 * 30, UTC
    )  # the template, not the resolve
    assert [(r.path, r.token, r.status) for r in chatwoot.requests] == [
        ("/api/v1/accounts/1/conversations/2", chatwoot.api_token, 200),
        ("/api/v1/accounts/1/conversations/2/messages", chatwoot.api_token, 200),
        ("/api/v1/accounts/1/conversations/2/messages", chatwoot.api_token, 200),
    ]


async def test_47_messages_come_in_three_pages_oldest_first(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    conversation_id = chatwoot.add_conversation(messages=47)
    stored = [m["id"] for m in chatwoot.messages_of(conversation_id)]

    messages = await client_of(session, chatwoot).messages(conversation_id)

    assert [m["id"] for m in messages] == stored
    assert len(messages) == 47
    assert [r.query.get("before") for r in chatwoot.requests] == [
        None, str(stored[27]), str(stored[7]), str(stored[0]),
    ]  # fmt: skip
    # 4 whole MIX cycles (7 public texts each) and the first 7 kinds of the next (5 public texts)
    chatwoot.requests.clear()
    assert (await client_of(session, chatwoot).dialog(conversation_id))["message_count"] == 33


async def test_times_sent_as_iso_text_are_read(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    conversation_id = chatwoot.add_conversation()
    chatwoot.add_message(conversation_id, "client", "Добрый день", at="2025-11-20T10:42:00+03:00")
    chatwoot.add_message(conversation_id, "agent", "Здравствуйте", at="2025-11-20T07:43:00.000Z")
    chatwoot.add_message(conversation_id, "bot", "Чем помочь?", at=1_763_624_640, sender_type=False)

    dialog = await client_of(session, chatwoot).dialog(conversation_id)

    assert [(m["at"], m["from"]) for m in dialog["messages"]] == [
        ("2025-11-20T07:42:00+00:00", "client"),
        ("2025-11-20T07:43:00+00:00", "employee"),
        ("2025-11-20T07:44:00+00:00", "bot"),
    ]
    assert parse(dialog).started_at == datetime(2025, 11, 20, 7, 42, tzinfo=UTC)


async def test_a_server_that_repeats_a_page_does_not_loop(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    conversation_id = chatwoot.add_conversation(messages=30)
    chatwoot.ignore_before = True

    messages = await client_of(session, chatwoot).messages(conversation_id)

    assert [m["id"] for m in messages] == [m["id"] for m in chatwoot.messages_of(conversation_id)[-20:]]
    assert len(chatwoot.requests) == 2


async def test_a_very_long_conversation_keeps_its_newest_messages(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connector, "MAX_MESSAGES", 50)  # 10,000 would take 500 requests
    conversation_id = chatwoot.add_conversation(messages=120)

    messages = await client_of(session, chatwoot).messages(conversation_id)

    assert [m["id"] for m in messages] == [m["id"] for m in chatwoot.messages_of(conversation_id)[-50:]]
    assert len(chatwoot.requests) == 3  # 60 messages fetched, then no more pages asked for


async def test_a_twilio_inbox_is_asked_for_its_medium_once(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    whatsapp = chatwoot.add_conversation(channel="Channel::TwilioSms", medium="whatsapp", messages=2)
    sms = chatwoot.add_conversation(channel="Channel::TwilioSms", medium="sms", messages=2)
    telegram = chatwoot.add_conversation(channel="Channel::Telegram", messages=2)
    client = client_of(session, chatwoot)

    assert (await client.dialog(whatsapp))["channel"] == "whatsapp"
    assert (await client.dialog(whatsapp))["channel"] == "whatsapp"
    assert (await client.dialog(sms))["channel"] == "sms"
    assert (await client.dialog(telegram))["channel"] == "telegram"
    inbox_requests = [r.path for r in chatwoot.requests if "/inboxes/" in r.path]
    assert inbox_requests == ["/api/v1/accounts/1/inboxes/1", "/api/v1/accounts/1/inboxes/2"]


# ---------------------------------------------------------------------------------------------------------
# Failures


@pytest.mark.parametrize(
    ("fault", "status", "words"),
    [
        ("500", 500, "HTTP 500: fault 500"),
        ("html 502", 502, "HTTP 502"),
        ("429", 429, "HTTP 429: Too many requests"),
        ("html 200", 200, "not JSON (text/html"),
        ("hang", None, "no answer within 0.3 s"),
    ],
)
async def test_a_server_in_trouble_is_worth_trying_again(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession, fault: str, status: int | None, words: str
) -> None:
    conversation_id = chatwoot.add_conversation(messages=3)
    if fault == "hang":
        chatwoot.hang(2.0)
    elif fault == "html 200":  # a login page of a proxy in front of Chatwoot
        chatwoot.fail(200, body="<html><body>Sign in</body></html>", headers={"Content-Type": "text/html"})
    else:
        chatwoot.fail(int(fault.removeprefix("html ")))
    client = client_of(session, chatwoot, timeout=0.3)

    with pytest.raises(ChatwootUnavailable) as caught:
        await client.dialog(conversation_id)

    assert caught.value.status == status
    assert words in str(caught.value)
    assert f"GET /api/v1/accounts/1/conversations/{conversation_id}" in str(caught.value)
    assert caught.value.retry_after == (7.0 if status == 429 else None)
    assert_no_token(caught.value, chatwoot.api_token)


async def test_the_page_of_a_proxy_is_not_quoted(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    chatwoot.fail(502)
    with pytest.raises(ChatwootUnavailable) as caught:
        await client_of(session, chatwoot).messages(chatwoot.add_conversation())
    assert str(caught.value).endswith("HTTP 502")
    assert "<html>" not in str(caught.value)


async def test_an_unreachable_server_is_worth_trying_again(session: aiohttp.ClientSession) -> None:
    async with FakeChatwoot.running() as gone:
        url, token = gone.url, gone.api_token
    client = ChatwootClient(session, url, token, 1, timeout=2)

    with pytest.raises(ChatwootUnavailable) as caught:
        await client.conversation(1)

    assert "ClientConnectorError" in str(caught.value)
    assert caught.value.status is None
    assert_no_token(caught.value, token)


async def test_a_wrong_token_is_refused_and_not_repeated(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    conversation_id = chatwoot.add_conversation(messages=3)
    wrong = "cw-wrong-token-0000000000"

    with pytest.raises(ChatwootRefused) as caught:
        await client_of(session, chatwoot, token=wrong).dialog(conversation_id)

    assert caught.value.status == 401
    assert "HTTP 401 (a wrong API token?): Invalid Access Token" in str(caught.value)
    assert_no_token(caught.value, wrong)
    assert [r.token for r in chatwoot.requests] == [wrong]


async def test_a_deleted_conversation_is_refused(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    chatwoot.add_conversation(messages=3)
    with pytest.raises(ChatwootRefused) as caught:
        await client_of(session, chatwoot).dialog(77)
    assert caught.value.status == 404
    assert "conversations/77: HTTP 404 (not found: deleted?): Resource could not be found" in str(
        caught.value
    )


async def test_no_access_and_other_client_errors_are_refused(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    conversation_id = chatwoot.add_conversation(messages=3)
    client = client_of(session, chatwoot)
    chatwoot.fail(403, times=1)
    with pytest.raises(ChatwootRefused) as forbidden:
        await client.dialog(conversation_id)
    # a server that quotes the token back: the quote is blanked
    echo = json.dumps({"errors": [f"token {chatwoot.api_token} has no access", "ask an admin"]})
    chatwoot.fail(422, times=1, body=echo)
    with pytest.raises(ChatwootRefused) as unprocessable:
        await client.dialog(conversation_id)

    # a long quote is cut short after the blanking, so no half of the token is left either
    chatwoot.fail(400, times=1, body=json.dumps({"error": "x" * 190 + chatwoot.api_token}))
    with pytest.raises(ChatwootRefused) as long_quote:
        await client.dialog(conversation_id)

    assert str(long_quote.value).endswith(": " + "x" * 190 + "[token]")
    assert chatwoot.api_token[:8] not in str(long_quote.value)
    assert (forbidden.value.status, unprocessable.value.status) == (403, 422)
    assert str(unprocessable.value).endswith("HTTP 422: token [token] has no access; ask an admin")
    assert_no_token(unprocessable.value, chatwoot.api_token)
    assert isinstance(unprocessable.value, ChatwootError)


async def test_a_redirect_is_refused_and_the_token_stays_home(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    async with FakeChatwoot.running() as elsewhere:
        chatwoot.fail(301, headers={"Location": f"{elsewhere.url}/api/v1/accounts/1/conversations/1"})
        with pytest.raises(ChatwootRefused) as caught:
            await client_of(session, chatwoot).conversation(1)
        assert caught.value.status == 301
        assert f"HTTP 301 to '{elsewhere.url}/api/v1/accounts/1/conversations/1'" in str(caught.value)
        assert elsewhere.requests == []


async def test_after_a_failure_the_next_try_succeeds(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    conversation_id = chatwoot.add_conversation(messages=5)
    client = client_of(session, chatwoot)
    chatwoot.fail(503, times=1)
    with pytest.raises(ChatwootUnavailable):
        await client.dialog(conversation_id)
    chatwoot.hang(5.0)
    chatwoot.recover()

    dialog = await client.dialog(conversation_id)

    assert dialog["message_count"] == 3  # client, agent, client; the note and the activity left out
    assert [r.status for r in chatwoot.requests] == [503, 200, 200, 200]


async def test_a_reply_of_another_shape_is_worth_trying_again(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    chatwoot.fail(
        200, times=1, body='{"payload": "maintenance"}', headers={"Content-Type": "application/json"}
    )
    with pytest.raises(ChatwootUnavailable, match=r"messages: the reply is not a page of messages"):
        await client_of(session, chatwoot).messages(chatwoot.add_conversation())


# ---------------------------------------------------------------------------------------------------------
# Backfill


def resolved_conversations(chatwoot: FakeChatwoot, count: int) -> list[tuple[int, int]]:
    """`count` resolved conversations an hour apart, and 3 open ones newer than all; (id, last activity)
    of the resolved ones, the most recent first."""
    made = []
    for number in range(count):
        conversation_id = chatwoot.add_conversation(status="resolved")
        activity = START - number * 3600
        chatwoot.set_times(conversation_id, created_at=activity - 600, last_activity_at=activity)
        made.append((conversation_id, activity))
    for _ in range(3):
        chatwoot.add_conversation(messages=1)
    return made


def at(unix: int) -> datetime:
    return datetime.fromtimestamp(unix, UTC)


async def test_resolved_since_stops_at_since(chatwoot: FakeChatwoot, session: aiohttp.ClientSession) -> None:
    made = resolved_conversations(chatwoot, 30)
    client = client_of(session, chatwoot)

    ids = [i async for i in client.resolved_since(at(made[11][1]))]

    assert ids == [
        conversation_id for conversation_id, _ in made[:12]
    ]  # the 12th exactly at `since` included
    assert [r.query for r in chatwoot.requests] == [
        {"status": "resolved", "assignee_type": "all", "sort_by": "last_activity_at_desc", "page": "1"}
    ]


async def test_resolved_since_pages_until_older_or_empty(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    made = resolved_conversations(chatwoot, 30)
    client = client_of(session, chatwoot)

    ids = [i async for i in client.resolved_since(at(made[26][1]).astimezone(MOSCOW))]
    assert ids == [conversation_id for conversation_id, _ in made[:27]]
    assert [r.query["page"] for r in chatwoot.requests] == ["1", "2"]

    chatwoot.requests.clear()
    everything = [i async for i in client.resolved_since(at(made[-1][1]) - timedelta(days=1))]
    assert everything == [conversation_id for conversation_id, _ in made]
    assert [r.query["page"] for r in chatwoot.requests] == ["1", "2", "3"]  # the third is empty


async def test_resolved_since_ends_on_a_server_that_ignores_the_page(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    made = resolved_conversations(chatwoot, 30)
    chatwoot.ignore_page = True

    ids = [i async for i in client_of(session, chatwoot).resolved_since(at(0))]

    assert ids == [conversation_id for conversation_id, _ in made[:25]]
    assert len(chatwoot.requests) == 2


async def test_resolved_since_wants_an_aware_time_and_passes_failures_on(
    chatwoot: FakeChatwoot, session: aiohttp.ClientSession
) -> None:
    client = client_of(session, chatwoot)
    with pytest.raises(ValueError, match="aware"):
        _ = [i async for i in client.resolved_since(datetime(2025, 11, 20))]
    chatwoot.fail(500)
    with pytest.raises(ChatwootUnavailable, match=r"GET /api/v1/accounts/1/conversations: HTTP 500"):
        _ = [i async for i in client.resolved_since(at(START))]


def test_the_client_wants_a_token_and_an_account() -> None:
    with pytest.raises(ValueError, match="api_token"):
        ChatwootClient(None, "http://x", "", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="account_id"):
        ChatwootClient(None, "http://x", "t", 0)  # type: ignore[arg-type]
