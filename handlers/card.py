"""The dialog card: the columns in full, then the conversation a part at a time; back to the same list."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery

from db.archive import Archive
from db.errors import ArchiveBusy
from handlers.screens import list_page, show
from keyboards.callbacks import CardCallback, DrillCardCallback
from views.card import TRANSCRIPT_PART, card_screen
from views.viewer import Viewer

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="card")
    screen.callback_query.register(open_card, CardCallback.filter())
    screen.callback_query.register(open_card, DrillCardCallback.filter())  # from a drilled-down list
    return screen


async def open_card(
    callback: CallbackQuery, callback_data: CardCallback, viewer: Viewer, archive: Archive
) -> None:
    # every opening from the list is audited (a page turn inside the card is not another opening)
    opened_by = None if callback_data.turn else viewer.telegram_id
    try:
        card = await archive.open_card(callback_data.dialog, callback_data.part, TRANSCRIPT_PART, opened_by)
    except ArchiveBusy:  # a long import holds the database: the opening cannot be audited
        log.warning("audit log unavailable: the archive is busy")
        await callback.answer(viewer.texts("card-unavailable"), show_alert=True)
        return
    if card is None:  # a forged button, or a dialog removed since: back to the list
        screen = await list_page(archive, callback_data.list_page(), viewer)
        await show(callback, screen._replace(notice=viewer.texts("card-not-found")))
        return
    await show(callback, card_screen(card, callback_data, viewer))
