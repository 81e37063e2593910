"""aiogram routers, one per screen, under one parent router."""

from __future__ import annotations

import logging
from contextvars import ContextVar

from aiogram import Router
from aiogram.exceptions import (
    AiogramError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import ErrorEvent, User

from db.errors import ArchiveBusy, ArchiveReplaced, ArchiveUnwritable
from handlers import (
    analytics,
    cancel,
    card,
    dialog_list,
    digest,
    exports,
    fallback,
    filters,
    keywords,
    menu,
    review_queue,
    search,
)
from views.texts import Texts, texts_for
from views.viewer import Viewer

log = logging.getLogger(__name__)

# The person the update in hand is for, as the access middleware (`bot.middlewares`) found them: the error
# handler is given the update alone, and answers in the language the person chose too. Each update is
# handled in a task of its own, which starts without it.
LOOKING: ContextVar[Viewer | None] = ContextVar("looking", default=None)


def build_router() -> Router:
    """All screens; the access check sits in front of them (`bot.middlewares`), the fallback last. The
    busiest come first (the list's buttons, searches, cards): every router an update passes on its way to
    its handler costs it time (a search went from last place to second: ~0.1 ms less)."""
    root = Router(name="root")
    for screen in (
        dialog_list,
        search,
        card,
        keywords,
        cancel,
        menu,
        exports,
        filters,
        analytics,
        digest,
        review_queue,
        fallback,
    ):
        root.include_router(screen.router())
    root.errors.register(_on_error)
    return root


# Telegram's own faults, left after the session tried again (bot.runtime): nothing of ours to fix, and
# the person can simply try again, which is what they are told
TELEGRAM_FAULTS = (TelegramRetryAfter, TelegramServerError, TelegramNetworkError)


async def _on_error(event: ErrorEvent) -> None:
    """A failure is logged for us and told politely to the person, in words they can act on; never a
    traceback in the chat. A write that waited too long for a long import is no failure: the person is
    told to try again in a minute; so is a tap whose answer Telegram did not take."""
    error, update = event.exception, event.update
    values: dict[str, int] = {}
    if isinstance(error, ArchiveBusy):
        log.warning("update %s: the archive is busy", update.update_id)
        said = "archive-busy"
    elif isinstance(error, ArchiveUnwritable | ArchiveReplaced):
        # not the person's to mend, nor a bug: whoever runs the bot must act (the reason, not a traceback)
        log.error("update %s: the archive cannot be written: %s", update.update_id, error)
        said = "archive-unwritable"
    elif isinstance(error, TELEGRAM_FAULTS):
        log.warning("update %s: Telegram did not take the answer: %s", update.update_id, error.message)
        if isinstance(error, TelegramRetryAfter):
            said, values = "telegram-flood", {"seconds": error.retry_after}
        else:
            said = "telegram-failed"
    else:
        log.exception("update %s failed", update.update_id, exc_info=error)
        said = "error-generic"
    try:
        if update.callback_query is not None:
            # answered with an alert, which no flood wait of the chat holds up
            t = _texts(update.callback_query.from_user)
            await update.callback_query.answer(t(said, **values), show_alert=True)
        elif update.message is not None and update.message.from_user is not None:
            if isinstance(error, TelegramRetryAfter):  # one more message would only meet the same wait
                return
            t = _texts(update.message.from_user)
            await update.message.answer(t(said, **values))
    except AiogramError as failure:  # the button was answered already, or Telegram is unreachable
        log.warning("could not tell the person about the failure: %s", getattr(failure, "message", failure))


def _texts(user: User) -> Texts:
    """The person's language: the one they chose when the failure came after the access check, else their
    Telegram app's."""
    viewer = LOOKING.get()
    return (
        viewer.texts
        if viewer is not None and viewer.telegram_id == user.id
        else texts_for(user.language_code)
    )
