"""The morning digest: /digest (on, off, at which time; heads and admins), and the buttons of a digest sent,
each opening its screen in a new message under the digest: a row's list of dialogs, a slow response's
card, the day by response time, the review queue."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from db.errors import ArchiveBusy
from handlers.asking import Asking, asked_in, prompt_of, typed_text
from handlers.screens import analytics_page, list_page, queue_page, replace_prompt, send, show
from keyboards.callbacks import (
    DigestAction,
    DigestCallback,
    DigestDialogCallback,
    DigestMoreCallback,
    DigestQueueCallback,
    DigestRowCallback,
    DigestSlowestCallback,
    ListCallback,
)
from keyboards.digest import clock
from views.analytics import analytics_period
from views.card import TRANSCRIPT_PART, card_screen
from views.digest import DEFAULT_MINUTE, parse_time, settings_screen, time_prompt_screen
from views.screen import Screen
from views.viewer import Viewer

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="digest")
    screen.message.register(digest_command, Command("digest", ignore_case=True))
    screen.callback_query.register(digest_button, DigestCallback.filter())
    screen.callback_query.register(row_button, DigestRowCallback.filter())
    screen.callback_query.register(more_button, DigestMoreCallback.filter())
    screen.callback_query.register(dialog_button, DigestDialogCallback.filter())
    screen.callback_query.register(slowest_button, DigestSlowestCallback.filter())
    screen.callback_query.register(queue_button, DigestQueueCallback.filter())
    screen.message.register(typed_time, StateFilter(Asking.digest_time), typed_text)
    return screen


async def _settings(archive: Archive, viewer: Viewer) -> Screen:
    found = await archive.digest_subscription(viewer.telegram_id)
    enabled, minute = (found.enabled, found.minute) if found is not None else (False, DEFAULT_MINUTE)
    return settings_screen(enabled, minute, viewer.zone.key, viewer.texts)


async def digest_command(message: Message, viewer: Viewer, archive: Archive) -> None:
    if not viewer.role.sees_analytics:
        await message.answer(viewer.texts("digest-heads-only"))
        return
    await send(message, await _settings(archive, viewer))


async def digest_button(
    callback: CallbackQuery,
    callback_data: DigestCallback,
    viewer: Viewer,
    archive: Archive,
    state: FSMContext,
) -> None:
    t = viewer.texts
    if not viewer.role.sees_analytics:  # a manager's forged button: nothing is read or written
        await callback.answer(t("digest-heads-only"), show_alert=True)
        return
    action = callback_data.action
    if action is DigestAction.ASK_TIME:
        await state.set_state(Asking.digest_time)
        await state.set_data(asked_in(callback))
        await show(callback, time_prompt_screen(t))
        return
    if action is DigestAction.SHOW:
        await state.clear()  # back from the question for a time
        await show(callback, await _settings(archive, viewer))
        return
    found = await archive.digest_subscription(viewer.telegram_id)
    minute = found.minute if found is not None else DEFAULT_MINUTE
    if action is DigestAction.AT:
        minute = callback_data.minute
    enabled = action is not DigestAction.OFF
    await archive.set_digest(viewer.telegram_id, enabled=enabled, minute=minute, language=t.language)
    notice = t("digest-now-on", time=clock(minute)) if enabled else t("digest-now-off")
    screen = settings_screen(enabled, minute, viewer.zone.key, t)
    await show(callback, screen._replace(notice=notice))


async def typed_time(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """The digest's time typed: kept, and the digest on; anything else is explained, and asked again (the
    question stays, the setting is as it was)."""
    t = viewer.texts
    text = message.text or ""
    if not viewer.role.sees_analytics:
        await state.clear()
        await message.answer(t("digest-heads-only"))
        return
    minute = parse_time(text)
    if minute is None:
        await message.answer(t("digest-bad-time", text=text[:20]))
        return
    data = await state.get_data()
    await state.clear()
    await archive.set_digest(viewer.telegram_id, enabled=True, minute=minute, language=t.language)
    screen = settings_screen(True, minute, viewer.zone.key, t)
    await replace_prompt(message, prompt_of(data), screen, t("digest-now-on", time=clock(minute)))


async def row_button(
    callback: CallbackQuery, callback_data: DigestRowCallback, viewer: Viewer, archive: Archive
) -> None:
    """A digest's row: its dialogs as a new list message; the digest stays above it. The list is read
    through the archive as this person sees it (a manager's forged button shows their own dialogs only)."""
    await _under_digest(
        callback, await list_page(archive, ListCallback(view_id=callback_data.view_id), viewer)
    )


async def more_button(
    callback: CallbackQuery, callback_data: DigestMoreCallback, viewer: Viewer, archive: Archive
) -> None:
    """A digest's «ещё …»: the analytics section of its day in full, as a new message (heads and admins)."""
    if not viewer.role.sees_analytics:
        await callback.answer(viewer.texts("analytics-heads-only"), show_alert=True)
        return
    shown, period = analytics_period(callback_data.analytics())
    await _under_digest(callback, await analytics_page(archive, shown, period, viewer))


async def dialog_button(
    callback: CallbackQuery, callback_data: DigestDialogCallback, viewer: Viewer, archive: Archive
) -> None:
    """A slow response of a digest: the dialog's card as a new message, its opening audited as from the
    list; ⬅ К списку turns it into the digest's day sorted slowest first. Read through the archive as this
    person sees it, like a card of the list (a manager's forged button: their own dialogs alone, masked)."""
    t = viewer.texts
    try:
        card = await archive.open_card(callback_data.dialog, 0, TRANSCRIPT_PART, viewer.telegram_id)
    except ArchiveBusy:  # a long import holds the database: the opening cannot be audited
        log.warning("audit log unavailable: the archive is busy")
        await callback.answer(t("card-unavailable"), show_alert=True)
        return
    if card is None:  # removed from the archive since, or not theirs (a forged button)
        await callback.answer(t("card-not-found"), show_alert=True)
        return
    await _under_digest(callback, card_screen(card, callback_data.card(), viewer))


async def slowest_button(
    callback: CallbackQuery, callback_data: DigestSlowestCallback, viewer: Viewer, archive: Archive
) -> None:
    """A digest's «все за день по времени ответа»: its day's list sorted by first response, slowest first,
    as a new message."""
    await _under_digest(callback, await list_page(archive, callback_data.list_page(), viewer))


async def queue_button(
    callback: CallbackQuery, callback_data: DigestQueueCallback, viewer: Viewer, archive: Archive
) -> None:
    """A digest's reviews due: the review queue of its week as a new message (heads and admins; anyone
    else's button, a forged one, is refused and nothing is read)."""
    if not viewer.role.may_review:
        await callback.answer(viewer.texts("queue-not-allowed"), show_alert=True)
        return
    await _under_digest(callback, await queue_page(archive, callback_data.week, viewer))


async def _under_digest(callback: CallbackQuery, screen: Screen) -> None:
    """A screen a digest's button opens, as a new message: the digest stays where it is."""
    message = callback.message
    if isinstance(message, Message):
        await message.answer(screen.text, reply_markup=screen.markup)
    elif callback.bot is not None:
        await callback.bot.send_message(callback.from_user.id, screen.text, reply_markup=screen.markup)
    await callback.answer(screen.notice)
