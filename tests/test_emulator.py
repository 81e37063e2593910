"""Tests of the Bot API emulator itself, driven by a real aiogram Bot over HTTP."""

from __future__ import annotations

import asyncio
import json
import struct
import time
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
)
from aiogram.filters import Command, CommandStart
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from emulator import (
    DEFAULT_SPEC_PATH,
    ApiSpec,
    BotAPIEmulator,
    EntityParseError,
    Errors,
    SpecError,
    extract_spec,
    parse_html,
    supported_methods,
)
from emulator.spec import MethodSpec, ParamSpec

USER_ID = 1001


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row] for row in rows
        ]
    )


def png(width: int, height: int) -> bytes:
    """A valid PNG image of the given size."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def api() -> AsyncIterator[BotAPIEmulator]:
    # fail_on_violations stays on: every test must consume the violations it provokes.
    async with BotAPIEmulator() as emulator:
        yield emulator


@pytest.fixture
def bot(api: BotAPIEmulator) -> Bot:
    return api.create_bot(default=DefaultBotProperties(parse_mode="HTML"))


async def raw_call(
    api: BotAPIEmulator, method: str, token: str | None = None, **kwargs: Any
) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{api.base_url}/bot{token or api.token}/{method}", **kwargs) as response,
    ):
        return response.status, await response.json()


# ---------------------------------------------------------------------------------------------
# HTTP surface


async def test_get_me_and_http_surface(api: BotAPIEmulator, bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == int(api.token.split(":")[0])
    assert me.is_bot and me.username == api.bot_user.username

    # Method names are case-insensitive; JSON and urlencoded bodies both work.
    status, body = await raw_call(api, "GETME")
    assert status == 200 and body["ok"] is True
    api.user(USER_ID)
    status, body = await raw_call(api, "sendMessage", json={"chat_id": USER_ID, "text": "json"})
    assert status == 200 and body["result"]["text"] == "json"
    status, body = await raw_call(api, "sendmessage", data={"chat_id": str(USER_ID), "text": "123"})
    assert status == 200 and body["result"]["text"] == "123"  # a numeric text stays a string

    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    status, body = await raw_call(
        api, "sendMessage", json={"chat_id": USER_ID, "text": "kb", "reply_markup": markup}
    )
    assert status == 200 and body["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"

    status, body = await raw_call(api, "getMe", token="42:wrong")
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
    status, body = await raw_call(api, "noSuchMethod")
    assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})
    violations = api.take_violations()
    assert [v.error_code for v in violations if v.kind == "api"] == [401, 404]


async def test_unknown_chat_and_blocked_user(api: BotAPIEmulator, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(777, "hello")
    assert [v.description for v in api.take_violations()] == [Errors.CHAT_NOT_FOUND]

    user = api.user(USER_ID)
    user.block()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER_ID, "hello")
    assert api.violations == []  # a blocked user is not the bot's fault


# ---------------------------------------------------------------------------------------------
# Sending and editing


async def test_send_and_edit_message(api: BotAPIEmulator, bot: Bot) -> None:
    user = api.user(USER_ID, "Anna")
    sent = await bot.send_message(
        USER_ID, "<b>Hello</b>, Anna &amp; co", reply_markup=keyboard([("Next", "page:2")])
    )
    assert sent.text == "Hello, Anna & co"
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert sent.from_user is not None and sent.from_user.is_bot
    seen = user.last_message
    assert seen.message_id == sent.message_id
    assert seen.text == "Hello, Anna & co" and seen.source == "<b>Hello</b>, Anna &amp; co"
    assert seen.button_rows() == [["Next"]]

    edited = await bot.edit_message_text(
        "Page 2", chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard([("Back", "page:1")])
    )
    assert isinstance(edited, Message) and edited.edit_date is not None
    assert seen.text == "Page 2" and seen.button_texts() == ["Back"]
    assert [version.text for version in seen.history] == ["Hello, Anna & co"]

    # Same text and same markup: Telegram refuses.
    with pytest.raises(TelegramBadRequest) as not_modified:
        await bot.edit_message_text(
            "Page 2", chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard([("Back", "page:1")])
        )
    assert not_modified.value.message == Errors.NOT_MODIFIED

    # Leaving reply_markup out removes the keyboard, as in Telegram.
    await bot.edit_message_text("Page 2", chat_id=USER_ID, message_id=sent.message_id)
    assert seen.reply_markup is None
    await bot.edit_message_reply_markup(
        chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard([("X", "x")])
    )
    assert seen.button_texts() == ["X"]

    with pytest.raises(TelegramBadRequest) as not_found:
        await bot.edit_message_text("nope", chat_id=USER_ID, message_id=9999)
    assert not_found.value.message == Errors.EDIT_NOT_FOUND

    assert await bot.delete_message(USER_ID, sent.message_id)
    assert seen.deleted and user.bot_messages == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)

    assert [v.description for v in api.take_violations()] == [
        Errors.NOT_MODIFIED,
        Errors.EDIT_NOT_FOUND,
        Errors.DELETE_NOT_FOUND,
    ]


async def test_text_limits_count_visible_text(api: BotAPIEmulator, bot: Bot) -> None:
    api.user(USER_ID)
    # 4096 visible characters are fine even though the HTML source is longer.
    long_ok = await bot.send_message(USER_ID, "<b>" + "a" * 4096 + "</b>")
    assert long_ok.text is not None and len(long_ok.text) == 4096
    # Entities count as one character each.
    await bot.send_message(USER_ID, "&lt;" * 4096)

    with pytest.raises(TelegramBadRequest) as too_long:
        await bot.send_message(USER_ID, "<i>" + "a" * 4097 + "</i>")
    assert too_long.value.message == Errors.SEND_TOO_LONG
    with pytest.raises(TelegramBadRequest) as edit_too_long:
        await bot.edit_message_text("b" * 4097, chat_id=USER_ID, message_id=long_ok.message_id)
    assert edit_too_long.value.message == "Bad Request: MESSAGE_TOO_LONG"
    with pytest.raises(TelegramBadRequest) as empty:
        await bot.send_message(USER_ID, "<b> </b>")
    assert empty.value.message == "Bad Request: message text is empty"

    assert [v.description for v in api.take_violations()] == [
        Errors.SEND_TOO_LONG,
        Errors.EDIT_TOO_LONG,
        Errors.TEXT_EMPTY,
    ]


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("a <br> b", 'Unsupported start tag "br" at byte offset 2'),
        ("x < y", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("text</b>", "Unexpected end tag at byte offset 4"),
        ("Tom & Jerry", 'Character "&" at byte offset 4 must be escaped as "&amp;"'),
        ("a > b", 'Character ">" at byte offset 2 must be escaped as "&gt;"'),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("Привет <u>x", 'Can\'t find end tag corresponding to start tag "u"'),
    ],
)
async def test_bad_html_is_rejected(api: BotAPIEmulator, bot: Bot, html: str, reason: str) -> None:
    api.user(USER_ID)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, html)
    assert error.value.message == f"Bad Request: can't parse entities: {reason}"
    assert [v.description for v in api.take_violations()] == [error.value.message]


def test_html_parser_entities() -> None:
    parsed = parse_html(
        '😀 <b>bold <i>both</i></b> <a href="https://example.com/?a=1&amp;b=2">link</a> '
        "<blockquote expandable>q</blockquote> <tg-spoiler>s</tg-spoiler> "
        '<pre><code class="language-py">x</code></pre>'
    )
    assert parsed.text == "😀 bold both link q s x"
    by_type = {entity["type"]: entity for entity in parsed.entities}
    assert by_type["bold"] == {"type": "bold", "offset": 3, "length": 9}  # the emoji is 2 UTF-16 units
    assert by_type["italic"]["offset"] == 8
    assert by_type["text_link"]["url"] == "https://example.com/?a=1&b=2"
    assert "expandable_blockquote" in by_type and "spoiler" in by_type
    assert by_type["pre"]["language"] == "py" and "code" not in by_type
    assert parse_html("Tom & Jerry", strict=False).text == "Tom & Jerry"  # what Telegram itself accepts
    with pytest.raises(EntityParseError):
        parse_html("<b>x</b")


async def test_keyboard_limits(api: BotAPIEmulator, bot: Bot) -> None:
    api.user(USER_ID)
    await bot.send_message(USER_ID, "ok", reply_markup=keyboard([("64 bytes", "я" * 32)]))
    await bot.send_message(
        USER_ID,
        "url button",
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="Site", url="https://a.b")]]
        ),
    )
    bad_markups = [
        keyboard([("65 bytes", "x" * 65)]),
        keyboard([("66 bytes", "я" * 33)]),
        keyboard([("empty", "")]),
        InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="no action")]]),
        InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="two", callback_data="a", url="https://a.b")]]
        ),
    ]
    for markup in bad_markups:
        with pytest.raises(TelegramBadRequest):
            await bot.send_message(USER_ID, "bad", reply_markup=markup)
    assert [v.description for v in api.take_violations()] == [
        Errors.BUTTON_DATA_INVALID,
        Errors.BUTTON_DATA_INVALID,
        Errors.BUTTON_DATA_INVALID,
        Errors.TEXT_BUTTONS_UNALLOWED,
        Errors.MANY_BUTTON_ACTIONS,
    ]


async def test_retry_after_is_injected_and_enforced(api: BotAPIEmulator, bot: Bot) -> None:
    api.user(USER_ID)
    api.fail_next("sendMessage", retry_after=1)
    with pytest.raises(TelegramRetryAfter) as flood:
        await bot.send_message(USER_ID, "first")
    assert flood.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in flood.value.message
    assert api.violations == []  # the test injected it

    # Retrying before retry_after has passed is the bot's fault.
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(USER_ID, "too early")
    assert [v.kind for v in api.take_violations()] == ["flood"]

    # Other chats and methods are not affected; after the wait the method works again.
    await bot.send_chat_action(USER_ID, "typing")
    await asyncio.sleep(1.05)
    await bot.send_message(USER_ID, "later")

    api.fail_next("sendMessage", error_code=500, description="Internal Server Error")
    with pytest.raises(Exception, match="Internal Server Error"):
        await bot.send_message(USER_ID, "boom")
    assert api.violations == []


async def test_commands(api: BotAPIEmulator, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Start")], language_code="ru")
    assert [c.command for c in await bot.get_my_commands(language_code="ru")] == ["start"]
    assert await bot.get_my_commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Command", description="x")])
    assert len(api.take_violations()) == 1


# ---------------------------------------------------------------------------------------------
# Updates


async def test_get_updates_offset_and_long_poll(api: BotAPIEmulator, bot: Bot) -> None:
    user = api.user(USER_ID)
    for text in ("one", "two", "three"):
        await user.send_text(text)

    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["one", "two", "three"]
    assert len(await bot.get_updates(limit=2)) == 2
    # Nothing is confirmed until a later offset says so.
    again = await bot.get_updates(offset=updates[0].update_id)
    assert [u.update_id for u in again] == [u.update_id for u in updates]
    assert [u.update_id for u in await bot.get_updates(offset=updates[1].update_id)] == [
        updates[1].update_id,
        updates[2].update_id,
    ]
    assert await bot.get_updates(offset=updates[-1].update_id + 1) == []
    assert api.pending_updates == []

    # A negative offset keeps only the newest updates.
    for text in ("four", "five"):
        await user.send_text(text)
    assert [u.message.text for u in await bot.get_updates(offset=-1) if u.message] == ["five"]
    assert await bot.get_updates(offset=-1) != []

    # Long polling returns as soon as an update arrives.
    await bot.get_updates(offset=(await bot.get_updates())[-1].update_id + 1)
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await user.send_text("/start")
    woken = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1.0
    assert woken[0].message is not None and woken[0].message.text == "/start"
    assert woken[0].message.entities is not None and woken[0].message.entities[0].type == "bot_command"

    # A second poller terminates the first one, as in Telegram.
    first = asyncio.create_task(bot.get_updates(offset=woken[-1].update_id + 1, timeout=5))
    await asyncio.sleep(0.05)
    assert await bot.get_updates(timeout=0) == []
    with pytest.raises(TelegramConflictError):
        await first
    assert [v.error_code for v in api.take_violations()] == [409]

    # An empty long poll ends after its timeout.
    await bot.get_updates(offset=woken[-1].update_id + 1)
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


# ---------------------------------------------------------------------------------------------
# Files


async def test_document_and_photo_round_trip(api: BotAPIEmulator, bot: Bot) -> None:
    user = api.user(USER_ID)
    payload = "дата;сумма\n2024-01-01;100\n".encode()
    sent = await bot.send_document(
        USER_ID, BufferedInputFile(payload, filename="report.csv"), caption="<b>Report</b>"
    )
    assert sent.document is not None and sent.document.file_name == "report.csv"
    assert sent.caption == "Report"
    [document] = user.documents
    assert document.data == payload and document.filename == "report.csv" and document.caption == "Report"
    # the sender's type is kept, as Telegram keeps it: aiogram's own session gives none of its own
    assert document.mime_type == "application/octet-stream"

    # Sending the same file again by its file_id.
    await bot.send_document(USER_ID, sent.document.file_id)
    assert [d.data for d in user.documents] == [payload, payload]

    image = png(40, 30)
    photo = await bot.send_photo(USER_ID, BufferedInputFile(image, filename="chart.png"), caption="Chart")
    assert photo.photo is not None and (photo.photo[-1].width, photo.photo[-1].height) == (40, 30)
    [seen] = user.photos
    assert seen.data == image and seen.caption == "Chart"

    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER_ID, BufferedInputFile(b"not an image", filename="x.png"))
    with pytest.raises(TelegramBadRequest, match="file must be non-empty"):
        await bot.send_document(USER_ID, BufferedInputFile(b"", filename="empty.txt"))
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(USER_ID, BufferedInputFile(b"x", filename="x.txt"), caption="c" * 1025)
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("text", chat_id=USER_ID, message_id=photo.message_id)
    assert len(api.take_violations()) == 4


# ---------------------------------------------------------------------------------------------
# Callback queries


async def test_callback_answer_rules(api: BotAPIEmulator, bot: Bot) -> None:
    user = api.user(USER_ID)
    message = await bot.send_message(USER_ID, "pick", reply_markup=keyboard([("A", "a")]))
    query = await user.press(message.message_id, "A")

    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query.id, text="x" * 201)
    assert await bot.answer_callback_query(query.id, text="Done", show_alert=True)
    assert query.answer is not None and query.answer.text == "Done" and query.answer.show_alert
    assert user.callback_answers == [query.answer]
    with pytest.raises(TelegramBadRequest) as twice:
        await bot.answer_callback_query(query.id)
    assert twice.value.message == Errors.QUERY_TOO_OLD
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("12345")
    assert len(api.take_violations()) == 3


async def test_person_can_only_press_existing_buttons(api: BotAPIEmulator, bot: Bot) -> None:
    user = api.user(USER_ID)
    message = await bot.send_message(USER_ID, "menu", reply_markup=keyboard([("Open", "open")]))
    with pytest.raises(AssertionError, match=r"cannot press 'Close'.*\[\['Open'\]\]"):
        await user.press(message, "Close")

    # After an edit only the new buttons can be pressed.
    await bot.edit_message_reply_markup(
        chat_id=USER_ID, message_id=message.message_id, reply_markup=keyboard([("Close", "close")])
    )
    with pytest.raises(AssertionError, match="cannot press 'Open'"):
        await user.press(message.message_id, "Open")
    query = await user.press(message.message_id, "Close")
    assert query.data == "close"
    # Forged data is possible on purpose.
    forged = await user.press_data(message.message_id, "x" * 100)
    assert forged.data == "x" * 100

    await bot.delete_message(USER_ID, message.message_id)
    with pytest.raises(AssertionError, match="was deleted"):
        await user.press(message.message_id, "Close")


# ---------------------------------------------------------------------------------------------
# A whole conversation through Dispatcher.start_polling


def build_dispatcher() -> Dispatcher:
    router = Router()
    router.message.filter(F.chat.type == "private")

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("<b>Hello</b>! Pick a page:", reply_markup=keyboard([("Page 2", "page:2")]))

    @router.message(Command("silent"))
    async def silent(message: Message) -> None:
        pass

    @router.callback_query(F.data == "page:2")
    async def page_two(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("Page <i>2</i>", reply_markup=keyboard([("Back", "page:1")]))
        await query.answer("Moved")

    @router.callback_query(F.data == "page:1")
    async def page_one(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("Page <i>1</i>", reply_markup=keyboard([("Page 2", "page:2")]))
        # Forgets to answer the callback query.

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def test_conversation_through_polling(api: BotAPIEmulator, bot: Bot) -> None:
    user = api.user(USER_ID, "Anna", language_code="ru")
    group = api.group(-100500, "Sales team")
    async with api.run_polling(build_dispatcher(), bot):
        await user.send_text("/start")
        reaction = await user.wait_answer()
        assert [m.text for m in reaction.sent] == ["Hello! Pick a page:"]
        menu = reaction.message
        assert menu.button_texts() == ["Page 2"]

        await user.press(menu, "Page 2")
        reaction = await user.wait_answer()
        assert reaction.edited == [menu]
        assert reaction.callback_answer is not None and reaction.callback_answer.text == "Moved"
        assert menu.text == "Page 2" and menu.button_texts() == ["Back"]
        assert [v.text for v in menu.history] == ["Hello! Pick a page:"]
        assert [m.text for m in user.messages] == ["/start", "Page 2"]

        await user.press(menu, "Back")
        with pytest.raises(AssertionError, match="did not answer the callback query"):
            await user.wait_answer()

        await user.send_text("/silent")
        with pytest.raises(AssertionError, match="did nothing"):
            await user.wait_answer()

        # Group chats are ignored by this bot.
        await user.send_text("/start", chat=group)
        await user.assert_no_reaction()
        assert group.messages[-1].text == "/start" and group.bot_messages == []

    assert api.handler_errors == []


async def test_update_types_outside_allowed_updates_are_not_delivered(api: BotAPIEmulator, bot: Bot) -> None:
    user = api.user(USER_ID)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer("echo", reply_markup=keyboard([("Press", "press")]))

    async with api.run_polling(dispatcher, bot):
        await user.send_text("hi")
        reaction = await user.wait_answer()
        await user.press(reaction.message, "Press")
        # The bot has no callback_query handler, so aiogram does not ask for callback queries.
        with pytest.raises(AssertionError, match="allowed_updates"):
            await user.wait_answer()


async def test_wait_answer_without_tracking(api: BotAPIEmulator, bot: Bot) -> None:
    user = api.user(USER_ID)
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def reply(message: Message) -> None:
        await message.answer("one")
        await message.answer("two")

    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False))
    try:
        await user.send_text("hi")
        reaction = await user.wait_answer()
        assert [m.text for m in reaction.sent] == ["one", "two"]
    finally:
        await dispatcher.stop_polling()
        await polling


# ---------------------------------------------------------------------------------------------
# Specification check


async def test_spec_check_reports_unknown_and_missing_parameters() -> None:
    spec = ApiSpec(
        {
            "sendMessage": MethodSpec(
                "sendMessage",
                {
                    "chat_id": ParamSpec("chat_id", ("Integer", "String"), True),
                    "text": ParamSpec("text", ("String",), True),
                },
            ),
            "getMe": MethodSpec("getMe", {}),
        }
    )
    async with BotAPIEmulator(spec=spec, fail_on_violations=False) as api:
        api.user(USER_ID)
        status, _ = await raw_call(
            api, "sendMessage", json={"chat_id": USER_ID, "text": "x", "colour": "red"}
        )
        assert status == 200  # Telegram ignores unknown parameters, the emulator reports them
        await raw_call(api, "sendMessage", json={"chat_id": USER_ID})
        await raw_call(api, "getChat", json={"chat_id": USER_ID})
        problems = [v.description for v in api.violations if v.kind == "spec"]
    assert problems == [
        "sendMessage: unknown parameter 'colour'",
        "sendMessage: required parameter 'text' is missing",
        "method 'getChat' is not in the Bot API specification",
    ]


def test_spec_check_reports_values_that_do_not_fit_scalar_parameters() -> None:
    spec = ApiSpec(
        {
            "m": MethodSpec(
                "m",
                {
                    name: ParamSpec(name, types, False)
                    for name, types in [
                        ("count", ("Integer",)),
                        ("ratio", ("Float",)),
                        ("flag", ("Boolean",)),
                        ("text", ("String",)),
                        ("chat_id", ("Integer", "String")),
                        ("markup", ("InlineKeyboardMarkup",)),
                        ("document", ("InputFile", "String")),
                    ]
                },
            )
        }
    )
    # JSON values, and what multipart forms and query strings give (strings where aiogram's type is unknown).
    fitting: list[dict[str, Any]] = [
        {"count": 5, "ratio": 0.5, "flag": True, "text": "hi", "chat_id": -100123, "markup": {"x": 1}},
        {"count": "-5", "ratio": "1e3", "flag": "false", "text": "", "chat_id": "@channel", "document": b"x"},
        {"ratio": 2, "flag": 0, "text": 42, "chat_id": "42", "markup": "[]", "document": "file-id"},
        {"flag": "True"},
    ]
    assert [problem for params in fitting for problem in spec.check("m", params)] == []
    assert spec.check(
        "m",
        {"count": "five", "ratio": True, "flag": "yes", "text": {"a": 1}, "chat_id": [1]},
    ) == [
        "m: parameter 'count' must be an Integer, got 'five'",
        "m: parameter 'ratio' must be a Float, got True",
        "m: parameter 'flag' must be a Boolean, got 'yes'",
        "m: parameter 'text' must be a String, got {'a': 1}",
        "m: parameter 'chat_id' must be an Integer or a String, got [1]",
    ]
    assert spec.check("m", {"count": 1.5, "flag": 2, "text": False}) == [
        "m: parameter 'count' must be an Integer, got 1.5",
        "m: parameter 'flag' must be a Boolean, got 2",
        "m: parameter 'text' must be a String, got False",
    ]


async def test_requests_as_forms_and_json_fit_the_specification(api: BotAPIEmulator) -> None:
    api.user(USER_ID)
    status, _ = await raw_call(
        api,
        "sendMessage",
        data={
            "chat_id": str(USER_ID),
            "text": "12",
            "disable_notification": "true",
            "message_thread_id": "7",
        },
    )
    assert status == 200
    status, _ = await raw_call(
        api, "sendMessage", json={"chat_id": str(USER_ID), "text": "x", "protect_content": False}
    )
    assert status == 200
    status, _ = await raw_call(
        api, "sendMessage", json={"chat_id": USER_ID, "text": "x", "protect_content": "no"}
    )
    assert status == 200  # Telegram reads "no" as false; the emulator reports it
    assert [v.description for v in api.take_violations()] == [
        "sendMessage: parameter 'protect_content' must be a Boolean, got 'no'"
    ]


def test_emulated_methods_exist_in_the_specification() -> None:
    spec = ApiSpec.load(DEFAULT_SPEC_PATH)
    assert spec.version.startswith("Bot API ")
    assert [name for name in supported_methods() if spec.method(name) is None] == []
    assert "text" in spec.types["Message"] and spec.types["Message"]["message_id"].required


def test_the_committed_specification_names_its_source_and_licence() -> None:
    assert DEFAULT_SPEC_PATH.parent == Path(__file__).parents[1] / "emulator"
    raw = json.loads(DEFAULT_SPEC_PATH.read_text(encoding="utf-8"))
    assert list(raw)[:3] == ["source", "license", "version"]
    assert raw["source"]["repository"] == "https://github.com/PaulSonOfLars/telegram-bot-api-spec"
    assert raw["source"]["derived_from"] == "https://core.telegram.org/bots/api"
    assert raw["license"]["name"] == "MIT"
    assert raw["license"]["copyright"] == "Copyright (c) 2020 Paul Larsen"
    licence = (DEFAULT_SPEC_PATH.parent / raw["license"]["file"]).read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and raw["license"]["copyright"] in licence
    assert "Permission is hereby granted" in licence
    assert raw["version"] == ApiSpec.load().version
    assert sorted(set(supported_methods()) - set(raw["methods"])) == []
    # Facts only: [name, [types], required] triples, no descriptions and no links.
    entries = [*raw["methods"].values(), *raw["types"].values()]
    assert all(
        isinstance(name, str) and isinstance(types, list) and isinstance(required, bool)
        for fields in entries
        for name, types, required in fields
    )
    assert "core.telegram.org/bots/api#" not in DEFAULT_SPEC_PATH.read_text(encoding="utf-8")


def test_extract_spec_keeps_the_facts_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "api.json"
    source.write_text(
        json.dumps(
            {
                "version": "Bot API 9.9",
                "release_date": "May 1, 2026",
                "changelog": "https://core.telegram.org/bots/api#may-1-2026",
                "methods": {
                    "sendMessage": {
                        "name": "sendMessage",
                        "href": "https://core.telegram.org/bots/api#sendmessage",
                        "description": ["Use this method to send text messages."],
                        "returns": ["Message"],
                        "fields": [
                            {
                                "name": "chat_id",
                                "types": ["Integer", "String"],
                                "required": True,
                                "description": ".",
                            },
                            {"name": "text", "types": ["String"], "required": True, "description": "Text."},
                        ],
                    },
                    "getMe": {"name": "getMe", "href": "#getme", "description": ["A."], "returns": ["User"]},
                },
                "types": {
                    "User": {
                        "name": "User",
                        "href": "#user",
                        "description": ["A user."],
                        "fields": [
                            {"name": "id", "types": ["Integer"], "required": True, "description": "Id."}
                        ],
                    },
                    "ChatMember": {"name": "ChatMember", "href": "#cm", "subtypes": ["ChatMemberOwner"]},
                },
            }
        ),
        encoding="utf-8",
    )
    output = tmp_path / "spec.json"
    assert extract_spec.main([str(source), "--output", str(output)]) == 0
    written = output.read_text(encoding="utf-8")
    assert written.splitlines()[7:9] == [
        '    "getMe": [],',
        '    "sendMessage": [["chat_id", ["Integer", "String"], true], ["text", ["String"], true]]',
    ]
    for prose in ("description", "href", "Use this method", "changelog", "returns"):
        assert prose not in written
    spec = ApiSpec.load(output)
    assert spec.version == "Bot API 9.9"
    assert spec.check("sendMessage", {"chat_id": 1}) == ["sendMessage: required parameter 'text' is missing"]
    assert spec.types == {"User": {"id": ParamSpec("id", ("Integer",), True)}, "ChatMember": {}}
    assert json.loads(written)["subtypes"] == {"ChatMember": ["ChatMemberOwner"]}

    assert extract_spec.main([str(source), "--output", str(output), "--check"]) == 0
    output.write_text(written.replace("Bot API 9.9", "Bot API 9.8"), encoding="utf-8")
    assert extract_spec.main([str(source), "--output", str(output), "--check"]) == 1
    assert '-  "version": "Bot API 9.8",' in capsys.readouterr().err
    assert extract_spec.main([str(tmp_path / "nothing.json"), "--output", str(output)]) == 2
    source.write_text('{"version": "Bot API 9.9", "methods": {"getMe": {"fields": [{}]}}}', encoding="utf-8")
    assert extract_spec.main([str(source), "--output", str(output)]) == 2
    assert "a field has no name" in capsys.readouterr().err


async def test_a_missing_or_malformed_specification_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="missing"):
        ApiSpec.load(tmp_path / "api.json")
    with pytest.raises(SpecError, match="missing"):
        BotAPIEmulator(spec=tmp_path / "api.json")
    broken = tmp_path / "broken.json"
    for text in ("{", '{"methods": {}}', '{"version": "Bot API 1.0", "methods": {"getMe": [["x"]]}}'):
        broken.write_text(text, encoding="utf-8")
        with pytest.raises(SpecError):
            ApiSpec.load(broken)
    async with BotAPIEmulator(spec=None) as api:  # no specification check at all, on purpose
        bot = api.create_bot()
        assert (await bot.get_me()).is_bot


async def test_violations_fail_the_test_on_exit() -> None:
    with pytest.raises(AssertionError, match="bad Bot API request"):
        async with BotAPIEmulator() as api:
            bot = api.create_bot()
            with pytest.raises(TelegramBadRequest):
                await bot.send_message(USER_ID, "nobody is there")
    assert json.dumps(api.violations[0].params)
