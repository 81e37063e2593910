"""`dialogs-bot run` as a person starts it: a separate process, long polling against the Bot API (here the
emulator), the command menu set, answers, a clean stop on SIGTERM, and a token that never reaches the logs.
A service started while its Bot API is out of reach waits for it; what waiting cannot mend (a wrong token,
a URL that is no Bot API) ends it with one line; and nothing it says, whatever the URL or a server's error
page holds, carries the token.

The time goes to the start of a cold interpreter (imports, migrations).  The test goes on as soon as the
bot's first getUpdates request *arrives*: waiting for it to be answered would add aiogram's whole long
poll timeout (10 s) when no update is queued.  On SIGTERM aiogram cancels the poll in flight, so the stop
does not wait for it either.
"""

from __future__ import annotations

import asyncio
import io
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.cli import main
from db.engine import Database
from db.users import Role, add_user, list_users
from emulator import DEFAULT_TOKEN, BotAPIEmulator
from tests.databases import fresh_database_url, migrated_database

ADMIN = 1001
STARTUP_SECONDS = 60  # an upper bound for a cold interpreter's imports and migrations on a slow machine
STOP_SECONDS = 15


class BotProcess:
    """`python -m bot run` in a subprocess, its output (stdout and stderr) collected as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self._output = bytearray()
        assert process.stdout is not None
        self._reader = asyncio.create_task(self._read(process.stdout))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(65536):
            self._output += chunk

    @property
    def logs(self) -> str:
        return self._output.decode(errors="replace")

    async def wait_for(self, condition: Callable[[], object], seconds: float, what: str) -> None:
        """Wait until ``condition()`` holds; fail at once, with the logs, if the process ends first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not condition():
            if self.process.returncode is not None:
                await self._reader
                raise AssertionError(
                    f"the bot exited with code {self.process.returncode} before {what}:\n{self.logs}"
                )
            if loop.time() >= deadline:
                raise AssertionError(f"the bot did not get there in time ({what}, {seconds} s):\n{self.logs}")
            await asyncio.sleep(0.05)

    async def stop(self, seconds: float) -> int:
        """SIGTERM and the exit code; the output is complete afterwards."""
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), timeout=seconds)
        await asyncio.wait_for(self._reader, timeout=seconds)
        return code

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        self._reader.cancel()


async def start_bot(tmp_path: Path, api_url: str, token: str = DEFAULT_TOKEN, **settings: str) -> BotProcess:
    """`settings`: more of the environment, e.g. WEBHOOK_URL="…"."""
    environment = {
        **os.environ,
        "BOT_TOKEN": token,
        "TELEGRAM_API_URL": api_url,
        # its template is migrated in an event loop of its own
        "DATABASE_URL": await asyncio.to_thread(fresh_database_url, tmp_path),
        "ADMIN_IDS": str(ADMIN),
        "HTTP_PORT": "0",  # any free port: tests may run beside a service on 8080
        **settings,
    }
    return BotProcess(
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    )


async def ended(bot: BotProcess) -> int:
    code = await asyncio.wait_for(bot.process.wait(), STARTUP_SECONDS)
    await asyncio.wait_for(bot._reader, STOP_SECONDS)
    return code


def assert_no_token(logs: str, token: str = DEFAULT_TOKEN) -> None:
    assert token not in logs and token.split(":")[1] not in logs, logs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def echoing_server(statuses: list[int]) -> AsyncIterator[str]:
    """A web server (not a Bot API) whose error pages quote the path asked for, token and all: the
    statuses of its first answers, then 404 for good."""
    answered: list[int] = []

    async def page(request: web.Request) -> web.Response:
        status = statuses[len(answered)] if len(answered) < len(statuses) else 404
        answered.append(status)
        body = f"<html><body><h1>{status}</h1><p>No page at {request.path}</p></body></html>"
        return web.Response(status=status, text=body, content_type="text/html")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", page)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_a_url_that_cannot_be_requested_is_named_without_the_token(tmp_path: Path) -> None:
    bot = await start_bot(tmp_path, "http://127.0.0.1:99999")
    try:
        code = await ended(bot)
    finally:
        await bot.kill()
    assert code == 2, bot.logs
    assert "TELEGRAM_API_URL" in bot.logs and "Traceback" not in bot.logs, bot.logs
    assert_no_token(bot.logs)


async def test_a_server_that_echoes_the_path_never_shows_the_token(tmp_path: Path) -> None:
    """A proxy's 502 pages (the bot waits, as for a Bot API out of reach), then a web server's 404 (no Bot
    API there: the bot says so and exits); every page quotes the URL with the token in it."""
    async with echoing_server([502, 502, 502, 502]) as url:
        bot = await start_bot(tmp_path, url)
        try:
            code = await ended(bot)
        finally:
            await bot.kill()
    logs = bot.logs
    assert code == 2, logs
    assert "out of reach" in logs and "is not a Bot API server" in logs, logs
    assert "Traceback" not in logs, logs
    assert_no_token(logs)


async def test_a_wrong_token_ends_the_run_with_its_reason(tmp_path: Path) -> None:
    async with BotAPIEmulator(fail_on_violations=False) as api:
        bot = await start_bot(tmp_path, api.base_url, token="123456789:AAwrong-token-wrong-token-wrong-tok")
        try:
            code = await ended(bot)
        finally:
            await bot.kill()
    assert code == 2, bot.logs
    assert "Telegram does not accept BOT_TOKEN" in bot.logs and "Traceback" not in bot.logs, bot.logs
    assert_no_token(bot.logs, "123456789:AAwrong-token-wrong-token-wrong-tok")


async def test_a_bot_started_before_its_bot_api_waits_for_it(tmp_path: Path) -> None:
    """Started while nothing listens where the Bot API should be, the bot waits (a service, not a command
    that gives up); when the Bot API comes and its proxy fails the menu with an HTML page, the bot goes
    on without the menu, answers, and stops cleanly."""
    port = free_port()
    bot = await start_bot(tmp_path, f"http://127.0.0.1:{port}")
    try:
        await bot.wait_for(lambda: "out of reach" in bot.logs, STARTUP_SECONDS, "it found the Bot API away")
        async with BotAPIEmulator(port=port) as api:
            api.fail_next("setMyCommands", html=True, error_code=502, times=4)  # every try of the first
            await bot.wait_for(lambda: api.get_updates_received, STARTUP_SECONDS, "it found the Bot API")
            user = api.user(ADMIN, first_name="Ольга")
            await user.send_text("/dialogs")
            reaction = await user.wait_answer(timeout=15)
            assert "Список диалогов" in reaction.text
            code = await bot.stop(STOP_SECONDS)
    finally:
        await bot.kill()
    logs = bot.logs
    assert code == 0, logs
    assert "could not set the command menu" in logs and "Traceback" not in logs, logs
    assert_no_token(logs)


async def test_the_bot_runs_answers_and_stops_cleanly(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api:
        bot = await start_bot(tmp_path, api.base_url)
        try:
            await bot.wait_for(lambda: api.get_updates_received, STARTUP_SECONDS, "its first getUpdates")
            # The menu is set before polling starts, so both calls have been answered by now.
            commands = {call.params.get("language_code") for call in api.calls_of("setMyCommands")}
            assert commands == {None, "en"}, bot.logs

            user = api.user(ADMIN, first_name="Ольга")
            await user.send_text("/dialogs")  # the waiting long poll returns it at once
            reaction = await user.wait_answer(timeout=15)  # the first update of a cold process
            assert "Список диалогов" in reaction.text
            assert "В архиве пока нет диалогов" in reaction.text

            code = await bot.stop(STOP_SECONDS)
        finally:
            await bot.kill()
        logs = bot.logs
        assert code == 0, logs
        assert "Start polling" in logs and "stopped" in logs, logs
        assert DEFAULT_TOKEN not in logs and DEFAULT_TOKEN.split(":")[1] not in logs
        assert "Traceback" not in logs, logs


@pytest.mark.sqlite_only("the SQLite file itself")
async def test_a_database_file_replaced_under_the_running_bot_stops_it_and_is_left_whole(
    tmp_path: Path,
) -> None:
    """`mv other.db dialogs.db` under a running bot: the bot stops with the reason (it would otherwise go
    on writing into a file nobody reads, or cut the new one with its old write-ahead log), and the file
    put in place opens, whole, with its own users."""
    (tmp_path / "other").mkdir()
    other = await asyncio.to_thread(migrated_database, tmp_path / "other")
    other.run(add_user, 7, Role.HEAD, "из другого архива")
    other.sync_engine.dispose()
    async with BotAPIEmulator() as api:
        bot = await start_bot(tmp_path, api.base_url)
        try:
            await bot.wait_for(lambda: api.get_updates_received, STARTUP_SECONDS, "its first getUpdates")
            user = api.user(ADMIN, first_name="Ольга")
            await user.send_text("/dialogs")  # the archive is open and in use when the file is moved
            await user.wait_answer(timeout=15)
            os.replace(tmp_path / "other" / "dialogs.db", tmp_path / "dialogs.db")
            code = await asyncio.wait_for(bot.process.wait(), STOP_SECONDS)  # within a checkpoint's period
            await asyncio.wait_for(bot._reader, STOP_SECONDS)
        finally:
            await bot.kill()
    logs = bot.logs
    assert code == 1, logs
    assert "was replaced or removed while the bot ran" in logs and "Traceback" not in logs, logs
    moved_in = Database(f"sqlite+aiosqlite:///{tmp_path / 'dialogs.db'}")
    assert [(u.telegram_id, u.name) for u in moved_in.run(list_users)] == [(7, "из другого архива")]
    moved_in.sync_engine.dispose()


async def test_a_webhook_address_telegram_refuses_ends_the_start_in_telegrams_words(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api:
        bot = await start_bot(
            tmp_path, api.base_url, WEBHOOK_URL="http://bot.example.com/telegram", WEBHOOK_SECRET="s3cret"
        )
        code = await ended(bot)
        assert [v.method for v in api.take_violations()] == ["setWebhook"]  # the refusal the test provokes
    assert code == 2, bot.logs
    assert (
        "dialogs-bot: Telegram refused WEBHOOK_URL http://bot.example.com/telegram:"
        " Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    ) in bot.logs
    assert "Traceback" not in bot.logs
    assert_no_token(bot.logs)


async def test_a_taken_port_ends_the_start_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with BotAPIEmulator() as api:
            bot = await start_bot(tmp_path, api.base_url, HTTP_PORT=str(port))
            code = await ended(bot)
    assert code == 2, bot.logs
    assert f"dialogs-bot: cannot listen on 127.0.0.1:{port}: " in bot.logs
    assert "set HTTP_HOST and HTTP_PORT" in bot.logs and "Traceback" not in bot.logs


async def test_the_readme_walkthrough_webhook_mode_and_a_posted_dialog_listed_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README, "The service without Telegram": the emulator on its own (`python -m emulator`), the bot in
    webhook mode against it, a dialog posted to the ingestion API, and the list a person opens right after."""
    api_port, person_port, http_port = free_port(), free_port(), free_port()
    emulator = BotProcess(
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "emulator",
            "--port",
            str(api_port),
            "--person-port",
            str(person_port),
            cwd=Path(__file__).parent.parent,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    )
    bot: BotProcess | None = None
    try:
        await emulator.wait_for(lambda: "people on" in emulator.logs, STARTUP_SECONDS, "the emulator")
        bot = await start_bot(
            tmp_path,
            f"http://127.0.0.1:{api_port}",
            token="123456:LOCAL",
            HTTP_PORT=str(http_port),
            WEBHOOK_URL=f"http://127.0.0.1:{http_port}/telegram/updates",
            WEBHOOK_SECRET="local-secret",
        )
        service = f"http://127.0.0.1:{http_port}"
        await bot.wait_for(
            lambda: "Telegram posts updates to /telegram/updates" in bot.logs, STARTUP_SECONDS, "the webhook"
        )
        monkeypatch.setenv("DATABASE_URL", await asyncio.to_thread(fresh_database_url, tmp_path))
        token = (await asyncio.to_thread(_made_token, "crm")).strip()
        dialog = {
            "id": "crm-1842",
            "client_name": "Иван Тестовый",
            "client_phone": "+7 916 123-45-67",
            "channel": "whatsapp",
            "completed_by": "Анна Смирнова",
            "completed_at": datetime.now(UTC).isoformat(),
            "message_count": 12,
        }
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {token}"}
            async with session.post(f"{service}/api/v1/dialogs", json=dialog, headers=headers) as reply:
                assert (reply.status, await reply.json()) == (200, {"added": 1, "updated": 0, "rejected": []})
            async with session.post(f"http://127.0.0.1:{person_port}/send/{ADMIN}", data="/dialogs") as reply:
                screen = await reply.text()
            async with session.get(f"{service}/healthz") as reply:
                health = await reply.json()
        assert "Найдено: 1 диалог" in screen, screen
        assert "1. Иван Тестовый · 🟢 WhatsApp" in screen, screen
        assert health["mode"] == "webhook" and health["dialogs"] == 1
        assert await bot.stop(STOP_SECONDS) == 0, bot.logs
        assert await emulator.stop(STOP_SECONDS) == 0, emulator.logs
        assert "Traceback" not in bot.logs + emulator.logs
        assert "Telegram would refuse" not in emulator.logs, emulator.logs
        assert_no_token(bot.logs, "123456:LOCAL")
    finally:
        if bot is not None:
            await bot.kill()
        await emulator.kill()


def _made_token(name: str) -> str:
    """`dialogs-bot tokens add NAME`: the token is the last line it prints."""
    output = io.StringIO()
    with redirect_stdout(output):
        assert main(["tokens", "add", name]) == 0
    return output.getvalue().splitlines()[-1]
