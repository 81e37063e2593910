"""The service around the bot (DESIGN §8) over real HTTP: Telegram's webhook with its secret, /healthz,
/metrics, the ingestion API with its tokens, and a stop that finishes what was accepted. The bot runs as
`dialogs-bot run` runs it (`bot.app.run_service`), against the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
from pydantic import SecretStr

from bot.app import run_service
from bot.server import Server
from db.engine import Database
from db.tokens import add_token, list_tokens, revoke_token
from emulator import DEFAULT_TOKEN, BotAPIEmulator
from tests.bot_harness import (
    ADMIN_ID,
    DATASET,
    PAGE_SIZE,
    database_url,
    make_settings,
    parse_list,
    seeded_archive,
)
from tests.databases import WritesHeld, migrated_database, query_archive
from tests.test_run_command import free_port

SECRET = "webhook-secret_42"


@dataclass
class Service:
    url: str  # of its HTTP server
    stop: asyncio.Event
    task: asyncio.Task[None]
    archive_url: str
    token: str  # an ingestion token named "crm"


@contextlib.asynccontextmanager
async def service(
    tmp_path: Path, api: BotAPIEmulator, *, restart: bool = False, **settings: Any
) -> AsyncIterator[Service]:
    """The bot with its HTTP server on an archive of its own (`restart`: the archive an earlier service in
    `tmp_path` left, its token "crm" renamed "crm-again"); leaving stops it as SIGTERM does."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    # they migrate with a loop of their own
    database = await asyncio.to_thread(migrated_database if restart else seeded_archive, tmp_path)
    token = database.run(add_token, "crm-again" if restart else "crm")
    options = make_settings(database_url(database)).model_copy(
        update={"telegram_api_url": api.base_url, **settings}
    )
    listening: asyncio.Future[Server] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_service(options, database, DEFAULT_TOKEN, stop, listening=listening.set_result)
    )
    try:
        server = await asyncio.wait_for(asyncio.shield(listening), 30)
        webhook = bool(options.webhook_url)

        def ready() -> bool:
            return (api.webhook is not None) if webhook else api.get_updates_received > 0

        assert await api.wait_until(lambda: ready() or task.done(), 30)
        assert not task.done(), task.result()
        yield Service(f"http://127.0.0.1:{server.port}", stop, task, database_url(database), token)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def dialog(number: int, **fields: Any) -> dict[str, Any]:
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=number)
    return {
        "id": f"api-{number}",
        "client_name": f"Клиент API {number}",
        "client_phone": f"+7 916 555-{number // 100 % 100:02d}-{number % 100:02d}",
        "channel": "whatsapp",
        "completed_by": "Анна Смирнова",
        "completed_at": moment.isoformat(),
        "message_count": 3,
        **fields,
    }


async def post(
    url: str, body: bytes | Any, *, token: str | None, content_type: str = "application/json"
) -> tuple[int, Any]:
    headers = {"Content-Type": content_type}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with aiohttp.ClientSession() as session, session.post(url, data=data, headers=headers) as reply:
        text = await reply.text()
        return reply.status, json.loads(text) if text else None


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as reply:
        return reply.status, await reply.text()


def stored_dialogs(url: str) -> int:
    [(count,)] = query_archive(url, "SELECT count(*) FROM dialogs")
    return int(count)


# --- Webhook ------------------------------------------------------------------------------------------------


def forged_update(chat_id: int, text: str) -> dict[str, Any]:
    person = {"id": chat_id, "is_bot": False, "first_name": "Анна"}
    message = {
        "message_id": 1,
        "date": int(datetime.now(UTC).timestamp()),
        "chat": {"id": chat_id, "type": "private", "first_name": "Анна"},
        "from": person,
        "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return {"update_id": 1, "message": message}


async def test_in_webhook_mode_telegram_posts_updates_and_only_with_the_secret(tmp_path: Path) -> None:
    port = free_port()
    webhook_url = f"http://127.0.0.1:{port}/telegram/updates"
    async with BotAPIEmulator() as api:
        async with service(
            tmp_path / "webhook",
            api,
            http_port=port,
            webhook_url=webhook_url,
            webhook_secret=SecretStr(SECRET),
        ) as running:
            assert api.webhook is not None
            assert (api.webhook.url, api.webhook.secret_token) == (webhook_url, SECRET)
            info = await api.create_bot().get_webhook_info()
            assert sorted(info.allowed_updates or []) == ["callback_query", "message"]  # what it handles

            admin = api.user(ADMIN_ID)
            await admin.send_text("/dialogs")
            screen = await admin.wait_answer(timeout=20)
            assert "Список диалогов" in screen.text
            await admin.press(screen.message, "▶")
            page = await admin.wait_answer(timeout=20)
            assert parse_list(page.text).page == 2
            assert api.get_updates_received == 0
            assert api.webhook_posts and all(status == 200 for _, status in api.webhook_posts)

            # a post that is not Telegram's is refused, and nothing of it is done
            before = len(admin.messages)
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                async with (
                    aiohttp.ClientSession() as session,
                    session.post(
                        webhook_url, json=forged_update(ADMIN_ID, "/dialogs"), headers=headers
                    ) as reply,
                ):
                    assert reply.status == 401
            await asyncio.sleep(0.5)
            assert len(admin.messages) == before

            status, health = await get(f"{running.url}/healthz")
            assert status == 200 and json.loads(health)["mode"] == "webhook"

        # started again without WEBHOOK_URL: back to long polling, the webhook deleted
        async with service(tmp_path / "polling", api):
            assert api.webhook is None and api.calls_of("deleteWebhook")
            await admin.send_text("/dialogs")
            assert "Список диалогов" in (await admin.wait_answer(timeout=20)).text


# --- Health and metrics -------------------------------------------------------------------------------------


async def test_health_says_what_works_and_metrics_count_what_was_done(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api, service(tmp_path, api) as running:
        status, text = await get(f"{running.url}/healthz")
        health = json.loads(text)
        assert status == 200
        assert health["status"] == "ok" and health["database"] == "ok" and health["mode"] == "polling"
        assert health["dialogs"] == len(DATASET)
        assert health["telegram"]["last_contact"] is not None and health["telegram"]["seconds_ago"] < 30
        assert health["version"]

        admin = api.user(ADMIN_ID)
        await admin.send_text("/dialogs")
        screen = await admin.wait_answer(timeout=20)
        await admin.press(screen.message, "▶")
        await admin.wait_answer(timeout=20)
        await post(f"{running.url}/api/v1/dialogs", [dialog(1), {"id": "broken"}], token=running.token)

        status, metrics = await get(f"{running.url}/metrics")
        assert status == 200
        lines = set(metrics.splitlines())
        assert 'dialogs_bot_updates_total{kind="message"} 1.0' in lines
        assert 'dialogs_bot_updates_total{kind="callback_query"} 1.0' in lines
        assert "dialogs_bot_update_seconds_count 2.0" in lines
        assert 'dialogs_bot_ingested_dialogs_total{result="added",source="api"} 1.0' in lines
        assert 'dialogs_bot_rejected_items_total{source="api"} 1.0' in lines
        assert 'dialogs_bot_queue_depth{queue="updates"} 0.0' in lines
        assert 'dialogs_bot_queue_depth{queue="ingest"} 0.0' in lines

        # the database no longer answers as it should: the monitor is told
        query_archive(running.archive_url, "DROP TABLE counters")
        status, text = await get(f"{running.url}/healthz")
        assert status == 503 and json.loads(text)["database"] == "unavailable"


async def test_telegram_errors_are_counted_by_status(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api, service(tmp_path, api) as running:
        api.fail_next("sendMessage", error_code=500, description="Internal Server Error")
        admin = api.user(ADMIN_ID)
        await admin.send_text("/dialogs")
        # tried again after the 500
        assert await api.wait_until(
            lambda: any("Список диалогов" in (m.text or "") for m in admin.messages), 20
        )
        _, metrics = await get(f"{running.url}/metrics")
        assert 'dialogs_bot_telegram_errors_total{code="500"} 1.0' in metrics.splitlines()


# --- Ingestion ----------------------------------------------------------------------------------------------


async def test_ingested_dialogs_are_in_the_list_at_once(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api, service(tmp_path, api) as running:
        endpoint = f"{running.url}/api/v1/dialogs"
        batch = [dialog(number) for number in range(1, 1001)]
        status, answer = await post(endpoint, batch, token=running.token)
        assert status == 200 and answer == {"added": 1000, "updated": 0, "rejected": []}
        status, answer = await post(endpoint, batch, token=running.token)  # again: nothing changes
        assert status == 200 and answer == {"added": 0, "updated": 1000, "rejected": []}

        asked = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
        transcript = [  # answered in 4 minutes, then a wait of 1 h 05 min; a bot's line answers nothing
            {"at": asked.isoformat(), "from": "client", "text": "Здравствуйте"},
            {"at": (asked + timedelta(seconds=5)).isoformat(), "from": "bot", "text": "Ждите"},
            {"at": (asked + timedelta(minutes=4)).isoformat(), "from": "employee", "text": "Добрый день"},
            {"at": (asked + timedelta(minutes=10)).isoformat(), "from": "client", "text": "Сколько?"},
            {"at": (asked + timedelta(minutes=75)).isoformat(), "from": "employee", "text": "100"},
        ]
        newest = dialog(0, client_name="Новый Клиент", messages=transcript)
        lines = "\n".join(
            [json.dumps(newest), json.dumps({"id": "no-channel", "client_name": "X"}), "{oops", ""]
        )
        status, answer = await post(
            endpoint, lines.encode(), token=running.token, content_type="application/x-ndjson"
        )
        assert status == 200
        assert (answer["added"], answer["updated"]) == (1, 0)
        assert [(item["index"], item["id"]) for item in answer["rejected"]] == [(1, "no-channel"), (2, None)]
        assert "channel" in answer["rejected"][0]["error"]
        assert answer["rejected"][1]["error"].startswith("not valid JSON")

        admin = api.user(ADMIN_ID)
        await admin.send_text("/dialogs")
        screen = parse_list((await admin.wait_answer(timeout=20)).text)
        total = len(DATASET) + 1001
        assert screen.entries[0].client == "Новый Клиент"
        assert screen.pages == -(-total // PAGE_SIZE)

    database = Database(running.archive_url)
    try:
        (token,) = database.run(list_tokens)
        assert token.name == "crm" and token.last_used_at is not None
        details = [
            row[0]
            for row in query_archive(
                running.archive_url, "SELECT detail FROM audit_log WHERE action = 'ingest' ORDER BY id"
            )
        ]
        assert details == [
            "crm: added 1000, updated 0, rejected 0",
            "crm: added 0, updated 1000, rejected 0",
            "crm: added 1, updated 0, rejected 2",
        ]
        figures = "SELECT first_response, longest_wait FROM dialogs WHERE source_id IN ('api-0', 'api-1')"
        assert sorted(query_archive(running.archive_url, figures)) == [(-2, -2), (240, 3900)]
    finally:
        await database.dispose()


async def test_ingestion_refuses_what_it_cannot_take_with_one_line(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api, service(tmp_path, api, ingest_max_bytes=4096) as running:
        endpoint = f"{running.url}/api/v1/dialogs"
        one = [dialog(1)]
        cases: list[tuple[int, tuple[bytes | Any, str | None, str]]] = [
            (401, (one, None, "application/json")),
            (401, (one, "dlg_not-a-token", "application/json")),
            (415, (b"id,channel", running.token, "text/csv")),
            (413, ([dialog(n) for n in range(100)], running.token, "application/json")),
            (400, (b"{not json", running.token, "application/json")),
            (400, (b"42", running.token, "application/json")),
            (400, (b"", running.token, "application/json")),
            (400, (b"\xff\xfe", running.token, "application/x-ndjson")),
        ]
        for expected, (body, token, content_type) in cases:
            status, answer = await post(endpoint, body, token=token, content_type=content_type)
            assert status == expected, (expected, answer)
            assert list(answer) == ["error"] and "\n" not in answer["error"]

        # a body without a length is cut off as soon as it is too long, not read whole
        async def endless() -> AsyncIterator[bytes]:
            yield b"["
            for number in range(10_000):
                yield json.dumps(dialog(number)).encode() + b","

        async with (
            aiohttp.ClientSession() as session,
            session.post(
                endpoint,
                data=endless(),
                headers={"Authorization": f"Bearer {running.token}", "Content-Type": "application/json"},
            ) as reply,
        ):
            assert reply.status == 413

        database = Database(running.archive_url)
        try:
            database.run(revoke_token, "crm")
        finally:
            await database.dispose()
        status, answer = await post(endpoint, one, token=running.token)
        assert status == 403 and answer == {"error": "the token was revoked"}
        assert stored_dialogs(running.archive_url) == len(DATASET)


async def test_a_stop_finishes_the_ingestion_under_way(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api, service(tmp_path, api) as running:
        # another writer holds the archive: the request is read and waits for it
        blocker = WritesHeld(running.archive_url)
        request = asyncio.create_task(
            post(f"{running.url}/api/v1/dialogs", [dialog(n) for n in range(200)], token=running.token)
        )
        for _ in range(100):
            _, metrics = await get(f"{running.url}/metrics")
            if 'dialogs_bot_queue_depth{queue="ingest"} 1.0' in metrics.splitlines():
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the request was not taken")
        running.stop.set()  # as SIGTERM does
        await asyncio.sleep(1)
        assert not request.done() and not running.task.done()
        blocker.release()
        status, answer = await asyncio.wait_for(request, 20)
        assert status == 200 and answer["added"] == 200
        await asyncio.wait_for(running.task, 20)
    assert stored_dialogs(running.archive_url) == len(DATASET) + 200
