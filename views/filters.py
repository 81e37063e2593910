"""The screens of the list's filters: the filters of the view on screen, and the choices of each (every
choice a button straight to the list, filtered)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from aiogram.types import InlineKeyboardMarkup

from db.choices import Choice, FilterChoices
from db.periods import Period, local_today
from db.views import StoredView
from keyboards.callbacks import FilterCallback
from keyboards.filters import (
    EMPLOYEES_PER_PART,
    FilterSummary,
    choices_keyboard,
    dates_prompt_keyboard,
    filters_keyboard,
)
from keyboards.filters import Choice as ChoiceButton
from keyboards.menu import LIST_PATH
from views.formatting import (
    MAX_SEARCH_SHOWN,
    breadcrumb,
    channel_button_label,
    h,
    period_label,
    short,
    shown_search,
)
from views.screen import Screen
from views.viewer import Viewer

__all__ = ["EMPLOYEES_PER_PART"]

T = TypeVar("T")
MAX_CHOICE_LENGTH = 30  # characters of a name on a button


def overview_screen(stored: StoredView | None, pressed: FilterCallback, viewer: Viewer) -> Screen:
    """The three filters of the view on screen, each opening its choices."""
    t = viewer.texts
    view = stored.view if stored is not None else None
    employee = short(
        (stored.employee_name if stored else None) or t("filter-unknown-employee"), MAX_CHOICE_LENGTH
    )
    summary = FilterSummary(
        channel=channel_button_label(view.channel, t) if view and view.channel else t("filter-all-channels"),
        employee=employee if view and view.employee_id else t("filter-all-employees"),
        period=period_label(view.period_value() if view else None, t, local_today(viewer.zone)),
        has_filters=view is not None and view.has_filters,
    )
    return _screen(stored, "filters-choose", filters_keyboard(pressed, summary, t), viewer)


def channels_screen(found: FilterChoices[str], pressed: FilterCallback, viewer: Viewer) -> Screen:
    t = viewer.texts
    labels = [
        channel_button_label(channel, t) if channel else t("filter-all-channels")
        for channel in _values(found)
    ]
    markup = choices_keyboard(pressed, _buttons(found.choices, labels), t)
    return _screen(found.view, "filters-choose-channel", markup, viewer)


def employees_screen(
    found: FilterChoices[tuple[int, str]], pressed: FilterCallback, viewer: Viewer
) -> Screen:
    t = viewer.texts
    labels = [
        short(name, MAX_CHOICE_LENGTH) if employee_id else t("filter-all-employees")
        for employee_id, name in _values(found)
    ]
    shown = pressed.model_copy(update={"part": found.part})
    markup = choices_keyboard(shown, _buttons(found.choices, labels), t, parts=found.parts)
    return _screen(found.view, "filters-choose-employee", markup, viewer)


def periods_screen(found: FilterChoices[Period | None], pressed: FilterCallback, viewer: Viewer) -> Screen:
    t = viewer.texts
    labels = [period_label(period, t) for period in _values(found)]
    markup = choices_keyboard(pressed, _buttons(found.choices, labels), t, typed_dates=True)
    return _screen(found.view, "filters-choose-period", markup, viewer)


def dates_screen(stored: StoredView | None, pressed: FilterCallback, viewer: Viewer) -> Screen:
    """Asks for dates typed like 01.11–15.11."""
    t = viewer.texts
    return _screen(stored, "filters-type-dates", dates_prompt_keyboard(pressed, t), viewer)


def _screen(stored: StoredView | None, prompt: str, markup: InlineKeyboardMarkup, viewer: Viewer) -> Screen:
    t = viewer.texts
    lines = [breadcrumb(t, *LIST_PATH, "menu-filters")]
    if stored is not None and stored.view.search_text:
        search = shown_search(stored.view.search_text, viewer.mask_region)
        lines.append(t("list-search", text=h(short(search, MAX_SEARCH_SHOWN))))
    lines.append(t(prompt))
    return Screen("\n".join(lines), markup)


def _values(found: FilterChoices[T]) -> list[T]:
    return [choice.value for choice in found.choices]


def _buttons(choices: Sequence[Choice[Any]], labels: list[str]) -> list[ChoiceButton]:
    return [
        ChoiceButton(label, choice.view_id, choice.chosen)
        for label, choice in zip(labels, choices, strict=True)
    ]
