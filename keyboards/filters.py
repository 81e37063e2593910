"""Keyboards of the list's filters: the filters screen and the choices of each filter (channel, employee,
period, and for heads and admins the review mark).

Every choice leads back to the filters screen, of the view it makes (its button carries that stored view's
id), so that filters are chosen one after the other; the filters screen's last button opens the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from keyboards.buttons import back_button, button, rows_of
from keyboards.callbacks import FilterCallback, FilterKind, ListCallback, Reset, ResetCallback
from keyboards.texts import Translate

CHOICES_PER_ROW = 2
EMPLOYEES_PER_PART = 20


@dataclass(frozen=True, slots=True)
class Choice:
    label: str
    view_id: int  # the stored view this choice makes
    chosen: bool = False


@dataclass(frozen=True, slots=True)
class FilterSummary:
    """The filters screen's three lines, already worded, and whether there is anything to reset."""

    channel: str
    employee: str
    period: str
    has_filters: bool
    show: str  # the button that opens the list: «✅ Показать 12 диалогов»
    review: str | None = None  # the review filter's line (heads and admins); None: not offered


def filters_keyboard(shown: FilterCallback, summary: FilterSummary, t: Translate) -> InlineKeyboardMarkup:
    def opening(label: str, kind: FilterKind) -> list[InlineKeyboardButton]:
        return [button(label, shown.model_copy(update={"kind": kind, "part": 0}))]

    rows = [
        opening(t("filter-channel", value=summary.channel), FilterKind.CHANNEL),
        opening(t("filter-employee", value=summary.employee), FilterKind.EMPLOYEE),
        opening(t("filter-period", value=summary.period), FilterKind.PERIOD),
    ]
    if summary.review is not None:
        rows.append(opening(t("filter-review", value=summary.review), FilterKind.REVIEW))
    if summary.has_filters:
        reset = ResetCallback(what=Reset.FILTERS, sort=shown.sort, desc=shown.desc, view_id=shown.view_id)
        rows.append([button(t("button-reset-filters"), reset)])
    rows.append([_to_list(summary.show, shown, shown.view_id)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def choices_keyboard(
    shown: FilterCallback,
    choices: Sequence[Choice],
    t: Translate,
    *,
    parts: int = 1,
    typed_dates: bool = False,
    back: FilterCallback | None = None,
) -> InlineKeyboardMarkup:
    """The choices of one filter (one part of them, for employees), each back to the filters screen of the
    view it makes, then paging, then "your own dates" for the period, then back (by default to the filters
    screen)."""
    buttons = [
        _to_filters(f"✓ {choice.label}" if choice.chosen else choice.label, shown, choice.view_id)
        for choice in choices
    ]
    rows = rows_of(buttons, CHOICES_PER_ROW)
    paging = []
    if shown.part > 0:
        paging.append(button(t("button-earlier"), shown.model_copy(update={"part": shown.part - 1})))
    if shown.part + 1 < parts:
        paging.append(button(t("button-later"), shown.model_copy(update={"part": shown.part + 1})))
    if paging:
        rows.append(paging)
    if typed_dates:
        rows.append([button(t("button-typed-dates"), shown.model_copy(update={"kind": FilterKind.DATES}))])
    if back is None:  # the filters screen
        back = shown.model_copy(update={"kind": FilterKind.NONE, "part": 0})
    rows.append([back_button(back, t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def dates_prompt_keyboard(shown: FilterCallback, t: Translate) -> InlineKeyboardMarkup:
    back = shown.model_copy(update={"kind": FilterKind.PERIOD})
    return InlineKeyboardMarkup(inline_keyboard=[[back_button(back, t)]])


def _to_list(label: str, shown: FilterCallback, view_id: int) -> InlineKeyboardButton:
    return button(label, ListCallback(sort=shown.sort, desc=shown.desc, view_id=view_id))


def _to_filters(label: str, shown: FilterCallback, view_id: int) -> InlineKeyboardButton:
    overview = FilterCallback(kind=FilterKind.NONE, sort=shown.sort, desc=shown.desc, view_id=view_id)
    return button(label, overview)
