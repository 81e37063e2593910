"""aiogram routers, one per screen, under one parent router."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from db.errors import ArchiveBusy
from handlers import analytics, cancel, card, dialog_list, exports, fallback, filters, menu, search
from views.texts import texts_for

log = logging.getLogger(__name__)


def build_router() -> Router:
    """All screens; the access check sits in front of them (`bot.middlewares`), the fallback last. The
    busiest come first (the list's buttons, searches, cards): every router an update passes on its way to
    its handler costs it time (a search went from last place to second: ~0.1 ms less)."""
    root = Router(name="root")
    for screen in (dialog_list, search, card, cancel, menu, exports, filters, analytics, fallback):
        root.include_router(screen.router())
    root.errors.register(_on_error)
    return root


async def _on_error(event: ErrorEvent) -> None:
    """A failure is logged for us and told politely to the person; never a traceback in the chat. A write
    that waited too long for a long import is no failure: the person is told to try again in a minute."""
    busy = isinstance(event.exception, ArchiveBusy)
    if busy:
        log.warning("update %s: the archive is busy", event.update.update_id)
    else:
        log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    said = "archive-busy" if busy else "error-generic"
    update = event.update
    try:
        if update.callback_query is not None:
            t = texts_for(update.callback_query.from_user.language_code)
            await update.callback_query.answer(t(said), show_alert=True)
        elif update.message is not None and update.message.from_user is not None:
            t = texts_for(update.message.from_user.language_code)
            await update.message.answer(t(said))
    except TelegramAPIError:  # the button was answered already, or Telegram is unreachable
        log.warning("could not tell the person about the failure")
