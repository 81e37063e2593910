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
from handlers.asking import Asking, ask_from_list, list_asked_from, prompt_of, typed_text
from handlers.screens import replace_prompt, show
from keyboards.callbacks import CardCallback, ListCallback, SearchCallback
from views.card import TRANSCRIPT_PART, card_screen
from views.dialog_list import (
    employees_offered,
    list_request,
    list_screen,
    lone_number_match,
    search_prompt_screen,
    shown_page,
)
from views.viewer import Viewer

log = logging.getLogger(__name__)
MAX_EMPLOYEES_OFFERED = 3  # a search of a name that found no client offers at most this many employees


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="search")
    screen.callback_query.register(ask_for_text, SearchCallback.filter())
    # text typed as the answer to another question (dates) goes on to the screen that asked it
    screen.message.register(search, StateFilter(None, Asking.search), typed_text)
    return screen


async def ask_for_text(
    callback: CallbackQuery,
    callback_data: SearchCallback,
    viewer: Viewer,
    archive: Archive,
    state: FSMContext,
) -> None:
    """The question, saying which filters the search is within."""
    view_id = callback_data.view_id
    stored = await archive.stored_view(view_id, masked=not viewer.full_phones) if view_id else None
    await ask_from_list(state, Asking.search, callback_data, callback)
    await show(callback, search_prompt_screen(callback_data, stored, viewer))


async def search(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """Text after 🔎 searches within the list's filters (its answer takes the question's place); any other
    text, the whole archive. A name that is no client's but an employee's offers that employee's dialogs."""
    within, prompt = ListCallback(), None
    if await state.get_state() == Asking.search.state:
        data = await state.get_data()
        within, prompt = list_asked_from(data), prompt_of(data)
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
                said = viewer.texts("search-one-opened")
                await replace_prompt(message, prompt, card_screen(card, opening, viewer), said)
                return
        named = None
        if result.page.total == 0 and result.view_id:  # nothing found: perhaps an employee's name
            text = message.text or ""
            named = await archive.employees_named(text, result.view_id, MAX_EMPLOYEES_OFFERED, masked=masked)
    except ArchiveBusy:
        log.warning("search not stored: the archive is busy")
        await message.answer(viewer.texts("search-unavailable"))
        return
    except SearchRefused:  # part of a number, from someone who sees numbers masked
        await message.answer(viewer.texts("search-masked-digits"))
        return
    screen = list_screen(result, within.sort, within.desc, viewer)
    await replace_prompt(message, prompt, employees_offered(screen, named, within, viewer))
