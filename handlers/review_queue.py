"""«Проверка качества»: the week's review queue, and walking it card by card (heads and admins). A card of
the queue is the dialog's card (`handlers.card`) with its mark buttons; its «Следующий ▶» comes back here."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery

from db.archive import Archive
from db.errors import ArchiveBusy
from handlers.screens import queue_page, show
from keyboards.callbacks import QueueCallback, QueueCardCallback
from views.card import TRANSCRIPT_PART, card_screen
from views.review_queue import queue_screen
from views.viewer import Viewer

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="review_queue")
    screen.callback_query.register(queue_button, QueueCallback.filter())
    return screen


async def queue_button(
    callback: CallbackQuery, callback_data: QueueCallback, viewer: Viewer, archive: Archive
) -> None:
    """The queue's screen; or (`walk`) the card of its next dialog not yet marked, audited as an opening,
    and the screen again (saying so) when every one is. Heads and admins only: anyone else's button (a
    forged one) is refused and nothing is read."""
    t = viewer.texts
    if not viewer.role.may_review:
        await callback.answer(t("queue-not-allowed"), show_alert=True)
        return
    if not callback_data.walk:
        await show(callback, await queue_page(archive, callback_data.week, viewer))
        return
    queue = await archive.review_queue(callback_data.week)
    entry = queue.next_after(callback_data.after)
    if entry is None:
        notice = t("queue-all-done-notice") if queue.total else None
        await show(callback, queue_screen(queue, viewer, notice))
        return
    try:
        card = await archive.open_card(entry.dialog_id, 0, TRANSCRIPT_PART, viewer.telegram_id)
    except ArchiveBusy:  # a long import holds the database: the opening cannot be audited
        log.warning("audit log unavailable: the archive is busy")
        await callback.answer(t("card-unavailable"), show_alert=True)
        return
    if card is None:  # removed between the queue's reading and now: the queue, without it
        await show(callback, await queue_page(archive, queue.code, viewer, t("card-not-found")))
        return
    opened = QueueCardCallback(dialog=entry.dialog_id, week=queue.code)
    await show(callback, card_screen(card, opened, viewer))
