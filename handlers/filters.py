"""Filters of the dialog list: channel, employee (who completed) and period, each combinable with the
search and the sort. A choice is stored as a list view, so its button works after a restart."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from db.archive import Archive
from db.periods import NAMED_PERIODS, Period, PeriodKind, local_today, parse_period
from db.views import SavedView
from handlers.asking import Asking, ask_from_list, list_asked_from, typed_text
from handlers.dialog_list import list_screen
from handlers.screens import show
from keyboards.callbacks import FilterCallback, FilterKind, ListCallback
from keyboards.filters import (
    EMPLOYEES_PER_PART,
    Choice,
    FilterSummary,
    choices_keyboard,
    dates_prompt_keyboard,
    filters_keyboard,
)
from views.rendering import (
    LIST_PATH,
    MAX_SEARCH_SHOWN,
    breadcrumb,
    channel_button_label,
    h,
    period_label,
    short,
)
from views.viewer import Viewer

MAX_CHOICE_LENGTH = 30  # characters of a name on a button


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
    saved = await archive.view(callback_data.saved) if callback_data.saved else SavedView()
    if saved is None:  # a stored view that is gone: the whole list
        text, markup, _ = await list_screen(ListCallback(), viewer, archive)
        await show(callback, text, markup, viewer.texts("list-outdated"))
        return
    if callback_data.kind is FilterKind.DATES:  # the next text is a period
        await ask_from_list(state, Asking.dates, callback_data)
    prompt, markup = await _SCREENS[callback_data.kind](callback_data, saved, viewer, archive)
    await show(callback, f"{_header(saved, viewer)}\n{viewer.texts(prompt)}", markup)


FilterScreen = tuple[str, InlineKeyboardMarkup]  # the prompt's text key, and the keyboard


async def _overview(
    state: FilterCallback, saved: SavedView, viewer: Viewer, archive: Archive
) -> FilterScreen:
    t = viewer.texts
    reset = None
    if saved.has_filters:  # the search alone, or the whole list
        reset = await archive.save_view(SavedView(search_text=saved.search_text)) if saved.search_text else 0
    employee = short(saved.employee_name or t("filter-unknown-employee"), MAX_CHOICE_LENGTH)
    summary = FilterSummary(
        channel=channel_button_label(saved.channel, t) if saved.channel else t("filter-all-channels"),
        employee=employee if saved.employee_id else t("filter-all-employees"),
        period=period_label(saved.period_value(), t, local_today(viewer.zone)),
        reset=reset,
    )
    return "filters-choose", filters_keyboard(state, summary, t)


async def _channels(
    state: FilterCallback, saved: SavedView, viewer: Viewer, archive: Archive
) -> FilterScreen:
    t = viewer.texts
    channels = await archive.channels()
    views = [replace(saved, channel=channel) for channel in ["", *channels]]
    labels = [t("filter-all-channels"), *(channel_button_label(channel, t) for channel in channels)]
    choices = await _choices(archive, views, labels, [view.channel == saved.channel for view in views])
    return "filters-choose-channel", choices_keyboard(state, choices, t)


async def _employees(
    state: FilterCallback, saved: SavedView, viewer: Viewer, archive: Archive
) -> FilterScreen:
    t = viewer.texts
    employees = await archive.employees()
    parts = max(1, -(-len(employees) // EMPLOYEES_PER_PART))
    part = min(state.part, parts - 1)
    shown = employees[part * EMPLOYEES_PER_PART : (part + 1) * EMPLOYEES_PER_PART]
    everyone = [(0, t("filter-all-employees"))] if part == 0 else []
    options = everyone + [(employee_id, short(name, MAX_CHOICE_LENGTH)) for employee_id, name in shown]
    views = [replace(saved, employee_id=employee_id) for employee_id, _ in options]
    chosen = [employee_id == saved.employee_id for employee_id, _ in options]
    choices = await _choices(archive, views, [label for _, label in options], chosen)
    markup = choices_keyboard(state.model_copy(update={"part": part}), choices, t, parts=parts)
    return "filters-choose-employee", markup


async def _periods(state: FilterCallback, saved: SavedView, viewer: Viewer, archive: Archive) -> FilterScreen:
    t = viewer.texts
    periods: list[Period | None] = [None, *(Period(kind) for kind in NAMED_PERIODS)]
    current = saved.period_value()
    if current is not None and current.kind is PeriodKind.RANGE:
        periods.append(current)
    views = [replace(saved, period=period.code if period else "") for period in periods]
    labels = [period_label(period, t) for period in periods]
    choices = await _choices(archive, views, labels, [view.period == saved.period for view in views])
    return "filters-choose-period", choices_keyboard(state, choices, t, typed_dates=True)


async def _dates(state: FilterCallback, _saved: SavedView, viewer: Viewer, _archive: Archive) -> FilterScreen:
    return "filters-type-dates", dates_prompt_keyboard(state, viewer.texts)


_SCREENS = {
    FilterKind.NONE: _overview,
    FilterKind.CHANNEL: _channels,
    FilterKind.EMPLOYEE: _employees,
    FilterKind.PERIOD: _periods,
    FilterKind.DATES: _dates,
}


async def typed_dates(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    """`01.11–15.11` after "your own dates": the list of those days. Anything else is asked again."""
    period = parse_period(message.text or "", local_today(viewer.zone))
    if period is None:
        await message.answer(viewer.texts("filters-dates-not-understood"))
        return
    back = list_asked_from(await state.get_data())
    await state.clear()
    saved = (await archive.view(back.saved) if back.saved else None) or SavedView()
    view = replace(saved, period=period.code)
    shown = ListCallback(sort=back.sort, desc=back.desc, saved=await archive.save_view(view))
    text, markup, _ = await list_screen(shown, viewer, archive)
    await message.answer(text, reply_markup=markup)


def _header(saved: SavedView, viewer: Viewer) -> str:
    t = viewer.texts
    lines = [breadcrumb(t, *LIST_PATH, "menu-filters")]
    if saved.search_text:
        lines.append(t("list-search", text=h(short(saved.search_text, MAX_SEARCH_SHOWN))))
    return "\n".join(lines)


async def _choices(
    archive: Archive, views: list[SavedView], labels: list[str], chosen: list[bool]
) -> list[Choice]:
    ids = await archive.save_views(views)
    return [
        Choice(label, view_id, is_chosen)
        for label, view_id, is_chosen in zip(labels, ids, chosen, strict=True)
    ]
