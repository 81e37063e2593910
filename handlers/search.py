"""Search: the 🔎 button asks for text to search within the list's filters, and any plain text sent at any
time is a search of the whole archive."""

from __future__ import annotations

import logging
from dataclasses import replace

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.exc import OperationalError

from db.archive import Archive
from db.views import SavedView, search_text_of
from handlers.analytics import analytics_screen, period_of
from handlers.asking import Asking, ask_from_list, list_asked_from, typed_text
from handlers.dialog_list import list_screen
from handlers.screens import show
from keyboards.callbacks import AnalyticsCallback, ListCallback, SearchCallback, Section
from keyboards.dialogs import search_prompt_keyboard
from views.rendering import LIST_PATH, breadcrumb
from views.viewer import Viewer

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="search")
    screen.callback_query.register(ask_for_text, SearchCallback.filter())
    screen.message.register(cancel, Command("cancel"))
    # text typed as the answer to another question (dates) goes on to the screen that asked it
    screen.message.register(search, StateFilter(None, Asking.search), typed_text)
    return screen


async def ask_for_text(
    callback: CallbackQuery, callback_data: SearchCallback, viewer: Viewer, state: FSMContext
) -> None:
    t = viewer.texts
    await ask_from_list(state, Asking.search, callback_data)
    text = f"{breadcrumb(t, *LIST_PATH)}\n\n{t('search-prompt')}"
    await show(callback, text, search_prompt_keyboard(callback_data, t))


async def cancel(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """Leaves a question (search text, dates) for the screen it was asked from."""
    asked = await state.get_state()
    data = await state.get_data()
    await state.clear()
    said = viewer.texts(
        "search-cancelled" if asked in (None, Asking.search.state) else "filters-dates-cancelled"
    )
    if asked == Asking.analytics_dates.state and viewer.analytics:
        shown = AnalyticsCallback(section=Section(data.get("section", Section.EMPLOYEES)))
        period = period_of(shown)
        assert period is not None
        text, markup = await analytics_screen(shown, period, viewer, archive)
    else:
        back = list_asked_from(data) if asked in (Asking.search.state, Asking.dates.state) else ListCallback()
        text, markup, _ = await list_screen(back, viewer, archive)
    await message.answer(f"{said}\n\n{text}", reply_markup=markup)


async def search(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """Text after 🔎 searches within the list's filters; any other text, the whole archive."""
    typed = search_text_of(message.text or "")
    back = ListCallback()
    view = SavedView(search_text=typed)
    asked = await state.get_state()
    if asked == Asking.search.state:
        back = list_asked_from(await state.get_data())
        within = await archive.view(back.saved) if back.saved else None
        if within is not None:
            view = replace(within, search_text=typed)
    if asked is not None:
        await state.clear()
    shown = ListCallback(sort=back.sort, desc=back.desc)
    try:
        text, markup, _ = await list_screen(shown, viewer, archive, typed=view)  # stores a new search
    except OperationalError as error:  # a long import holds the database: the search cannot be stored
        log.warning("search not stored: %s", error)
        await message.answer(viewer.texts("search-unavailable"))
        return
    await message.answer(text, reply_markup=markup)
