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
from handlers.screens import send, show
from keyboards.callbacks import CardCallback, ListCallback, SearchCallback
from views.card import TRANSCRIPT_PART, card_screen
from views.dialog_list import list_request, list_screen, lone_number_match, search_prompt_screen, shown_page
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
    masked = not viewer.full_phones
    try:  # a new search is stored: a long import holding the database makes it wait
        result = await archive.open_list(list_request(within), change, masked=masked)
        lone = lone_number_match(result, viewer.phone_region)
        if lone is not None:  # a whole number, one dialog: its card at once (the opening audited)
            card = await archive.open_card(lone.id, 0, TRANSCRIPT_PART, viewer.telegram_id)
            if card is not None:
                opening = CardCallback.opening(lone.id, shown_page(result, within.sort, within.desc))
                await send(message, card_screen(card, opening, viewer), viewer.texts("search-one-opened"))
                return
    except ArchiveBusy:
        log.warning("search not stored: the archive is busy")
        await message.answer(viewer.texts("search-unavailable"))
        return
    except SearchRefused:  # part of a number, from someone who sees numbers masked
        await message.answer(viewer.texts("search-masked-digits"))
        return
    await send(message, list_screen(result, within.sort, within.desc, viewer))
