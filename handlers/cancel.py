"""/cancel: leaves a question (search text, dates, letters of an employee's name, a mark's comment, words to
find in the conversations, the digest's time) for the screen it was asked from."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from db.archive import Archive
from handlers.asking import Asking, card_asked_from, list_asked_from, prompt_of
from handlers.screens import analytics_page, list_page, replace_prompt, send
from keyboards.callbacks import AnalyticsCallback, ListCallback, Section
from views.analytics import analytics_period
from views.card import TRANSCRIPT_PART, card_screen
from views.digest import DEFAULT_MINUTE, settings_screen
from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="cancel")
    screen.message.register(cancel, Command("cancel", ignore_case=True))
    return screen


async def cancel(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    asked = await state.get_state()
    if asked is None:  # nothing asked: the screen the person is on stays as it is
        await message.answer(viewer.texts("nothing-to-cancel"))
        return
    data = await state.get_data()
    await state.clear()
    if asked == Asking.review_comment.state:  # back to the card, in the question's place
        on_card = card_asked_from(data)
        card = await archive.open_card(on_card.dialog, on_card.part, TRANSCRIPT_PART, None)
        said = viewer.texts("review-comment-cancelled")
        if card is None:
            screen = await list_page(archive, on_card.list_page(), viewer)
        else:
            screen = card_screen(card, on_card, viewer)
        await replace_prompt(message, prompt_of(data), screen, said)
        return
    if asked == Asking.digest_time.state:  # back to the digest's settings, as they were
        found = await archive.digest_subscription(viewer.telegram_id)
        enabled, minute = (found.enabled, found.minute) if found is not None else (False, DEFAULT_MINUTE)
        screen = settings_screen(enabled, minute, viewer.zone.key, viewer.texts)
        await replace_prompt(message, prompt_of(data), screen, viewer.texts("digest-time-cancelled"))
        return
    said = viewer.texts(
        "search-cancelled"
        if asked == Asking.search.state
        else "keywords-cancelled"
        if asked == Asking.keywords.state
        else "filters-employee-cancelled"
        if asked == Asking.employee.state
        else "filters-dates-cancelled"
    )
    if asked == Asking.analytics_dates.state and viewer.role.sees_analytics:
        shown, period = analytics_period(
            AnalyticsCallback(section=Section(data.get("section", Section.EMPLOYEES)))
        )
        await send(message, await analytics_page(archive, shown, period, viewer), said)
        return
    asked_from_list = (
        Asking.search.state,
        Asking.dates.state,
        Asking.employee.state,
        Asking.keywords.state,
    )
    back = list_asked_from(data) if asked in asked_from_list else ListCallback()
    await send(message, await list_page(archive, back, viewer), said)
