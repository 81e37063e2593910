"""Limits of the Telegram Bot API and the errors Telegram returns when they are broken."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "CALLBACK_ANSWER_MAX",
    "CALLBACK_DATA_MAX_BYTES",
    "CAPTION_MAX",
    "TEXT_MAX",
    "ApiError",
    "Errors",
    "FloodLimits",
    "normalize_inline_markup",
    "normalize_reply_markup",
    "validate_commands",
]

TEXT_MAX = 4096
"""Message text: 1-4096 characters after entities parsing."""
CAPTION_MAX = 1024
"""Media caption: 0-1024 characters after entities parsing."""
CALLBACK_ANSWER_MAX = 200
"""answerCallbackQuery text: 0-200 characters."""
CALLBACK_DATA_MIN_BYTES = 1
CALLBACK_DATA_MAX_BYTES = 64
"""callback_data of an inline button: 1-64 bytes in UTF-8."""
BUTTONS_MAX = 100
"""Buttons in one inline keyboard."""
COMMANDS_MAX = 100
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
COMMAND_DESCRIPTION_MAX = 256
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
DOCUMENT_MAX_BYTES = 50 * 1024 * 1024
PHOTO_MAX_BYTES = 10 * 1024 * 1024
PHOTO_MAX_DIMENSIONS_SUM = 10000
PHOTO_MAX_RATIO = 20

# Inline keyboard button fields that decorate a button rather than say what it does.
_BUTTON_DECORATION_FIELDS = frozenset({"text", "icon_custom_emoji_id", "style"})
_BUTTON_STYLES = frozenset({"danger", "success", "primary"})


@dataclass(frozen=True)
class FloodLimits:
    """Telegram's flood control as the emulator enforces it (``BotAPIEmulator(flood=FloodLimits())``).

    Telegram publishes no exact numbers; its Bot FAQ says: about one message a second in a chat, short
    bursts allowed, and about thirty messages a second in bulk to many chats. Each limit is a token bucket
    (``*_burst`` at once, then ``*_rate`` a second). A chat's bucket counts the messages sent to it and
    the edits of its messages; the overall one counts new messages only (edits answer the person's own
    taps). A request over a limit gets 429 with ``retry_after`` and is a ``flood`` violation.

    The defaults are a little more lenient than the bot's own pacing (``bot.runtime.Pace``: a minute's
    worth per chat, 25 a second overall): a bot that paces itself so never meets them, however its
    requests' timing jitters on the way, and one that does not pace meets them in its first burst.
    """

    chat_rate: float = 1.0
    chat_burst: float = 65.0
    all_rate: float = 30.0
    all_burst: float = 30.0


# Methods that put a new message into a chat, and methods that change one (lower case, as looked up).
NEW_MESSAGE_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto"})
EDIT_METHODS = frozenset({"editmessagetext", "editmessagecaption", "editmessagereplymarkup"})

PROXY_ERROR_PAGE = """<html>
<head><title>{status} {reason}</title></head>
<body>
<center><h1>{status} {reason}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""
"""What a reverse proxy (nginx) answers when the Bot API behind it fails: HTML, not the Bot API's JSON."""


class Errors:
    """Error descriptions as the Bot API sends them.

    The ones under "emulator wording" are for requests where Telegram's exact text is not known
    or where Telegram is more lenient than its documentation; the status code is still right.
    """

    UNAUTHORIZED = "Unauthorized"
    NOT_FOUND = "Not Found"
    NOT_MODIFIED = (
        "Bad Request: message is not modified: specified new message content and reply markup are "
        "exactly the same as a current content and reply markup of the message"
    )
    EDIT_NOT_FOUND = "Bad Request: message to edit not found"
    DELETE_NOT_FOUND = "Bad Request: message to delete not found"
    CANT_EDIT = "Bad Request: message can't be edited"
    CANT_DELETE = "Bad Request: message can't be deleted"
    NO_TEXT_TO_EDIT = "Bad Request: there is no text in the message to edit"
    TEXT_EMPTY = "Bad Request: message text is empty"
    # sendMessage reports a long text in words, the edit methods and callback answers in MTProto terms.
    SEND_TOO_LONG = "Bad Request: message is too long"
    EDIT_TOO_LONG = "Bad Request: MESSAGE_TOO_LONG"
    CAPTION_TOO_LONG = "Bad Request: message caption is too long"
    BUTTON_DATA_INVALID = "Bad Request: BUTTON_DATA_INVALID"
    BUTTON_URL_INVALID = "Bad Request: BUTTON_URL_INVALID"
    TEXT_BUTTONS_UNALLOWED = (
        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
    )
    MARKUP_INVALID = "Bad Request: can't parse reply keyboard markup JSON object"
    MARKUP_TOO_LONG = "Bad Request: REPLY_MARKUP_TOO_LONG"
    QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    CHAT_NOT_FOUND = "Bad Request: chat not found"
    CHAT_ID_EMPTY = "Bad Request: chat_id is empty"
    MESSAGE_ID_MISSING = "Bad Request: message identifier is not specified"
    REPLY_NOT_FOUND = "Bad Request: message to be replied not found"
    UNSUPPORTED_PARSE_MODE = "Bad Request: unsupported parse_mode"
    WRONG_ACTION = "Bad Request: wrong parameter action in request"
    BLOCKED = "Forbidden: bot was blocked by the user"
    FILE_EMPTY = "Bad Request: file must be non-empty"
    WRONG_FILE_ID = "Bad Request: wrong file identifier/HTTP URL specified"
    IMAGE_PROCESS_FAILED = "Bad Request: IMAGE_PROCESS_FAILED"
    PHOTO_INVALID_DIMENSIONS = "Bad Request: PHOTO_INVALID_DIMENSIONS"
    TOO_LARGE = "Request Entity Too Large"
    COMMAND_INVALID = "Bad Request: BOT_COMMAND_INVALID"
    COMMANDS_TOO_MUCH = "Bad Request: BOT_COMMANDS_TOO_MUCH"
    WEBHOOK_ACTIVE = (
        "Conflict: can't use getUpdates method while webhook is active;"
        " use deleteWebhook to delete the webhook first"
    )
    WEBHOOK_NOT_HTTPS = "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
    WEBHOOK_BAD_SECRET = "Bad Request: secret token contains unallowed characters"
    WEBHOOK_BAD_CONNECTIONS = "Bad Request: bad webhook: max_connections must be between 1 and 100"
    CONFLICT = (
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )

    # Emulator wording.
    # Telegram silently uses one of several action fields; sending several is a bot bug all the same.
    MANY_BUTTON_ACTIONS = (
        "Bad Request: can't parse inline keyboard button: exactly one of the optional fields must be used"
    )
    BUTTON_TEXT_MISSING = "Bad Request: can't parse inline keyboard button: Text must be non-empty"
    BUTTON_STYLE_INVALID = "Bad Request: can't parse inline keyboard button: unsupported button style"
    INLINE_KEYBOARD_EXPECTED = "Bad Request: inline keyboard expected"
    NO_CAPTION_TO_EDIT = "Bad Request: there is no caption in the message to edit"
    COMMAND_DESCRIPTION_INVALID = "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID"

    @staticmethod
    def too_many_requests(retry_after: int) -> str:
        return f"Too Many Requests: retry after {retry_after}"

    @staticmethod
    def required(parameter: str) -> str:
        """Emulator wording for a missing required parameter without a more specific error."""
        return f'Bad Request: parameter "{parameter}" is required'


@dataclass(eq=False)
class ApiError(Exception):
    """An error response of the Bot API.

    ``violation`` tells whether the bot caused it (True) or the test injected it (False).
    """

    error_code: int
    description: str
    parameters: dict[str, Any] | None = None
    violation: bool = True

    def __str__(self) -> str:
        return f"{self.error_code} {self.description}"

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.error_code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, description)


def _valid_button_url(url: Any) -> bool:
    if not isinstance(url, str) or not url:
        return False
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return parts.scheme == "tg"


def _normalize_inline_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise bad_request(Errors.MARKUP_INVALID)
    normalized = {key: value for key, value in button.items() if value is not None}
    text = normalized.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request(Errors.BUTTON_TEXT_MISSING)
    style = normalized.get("style")
    if style is not None and style not in _BUTTON_STYLES:
        raise bad_request(Errors.BUTTON_STYLE_INVALID)
    actions = [key for key in normalized if key not in _BUTTON_DECORATION_FIELDS]
    if not actions:
        raise bad_request(Errors.TEXT_BUTTONS_UNALLOWED)
    if len(actions) > 1:
        raise bad_request(Errors.MANY_BUTTON_ACTIONS)
    if "callback_data" in normalized:
        data = normalized["callback_data"]
        if not isinstance(data, str):
            raise bad_request(Errors.BUTTON_DATA_INVALID)
        size = len(data.encode("utf-8"))
        if not CALLBACK_DATA_MIN_BYTES <= size <= CALLBACK_DATA_MAX_BYTES:
            raise bad_request(Errors.BUTTON_DATA_INVALID)
    if "url" in normalized and not _valid_button_url(normalized["url"]):
        raise bad_request(Errors.BUTTON_URL_INVALID)
    return normalized


def normalize_inline_markup(markup: Any) -> dict[str, Any] | None:
    """Validate an InlineKeyboardMarkup and return it without empty fields.

    An empty keyboard is the same as no keyboard for Telegram, so it becomes ``None``.
    """
    if markup is None:
        return None
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        raise bad_request(Errors.INLINE_KEYBOARD_EXPECTED)
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(Errors.MARKUP_INVALID)
    normalized_rows = [[_normalize_inline_button(button) for button in row] for row in rows]
    normalized_rows = [row for row in normalized_rows if row]
    if sum(len(row) for row in normalized_rows) > BUTTONS_MAX:
        raise bad_request(Errors.MARKUP_TOO_LONG)
    if not normalized_rows:
        return None
    return {"inline_keyboard": normalized_rows}


def normalize_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate any reply_markup accepted by the send methods."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request(Errors.MARKUP_INVALID)
    if "inline_keyboard" in markup:
        return normalize_inline_markup(markup)
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(Errors.MARKUP_INVALID)
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request(Errors.MARKUP_INVALID)
        return {key: value for key, value in markup.items() if value is not None}
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return {key: value for key, value in markup.items() if value is not None}
    raise bad_request(Errors.MARKUP_INVALID)


def validate_commands(commands: Any) -> list[dict[str, str]]:
    """Validate the ``commands`` parameter of setMyCommands."""
    if not isinstance(commands, list):
        raise bad_request(Errors.required("commands"))
    if len(commands) > COMMANDS_MAX:
        raise bad_request(Errors.COMMANDS_TOO_MUCH)
    result: list[dict[str, str]] = []
    for item in commands:
        if not isinstance(item, dict):
            raise bad_request(Errors.COMMAND_INVALID)
        command = item.get("command")
        description = item.get("description")
        if not isinstance(command, str) or not COMMAND_RE.fullmatch(command):
            raise bad_request(Errors.COMMAND_INVALID)
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= COMMAND_DESCRIPTION_MAX:
            raise bad_request(Errors.COMMAND_DESCRIPTION_INVALID)
        result.append({"command": command, "description": description})
    return result
