"""Who may go on (private chats only, authorized people only; everyone else learns their id and nothing),
in which language (the one they chose in the bot, else their Telegram app's), and what each update costs,
for /metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from aiogram import BaseMiddleware
from aiogram.enums import ChatType
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User

from api.metrics import Metrics
from db.archive import Archive
from db.users import Role
from handlers import LOOKING
from views.texts import chosen_texts
from views.viewer import Viewer

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class AccessMiddleware(BaseMiddleware):
    """Outer middleware: runs before any filter, so a stranger is refused whatever they send or press,
    and a forged button never reaches a handler."""

    def __init__(self, archive: Archive, admin_ids: Collection[int]) -> None:
        self._archive = archive
        self._admin_ids = frozenset(admin_ids)
        self._zone = archive.settings.zone
        self._phone_region = archive.settings.phone_region

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None or chat is None or chat.type != ChatType.PRIVATE:
            if isinstance(event, CallbackQuery):
                await event.answer()
            return None  # groups and channels: the bot is not there to talk
        person = await self._archive.person(user.id)  # the role and the language: one read
        texts = chosen_texts(person.language, user.language_code)
        role = Role.ADMIN if user.id in self._admin_ids else person.role
        if role is None:
            log.info("refused telegram user %s", user.id)
            if isinstance(event, CallbackQuery):
                await event.answer(texts("access-denied-alert", id=user.id), show_alert=True)
            elif isinstance(event, Message):
                await event.answer(texts("access-denied", id=user.id))
            return None
        viewer = Viewer(user.id, role, texts, self._zone, self._phone_region)
        LOOKING.set(viewer)  # for the error handler, which is given the update alone
        data["viewer"] = viewer
        data["archive"] = self._archive
        return await handler(event, data)


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
