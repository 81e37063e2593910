"""Keyword search inside conversations: `/find WORDS` (or the button of the search's question, then the
words typed) finds the dialogs one of whose messages holds every word, within the filters of the list it
was asked from; the results come a page at a time, each entry opening its card where the words are."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from db.errors import ArchiveBusy
from db.keywords import keyword_terms
from handlers.asking import Asking, ask_from_list, list_data, prompt_of, typed_text
from handlers.screens import keyword_page, replace_prompt, show
from keyboards.callbacks import FindCallback, KeywordsCallback
from views.keywords import keywords_prompt_screen, keywords_screen
from views.viewer import Viewer

log = logging.getLogger(__name__)


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="keywords")
    screen.message.register(find_command, Command("find", ignore_case=True))
    screen.callback_query.register(ask_for_words, FindCallback.filter())
    screen.message.register(typed_words, StateFilter(Asking.keywords), typed_text)
    screen.callback_query.register(results_page, KeywordsCallback.filter())
    return screen


async def find_command(
    message: Message, command: CommandObject, viewer: Viewer, archive: Archive, state: FSMContext
) -> None:
    """`/find WORDS` searches the whole archive (as the person sees it); `/find` alone asks for the words."""
    await state.clear()
    words = command.args or ""
    if not words.strip():
        question = keywords_prompt_screen(FindCallback(), None, viewer)
        sent = await message.answer(question.text, reply_markup=question.markup)
        await state.set_state(Asking.keywords)
        await state.set_data({**list_data(FindCallback()), "prompt": sent.message_id})
        return
    await _find(message, words, 0, None, viewer, archive)


async def ask_for_words(
    callback: CallbackQuery,
    callback_data: FindCallback,
    viewer: Viewer,
    archive: Archive,
    state: FSMContext,
) -> None:
    """The question, saying which filters of the list the search is within."""
    view_id = callback_data.view_id
    within = await archive.stored_view(view_id, masked=not viewer.full_phones) if view_id else None
    asked = callback_data if within is not None else callback_data.model_copy(update={"view_id": 0})
    await ask_from_list(state, Asking.keywords, asked, callback)
    await show(callback, keywords_prompt_screen(callback_data, within, viewer))


async def typed_words(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """The words typed after the question: the results in the question's place (text without a word in it
    is asked for again)."""
    data = await state.get_data()
    text = message.text or ""
    if not keyword_terms(text):
        await message.answer(viewer.texts("keywords-no-words"))
        return
    await state.clear()
    view_id = data.get("view_id", 0)
    await _find(message, text, view_id if isinstance(view_id, int) else 0, prompt_of(data), viewer, archive)


async def _find(
    message: Message, words: str, view_id: int, prompt: int | None, viewer: Viewer, archive: Archive
) -> None:
    if not keyword_terms(words):  # punctuation alone: nothing to look for
        await message.answer(viewer.texts("keywords-no-words"))
        return
    size = archive.settings.page_size
    try:  # the search is stored: a long import holding the database makes it wait
        result = await archive.find_words(words, view_id, size, masked=not viewer.full_phones)
    except ArchiveBusy:
        log.warning("keyword search not stored: the archive is busy")
        await message.answer(viewer.texts("search-unavailable"))
        return
    if result is None:
        await message.answer(viewer.texts("keywords-no-words"))
        return
    screen = keywords_screen(result, KeywordsCallback(search=result.search.id), viewer, size)
    await replace_prompt(message, prompt, screen)


async def results_page(
    callback: CallbackQuery, callback_data: KeywordsCallback, viewer: Viewer, archive: Archive
) -> None:
    screen = await keyword_page(archive, callback_data, viewer)
    if screen is None:  # a forged button: no such search, or not this person's to see
        await callback.answer(viewer.texts("keywords-gone"), show_alert=True)
        return
    await show(callback, screen)
