"""The dialog card: the columns in full, then the conversation a part at a time; back to the same list. A
head (or an admin) marks the dialog 1–5 from it, and types a short comment to the mark."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from db.errors import ArchiveBusy
from db.reviews import MAX_COMMENT_LENGTH
from handlers.asking import Asking, asked_in, card_asked_from, prompt_of, typed_text
from handlers.screens import keyword_page, list_page, queue_page, replace_prompt, show
from keyboards.callbacks import (
    REMOVE_COMMENT,
    CardCallback,
    DrillCardCallback,
    KeywordCardCallback,
    KeywordReviewCallback,
    QueueCardCallback,
    QueueReviewCallback,
    ReviewCallback,
)
from views.card import TRANSCRIPT_PART, card_screen, comment_prompt_screen
from views.screen import Screen
from views.viewer import Viewer

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="card")
    screen.callback_query.register(open_card, CardCallback.filter())
    screen.callback_query.register(open_card, DrillCardCallback.filter())  # from a drilled-down list
    screen.callback_query.register(open_card, QueueCardCallback.filter())  # from the review queue
    screen.callback_query.register(open_card, KeywordCardCallback.filter())  # from a keyword search
    screen.callback_query.register(review_button, ReviewCallback.filter())
    screen.callback_query.register(review_button, QueueReviewCallback.filter())
    screen.callback_query.register(review_button, KeywordReviewCallback.filter())
    screen.message.register(typed_comment, StateFilter(Asking.review_comment), typed_text)
    return screen


async def open_card(
    callback: CallbackQuery, callback_data: CardCallback, viewer: Viewer, archive: Archive
) -> None:
    if isinstance(callback_data, QueueCardCallback) and not viewer.role.may_review:  # a forged button
        await callback.answer(viewer.texts("queue-not-allowed"), show_alert=True)
        return
    # every opening from the list is audited (a page turn inside the card is not another opening)
    opened_by = None if callback_data.turn else viewer.telegram_id
    try:
        card = await archive.open_card(callback_data.dialog, callback_data.part, TRANSCRIPT_PART, opened_by)
    except ArchiveBusy:  # a long import holds the database: the opening cannot be audited
        log.warning("audit log unavailable: the archive is busy")
        await callback.answer(viewer.texts("card-unavailable"), show_alert=True)
        return
    if card is None:  # a forged button, or a dialog removed since: back to the list
        await _card_gone(callback, callback_data, viewer, archive)
        return
    await show(callback, card_screen(card, callback_data, viewer))


async def review_button(
    callback: CallbackQuery,
    callback_data: ReviewCallback,
    viewer: Viewer,
    archive: Archive,
    state: FSMContext,
) -> None:
    """A mark 1–5 pressed on a card: the dialog marked, the card shown again with it; or (`mark` 0) the
    question for the mark's comment, or (`REMOVE_COMMENT`, on that question) the comment removed. Heads and
    admins only: anyone else's button (a forged one) is refused and nothing is written."""
    t = viewer.texts
    if not viewer.role.may_review:
        await callback.answer(t("review-not-allowed"), show_alert=True)
        return
    shown = callback_data.card()
    dialog, part = callback_data.dialog, callback_data.part
    if callback_data.mark == 0:
        card = await archive.open_card(dialog, part, TRANSCRIPT_PART, None)
        if card is None:
            await _card_gone(callback, shown, viewer, archive)
        elif card.review is None:  # a comment belongs to a mark
            await show(callback, card_screen(card, shown, viewer)._replace(notice=t("review-mark-first")))
        else:
            await state.set_state(Asking.review_comment)
            await state.set_data({"card": shown.pack(), **asked_in(callback)})
            await show(callback, comment_prompt_screen(card, shown, viewer))
        return
    if (
        callback_data.mark == REMOVE_COMMENT
    ):  # on the comment's question, which the button ended (LeftQuestion)
        uncommented = await archive.comment_review(dialog, None, viewer.telegram_id, part, TRANSCRIPT_PART)
        if uncommented is None:
            await _card_gone(callback, shown, viewer, archive)
            return
        notice = t("review-comment-removed")
        await show(callback, card_screen(uncommented, shown, viewer)._replace(notice=notice))
        return
    by_name = callback.from_user.full_name if callback.from_user else None
    mark, by = callback_data.mark, viewer.telegram_id
    marked = await archive.mark(dialog, mark, by, by_name, part, TRANSCRIPT_PART)
    if marked is None:  # a forged button, or a dialog removed since
        await _card_gone(callback, shown, viewer, archive)
        return
    notice = t("review-marked", mark=mark)
    await show(callback, card_screen(marked, shown, viewer)._replace(notice=notice))


async def typed_comment(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """The comment typed for a dialog's mark: kept (at most `MAX_COMMENT_LENGTH` characters, else asked
    again), and the card, with it, in the question's place."""
    t = viewer.texts
    data = await state.get_data()
    text = " ".join((message.text or "").split())
    if len(text) > MAX_COMMENT_LENGTH:
        await message.answer(t("review-comment-too-long", limit=MAX_COMMENT_LENGTH, length=len(text)))
        return
    await state.clear()
    shown = card_asked_from(data)
    if not viewer.role.may_review:  # their role changed since they were asked
        await message.answer(t("review-not-allowed"))
        return
    card = await archive.comment_review(shown.dialog, text, viewer.telegram_id, shown.part, TRANSCRIPT_PART)
    if card is None:  # removed since it was asked
        screen = await _way_back(archive, shown, viewer)
        await replace_prompt(message, prompt_of(data), screen, t("card-not-found"))
        return
    said = t("review-commented") if card.review is not None else t("review-mark-first")
    await replace_prompt(message, prompt_of(data), card_screen(card, shown, viewer), said)


async def _card_gone(callback: CallbackQuery, shown: CardCallback, viewer: Viewer, archive: Archive) -> None:
    """The list, review queue or keyword search results the card was opened from, saying the dialog is no
    longer found."""
    screen = await _way_back(archive, shown, viewer)
    await show(callback, screen._replace(notice=viewer.texts("card-not-found")))


async def _way_back(archive: Archive, shown: CardCallback, viewer: Viewer) -> Screen:
    """Where the card was opened from: its list page, the review queue, or a keyword search's results (its
    list when that search is not there, a forged button)."""
    if isinstance(shown, QueueCardCallback):
        return await queue_page(archive, shown.week, viewer)
    if isinstance(shown, KeywordCardCallback):
        found = await keyword_page(archive, shown.results(), viewer)
        if found is not None:
            return found
    return await list_page(archive, shown.list_page(), viewer)
