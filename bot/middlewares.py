"""Who may go on (private chats only, authorized people only; everyone else learns their id and nothing),
in which language (the one they chose in the bot, else their Telegram app's), what they see (with
MANAGER_SCOPE=own a manager sees the dialogs of the employee they are linked to, and one not linked is
told to ask an administrator), and what each update costs, for /metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User

from api.metrics import Metrics
from db.archive import Archive
from db.users import Role
from handlers import LOOKING
from handlers.asking import Asking
from views.texts import chosen_texts
from views.viewer import Viewer

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class AccessMiddleware(BaseMiddleware):
    """Outer middleware: runs before any filter, so a stranger is refused whatever they send or press,
    and a forged button never reaches a handler."""

    def __init__(
        self, archive: Archive, admin_ids: Collection[int], *, managers_see_own: bool = False
    ) -> None:
        self._archive = archive
        self._admin_ids = frozenset(admin_ids)
        self._managers_see_own = managers_see_own
        self._zone = archive.settings.zone
        self._phone_region = archive.settings.phone_region

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or chat is None or chat.type != ChatType.PRIVATE:
            if isinstance(event, CallbackQuery):
                await event.answer()
            return None  # groups and channels: the bot is not there to talk
        # the role, the language and the linked employee: one read
        person = await self._archive.person(user.id)
        texts = chosen_texts(person.language, user.language_code)
        role = Role.ADMIN if user.id in self._admin_ids else person.role
        if role is None:
            log.info("refused telegram user %s", user.id)
            await _refuse(event, texts("access-denied-alert", id=user.id), texts("access-denied", id=user.id))
            return None
        scope = None
        if role is Role.MANAGER and self._managers_see_own:
            scope = person.employee_id
            if scope is None:  # whose dialogs they may see is not known: none, until an admin says
                log.info("refused manager %s: not linked to an employee", user.id)
                await _refuse(event, texts("access-unlinked-alert"), texts("access-unlinked"))
                return None
        viewer = Viewer(user.id, role, texts, self._zone, self._phone_region, scope)
        LOOKING.set(viewer)  # for the error handler, which is given the update alone
        data["viewer"] = viewer
        # everything the handler reads goes through the archive as this person sees it
        data["archive"] = self._archive.seen_by(scope)
        return await handler(event, data)


async def _refuse(event: TelegramObject, alert: str, said: str) -> None:
    """A refusal: an alert on a button, a message on a message."""
    if isinstance(event, CallbackQuery):
        await event.answer(alert, show_alert=True)
    elif isinstance(event, Message):
        await event.answer(said)


class LeftQuestion(BaseMiddleware):
    """Outer middleware of messages and buttons, after the access check: a mark's comment is asked for in
    the card's place (`handlers.card`), and the next text typed is written as the comment. A button pressed
    instead (on the question: back to the card, or the comment removed; or anywhere else), or a command
    other than /cancel, ends the question there, so that what they type next is the search it looks like,
    never a comment under a mark they no longer see. The other questions only read what is typed, and stay
    until answered or cancelled. The state is the one aiogram read for this update (`raw_state`): nothing
    more is read for other taps."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is not None and data.get("raw_state") == Asking.review_comment.state and _leaves(event):
            await state.clear()
            data["raw_state"] = None  # for the filters of this update's handlers
        return await handler(event, data)


def _leaves(event: TelegramObject) -> bool:
    """A button, or a command other than /cancel (which answers the question itself)."""
    if isinstance(event, CallbackQuery):
        return True
    if isinstance(event, Message) and event.text is not None and event.text.startswith("/"):
        return event.text.split(maxsplit=1)[0].split("@")[0].lower() != "/cancel"
    return False


class UpdateMetrics(BaseMiddleware):
    """Outer middleware of whole updates: each counted by its kind and timed to the end of its handling."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            kind = event.event_type if isinstance(event, Update) else "other"
            self._metrics.updates.labels(kind).inc()
            self._metrics.update_seconds.observe(time.perf_counter() - started)
