"""Search: the 🔎 button asks for text, and any plain text sent at any time is a search."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.exc import OperationalError

from bot.rendering import LIST_PATH, breadcrumb
from bot.viewer import Viewer
from db.archive import Archive
from db.saved_searches import search_text_of
from handlers.dialog_list import list_screen
from handlers.screens import show
from keyboards.callbacks import ListCallback, SearchCallback
from keyboards.dialogs import search_prompt_keyboard

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="search")
    screen.callback_query.register(ask_for_text, SearchCallback.filter())
    screen.message.register(cancel, Command("cancel"))
    screen.message.register(search, F.text, ~F.text.startswith("/"))
    return screen


async def ask_for_text(callback: CallbackQuery, callback_data: SearchCallback, viewer: Viewer) -> None:
    t = viewer.texts
    text = f"{breadcrumb(t, *LIST_PATH)}\n\n{t('search-prompt')}"
    await show(callback, text, search_prompt_keyboard(callback_data, t))


async def cancel(message: Message, viewer: Viewer, archive: Archive) -> None:
    text, markup, _ = await list_screen(ListCallback(), viewer, archive)
    await message.answer(f"{viewer.texts('search-cancelled')}\n\n{text}", reply_markup=markup)


async def search(message: Message, viewer: Viewer, archive: Archive) -> None:
    typed = search_text_of(message.text or "")
    try:
        search_id = await archive.save_search(typed)
    except OperationalError as error:  # a long import holds the database: the search cannot be stored
        log.warning("search not stored: %s", error)
        await message.answer(viewer.texts("search-unavailable"))
        return
    text, markup, _ = await list_screen(ListCallback(search=search_id), viewer, archive, typed)
    await message.answer(text, reply_markup=markup)
