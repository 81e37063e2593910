"""Keyboards of the analytics: the numbered rows lead to the dialog list filtered to them, then the
sections, the periods, the chart and the way back."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup

from keyboards.buttons import back_button, button, rows_of
from keyboards.callbacks import (
    ANALYTICS_PERIODS,
    ANALYTICS_PERIODS_SHOWN,
    RANGE_PERIOD,
    AnalyticsAction,
    AnalyticsCallback,
    DrillListCallback,
    MenuCallback,
    Section,
)
from keyboards.menu import ANALYTICS
from keyboards.texts import Translate

NUMBERS_PER_ROW = 5
SECTIONS_PER_ROW = 2
PERIODS_PER_ROW = 2  # «Прошлая неделя» beside «Эта неделя» fits a narrow phone; three do not
SECTION_BUTTONS = {
    Section.EMPLOYEES: "button-section-employees",
    Section.CHANNELS: "button-section-channels",
    Section.TIME: "button-section-time",
    Section.CLIENTS: "button-section-clients",
}


@dataclass(frozen=True, slots=True)
class AnalyticsPage:
    shown: AnalyticsCallback
    drill: list[int]  # the stored list views the numbered rows open, in the order shown
    has_data: bool
    range_label: str | None = None  # the typed range on screen, e.g. "01.11–15.11.2026"
    reports: list[int] | None = None  # for each numbered row, the way back to this report (`views.drill`)
    first_number: int = 1  # the first numbered row's number (11 on a report's second page of ten)
    pages: int = 1  # of a report told a page at a time (`AnalyticsCallback.page`)


def analytics_keyboard(page: AnalyticsPage, t: Translate) -> InlineKeyboardMarkup:
    shown = page.shown.model_copy(update={"action": AnalyticsAction.SHOW})
    reports = page.reports or [0] * len(page.drill)
    opened = zip(page.drill, reports, strict=True)
    numbers = [
        button(str(number), DrillListCallback(view_id=view_id, report=report))
        for number, (view_id, report) in enumerate(opened, start=page.first_number)
    ]
    rows = rows_of(numbers, NUMBERS_PER_ROW)
    turns = []
    if shown.page > 0:
        turns.append(button("◀", shown.model_copy(update={"page": shown.page - 1})))
    if shown.page < page.pages - 1:
        turns.append(button("▶", shown.model_copy(update={"page": shown.page + 1})))
    if turns:
        rows.append(turns)
    shown = shown.model_copy(update={"page": 0})  # another section or period starts at its first page
    sections = [
        button(
            ("• " if section is shown.section else "") + t(label),
            shown.model_copy(update={"section": section}),
        )
        for section, label in SECTION_BUTTONS.items()
    ]
    rows += rows_of(sections, SECTIONS_PER_ROW)
    periods = []
    for index in ANALYTICS_PERIODS_SHOWN:
        label = ("✓ " if index == shown.period else "") + t(f"period-{ANALYTICS_PERIODS[index]}")
        periods.append(button(label, shown.model_copy(update={"period": index, "first": 0, "last": 0})))
    dates = t("button-typed-dates")
    if shown.period == RANGE_PERIOD and page.range_label:
        dates = f"✓ {page.range_label}"
    periods.append(button(dates, shown.model_copy(update={"action": AnalyticsAction.ASK_DATES})))
    rows += rows_of(periods, PERIODS_PER_ROW)
    if page.has_data:
        rows.append([button(t("button-chart"), shown.model_copy(update={"action": AnalyticsAction.CHART}))])
    rows.append([back_button(MenuCallback(level=ANALYTICS[1]), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def dates_prompt_keyboard(shown: AnalyticsCallback, t: Translate) -> InlineKeyboardMarkup:
    back = shown.model_copy(update={"action": AnalyticsAction.SHOW})
    return InlineKeyboardMarkup(inline_keyboard=[[back_button(back, t)]])
