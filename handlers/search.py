"""Search: the 🔎 button asks for text to search within the list's filters, and any plain text sent at any
time is a search of the whole archive."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from db.errors import ArchiveBusy, SearchRefused
from db.listing import ViewChange
from handlers.asking import Asking, ask_from_list, list_asked_from, typed_text
from handlers.screens import list_page, send, show
from keyboards.callbacks import ListCallback, SearchCallback
from views.dialog_list import search_prompt_screen
from views.viewer import Viewer

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="search")
    screen.callback_query.register(ask_for_text, SearchCallback.filter())
    # text typed as the answer to another question (dates) goes on to the screen that asked it
    screen.message.register(search, StateFilter(None, Asking.search), typed_text)
    return screen


async def ask_for_text(
    callback: CallbackQuery, callback_data: SearchCallback, viewer: Viewer, state: FSMContext
) -> None:
    await ask_from_list(state, Asking.search, callback_data)
    await show(callback, search_prompt_screen(callback_data, viewer))


async def search(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """Text after 🔎 searches within the list's filters; any other text, the whole archive."""
    within = ListCallback()
    if await state.get_state() == Asking.search.state:
        within = list_asked_from(await state.get_data())
        await state.clear()
    change = ViewChange(search_text=message.text or "")
    try:  # a new search is stored: a long import holding the database makes it wait
        screen = await list_page(archive, within, viewer, change)
    except ArchiveBusy:
        log.warning("search not stored: the archive is busy")
        await message.answer(viewer.texts("search-unavailable"))
        return
    except SearchRefused:  # part of a number, from someone who sees numbers masked
        await message.answer(viewer.texts("search-masked-digits"))
        return
    await send(message, screen)
