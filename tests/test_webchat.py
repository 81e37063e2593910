"""The web chat of `dialogs-bot try` without a browser: messages turned into HTML (escaped, entities
counted in UTF-16 as Telegram counts them, only web links), and its JSON API over real HTTP refusing
what a person could not do in a Telegram app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram.exceptions import TelegramBadRequest
from aiohttp import web

from emulator import BotAPIEmulator, parse_html
from emulator.webchat import Person, WebChat, to_html

ANNA = Person(7, "Анна", "head")


def html_of(source: str) -> str:
    """What the page shows for a message the bot sent with this HTML."""
    parsed = parse_html(source)
    return to_html(parsed.text, parsed.entities)


def test_data_is_escaped_and_markup_kept() -> None:
    assert html_of("<b>Иван &lt;script&gt;</b> &amp; Ко") == "<b>Иван &lt;script&gt;</b> &amp; Ко"


def test_entities_after_emoji_are_placed_by_utf16_offsets() -> None:
    # 🟢 is two UTF-16 units: an offset counted in characters would put <b> one letter late
    assert html_of("🟢 <b>WhatsApp</b> · <i>5</i>") == "🟢 <b>WhatsApp</b> · <i>5</i>"


def test_nested_entities_close_inside_out() -> None:
    assert html_of("<b>a <i>b</i> c</b>") == "<b>a <i>b</i> c</b>"
    assert html_of("<b><i>both</i></b>") in ("<b><i>both</i></b>", "<i><b>both</b></i>")  # either is nested


def test_links_keep_only_web_targets() -> None:
    link = html_of('<a href="https://example.com/?a=1&amp;b=2">site</a>')
    assert link == (
        '<a href="https://example.com/?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">site</a>'
    )
    script = {"type": "text_link", "offset": 0, "length": 3, "url": "javascript:alert(1)"}
    assert to_html("run", [script]) == "run"


def test_entities_beyond_the_text_are_cut_to_it() -> None:
    assert to_html("ab", [{"type": "bold", "offset": 1, "length": 10}]) == "a<b>b</b>"


@pytest.fixture
async def page() -> AsyncIterator[tuple[BotAPIEmulator, str]]:
    async with BotAPIEmulator(fail_on_violations=False) as api:
        runner = web.AppRunner(WebChat(api, [ANNA]).application())
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            yield api, f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()


async def test_the_api_refuses_what_a_person_could_not_do(page: tuple[BotAPIEmulator, str]) -> None:
    api, address = page
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{address}/api/chat/8") as response:  # not one of the people
            assert response.status == 404
        async with http.post(f"{address}/api/chat/7/send", json={"text": "   "}) as response:
            assert response.status == 400
            assert await response.json() == {"error": "text: what the person writes"}
        async with http.post(f"{address}/api/chat/7/send", data=b"not json") as response:
            assert response.status == 400
        async with http.post(f"{address}/api/chat/7/send", json={"text": "Иван"}) as response:
            assert response.status == 200
        # no button on a message of the person's own, none on a message that does not exist
        for message_id in (1, 99):
            press = {"message_id": message_id, "row": 0, "column": 0}
            async with http.post(f"{address}/api/chat/7/press", json=press) as response:
                assert response.status == 409
        async with http.get(f"{address}/api/chat/7?since=-1") as response:
            state = await response.json()
    assert [message["html"] for message in state["messages"]] == ["Иван"]
    assert [list(update)[1] for update in api.pending_updates] == ["message"]  # the text; no forged press
    async with aiohttp.ClientSession() as http, http.get(f"{address}/files/DOCUMENT-1-x") as response:
        assert response.status == 404


async def test_a_request_telegram_would_refuse_is_a_warning_in_that_chat(
    page: tuple[BotAPIEmulator, str],
) -> None:
    api, address = page
    bot = api.create_bot()
    try:
        api.user(ANNA.id, ANNA.first_name)
        await bot.send_message(ANNA.id, "<b>Привет</b>", parse_mode="HTML")
        with pytest.raises(TelegramBadRequest):
            await bot.send_message(ANNA.id, "x" * 4097)
    finally:
        await bot.session.close()
    async with aiohttp.ClientSession() as http, http.get(f"{address}/api/chat/7") as response:
        state = await response.json()
    assert [message["html"] for message in state["messages"]] == ["<b>Привет</b>"]
    assert state["warnings"] == ["sendMessage: 400 Bad Request: message is too long"]
