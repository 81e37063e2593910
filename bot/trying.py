"""`dialogs-bot try`: the bot on demo data against the built-in local Telegram, shown in a browser.

One process holds three things on 127.0.0.1: the Bot API emulator (on a free port), the bot itself run
exactly as `dialogs-bot run` runs it (long polling that emulator, its own HTTP service on a free port),
and the web chat on the port asked for. Ctrl-C stops the bot as a signal stops `run` (the updates in hand
are finished), then the page and the emulator.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from bot.app import run_service
from bot.server import Server
from bot.settings import Settings
from db.engine import Database
from emulator import BotAPIEmulator, FloodLimits
from emulator.webchat import Person, WebChat

TOKEN = "123456:LOCAL-TRY"  # any token of a bot token's shape: the emulator is the only one to see it
ARCHIVE = Path("dialogs-try.db")  # the demo's own archive, beside and never instead of the real one
# who the page can be; the first is an admin (ADMIN_IDS), the head and the manager are given their roles
ADMIN = Person(1001, "Ольга", "admin")
HEAD = Person(1002, "Игорь", "head")
MANAGER = Person(1003, "Марина", "manager")
STRANGER = Person(1004, "Гость", "stranger")
PEOPLE = (ADMIN, HEAD, MANAGER, STRANGER)


def archive_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def try_settings(settings: Settings, archive: Path) -> Settings:
    """The person's settings (time zone, region, page size) for the demo's archive, admin and Telegram:
    no webhook, no Chatwoot, the service on any free port (the page takes the one asked for)."""
    return settings.model_copy(
        update={
            "database_url": archive_url(archive),
            "admin_ids": [ADMIN.id],
            "webhook_url": "",
            "http_host": "127.0.0.1",
            "http_port": 0,
            "chatwoot_url": "",
        }
    )


async def serve_try(
    settings: Settings,
    database: Database,
    port: int,
    *,
    stop: asyncio.Event | None = None,
    ready: Callable[[str], None] | None = None,
) -> None:
    """The emulator, the page on 127.0.0.1:`port` and the bot, until SIGINT/SIGTERM or `stop`;
    `ready` is told the page's address once all three are up."""
    stop = stop or asyncio.Event()
    api = BotAPIEmulator(TOKEN, fail_on_violations=False, flood=FloodLimits())
    await api.start()
    page = web.AppRunner(WebChat(api, PEOPLE).application(), access_log=None)
    await page.setup()
    try:
        try:
            await web.TCPSite(page, "127.0.0.1", port).start()
        except OSError as error:
            raise PortTaken(f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}") from None
        address = f"http://127.0.0.1:{page.addresses[0][1]}/"

        def listening(_server: Server) -> None:
            if ready is not None:
                ready(address)

        local = settings.model_copy(update={"telegram_api_url": api.base_url})
        await run_service(local, database, TOKEN, stop, listening=listening)
    finally:
        await page.cleanup()
        for violation in api.violations:  # shown on the page too; the terminal keeps them (without the data)
            print(
                f"Telegram would refuse {violation.method}: {violation.error_code} {violation.description}",
                file=sys.stderr,
            )
        await api.close()


class PortTaken(Exception):
    """The page's port is in use or not ours to take."""
