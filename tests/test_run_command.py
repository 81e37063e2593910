"""`dialogs-bot run` as a person starts it: a separate process, long polling against the Bot API (here the
emulator), the command menu set, answers, a clean stop on SIGTERM, and a token that never reaches the logs."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.emulator import DEFAULT_TOKEN, BotAPIEmulator

ADMIN = 1001
STARTUP_SECONDS = 30  # migrations and imports of a cold interpreter


async def wait_for(condition: object, seconds: float) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "the bot did not get there in time"
        await asyncio.sleep(0.05)


async def test_the_bot_runs_answers_and_stops_cleanly(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api:
        environment = {
            **os.environ,
            "BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_API_URL": api.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dialogs.db'}",
            "ADMIN_IDS": str(ADMIN),
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=tmp_path,
            env=environment,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            await wait_for(lambda: api.calls_of("getUpdates"), STARTUP_SECONDS)
            commands = {call.params.get("language_code") for call in api.calls_of("setMyCommands")}
            assert commands == {None, "en"}

            user = api.user(ADMIN, first_name="Ольга")
            await user.send_text("/dialogs")
            reaction = await user.wait_answer()
            assert "Список диалогов" in reaction.text
            assert "В архиве пока нет диалогов" in reaction.text

            process.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(process.wait(), timeout=15)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.stdout is not None
        logs = (await process.stdout.read()).decode()
        assert code == 0, logs
        assert "Start polling" in logs and "stopped" in logs
        assert DEFAULT_TOKEN not in logs and DEFAULT_TOKEN.split(":")[1] not in logs
        assert "Traceback" not in logs
