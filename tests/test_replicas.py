"""Two bot processes behind one webhook, on one PostgreSQL and one Redis, answer a person as one would: the
updates go to one and the other in turn (a load balancer in front of them, here a small one in the test),
and what one process asked the person is understood by the other. An import run by a third process shows
at once on both, and so does a person's access taken away. Runs where `tests/with-servers` started both
servers (TEST_POSTGRES_URL, TEST_REDIS_URL).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from emulator import BotAPIEmulator
from tests.bot_harness import ADMIN_ID, DATASET, HEAD_ID, database_url, parse_list, say, seeded_archive, tap
from tests.databases import on_postgres
from tests.test_run_command import STARTUP_SECONDS, STOP_SECONDS, BotProcess, free_port, start_bot

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
SECRET = "replicas-secret"
PATH = "/telegram/updates"

pytestmark = pytest.mark.skipif(
    not (on_postgres() and REDIS_URL),
    reason="two bot processes need PostgreSQL and Redis: run the suite with tests/with-servers",
)


class Balancer:
    """A load balancer of Telegram's posts: each update goes to the next process in turn."""

    def __init__(self, ports: list[int]) -> None:
        self.port = free_port()
        self.served: list[int] = []  # which process (0, 1) each update went to
        self._next = itertools.cycle(range(len(ports)))
        self._ports = ports
        self._runner: web.AppRunner | None = None

    async def _forward(self, request: web.Request) -> web.Response:
        number = next(self._next)
        headers = {name: value for name, value in request.headers.items() if name.lower().startswith("x-")}
        headers["Content-Type"] = request.content_type
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"http://127.0.0.1:{self._ports[number]}{request.path}",
                data=await request.read(),
                headers=headers,
            ) as reply,
        ):
            self.served.append(number)
            return web.Response(status=reply.status, body=await reply.read(), content_type=reply.content_type)

    async def __aenter__(self) -> Balancer:
        app = web.Application()
        app.router.add_post(PATH, self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._runner is not None
        await self._runner.cleanup()


def _serves_webhook(bot: BotProcess) -> bool:
    return f"Telegram posts updates to {PATH}" in bot.logs


@asynccontextmanager
async def replicas(tmp_path: Path, api: BotAPIEmulator, url: str) -> AsyncIterator[Balancer]:
    """Two `dialogs-bot run` processes in webhook mode behind the balancer, both ready."""
    ports = [free_port(), free_port()]
    async with Balancer(ports) as balancer:
        bots: list[BotProcess] = []
        try:
            for port in ports:
                bot = await start_bot(
                    tmp_path,
                    api.base_url,
                    DATABASE_URL=url,
                    REDIS_URL=REDIS_URL,
                    HTTP_PORT=str(port),
                    WEBHOOK_URL=f"http://127.0.0.1:{balancer.port}{PATH}",
                    WEBHOOK_SECRET=SECRET,
                )
                bots.append(bot)
                await bot.wait_for(
                    partial(_serves_webhook, bot),
                    STARTUP_SECONDS,
                    "the webhook",
                )
            yield balancer
            for bot in bots:
                assert await bot.stop(STOP_SECONDS) == 0, bot.logs
                assert "Traceback" not in bot.logs, bot.logs
        finally:
            for bot in bots:
                await bot.kill()


async def third_process(url: str, *argv: str, **settings: str) -> None:
    """A `dialogs-bot` command run to its end by a process besides the two bots, on the archive at `url`;
    it must succeed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *argv,
        env={**os.environ, "DATABASE_URL": url, **settings},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def test_a_person_served_by_two_processes_in_turn_is_answered_as_by_one(tmp_path: Path) -> None:
    archive = await asyncio.to_thread(seeded_archive, tmp_path)
    url = database_url(archive)
    archive.sync_engine.dispose()
    async with BotAPIEmulator() as api, replicas(tmp_path, api, url) as balancer:
        user = api.user(ADMIN_ID)
        listing = (await say(user, "/dialogs")).message
        assert parse_list(listing.content).found == len(DATASET)

        # a search typed to one, its buttons pressed on the other
        found = (await say(user, "916")).message
        first = parse_list(found.content)
        assert "🔎 «916»" in first.header and first.found == 17
        await tap(user, found, "▶")
        second = parse_list(found.content)
        assert "🔎 «916»" in second.header and "стр. 2 из 2" in found.content
        assert (len(first.entries), len(second.entries)) == (10, 7)

        # dates asked by one process (aiogram's FSM, in Redis), typed to the other
        await tap(user, listing, "⚙️ Фильтры")
        await tap(user, listing, "📅 Период: Всё время")
        await tap(user, listing, "✏️ Свои даты")
        asked = len(balancer.served)
        dated = (await say(user, "21.11.2026")).message
        assert balancer.served[asked - 1] != balancer.served[asked], "the dates went to the asking process"
        assert "📅 21.11.2026" in "\n".join(parse_list(dated.content).header)

        # an import on a third process: both show it at once
        lines = tmp_path / "more.jsonl"
        lines.write_text(
            "".join(
                json.dumps(
                    {
                        "id": f"replica-{n}",
                        "client_name": f"Клиент Реплики {n}",
                        "channel": "telegram",
                        "completed_at": "2026-11-30T12:00:00+03:00",
                        "message_count": 2,
                    }
                )
                + "\n"
                for n in range(3)
            ),
            encoding="utf-8",
        )
        await third_process(url, "import", str(lines), TIMEZONE="Europe/Moscow")
        for _ in range(2):  # one list from each process
            again = (await say(user, "/dialogs")).message
            assert parse_list(again.content).found == len(DATASET) + 3

        # a head whom both processes know, removed by a third: refused at once by both
        head = api.user(HEAD_ID)
        for _ in range(2):
            assert parse_list((await say(head, "/dialogs")).message.content).found == len(DATASET) + 3
        await third_process(url, "users", "remove", str(HEAD_ID))
        served = len(balancer.served)
        for _ in range(2):
            assert "Доступ к боту закрыт." in (await say(head, "/dialogs")).message.content
        assert set(balancer.served[served:]) == {0, 1}
    assert set(balancer.served) == {0, 1}
