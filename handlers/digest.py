"""The morning digest: /digest (on, off, at which time; heads and admins), and the rows of a digest sent,
each opening its list of dialogs in a new message under the digest."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from handlers.asking import Asking, asked_in, prompt_of, typed_text
from handlers.screens import analytics_page, list_page, replace_prompt, send, show
from keyboards.callbacks import (
    DigestAction,
    DigestCallback,
    DigestMoreCallback,
    DigestRowCallback,
    ListCallback,
)
from keyboards.digest import clock
from views.analytics import analytics_period
from views.digest import DEFAULT_MINUTE, parse_time, settings_screen, time_prompt_screen
from views.screen import Screen
from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="digest")
    screen.message.register(digest_command, Command("digest", ignore_case=True))
    screen.callback_query.register(digest_button, DigestCallback.filter())
    screen.callback_query.register(row_button, DigestRowCallback.filter())
    screen.callback_query.register(more_button, DigestMoreCallback.filter())
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


async def _under_digest(callback: CallbackQuery, screen: Screen) -> None:
    """A screen a digest's button opens, as a new message: the digest stays where it is."""
    message = callback.message
    if isinstance(message, Message):
        await message.answer(screen.text, reply_markup=screen.markup)
    elif callback.bot is not None:
        await callback.bot.send_message(callback.from_user.id, screen.text, reply_markup=screen.markup)
    await callback.answer(screen.notice)
