"""The emulator on its own, to see the service work without Telegram (README, "Running as a service"):

    python -m emulator --port 8081 --person-port 8082

serves the Bot API on 127.0.0.1:8081 (the bot's TELEGRAM_API_URL, with BOT_TOKEN=123456:LOCAL) and
lets a person write to the bot and tap its buttons over plain HTTP on 127.0.0.1:8082:

    curl -sS -d '/dialogs' http://127.0.0.1:8082/send/1      # person 1 sends a text
    curl -sS -d '▶' http://127.0.0.1:8082/press/1            # and taps a button of the last message

Each answers with what the person sees then: the message's text and its buttons, row by row. A request
the real Telegram would refuse is printed to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from aiohttp import web

from emulator import BotAPIEmulator
from emulator.client import SimulatedUser
from emulator.limits import FloodLimits

TOKEN = "123456:LOCAL"
ANSWER_SECONDS = 30.0


class People:
    """The person side, over HTTP: people are made on first use, with Russian as their language."""

    def __init__(self, api: BotAPIEmulator) -> None:
        self._api = api
        self._people: dict[int, SimulatedUser] = {}

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/send/{user_id}", self._send), web.post("/press/{user_id}", self._press)]

    async def _send(self, request: web.Request) -> web.Response:
        person = self._person(request)
        await person.send_text(await request.text())
        return await self._answer(person)

    async def _press(self, request: web.Request) -> web.Response:
        person = self._person(request)
        label = (await request.text()).strip()
        try:
            message = person.last_message
        except AssertionError:
            raise web.HTTPBadRequest(text="the bot has sent this person nothing yet\n") from None
        if message.find_button(label) is None:
            rows = "\n".join(" | ".join(row) for row in message.button_rows())
            raise web.HTTPBadRequest(text=f"no button {label!r} on the last message; it has:\n{rows}\n")
        await person.press(message, label)
        return await self._answer(person)

    def _person(self, request: web.Request) -> SimulatedUser:
        try:
            user_id = int(request.match_info["user_id"])
        except ValueError:
            raise web.HTTPBadRequest(text="the person is a Telegram id: /send/123456789\n") from None
        if user_id not in self._people:
            self._people[user_id] = self._api.user(user_id, "Пользователь", language_code="ru")
        return self._people[user_id]

    async def _answer(self, person: SimulatedUser) -> web.Response:
        try:
            reaction = await person.wait_answer(ANSWER_SECONDS)
        except AssertionError as error:  # no answer in time: the bot is not running, or is stuck
            raise web.HTTPGatewayTimeout(text=f"{error}\n") from None
        message = reaction.message
        buttons = "\n".join("[" + "] [".join(row) + "]" for row in message.button_rows())
        return web.Response(text=f"{message.content}\n{buttons}\n".rstrip("\n") + "\n")


async def serve(port: int, person_port: int) -> None:
    api = BotAPIEmulator(TOKEN, port=port, fail_on_violations=False, flood=FloodLimits())
    await api.start()
    people = web.Application()
    people.add_routes(People(api).routes())
    runner = web.AppRunner(people, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", person_port).start()
    print(
        f"Bot API on {api.base_url} (TELEGRAM_API_URL, BOT_TOKEN={TOKEN}),"
        f" people on http://127.0.0.1:{person_port}",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    printed = 0
    try:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
            printed = _report(api, printed)
    finally:
        _report(api, printed)
        await runner.cleanup()
        await api.close()


def _report(api: BotAPIEmulator, printed: int) -> int:
    """Prints the violations after the first `printed`; returns how many are printed now."""
    for violation in api.violations[printed:]:
        print(f"Telegram would refuse: {violation}", file=sys.stderr, flush=True)
    return len(api.violations)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8081, help="the Bot API's port (default 8081)")
    parser.add_argument("--person-port", type=int, default=8082, help="the people's port (default 8082)")
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.person_port))


if __name__ == "__main__":
    main()
