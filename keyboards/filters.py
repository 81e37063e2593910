"""Keyboards of the list's filters: the filters screen and the choices of each filter.

Every choice leads straight to the list, filtered: its button carries the id of the stored view it makes.
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


def filters_keyboard(shown: FilterCallback, summary: FilterSummary, t: Translate) -> InlineKeyboardMarkup:
    def opening(label: str, kind: FilterKind) -> list[InlineKeyboardButton]:
        return [button(label, shown.model_copy(update={"kind": kind, "part": 0}))]

    rows = [
        opening(t("filter-channel", value=summary.channel), FilterKind.CHANNEL),
        opening(t("filter-employee", value=summary.employee), FilterKind.EMPLOYEE),
        opening(t("filter-period", value=summary.period), FilterKind.PERIOD),
    ]
    if summary.has_filters:
        reset = ResetCallback(what=Reset.FILTERS, sort=shown.sort, desc=shown.desc, view_id=shown.view_id)
        rows.append([button(t("button-reset-filters"), reset)])
    rows.append([_to_list(t("button-to-list"), shown, shown.view_id)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def choices_keyboard(
    shown: FilterCallback,
    choices: Sequence[Choice],
    t: Translate,
    *,
    parts: int = 1,
    typed_dates: bool = False,
) -> InlineKeyboardMarkup:
    """The choices of one filter (one part of them, for employees), then paging, then "your own dates"
    for the period, then back to the filters screen."""
    buttons = [
        _to_list(f"✓ {choice.label}" if choice.chosen else choice.label, shown, choice.view_id)
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
    rows.append([back_button(shown.model_copy(update={"kind": FilterKind.NONE, "part": 0}), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def dates_prompt_keyboard(shown: FilterCallback, t: Translate) -> InlineKeyboardMarkup:
    back = shown.model_copy(update={"kind": FilterKind.PERIOD})
    return InlineKeyboardMarkup(inline_keyboard=[[back_button(back, t)]])


def _to_list(label: str, shown: FilterCallback, view_id: int) -> InlineKeyboardButton:
    return button(label, ListCallback(sort=shown.sort, desc=shown.desc, view_id=view_id))
