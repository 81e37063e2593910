"""The Chatwoot connector at work (DESIGN §8), all over real HTTP: the bot as `dialogs-bot run` runs it
(`tests.test_service.service`, against the Bot API emulator), a fake Chatwoot (`tests.fake_chatwoot`)
that fails, hangs and recovers on command, and the events posted to the bot's hook as Chatwoot posts them.
What is asserted is what a person would find: the archive holds every resolved conversation exactly
once, with its public messages and none of the private notes, and the list shows it."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.cli import main
from db.chatwoot_queue import FAILING_AFTER
from db.engine import Database
from db.tokens import revoke_token
from emulator import BotAPIEmulator
from tests.bot_harness import ADMIN_ID, database_url
from tests.databases import migrated_database, query_archive
from tests.fake_chatwoot import FakeChatwoot
from tests.test_service import Service, get, service

FAST = {"chatwoot_retry_seconds": 0.05}  # a failed fetch is tried again within a test's patience


@contextlib.asynccontextmanager
async def connected(
    tmp_path: Path, api: BotAPIEmulator, chatwoot: FakeChatwoot, **settings: Any
) -> AsyncIterator[Service]:
    """The bot with the connector on, pointed at the fake Chatwoot."""
    options: dict[str, Any] = {
        "chatwoot_url": chatwoot.url,
        "chatwoot_api_token": SecretStr(chatwoot.api_token),
        "chatwoot_account_id": chatwoot.account_id,
        **FAST,
        **settings,
    }
    async with service(tmp_path, api, **options) as running:
        yield running


async def deliver(
    running: Service,
    chatwoot: FakeChatwoot,
    event: dict[str, Any],
    *,
    token: str | None = None,
    sign: bool = False,
) -> tuple[int, Any]:
    """Posts one event as Chatwoot does (signed when `sign`); the status and the JSON answer."""
    body = chatwoot.body(event)
    return await post_event(running, body, chatwoot.sign(body) if sign else {}, token=token)


async def post_event(
    running: Service, body: bytes, headers: dict[str, str], *, token: str | None = None
) -> tuple[int, Any]:
    """Posts raw bytes to the hook with `headers` (a signature's); the status and the JSON answer."""
    url = f"{running.url}/hooks/chatwoot/{token or running.token}"
    headers = {"Content-Type": "application/json", **headers}
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers=headers) as reply:
        return reply.status, await reply.json(content_type=None)


def stored(url: str) -> dict[str, list[tuple[str, str]]]:
    """The archive's Chatwoot dialogs: source id -> its transcript (sender, text) in order."""
    dialogs = query_archive(
        url, "SELECT id, source_id FROM dialogs WHERE source_id LIKE 'chatwoot-%' ORDER BY source_id"
    )
    return {
        source_id: query_archive(
            url,
            "SELECT sender, text FROM messages WHERE dialog_id = :id ORDER BY position",
            {"id": dialog_id},
        )
        for dialog_id, source_id in dialogs
    }


def waiting_jobs(url: str) -> int:
    [(count,)] = query_archive(url, "SELECT count(*) FROM chatwoot_jobs WHERE due_at IS NOT NULL")
    return int(count)


def public_texts(chatwoot: FakeChatwoot, conversation_id: int) -> list[str]:
    """What the transcript must hold: the public messages with text, activity messages left out."""
    return [
        message["content"]
        for message in chatwoot.messages_of(conversation_id)
        if not message["private"] and message["message_type"] != 2 and message["content"]
    ]


async def eventually(check: Any, seconds: float = 20) -> bool:
    deadline = asyncio.get_running_loop().time() + seconds
    while asyncio.get_running_loop().time() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.05)
    return bool(await asyncio.to_thread(check))


async def test_every_resolved_conversation_arrives_once_with_its_transcript_whatever_the_order_and_repeats(
    tmp_path: Path,
) -> None:
    async with BotAPIEmulator() as api, FakeChatwoot.running() as chatwoot:
        chatwoot.clock = int(time.time()) - 3600  # resolved just now: the newest dialogs, on the first page
        long = chatwoot.add_conversation(name="Вероника Чатвутова", phone="+79035550101", messages=47)
        short = chatwoot.add_conversation(channel="Channel::Telegram", name="Савелий Хуков", messages=5)
        silent = chatwoot.add_conversation(channel="Channel::Email", name="Нина Безсловесная", phone=None)
        events = [event for conversation in (long, short, silent) for event in chatwoot.resolve(conversation)]
        secret = {"chatwoot_webhook_secret": SecretStr(chatwoot.webhook_secret)}
        async with connected(tmp_path, api, chatwoot, **secret) as running:
            # each resolve's two events, in reverse order, each delivered twice
            for event in [*reversed(events), *events]:
                assert await deliver(running, chatwoot, event, sign=True) == (
                    200,
                    {"queued": True, "conversation": event["id"]},
                )
            assert await eventually(
                lambda: len(stored(running.archive_url)) == 3 and waiting_jobs(running.archive_url) == 0
            )

            admin = api.user(ADMIN_ID)
            await admin.send_text("/dialogs")
            assert await api.wait_until(
                lambda: any("Вероника Чатвутова" in (m.text or "") for m in admin.messages), 20
            )
            _, metrics = await get(f"{running.url}/metrics")

    archive = stored(running.archive_url)
    assert sorted(archive) == [f"chatwoot-1-{n}" for n in (long, short, silent)]
    for conversation in (long, short, silent):
        transcript = archive[f"chatwoot-1-{conversation}"]
        assert [text for _, text in transcript] == public_texts(chatwoot, conversation)
        assert not any("client is VIP" in text for _, text in transcript)  # private notes stay in Chatwoot
    assert len(archive[f"chatwoot-1-{long}"]) == 33  # of 47 over three pages of 20: 7 of every 10 public
    assert {sender for sender, _ in archive[f"chatwoot-1-{long}"]} == {"client", "employee", "bot"}
    assert 'dialogs_bot_ingested_dialogs_total{result="added",source="chatwoot"} 3.0' in metrics.splitlines()


async def test_an_outage_across_a_restart_loses_nothing_and_the_hook_answers_while_chatwoot_is_down(
    tmp_path: Path,
) -> None:
    async with BotAPIEmulator() as api, FakeChatwoot.running() as chatwoot:
        chatwoot.clock = int(time.time()) - 3600  # today's conversations: the re-poll looks back a day
        conversations = [chatwoot.add_conversation(name=f"Клиент Простоя {n}", messages=3) for n in range(4)]
        chatwoot.fail(502)  # nginx's page: Chatwoot behind it is down
        async with connected(tmp_path, api, chatwoot) as running:
            for conversation in conversations[:2]:
                events = chatwoot.resolve(conversation)
                # last active two days ago: beyond the re-poll's day, only the queue can bring them
                two_days_ago = int(time.time()) - 2 * 86_400
                chatwoot.set_times(conversation, created_at=two_days_ago - 600, last_activity_at=two_days_ago)
                for event in events:
                    status, _ = await deliver(running, chatwoot, event)
                    assert status == 200
            assert await eventually(
                lambda: _attempts(running.archive_url) >= 2  # tried, and tried again
            )
            assert stored(running.archive_url) == {}
        # the bot stopped while Chatwoot was down; two more resolves while it was away reach no one
        for conversation in conversations[2:]:
            chatwoot.resolve(conversation)
        chatwoot.recover()
        chatwoot.hang(0.3, times=3)  # Chatwoot is back, slow at first
        async with connected(tmp_path, api, chatwoot, restart=True) as again:
            assert await eventually(
                lambda: len(stored(again.archive_url)) == 4 and waiting_jobs(again.archive_url) == 0
            )
    assert sorted(stored(again.archive_url)) == sorted(f"chatwoot-1-{n}" for n in conversations)


def _attempts(url: str) -> int:
    [(attempts,)] = query_archive(url, "SELECT max(attempts) FROM chatwoot_jobs")
    return int(attempts or 0)


async def test_a_resolve_whose_webhook_never_came_is_found_by_the_re_poll(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api, FakeChatwoot.running() as chatwoot:
        chatwoot.clock = int(time.time()) - 3600
        async with connected(tmp_path, api, chatwoot, chatwoot_poll_seconds=0.3) as running:
            assert await eventually(lambda: _listings(chatwoot) >= 1)  # the bot polled once, found nothing
            conversation = chatwoot.add_conversation(name="Потерянный Вебхук", messages=6)
            chatwoot.resolve(conversation)  # Chatwoot's delivery failed: it does not try again
            assert await eventually(
                lambda: list(stored(running.archive_url)) == [f"chatwoot-1-{conversation}"]
            )


def _listings(chatwoot: FakeChatwoot) -> int:
    return sum(1 for served in chatwoot.requests if served.path.endswith("/conversations"))


async def test_the_hook_refuses_strangers_forgeries_and_junk_and_ignores_other_events(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api, FakeChatwoot.running() as chatwoot:
        conversation = chatwoot.add_conversation(messages=2)
        resolved = chatwoot.resolve(conversation)[0]
        secret = {"chatwoot_webhook_secret": SecretStr(chatwoot.webhook_secret)}
        async with connected(tmp_path, api, chatwoot, **secret) as running:
            unknown = await deliver(running, chatwoot, resolved, token="dlg_not-a-token", sign=True)
            unsigned = await deliver(running, chatwoot, resolved)
            # a signature of one event on the body of another, and junk signed
            forged = chatwoot.body({**resolved, "id": conversation + 1})
            altered = await post_event(running, forged, chatwoot.sign(chatwoot.body(resolved)))
            junk = await post_event(running, b"<xml/>", chatwoot.sign(b"<xml/>"))
            other = await deliver(running, chatwoot, {**resolved, "event": "message_created"}, sign=True)
            await asyncio.to_thread(Database(running.archive_url).run, revoke_token, "crm")
            revoked = await deliver(running, chatwoot, resolved, sign=True)
            assert waiting_jobs(running.archive_url) == 0 and stored(running.archive_url) == {}

        async with service(tmp_path / "off", api) as off:
            connector_off = await deliver(off, chatwoot, resolved, token=off.token)

    assert unknown == (401, {"error": "the token is not known"})
    assert unsigned == (401, {"error": "the signature is missing or wrong (X-Chatwoot-Signature)"})
    assert altered == unsigned
    assert junk == (400, {"error": "the body is not a JSON event"})
    assert other == (200, {"queued": False})
    assert revoked == (403, {"error": "the token was revoked"})
    assert connector_off[0] == 404
    assert "CHATWOOT_URL" in connector_off[1]["error"]


async def test_a_conversation_that_keeps_failing_is_reported_and_stays_queued(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with BotAPIEmulator() as api, FakeChatwoot.running() as chatwoot:
        conversation = chatwoot.add_conversation(messages=2)
        chatwoot.fail(500)
        async with connected(tmp_path, api, chatwoot) as running:
            for event in chatwoot.resolve(conversation):
                await deliver(running, chatwoot, event)
            assert await eventually(lambda: _attempts(running.archive_url) >= FAILING_AFTER)
            _, metrics = await get(f"{running.url}/metrics")
            monkeypatch.setenv("DATABASE_URL", running.archive_url)
            code = await asyncio.to_thread(main, ["sync", "status"])
    status = capsys.readouterr().out
    assert "dialogs_bot_chatwoot_failing_jobs 1.0" in metrics.splitlines()
    assert 'dialogs_bot_queue_depth{queue="chatwoot"} 1.0' in metrics.splitlines()
    assert f"Chatwoot conversation {conversation} failed {FAILING_AFTER} times, still queued" in caplog.text
    assert code == 1
    assert f"Waiting to be fetched: 1, of them failing {FAILING_AFTER} times or more: 1." in status
    assert f"conversation {conversation}: failed" in status and "HTTP 500" in status
    assert chatwoot.api_token not in caplog.text + status


async def test_sync_chatwoot_backfills_the_resolved_conversations_since_a_day_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = database_url(await asyncio.to_thread(migrated_database, tmp_path))
    async with FakeChatwoot.running() as chatwoot:
        chatwoot.clock = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp())
        old = chatwoot.add_conversation(name="Давний Клиент", messages=3)
        chatwoot.resolve(old)
        chatwoot.clock = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())
        recent = [chatwoot.add_conversation(name=f"Свежий Клиент {n}", messages=4) for n in range(30)]
        for conversation in recent:
            chatwoot.resolve(conversation)
        chatwoot.add_conversation(name="Открытый Клиент", messages=2)  # still open: not fetched
        for name, value in {
            "DATABASE_URL": url,
            "CHATWOOT_URL": chatwoot.url,
            "CHATWOOT_API_TOKEN": chatwoot.api_token,
            "CHATWOOT_ACCOUNT_ID": str(chatwoot.account_id),
        }.items():
            monkeypatch.setenv(name, value)
        first = await asyncio.to_thread(main, ["sync", "chatwoot", "--since", "2026-11-10"])
        again = await asyncio.to_thread(main, ["sync", "chatwoot", "--since", "2026-11-10"])
    out = capsys.readouterr().out
    assert (first, again) == (0, 0)
    assert (
        out.count("Chatwoot lists 30 resolved conversations last active since 2026-11-10; fetching them.")
        == 2
    )
    assert "Stored 30 conversations: 30 new dialogs, 0 updated." in out
    assert "Stored 30 conversations: 0 new dialogs, 30 updated." in out
    archive = stored(url)
    assert sorted(archive) == sorted(f"chatwoot-1-{n}" for n in recent)
    assert all(len(transcript) == 3 for transcript in archive.values())  # of 4: client, agent, client


def test_sync_commands_say_how_to_turn_the_connector_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'dialogs.db'}")
    for name in ("CHATWOOT_URL", "CHATWOOT_API_TOKEN", "CHATWOOT_ACCOUNT_ID"):
        monkeypatch.delenv(name, raising=False)
    assert main(["sync", "chatwoot"]) == 2
    assert main(["sync", "status"]) == 0
    monkeypatch.setenv("CHATWOOT_URL", "https://chatwoot.example.com")
    assert main(["sync", "status"]) == 2
    captured = capsys.readouterr()
    assert (
        "dialogs-bot: the Chatwoot connector is off:"
        " set CHATWOOT_URL, CHATWOOT_API_TOKEN and CHATWOOT_ACCOUNT_ID" in captured.err
    )
    assert (
        "The Chatwoot connector is off" in captured.out
        and "Stored from Chatwoot: 0 conversations." in captured.out
    )
    assert "the Chatwoot connector needs CHATWOOT_API_TOKEN, CHATWOOT_ACCOUNT_ID too" in captured.err
