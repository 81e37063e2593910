"""Filters of the dialog list: channel, employee (who completed) and period, each combinable with the
search and the sort. A choice is stored as a list view, so its button works after a restart."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from db.listing import ViewChange
from db.periods import local_today
from handlers.asking import Asking, ask_from_list, list_asked_from, prompt_of, typed_text
from handlers.screens import list_page, replace_prompt, show
from keyboards.callbacks import FilterCallback, FilterKind, ListCallback
from views import filters
from views.screen import Screen
from views.typed import parse_period
from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="filters")
    screen.callback_query.register(filters_button, FilterCallback.filter())
    screen.message.register(typed_dates, StateFilter(Asking.dates), typed_text)
    return screen


async def filters_button(
    callback: CallbackQuery,
    callback_data: FilterCallback,
    viewer: Viewer,
    archive: Archive,
    state: FSMContext,
) -> None:
    screen = await _screen(callback_data, viewer, archive)
    if screen is None:  # a stored view that is gone: the whole list
        screen = await list_page(archive, ListCallback(), viewer)
        screen = screen._replace(notice=viewer.texts("list-outdated"))
    elif callback_data.kind is FilterKind.DATES:  # the next text is a period
        await ask_from_list(state, Asking.dates, callback_data, callback)
    await show(callback, screen)


async def _screen(pressed: FilterCallback, viewer: Viewer, archive: Archive) -> Screen | None:
    """The screen a filter button opens; None when the view it was pressed on is gone."""
    kind, view_id, masked = pressed.kind, pressed.view_id, not viewer.full_phones
    if kind is FilterKind.CHANNEL:
        channels = await archive.channel_choices(view_id, masked=masked)
        return filters.channels_screen(channels, pressed, viewer) if channels else None
    if kind is FilterKind.EMPLOYEE:
        per_part = filters.EMPLOYEES_PER_PART
        employees = await archive.employee_choices(view_id, pressed.part, per_part, masked=masked)
        return filters.employees_screen(employees, pressed, viewer) if employees else None
    if kind is FilterKind.PERIOD:
        periods = await archive.period_choices(view_id, masked=masked)
        return filters.periods_screen(periods, pressed, viewer) if periods else None
    stored = await archive.stored_view(view_id, masked=masked) if view_id else None
    if view_id and stored is None:
        return None
    if kind is FilterKind.DATES:
        return filters.dates_screen(stored, pressed, viewer)
    return filters.overview_screen(stored, pressed, viewer)


async def typed_dates(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """`01.11–15.11` after "your own dates": the list of those days, in the question's place. Anything else
    is asked again."""
    period = parse_period(message.text or "", local_today(viewer.zone))
    if period is None:
        await message.answer(viewer.texts("filters-dates-not-understood"))
        return
    data = await state.get_data()
    await state.clear()
    screen = await list_page(archive, list_asked_from(data), viewer, ViewChange(period=period.code))
    await replace_prompt(message, prompt_of(data), screen)
