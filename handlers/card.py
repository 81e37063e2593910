"""The dialog card: the columns in full, then the conversation a page at a time; back to the same list."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.types import CallbackQuery
from sqlalchemy.exc import OperationalError

from db.archive import Archive
from handlers.dialog_list import list_screen
from handlers.screens import show
from keyboards.callbacks import CardCallback
from keyboards.dialogs import card_keyboard
from views.rendering import TRANSCRIPT_PAGE, render_card
from views.viewer import Viewer

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="card")
    screen.callback_query.register(open_card, CardCallback.filter())
    return screen


async def open_card(
    callback: CallbackQuery, callback_data: CardCallback, viewer: Viewer, archive: Archive
) -> None:
    t = viewer.texts
    dialog, transcript = await archive.card(
        callback_data.dialog, callback_data.part * TRANSCRIPT_PAGE, TRANSCRIPT_PAGE
    )
    if dialog is None:  # a forged button, or a dialog removed since: back to the list
        text, markup, _ = await list_screen(callback_data.list_view(), viewer, archive)
        await show(callback, text, markup, t("card-not-found"))
        return
    if not callback_data.turn:
        try:  # every opening is audited; a card that cannot be audited is not shown
            await archive.record_opening(viewer.telegram_id, dialog.id)
        except OperationalError as error:  # the database is locked by a long import
            log.warning("audit log unavailable: %s", error)
            await callback.answer(t("card-unavailable"), show_alert=True)
            return
    parts = max(1, -(-transcript.total // TRANSCRIPT_PAGE))
    if transcript.total and not transcript.lines:  # a part beyond the end: show the last one
        callback_data = callback_data.model_copy(update={"part": parts - 1})
        transcript = await archive.transcript(dialog.id, (parts - 1) * TRANSCRIPT_PAGE, TRANSCRIPT_PAGE)
    text = render_card(
        dialog,
        transcript.lines,
        t=t,
        zone=viewer.zone,
        full_phones=viewer.full_phones,
        phone_region=viewer.phone_region,
        first_index=callback_data.part * TRANSCRIPT_PAGE + 1,
        transcript_total=transcript.total,
    )
    file = viewer.role.may_export and transcript.total > 0
    await show(callback, text, card_keyboard(callback_data, parts, t, transcript_file=file))
