"""Simulated people: they write to the bot, press inline buttons and look at what the bot did."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject, Update

from .formatting import utf16_len
from .state import BotEvent, CallbackAnswer, CallbackQueryRecord, ChatInfo, ChatMessage, SentFile, UserInfo

if TYPE_CHECKING:
    from .server import BotAPIEmulator

__all__ = ["GroupChat", "Reaction", "SimulatedUser", "UpdateTracker"]

MessageRef = ChatMessage | Message | int
"""A message: the emulator's view, an aiogram Message, or a message id in the private chat."""
DEFAULT_TIMEOUT = 5.0
QUIET_PERIOD = 0.05
"""Without update tracking, the bot counts as done after this long without new activity."""
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_REACTION_KINDS = frozenset({"message", "edit", "delete", "callback_answer", "error"})


class UpdateTracker(BaseMiddleware):
    """Outer update middleware that tells the emulator when each update has been handled."""

    def __init__(self, api: BotAPIEmulator) -> None:
        self.api = api

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update_id = event.update_id if isinstance(event, Update) else None
        if update_id is None:
            return await handler(event, data)
        self.api.mark_update_started(update_id)
        error: BaseException | None = None
        try:
            return await handler(event, data)
        except BaseException as exc:
            error = exc
            raise
        finally:
            self.api.mark_update_finished(update_id, error)


@dataclass(frozen=True)
class _Action:
    kind: Literal["message", "callback_query"]
    description: str
    update_id: int
    chat_id: int
    seq: int
    callback_query_id: str | None = None


@dataclass(frozen=True)
class Reaction:
    """What the bot did in reply to one action of a person."""

    events: tuple[BotEvent, ...]

    @property
    def sent(self) -> list[ChatMessage]:
        """New messages, in order (current state of each)."""
        return [e.message for e in self.events if e.kind == "message" and e.message is not None]

    @property
    def edited(self) -> list[ChatMessage]:
        """Edited messages, each once, in order of their first edit."""
        seen: dict[int, ChatMessage] = {}
        for e in self.events:
            if e.kind == "edit" and e.message is not None:
                seen.setdefault(e.message.message_id, e.message)
        return list(seen.values())

    @property
    def deleted(self) -> list[int]:
        return [e.message_id for e in self.events if e.kind == "delete" and e.message_id is not None]

    @property
    def callback_answer(self) -> CallbackAnswer | None:
        return next((e.answer for e in self.events if e.kind == "callback_answer"), None)

    @property
    def errors(self) -> list[str]:
        """Failed requests of the bot in this chat (they are also in ``api.violations``)."""
        return [f"{e.method}: {e.error}" for e in self.events if e.kind == "error"]

    @property
    def chat_actions(self) -> list[str]:
        return [e.action for e in self.events if e.kind == "chat_action" and e.action]

    @property
    def message(self) -> ChatMessage:
        """The message the person looks at now: the last one the bot sent or edited."""
        for e in reversed(self.events):
            if e.kind in ("message", "edit") and e.message is not None:
                return e.message
        raise AssertionError(f"the bot neither sent nor edited a message; it did: {self.describe()}")

    @property
    def text(self) -> str:
        return self.message.content

    def describe(self) -> str:
        return "; ".join(_describe_event(e) for e in self.events) or "nothing"


def _describe_event(event: BotEvent) -> str:
    if event.kind in ("message", "edit") and event.message is not None:
        return f"{event.method} #{event.message.message_id} {event.message.content[:80]!r}"
    if event.kind == "callback_answer" and event.answer is not None:
        return f"answerCallbackQuery text={event.answer.text!r} show_alert={event.answer.show_alert}"
    if event.kind == "chat_action":
        return f"sendChatAction {event.action}"
    if event.kind == "delete":
        return f"deleteMessage #{event.message_id}"
    return f"{event.method} failed: {event.error}"


def _command_entities(text: str) -> list[dict[str, Any]]:
    entities: list[dict[str, Any]] = []
    for match in _COMMAND_RE.finditer(text):
        entities.append(
            {
                "type": "bot_command",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities


class GroupChat:
    """A group chat with the bot in it (see ``BotAPIEmulator.group``)."""

    def __init__(self, api: BotAPIEmulator, info: ChatInfo) -> None:
        self.api = api
        self.info = info

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def messages(self) -> list[ChatMessage]:
        return self.api.messages(self.id)

    @property
    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages if m.from_bot]


class SimulatedUser:
    """A person talking to the bot, created with ``BotAPIEmulator.user``.

    Actions (``send_text``, ``press``, ``press_data``) queue updates for the bot; ``wait_answer``
    waits for the bot's reaction to the last action.  Views (``messages``, ``last_message``,
    ``documents``, ``photos``, ``callback_answers``) show the private chat as the person sees it.
    """

    def __init__(self, api: BotAPIEmulator, info: UserInfo) -> None:
        self.api = api
        self.info = info
        self._last_action: _Action | None = None

    def __repr__(self) -> str:
        return f"<SimulatedUser {self.id} {self.info.first_name!r}>"

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def chat_id(self) -> int:
        """The private chat with the bot has the id of the user."""
        return self.info.id

    @property
    def chat(self) -> ChatInfo:
        chat = self.api.chat_info(self.chat_id)
        assert chat is not None
        return chat

    def block(self) -> None:
        """The person blocks the bot: sending to them fails with 403 (not a violation)."""
        self.chat.blocked = True

    def unblock(self) -> None:
        self.chat.blocked = False

    # -----------------------------------------------------------------------------------------
    # Actions

    async def send_text(
        self, text: str, *, chat: GroupChat | None = None, reply_to: MessageRef | None = None
    ) -> ChatMessage:
        """Send a text message (``/commands`` get bot_command entities) to the private chat or ``chat``."""
        chat_info = self.chat if chat is None else chat.info
        message = ChatMessage(
            message_id=self.api.new_message_id(chat_info.id),
            chat=chat_info,
            sender=self.info,
            date=int(time.time()),
            text=text,
            entities=_command_entities(text),
            source=text,
        )
        payload = message.to_api()
        if reply_to is not None:
            target = self._current(reply_to, chat_info.id)
            message.reply_to_message_id = target.message_id
            payload["reply_to_message"] = target.to_api()
        self.api.store_message(message)
        update_id = self.api.push_update({"message": payload})
        self._last_action = _Action("message", f"{self} sent {text!r}", update_id, chat_info.id, self.api.seq)
        return message

    async def press(self, message: MessageRef, button_text: str) -> CallbackQueryRecord:
        """Press the inline button labelled exactly ``button_text`` on the message as it is now.

        Fails the test if the message is gone or has no such callback button: a person can only
        press what is on the screen.
        """
        current = self._current(message)
        button = current.find_button(button_text)
        if button is None:
            raise AssertionError(
                f"{self} cannot press {button_text!r}: message #{current.message_id} "
                f"({current.content[:80]!r}) has the buttons {current.button_rows()!r}"
            )
        data = button.get("callback_data")
        if not isinstance(data, str):
            kind = next((key for key in button if key not in ("text", "style", "icon_custom_emoji_id")), "?")
            raise AssertionError(
                f"button {button_text!r} on message #{current.message_id} is a {kind} button, "
                "it sends no callback query"
            )
        return self._push_callback(current, data, f"{self} pressed {button_text!r}")

    async def press_data(self, message: MessageRef, data: str) -> CallbackQueryRecord:
        """Send a callback query with arbitrary ``data`` for the message (a forged or stale press)."""
        current = self._current(message, allow_deleted=True)
        return self._push_callback(current, data, f"{self} sent callback data {data!r}")

    def _push_callback(self, message: ChatMessage, data: str, description: str) -> CallbackQueryRecord:
        query_id = str(secrets.randbits(63))
        payload = {
            "id": query_id,
            "from": self.info.to_api(),
            "message": message.to_api(),
            "chat_instance": str(abs(message.chat.id) * 7919 % 10**12),
            "data": data,
        }
        update_id = self.api.push_update({"callback_query": payload})
        record = CallbackQueryRecord(
            id=query_id,
            user=self.info,
            chat=message.chat,
            message_id=message.message_id,
            data=data,
            created_at=time.monotonic(),
            update_id=update_id,
        )
        self.api.register_callback_query(record)
        self._last_action = _Action(
            "callback_query",
            description,
            update_id,
            message.chat.id,
            self.api.seq,
            callback_query_id=query_id,
        )
        return record

    def _current(
        self, message: MessageRef, chat_id: int | None = None, *, allow_deleted: bool = False
    ) -> ChatMessage:
        if isinstance(message, ChatMessage | Message):
            chat_id, message_id = message.chat.id, message.message_id
        else:
            chat_id, message_id = (self.chat_id if chat_id is None else chat_id), message
        current = self.api.message(chat_id, message_id)
        if current is None:
            raise AssertionError(f"there is no message #{message_id} in chat {chat_id}")
        if current.deleted and not allow_deleted:
            raise AssertionError(f"message #{message_id} in chat {chat_id} was deleted, {self} cannot use it")
        return current

    # -----------------------------------------------------------------------------------------
    # Waiting for the bot

    def _require_action(self) -> _Action:
        if self._last_action is None:
            raise AssertionError(f"{self} has not done anything yet")
        return self._last_action

    def _events_since(self, action: _Action) -> list[BotEvent]:
        return [
            e
            for e in self.api.events
            if e.seq > action.seq
            and (
                e.chat_id == action.chat_id
                or (action.callback_query_id and e.callback_query_id == action.callback_query_id)
            )
        ]

    def _unanswered(self, action: _Action) -> bool:
        if action.callback_query_id is None:
            return False
        query = self.api.callback_query(action.callback_query_id)
        return query is not None and query.answer is None

    async def wait_answer(self, timeout: float = DEFAULT_TIMEOUT, *, quiet: float = QUIET_PERIOD) -> Reaction:
        """Wait until the bot has reacted to the last action and return what it did.

        With update tracking (``api.run_polling``/``api.track``) this returns as soon as the
        handler of the update has finished, and fails at once if the bot did nothing, did not
        answer a pressed button or raised an exception.  Without tracking it waits until the bot
        has done something (and answered the callback query) and then stays quiet for ``quiet``
        seconds.  Fails after ``timeout`` seconds.
        """
        action = self._require_action()
        deadline = time.monotonic() + timeout
        while True:
            events = self._events_since(action)
            meaningful = [e for e in events if e.kind in _REACTION_KINDS]
            if self.api.is_dropped(action.update_id):
                raise AssertionError(
                    f"{action.description}: Telegram would not deliver this update, its type is not in "
                    "the bot's allowed_updates"
                )
            wait = deadline - time.monotonic()
            if self.api.tracking:
                if self.api.is_processed(action.update_id):
                    errors = [
                        exc for update_id, exc in self.api.handler_errors if update_id == action.update_id
                    ]
                    if errors:
                        raise AssertionError(
                            f"{action.description}: the bot's handler raised {errors[0]!r}"
                        ) from errors[0]
                    if not meaningful:
                        raise AssertionError(
                            f"{action.description}: the bot handled the update but did nothing "
                            f"in chat {action.chat_id}"
                        )
                    if self._unanswered(action):
                        raise AssertionError(
                            f"{action.description}: the bot did not answer the callback query "
                            f"(the button keeps spinning); it did: {Reaction(tuple(events)).describe()}"
                        )
                    return Reaction(tuple(events))
            elif self.api.is_delivered(action.update_id) and meaningful and not self._unanswered(action):
                idle = time.monotonic() - events[-1].at
                if idle >= quiet:
                    return Reaction(tuple(events))
                wait = min(wait, quiet - idle)
            if deadline - time.monotonic() <= 0:
                raise AssertionError(self._timeout_report(action, events, timeout))
            await self.api.wait_for_change(wait)

    async def assert_no_reaction(self, within: float = 0.3, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Check that the bot ignores the last action (e.g. a message in a group chat).

        With tracking: waits until the update is handled, then checks that nothing happened.
        Without: waits until the bot fetched the update and then ``within`` seconds more.
        """
        action = self._require_action()
        if self.api.is_dropped(action.update_id):
            return
        ready = self.api.is_processed if self.api.tracking else self.api.is_delivered
        fetched = await self.api.wait_until(
            lambda: ready(action.update_id) or self.api.is_dropped(action.update_id), timeout
        )
        if not fetched:
            raise AssertionError(self._timeout_report(action, self._events_since(action), timeout))
        if not self.api.tracking:
            await self.api.wait_until(lambda: False, within)
        events = [e for e in self._events_since(action) if e.kind in _REACTION_KINDS]
        if events:
            did = Reaction(tuple(events)).describe()
            raise AssertionError(f"{action.description}: expected no reaction, but the bot did: {did}")

    def _timeout_report(self, action: _Action, events: list[BotEvent], timeout: float) -> str:
        api = self.api
        lines = [f"{action.description}: no complete reaction of the bot within {timeout} s"]
        if not api.is_delivered(action.update_id):
            lines.append(f"  update {action.update_id} was never fetched by getUpdates (is the bot polling?)")
        elif api.tracking and not api.is_processed(action.update_id):
            lines.append(f"  update {action.update_id} is still being handled")
        if self._unanswered(action):
            lines.append("  the callback query was not answered")
        lines.append(f"  the bot did: {Reaction(tuple(events)).describe()}")
        if api.handler_errors:
            lines.append(f"  handler errors: {api.handler_errors[-3:]!r}")
        if api.violations:
            lines.append("  violations: " + "; ".join(str(v) for v in api.violations[-5:]))
        lines.append("  last requests:")
        lines.extend(f"    {call}" for call in api.calls[-8:])
        return "\n".join(lines)

    # -----------------------------------------------------------------------------------------
    # What the person sees

    @property
    def messages(self) -> list[ChatMessage]:
        """The private chat now: both sides, deleted messages left out."""
        return self.api.messages(self.chat_id)

    @property
    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.messages if m.from_bot]

    @property
    def last_message(self) -> ChatMessage:
        """The newest message from the bot still in the chat."""
        bot_messages = self.bot_messages
        if not bot_messages:
            raise AssertionError(f"the bot has no messages in the chat with {self}")
        return bot_messages[-1]

    def message(self, message_id: int) -> ChatMessage:
        return self._current(message_id, allow_deleted=True)

    @property
    def documents(self) -> list[SentFile]:
        """Documents the bot sent to this person, in order (also ones deleted later)."""
        all_messages = self.api.messages(self.chat_id, include_deleted=True)
        return [m.document for m in all_messages if m.from_bot and m.document is not None]

    @property
    def photos(self) -> list[SentFile]:
        all_messages = self.api.messages(self.chat_id, include_deleted=True)
        return [m.photo for m in all_messages if m.from_bot and m.photo is not None]

    @property
    def callback_answers(self) -> list[CallbackAnswer]:
        """Answers to this person's button presses, in order of the answers."""
        return [
            e.answer
            for e in self.api.events
            if e.kind == "callback_answer"
            and e.answer is not None
            and (query := self.api.callback_query(e.answer.callback_query_id)) is not None
            and query.user.id == self.id
        ]

    @property
    def chat_actions(self) -> list[str]:
        return [
            e.action
            for e in self.api.events
            if e.kind == "chat_action" and e.chat_id == self.chat_id and e.action
        ]
