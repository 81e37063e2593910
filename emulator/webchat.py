"""The emulator's chats in a browser, the way a Telegram app shows them (`dialogs-bot try`).

A page (web/index.html, plain HTML, CSS and JavaScript, no build step) shows one person's private chat
with the bot: the bot's messages with their formatting, inline keyboards to tap, edits in place, photos,
documents to download, and a box to write in. A switch picks who the person is. The page follows the chat
by long polling `GET /api/chat/<id>?since=<seq>`; what it sends goes through the same simulated people the
tests use, so the bot cannot tell the page from Telegram. Requests of the bot that Telegram would refuse
are shown on the page as warnings.

Messages are turned into HTML here, from the text and entities the emulator parsed, with every piece of
text escaped: the page puts nothing else into its markup.
"""

from __future__ import annotations

import html
import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from .client import SimulatedUser
from .server import BotAPIEmulator
from .state import ChatMessage, SentFile

__all__ = ["Person", "WebChat"]

WEB = Path(__file__).resolve().with_name("web")
STATIC = {"app.js": "text/javascript", "style.css": "text/css"}
POLL_SECONDS = 25.0  # a long poll answers at the latest after this; proxies keep such requests open
SHOWN_WARNINGS = 5
SHOWN_NOTICES = 3
MAX_TEXT = 4096  # what a Telegram app lets a person send in one message
LANGUAGES = ("ru", "en")
# entity type → (opening tag, closing tag); types not here (mentions, hashtags, …) are shown as plain text
TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "bot_command": ('<span class="command">', "</span>"),
}


@dataclass(frozen=True)
class Person:
    """Someone the page can be: a Telegram id, the first name the bot sees, and what the switch says."""

    id: int
    first_name: str
    role: str


def to_html(text: str, entities: Sequence[dict[str, Any]]) -> str:
    """The text with its entities as HTML, every character of the text escaped.

    Entities count UTF-16 code units, and Telegram's are well nested; links keep only http(s) targets."""
    units = text.encode("utf-16-le")
    opening: dict[int, list[tuple[int, str, str]]] = {}
    for entity in entities:
        offset = min(int(entity.get("offset", 0)), len(units) // 2)
        length = min(int(entity.get("length", 0)), len(units) // 2 - offset)
        tags = _tags(entity)
        if tags is None or length <= 0:
            continue
        opening.setdefault(offset, []).append((offset + length, *tags))
    cuts = sorted({0, len(units) // 2, *opening, *(end for spans in opening.values() for end, _, _ in spans)})
    parts: list[str] = []
    open_spans: list[tuple[int, str]] = []  # (end, closing tag), innermost last
    for start, end in itertools.pairwise(cuts):
        while open_spans and open_spans[-1][0] <= start:
            parts.append(open_spans.pop()[1])
        for span_end, opened, closing in sorted(opening.get(start, []), key=lambda span: -span[0]):
            parts.append(opened)
            open_spans.append((span_end, closing))
        parts.append(html.escape(units[start * 2 : end * 2].decode("utf-16-le", errors="replace")))
    parts.extend(closing for _, closing in reversed(open_spans))
    return "".join(parts)


def _tags(entity: dict[str, Any]) -> tuple[str, str] | None:
    kind = entity.get("type")
    if kind in ("text_link", "url"):
        url = str(entity.get("url", ""))
        if kind == "url" or not url.startswith(("http://", "https://")):
            return None if kind == "text_link" else ("", "")
        return f'<a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">', "</a>"
    return TAGS.get(str(kind))


class WebChat:
    """The page and its JSON API over one emulator, for the given people."""

    def __init__(self, api: BotAPIEmulator, people: Sequence[Person]) -> None:
        self._api = api
        self._people = {person.id: person for person in people}
        self._presses: dict[int, list[str]] = {}  # person → ids of their callback queries, newest last

    def application(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.add_routes(
            [
                web.get("/", self._page),
                web.get("/static/{name}", self._static),
                web.get("/api/people", self._list_people),
                web.get("/api/chat/{person}", self._chat),
                web.post("/api/chat/{person}/send", self._send),
                web.post("/api/chat/{person}/press", self._press),
                web.get("/files/{file_id}", self._download),
            ]
        )
        return app

    async def _page(self, _request: web.Request) -> web.Response:
        return web.FileResponse(WEB / "index.html", headers=_NO_STORE)  # type: ignore[return-value]

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC:
            raise web.HTTPNotFound()
        return web.FileResponse(WEB / name, headers={**_NO_STORE, "Content-Type": STATIC[name]})

    async def _list_people(self, _request: web.Request) -> web.Response:
        people = [{"id": p.id, "name": p.first_name, "role": p.role} for p in self._people.values()]
        return web.json_response({"people": people})

    async def _chat(self, request: web.Request) -> web.Response:
        """The chat as it is now; with `since`, once anything newer than that has happened (or at the
        latest after POLL_SECONDS)."""
        person = self._person(request)
        try:
            since = int(request.query.get("since", "-1"))
        except ValueError:
            raise _bad("since is the seq of the last answer") from None
        if self._api.seq <= since:
            await self._api.wait_for_change(POLL_SECONDS)
        return web.json_response(self._state(person))

    async def _send(self, request: web.Request) -> web.Response:
        person = self._person(request)
        body = await _json(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _bad("text: what the person writes")
        if len(text) > MAX_TEXT:
            raise _bad(f"a message holds at most {MAX_TEXT} characters")
        self._speak(person, body.get("language"))
        await person.send_text(text.strip())
        return web.json_response({"seq": self._api.seq})

    async def _press(self, request: web.Request) -> web.Response:
        """Taps button (row, column) of a message as it is now: only a button on the screen can be tapped."""
        person = self._person(request)
        body = await _json(request)
        try:
            message = self._api.message(person.chat_id, int(body["message_id"]))
            button = message.buttons[int(body["row"])][int(body["column"])] if message else None
        except (KeyError, IndexError, TypeError, ValueError):
            button = None
        if message is None or message.deleted or not message.from_bot or button is None:
            raise web.HTTPConflict(
                text=json.dumps({"error": "that button is no longer there"}), content_type="application/json"
            )
        data = button.get("callback_data")
        if not isinstance(data, str):
            raise _bad("that button sends nothing to the bot")
        self._speak(person, body.get("language"))
        record = await person.press_data(message, data)
        self._presses.setdefault(person.id, []).append(record.id)
        return web.json_response({"seq": self._api.seq})

    async def _download(self, request: web.Request) -> web.Response:
        file = self._api.file(request.match_info["file_id"])
        if file is None:
            raise web.HTTPNotFound()
        name = file.filename or "file"
        kind = "inline" if file.mime_type and file.mime_type.startswith("image/") else "attachment"
        return web.Response(
            body=file.data,
            content_type=file.mime_type or "application/octet-stream",
            headers={"Content-Disposition": f"{kind}; filename*=UTF-8''{quote(name)}", **_NO_STORE},
        )

    def _person(self, request: web.Request) -> SimulatedUser:
        try:
            person = self._people[int(request.match_info["person"])]
        except (KeyError, ValueError):
            raise web.HTTPNotFound(
                text=json.dumps({"error": "no such person"}), content_type="application/json"
            ) from None
        return self._api.user(person.id, person.first_name, language_code=LANGUAGES[0])

    def _speak(self, person: SimulatedUser, language: object) -> None:
        """The person's Telegram app language: the page's (the bot answers in it)."""
        if language in LANGUAGES:
            self._api.user(person.id).info.language_code = str(language)

    def _state(self, person: SimulatedUser) -> dict[str, Any]:
        return {
            "seq": self._api.seq,
            "messages": [_message(message) for message in person.messages],
            "notices": self._notices(person),
            "warnings": self._warnings(person),
        }

    def _notices(self, person: SimulatedUser) -> list[dict[str, Any]]:
        """The bot's answers to the person's latest taps that say something (a toast or an alert)."""
        notices = []
        for query_id in self._presses.get(person.id, [])[-SHOWN_NOTICES:]:
            query = self._api.callback_query(query_id)
            if query is not None and query.answer is not None and query.answer.text:
                notices.append({"id": query_id, "text": query.answer.text, "alert": query.answer.show_alert})
        return notices

    def _warnings(self, person: SimulatedUser) -> list[str]:
        """What the bot asked in this chat (or of no chat) that Telegram would have refused."""
        mine = [
            f"{violation.method}: {violation.error_code} {violation.description}"
            for violation in self._api.violations
            if violation.params.get("chat_id") in (None, person.chat_id, str(person.chat_id))
        ]
        return mine[-SHOWN_WARNINGS:]


def _message(message: ChatMessage) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "date": message.date,
        "edited": message.edit_date is not None,
        "html": to_html(message.text, message.entities) if message.text is not None else "",
    }
    if message.caption is not None:
        shown["html"] = to_html(message.caption, message.caption_entities)
    if message.photo is not None:
        shown["photo"] = _file(message.photo)
    if message.document is not None:
        shown["document"] = _file(message.document)
    shown["buttons"] = [
        [
            {"text": str(button.get("text", "")), "url": url if _is_web(url) else None}
            for button in row
            for url in [button.get("url")]
        ]
        for row in message.buttons
    ]
    return shown


def _file(file: SentFile) -> dict[str, Any]:
    return {"url": f"/files/{quote(file.file_id)}", "name": file.filename or "", "size": file.size}


def _is_web(url: object) -> bool:
    return isinstance(url, str) and url.startswith(("http://", "https://"))


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _bad("the body is a JSON object") from None
    if not isinstance(body, dict):
        raise _bad("the body is a JSON object")
    return body


def _bad(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": reason}), content_type="application/json")


_NO_STORE = {"Cache-Control": "no-store"}
