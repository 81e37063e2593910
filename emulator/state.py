"""What the emulator remembers: chats, messages as people see them, files, callbacks, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "ApiCall",
    "BotEvent",
    "CallbackAnswer",
    "CallbackQueryRecord",
    "ChatInfo",
    "ChatMessage",
    "MessageVersion",
    "SentFile",
    "UserInfo",
    "Violation",
]

EventKind = Literal["message", "edit", "delete", "callback_answer", "chat_action", "error"]


@dataclass
class UserInfo:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class ChatInfo:
    id: int
    type: Literal["private", "group", "supergroup", "channel"]
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    blocked: bool = False
    """For a private chat: the person blocked the bot."""

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass
class SentFile:
    """A document or photo the bot uploaded (or re-sent by file_id or URL)."""

    file_id: str
    file_unique_id: str
    filename: str | None
    data: bytes
    mime_type: str | None
    caption: str | None = None
    url: str | None = None
    width: int | None = None
    height: int | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class MessageVersion:
    """One state of a message; ``ChatMessage.history`` keeps the earlier ones."""

    text: str | None
    entities: tuple[dict[str, Any], ...]
    caption: str | None
    reply_markup: dict[str, Any] | None
    edit_date: int | None


@dataclass
class ChatMessage:
    """A message as the people in the chat see it right now (the object is updated on edits)."""

    message_id: int
    chat: ChatInfo
    sender: UserInfo
    date: int
    text: str | None = None
    """Visible text, after HTML parsing and trimming."""
    entities: list[dict[str, Any]] = field(default_factory=list)
    source: str | None = None
    """The text or caption exactly as the bot sent it (with markup)."""
    parse_mode: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: SentFile | None = None
    photo: SentFile | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)
    """Earlier versions, oldest first."""

    @property
    def chat_id(self) -> int:
        return self.chat.id

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Rows of inline keyboard buttons (empty when there is no inline keyboard)."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        rows: list[list[dict[str, Any]]] = self.reply_markup["inline_keyboard"]
        return rows

    def button_rows(self) -> list[list[str]]:
        """Texts of the inline buttons, row by row."""
        return [[str(button["text"]) for button in row] for row in self.buttons]

    def button_texts(self) -> list[str]:
        """Texts of all inline buttons in reading order."""
        return [text for row in self.button_rows() for text in row]

    def find_button(self, text: str) -> dict[str, Any] | None:
        for row in self.buttons:
            for button in row:
                if button.get("text") == text:
                    return button
        return None

    def snapshot(self) -> MessageVersion:
        return MessageVersion(
            text=self.text,
            entities=tuple(self.entities),
            caption=self.caption,
            reply_markup=self.reply_markup,
            edit_date=self.edit_date,
        )

    def to_api(self) -> dict[str, Any]:
        """The Message object as the Bot API returns it."""
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = list(self.entities)
        if self.document is not None:
            document: dict[str, Any] = {
                "file_id": self.document.file_id,
                "file_unique_id": self.document.file_unique_id,
                "file_size": self.document.size,
            }
            if self.document.filename:
                document["file_name"] = self.document.filename
            if self.document.mime_type:
                document["mime_type"] = self.document.mime_type
            data["document"] = document
        if self.photo is not None:
            data["photo"] = [
                {
                    "file_id": self.photo.file_id,
                    "file_unique_id": self.photo.file_unique_id,
                    "width": self.photo.width or 1,
                    "height": self.photo.height or 1,
                    "file_size": self.photo.size,
                }
            ]
        if self.caption is not None:
            data["caption"] = self.caption
            if self.caption_entities:
                data["caption_entities"] = list(self.caption_entities)
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else f"user {self.sender.id}"
        state = " deleted" if self.deleted else ""
        return (
            f"<ChatMessage #{self.message_id} in {self.chat.id} from {who}{state}: {self.content!r} "
            f"buttons={self.button_rows()!r}>"
        )


@dataclass(frozen=True)
class CallbackAnswer:
    """What the person saw after pressing a button (a toast, an alert or nothing)."""

    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class CallbackQueryRecord:
    id: str
    user: UserInfo
    chat: ChatInfo
    message_id: int
    data: str
    created_at: float
    update_id: int
    answer: CallbackAnswer | None = None


@dataclass(frozen=True)
class BotEvent:
    """Something the bot did that a person could notice (or a failed attempt to do it)."""

    seq: int
    kind: EventKind
    method: str
    chat_id: int | None
    at: float
    message: ChatMessage | None = None
    message_id: int | None = None
    callback_query_id: str | None = None
    answer: CallbackAnswer | None = None
    action: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Violation:
    """A request of the bot that the real Bot API would reject, or a specification problem."""

    method: str
    error_code: int
    description: str
    params: dict[str, Any]
    kind: Literal["api", "spec", "flood"] = "api"

    def __str__(self) -> str:
        shown = {key: _shorten(value) for key, value in self.params.items()}
        return f"[{self.kind}] {self.method}: {self.error_code} {self.description} params={shown}"


@dataclass(frozen=True)
class ApiCall:
    """One request of the bot and its outcome."""

    seq: int
    method: str
    params: dict[str, Any]
    ok: bool
    error_code: int | None = None
    description: str | None = None

    def __str__(self) -> str:
        shown = {key: _shorten(value) for key, value in self.params.items()}
        outcome = "ok" if self.ok else f"{self.error_code} {self.description}"
        return f"{self.method}({shown}) -> {outcome}"


def _shorten(value: Any, limit: int = 120) -> Any:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = repr(value)
    if len(text) > limit:
        return text[: limit - 3] + "..."
    return value
