"""The bot's session sends JSON bodies that say what aiogram's forms say, and files as aiogram does. (Every
end-to-end test drives the bot through this session against the emulator, over HTTP.)"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiogram import Bot
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    GetUpdates,
    SendDocument,
    SendMessage,
    TelegramMethod,
)
from aiogram.types import BufferedInputFile, LinkPreviewOptions, Message, MessageEntity

from bot.app import build_bot
from bot.runtime import JsonSession
from keyboards.callbacks import ListCallback
from keyboards.dialogs import ListPage, list_keyboard
from views.texts import texts_for

KEYBOARD = list_keyboard(
    ListPage(
        shown=ListCallback(view_id=17, page=3),
        dialog_ids=list(range(1001, 1011)),
        first_number=21,
        pages=40,
        has_previous=True,
        has_next=True,
        can_export=True,
        has_search=True,
    ),
    texts_for("ru"),
)
METHODS: list[TelegramMethod[Any]] = [
    SendMessage(chat_id=42, text="<b>Иванова &amp; Ко</b> ёж «👍»", reply_markup=KEYBOARD),
    EditMessageText(chat_id=42, message_id=7, text="Стр. 2", reply_markup=KEYBOARD),
    AnswerCallbackQuery(callback_query_id="abc", text="Кнопка устарела", show_alert=True),
    SendMessage(
        chat_id=42,
        text="plain",
        parse_mode=None,
        entities=[MessageEntity(type="bold", offset=0, length=5)],
        link_preview_options=LinkPreviewOptions(is_disabled=False, url="https://example.com"),
    ),
]


def _form_fields(session: JsonSession, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
    """What aiogram's own form says, its JSON-encoded values decoded."""
    form = session.build_form_data(bot=bot, method=method)
    body = form()._value.decode()  # a url-encoded form: no files
    fields: dict[str, Any] = {}
    for name, value in parse_qsl(body):
        try:
            fields[name] = json.loads(value)
        except ValueError:
            fields[name] = value
    return fields


@pytest.mark.parametrize("method", METHODS, ids=lambda method: type(method).__name__)
def test_a_json_body_says_what_the_form_says(method: TelegramMethod[Any]) -> None:
    bot = build_bot("123:secret", "http://127.0.0.1:1")
    session = bot.session
    assert isinstance(session, JsonSession)
    body = session.json_body(bot, method)
    assert body is not None
    sent = json.loads(body)
    form = _form_fields(session, bot, method)
    # the form leaves out false values, JSON sends them: the same request to the Bot API
    assert {name: value for name, value in sent.items() if value is not False} == form
    if "reply_markup" in sent:
        assert sent["reply_markup"] == json.loads(KEYBOARD.model_dump_json(exclude_none=True))
    assert sent.get("parse_mode", "HTML") == "HTML"  # the bot's defaults are resolved


def test_files_go_as_a_multipart_form() -> None:
    bot = build_bot("123:secret", "http://127.0.0.1:1")
    session = bot.session
    assert isinstance(session, JsonSession)
    document = SendDocument(chat_id=42, document=BufferedInputFile(b"a;b\n", filename="dialogs.csv"))
    assert session.json_body(bot, document) is None


def test_answers_are_read_without_the_keyboards_telegram_echoes_back() -> None:
    """An edited screen and the message under a tapped button come back with the screen's keyboard; the bot
    reads neither, so the session does not parse them, and keeps everything else of the answer."""
    bot = build_bot("123:secret", "http://127.0.0.1:1")
    session = bot.session
    keyboard = json.loads(KEYBOARD.model_dump_json(exclude_none=True))
    message = {
        "message_id": 7,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private"},
        "text": "Стр. 2",
        "reply_markup": keyboard,
    }
    edited = session.check_response(
        bot,
        EditMessageText(chat_id=42, message_id=7, text="Стр. 2"),
        200,
        json.dumps({"ok": True, "result": message}),
    ).result
    assert isinstance(edited, Message)
    assert (edited.message_id, edited.text, edited.reply_markup) == (7, "Стр. 2", None)

    tap = {
        "update_id": 5,
        "callback_query": {
            "id": "q1",
            "from": {"id": 42, "is_bot": False, "first_name": "Анна"},
            "chat_instance": "c",
            "data": "d:p:2",
            "message": message,
        },
    }
    updates = session.check_response(bot, GetUpdates(), 200, json.dumps({"ok": True, "result": [tap]})).result
    assert updates is not None and len(updates) == 1
    query = updates[0].callback_query
    assert query is not None and query.data == "d:p:2"
    assert isinstance(query.message, Message) and query.message.text == "Стр. 2"
    assert query.message.reply_markup is None
