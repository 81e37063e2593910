"""Filters of the dialog list: channel, employee (who completed), period and (heads and admins) the review
mark, each combinable with the search and the sort. A choice is stored as a list view, so its button works
after a restart; it leads back to the filters screen, which shows what the filters find and opens the list.
While the employee choices are open, letters typed find employees by name."""

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
    screen.message.register(typed_employee, StateFilter(Asking.employee), typed_text)
    return screen


async def filters_button(
    callback: CallbackQuery,
    callback_data: FilterCallback,
    viewer: Viewer,
    archive: Archive,
    state: FSMContext,
) -> None:
    screen = await _screen(callback_data, viewer, archive)
    # the next text typed is a period (your own dates), or letters of a name (the employee choices)
    question = _QUESTIONS.get(callback_data.kind) if screen is not None else None
    if screen is None:  # a stored view that is gone: the whole list
        screen = await list_page(archive, ListCallback(), viewer)
        screen = screen._replace(notice=viewer.texts("list-outdated"))
    if question is not None:
        await ask_from_list(state, question, callback_data, callback)
    else:
        await _leave_question(state)
    await show(callback, screen)


_QUESTIONS = {FilterKind.DATES: Asking.dates, FilterKind.EMPLOYEE: Asking.employee}


async def _leave_question(state: FSMContext) -> None:
    """A filter's question (dates, letters of a name) is left by any other button of the filters: text
    typed after it is a search again."""
    if await state.get_state() in (Asking.dates.state, Asking.employee.state):
        await state.clear()


async def _screen(pressed: FilterCallback, viewer: Viewer, archive: Archive) -> Screen | None:
    """The screen a filter button opens; None when the view it was pressed on is gone."""
    kind, view_id, masked = pressed.kind, pressed.view_id, not viewer.full_phones
    if kind is FilterKind.REVIEW and not viewer.role.may_review:  # a forged button: the filters screen
        kind = FilterKind.NONE
    if kind is FilterKind.NONE:
        overview = await archive.filter_overview(view_id, masked=masked)
        return filters.overview_screen(overview, pressed, viewer) if overview else None
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
    if kind is FilterKind.REVIEW:
        marks = await archive.review_choices(view_id, masked=masked)
        return filters.reviews_screen(marks, pressed, viewer) if marks else None
    stored = await archive.stored_view(view_id, masked=masked) if view_id else None
    if view_id and stored is None:
        return None
    return filters.dates_screen(stored, pressed, viewer)


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


async def typed_employee(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """Letters typed while the employee choices are open: the employees whose name holds them, as choices,
    in the place of the choices (more letters typed narrow them again)."""
    data = await state.get_data()
    asked = list_asked_from(data)
    shown = FilterCallback(kind=FilterKind.EMPLOYEE, sort=asked.sort, desc=asked.desc, view_id=asked.view_id)
    typed = message.text or ""
    per_part, masked = filters.EMPLOYEES_PER_PART, not viewer.full_phones
    found = await archive.employees_matching(typed, asked.view_id, per_part, masked=masked)
    if found is None:  # the view the choices were for is gone: the whole list
        await state.clear()
        screen = await list_page(archive, ListCallback(), viewer)
        await replace_prompt(message, prompt_of(data), screen, viewer.texts("list-outdated"))
        return
    await replace_prompt(
        message, prompt_of(data), filters.employees_typed_screen(found, typed, shown, viewer)
    )
