"""The screens of the list's filters: the filters of the view on screen with what they find, and the choices
of each (every choice a button back to the filters, of the view it makes; the list is one tap from there)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from aiogram.types import InlineKeyboardMarkup

from db.choices import Choice, FilterChoices, FilterOverview
from db.periods import Period, local_today
from db.views import NOBODY, StoredView
from keyboards.callbacks import FilterCallback, FilterKind
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
    review_label,
    short,
    shown_search,
)
from views.screen import Screen
from views.texts import Texts
from views.viewer import Viewer

__all__ = ["EMPLOYEES_PER_PART"]

T = TypeVar("T")
MAX_CHOICE_LENGTH = 30  # characters of a name on a button


def overview_screen(found: FilterOverview, pressed: FilterCallback, viewer: Viewer) -> Screen:
    """The three filters of the view on screen, each opening its choices, what they find, and the button
    that shows it."""
    t = viewer.texts
    stored = found.view
    view = stored.view if stored is not None else None
    if view is not None and view.employee_id == NOBODY:
        employee = t("filter-nobody")
    else:
        name = (stored.employee_name if stored else None) or t("filter-unknown-employee")
        employee = short(name, MAX_CHOICE_LENGTH) if view and view.employee_id else t("filter-all-employees")
    has_filters = view is not None and view.has_filters
    summary = FilterSummary(
        channel=channel_button_label(view.channel, t) if view and view.channel else t("filter-all-channels"),
        employee=employee,
        period=period_label(view.period_value() if view else None, t, local_today(viewer.zone)),
        has_filters=has_filters,
        show=t("button-show-dialogs", count=found.total)
        if found.total is not None
        else t("button-show-done"),
        review=review_label(view.review if view else "", t) if viewer.role.may_review else None,
    )
    markup = filters_keyboard(pressed, summary, t)
    screen = _screen(stored, "filters-choose-more" if has_filters else "filters-choose", markup, viewer)
    if found.total is None:
        return screen
    return screen._replace(text=f"{screen.text}\n\n{t('list-found', count=found.total)}")


def channels_screen(found: FilterChoices[str], pressed: FilterCallback, viewer: Viewer) -> Screen:
    t = viewer.texts
    labels = [
        _counted(channel_button_label(choice.value, t), choice.count, t)
        if choice.value
        else t("filter-all-channels")
        for choice in found.choices
    ]
    markup = choices_keyboard(pressed, _buttons(found.choices, labels), t)
    return _screen(found.view, "filters-choose-channel", markup, viewer)


def employees_screen(
    found: FilterChoices[tuple[int, str]], pressed: FilterCallback, viewer: Viewer
) -> Screen:
    t = viewer.texts
    shown = pressed.model_copy(update={"part": found.part})
    markup = choices_keyboard(
        shown, _buttons(found.choices, _employee_labels(found, t)), t, parts=found.parts
    )
    return _screen(found.view, "filters-choose-employee", markup, viewer)


def employees_typed_screen(
    found: FilterChoices[tuple[int, str]], typed: str, shown: FilterCallback, viewer: Viewer
) -> Screen:
    """The employees whose name holds the letters typed on the employee choices `shown`, as choices; back
    leads to all the employees again."""
    t = viewer.texts
    buttons = _buttons(found.choices, _employee_labels(found, t))
    back = shown.model_copy(update={"kind": FilterKind.EMPLOYEE, "part": 0})
    markup = choices_keyboard(back, buttons, t, back=back)
    text = h(short(" ".join(typed.split()), MAX_CHOICE_LENGTH))
    said = "filters-employees-found" if found.choices else "filters-employees-none"
    screen = _screen(found.view, "filters-choose-employee", markup, viewer)
    return screen._replace(text=f"{screen.text}\n\n{t(said, text=text, count=len(found.choices))}")


def periods_screen(found: FilterChoices[Period | None], pressed: FilterCallback, viewer: Viewer) -> Screen:
    t = viewer.texts
    labels = [period_label(period, t) for period in _values(found)]
    markup = choices_keyboard(pressed, _buttons(found.choices, labels), t, typed_dates=True)
    return _screen(found.view, "filters-choose-period", markup, viewer)


def reviews_screen(found: FilterChoices[str], pressed: FilterCallback, viewer: Viewer) -> Screen:
    t = viewer.texts
    labels = [review_label(choice.value, t) for choice in found.choices]
    markup = choices_keyboard(pressed, _buttons(found.choices, labels), t)
    return _screen(found.view, "filters-choose-review", markup, viewer)


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


def _employee_labels(found: FilterChoices[tuple[int, str]], t: Texts) -> list[str]:
    """Names (on buttons two to a row: no counts, which a long name would push out of sight)."""
    return [
        t("filter-nobody")
        if employee_id == NOBODY
        else short(name, MAX_CHOICE_LENGTH)
        if employee_id
        else t("filter-all-employees")
        for employee_id, name in _values(found)
    ]


def _counted(label: str, count: int | None, t: Texts) -> str:
    return t("filter-choice-count", label=label, count=count) if count is not None else label


def _buttons(choices: Sequence[Choice[Any]], labels: list[str]) -> list[ChoiceButton]:
    return [
        ChoiceButton(label, choice.view_id, choice.chosen)
        for label, choice in zip(labels, choices, strict=True)
    ]
