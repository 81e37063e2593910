"""Putting a screen on the phone, and the screens that more than one handler leads to (a page of the list,
an analytics section): each one archive call and its view."""

from __future__ import annotations

import contextlib
import logging

from aiogram.exceptions import AiogramError, TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from db.listing import ViewChange
from db.periods import Period
from keyboards.callbacks import AnalyticsCallback, KeywordsCallback, ListCallback, Position, Section
from views.analytics import channels_screen, clients_screen, employees_screen, time_screen
from views.dialog_list import list_request, list_screen
from views.keywords import keywords_screen
from views.review_queue import queue_screen
from views.screen import Screen
from views.viewer import Viewer

log = logging.getLogger(__name__)


async def show(callback: CallbackQuery, screen: Screen) -> None:
    """Edits the button's message into the screen, then answers the button (with the screen's notice). The
    session tries each again while Telegram's fault allows (bot.runtime); an edit that still fails goes to
    the error handler, an answer that still fails is let go."""
    message = callback.message
    if isinstance(message, Message):
        try:
            await message.edit_text(screen.text, reply_markup=screen.markup)
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                # too old to edit, or deleted: the screen comes as a new message instead
                log.info("sending instead of editing: %s", error.message)
                await message.answer(screen.text, reply_markup=screen.markup)
    elif callback.bot is not None:  # a message too old for the bot to see: send the screen anew
        await callback.bot.send_message(callback.from_user.id, screen.text, reply_markup=screen.markup)
    try:
        await callback.answer(screen.notice)
    except AiogramError as error:
        # the screen is on the phone, which is what the person asked for; an answer that did not get through
        # (a flood wait past the query's life, Telegram down) only leaves the button spinning for a while
        log.warning("the button's answer did not get through: %s", getattr(error, "message", error))


async def send(message: Message, screen: Screen, said: str | None = None) -> None:
    """The screen as a new message (the answer to text typed), `said` first."""
    text = f"{said}\n\n{screen.text}" if said else screen.text
    await message.answer(text, reply_markup=screen.markup)


async def replace_prompt(
    message: Message, prompt: int | None, screen: Screen, said: str | None = None
) -> None:
    """The screen that text typed in answer to a question leads to, `said` first, in the place of the
    question (`prompt`: the message that asked it, see `handlers.asking`), so that no question is left in
    the chat with its buttons: the question is edited into the screen; when it can no longer be (deleted,
    too old), the screen comes as a new message and the question is deleted. The text typed stays."""
    bot = message.bot
    if prompt is None or bot is None:
        await send(message, screen, said)
        return
    text = f"{said}\n\n{screen.text}" if said else screen.text
    try:
        await bot.edit_message_text(
            text, chat_id=message.chat.id, message_id=prompt, reply_markup=screen.markup
        )
        return
    except TelegramBadRequest as error:
        if "message is not modified" in error.message:
            return
        log.info("sending instead of editing the question: %s", error.message)
    await message.answer(text, reply_markup=screen.markup)
    with contextlib.suppress(TelegramBadRequest):  # gone already, or too old to delete: it stays
        await bot.delete_message(message.chat.id, prompt)


async def list_page(
    archive: Archive, pressed: ListCallback, viewer: Viewer, change: ViewChange | None = None
) -> Screen:
    """The list page a button asks for (`change`: what the person changed of its view just now)."""
    result = await archive.open_list(list_request(pressed), change, masked=not viewer.full_phones)
    return list_screen(result, pressed.sort, pressed.desc, viewer, pressed.came_from())


async def analytics_page(
    archive: Archive, shown: AnalyticsCallback, period: Period, viewer: Viewer
) -> Screen:
    """One analytics section for one period."""
    if shown.section is Section.EMPLOYEES:
        return employees_screen(await archive.employee_figures(period), shown, viewer)
    if shown.section is Section.CHANNELS:
        return channels_screen(await archive.channel_figures(period), shown, viewer)
    if shown.section is Section.TIME:
        return time_screen(await archive.time_figures(period), shown, viewer)
    return clients_screen(await archive.client_figures(period), shown, viewer)


async def queue_page(archive: Archive, week: int, viewer: Viewer, notice: str | None = None) -> Screen:
    """The review queue of a week (0: this week's, made now if need be)."""
    return queue_screen(await archive.review_queue(week), viewer, notice)


async def keyword_page(archive: Archive, pressed: KeywordsCallback, viewer: Viewer) -> Screen | None:
    """The page of a keyword search's results a button asks for; None when that search is not there (a
    forged button) or not for this person."""
    after = pressed.anchor if pressed.pos is Position.AFTER else 0
    before = pressed.anchor if pressed.pos is Position.BEFORE else 0
    size = archive.settings.page_size
    result = await archive.word_results(
        pressed.search, size, after=after, before=before, page=pressed.page, masked=not viewer.full_phones
    )
    return keywords_screen(result, pressed, viewer, size) if result is not None else None
