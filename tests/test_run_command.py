"""`dialogs-bot run` as a person starts it: a separate process, long polling against the Bot API (here the
emulator), the command menu set, answers, a clean stop on SIGTERM, and a token that never reaches the logs.

The time goes to the start of a cold interpreter (imports, migrations).  The test goes on as soon as the
bot's first getUpdates request *arrives*: waiting for it to be answered would add aiogram's whole long
poll timeout (10 s) when no update is queued.  On SIGTERM aiogram cancels the poll in flight, so the stop
does not wait for it either.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from tests.emulator import DEFAULT_TOKEN, BotAPIEmulator

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


async def test_the_bot_runs_answers_and_stops_cleanly(tmp_path: Path) -> None:
    async with BotAPIEmulator() as api:
        environment = {
            **os.environ,
            "BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_API_URL": api.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'dialogs.db'}",
            "ADMIN_IDS": str(ADMIN),
        }
        bot = BotProcess(
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
