"""/cancel: leaves a question (search text, dates, letters of an employee's name) for the screen it was
asked from."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from db.archive import Archive
from handlers.asking import Asking, list_asked_from
from handlers.screens import analytics_page, list_page, send
from keyboards.callbacks import AnalyticsCallback, ListCallback, Section
from views.analytics import analytics_period
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
    said = viewer.texts(
        "search-cancelled"
        if asked == Asking.search.state
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
    asked_from_list = (Asking.search.state, Asking.dates.state, Asking.employee.state)
    back = list_asked_from(data) if asked in asked_from_list else ListCallback()
    await send(message, await list_page(archive, back, viewer), said)
