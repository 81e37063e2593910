"""Keyboards of the dialog list, the search prompt and the dialog card: pure functions of view state."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from keyboards.callbacks import (
    CardCallback,
    ExportCallback,
    ExportFormat,
    FilterCallback,
    ListCallback,
    MenuCallback,
    Position,
    Screen,
    SearchCallback,
    TranscriptCallback,
    list_data,
)
from keyboards.menu import back_button, button, data_button
from keyboards.texts import Translate

# Button labels of the six columns, in `db.dialogs.SortColumn` order.
COLUMN_BUTTONS = (
    "button-client",
    "button-channel",
    "button-phone",
    "button-completed-by",
    "button-completed-at",
    "button-messages",
)
# A column chosen anew starts the way people read it: names A→Z, the newest and the longest first.
FIRST_DIRECTION_DESCENDING = (False, False, False, False, True, True)
NUMBERS_PER_ROW = 5
SORTS_PER_ROW = 3


@dataclass(frozen=True, slots=True)
class ListPage:
    """What the list keyboard needs to know about the page on screen."""

    view: ListCallback
    dialog_ids: list[int]  # in the order shown
    first_number: int  # the entry number of the first dialog (11 on the second page of ten)
    pages: int
    has_previous: bool
    has_next: bool
    can_export: bool = False  # heads and admins may take the list away as a file
    # the views that reset buttons lead to: the same filters without the search, the same search without
    # the filters; None when there is nothing to reset
    without_search: int | None = None
    without_filters: int | None = None


def list_keyboard(page: ListPage, t: Translate) -> InlineKeyboardMarkup:
    view = page.view
    rows: list[list[InlineKeyboardButton]] = []
    opening = CardCallback.openings(view)
    numbers = [
        data_button(str(page.first_number + index), opening(dialog_id))
        for index, dialog_id in enumerate(page.dialog_ids)
    ]
    rows += [numbers[i : i + NUMBERS_PER_ROW] for i in range(0, len(numbers), NUMBERS_PER_ROW)]
    if page.dialog_ids:
        sorts = [_sort_button(column, view, t) for column in range(len(COLUMN_BUTTONS))]
        rows += [sorts[i : i + SORTS_PER_ROW] for i in range(0, len(sorts), SORTS_PER_ROW)]
    paging = _paging(page)
    if paging:
        rows.append(paging)
    if page.can_export and page.dialog_ids:
        rows.append(
            [button(t(f"button-export-{kind.name.lower()}"), _export(view, kind)) for kind in ExportFormat]
        )
    rows += _search_rows(page, t)
    rows.append([data_button(t("back"), _BACK_TO_RECORDS)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


_BACK_TO_RECORDS = MenuCallback(screen=Screen.RECORDS).pack()


def search_prompt_keyboard(prompt: SearchCallback, t: Translate) -> InlineKeyboardMarkup:
    back = ListCallback(sort=prompt.sort, desc=prompt.desc, saved=prompt.saved)
    return InlineKeyboardMarkup(inline_keyboard=[[back_button(back, t)]])


def card_keyboard(
    card: CardCallback, parts: int, t: Translate, *, transcript_file: bool = False
) -> InlineKeyboardMarkup:
    """`parts`: how many pages the transcript has; `transcript_file`: offer it as a file."""
    rows: list[list[InlineKeyboardButton]] = []
    turns = []
    if card.part > 0:
        turns.append(
            button(t("button-earlier"), card.model_copy(update={"part": card.part - 1, "turn": True}))
        )
    if card.part + 1 < parts:
        turns.append(button(t("button-later"), card.model_copy(update={"part": card.part + 1, "turn": True})))
    if turns:
        rows.append(turns)
    if transcript_file:
        rows.append([button(t("button-transcript-file"), TranscriptCallback(dialog=card.dialog))])
    rows.append([button(t("button-to-list"), card.list_view())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _sort_button(column: int, view: ListCallback, t: Translate) -> InlineKeyboardButton:
    label = t(COLUMN_BUTTONS[column])
    if column == view.sort:
        label += " ↓" if view.desc else " ↑"
        descending = not view.desc  # a second tap flips the direction
    else:
        descending = FIRST_DIRECTION_DESCENDING[column]
    return data_button(label, list_data(column, descending, saved=view.saved))


def _paging(page: ListPage) -> list[InlineKeyboardButton]:
    view = page.view
    buttons = []

    def to(label: str, pos: Position, anchor: int, number: int) -> InlineKeyboardButton:
        data = list_data(view.sort, view.desc, pos, anchor, number, view.saved)
        return data_button(label, data)

    if page.has_previous and page.dialog_ids:
        buttons.append(to("⏮", Position.FIRST, 0, 1))
        buttons.append(to("◀", Position.BEFORE, page.dialog_ids[0], max(1, view.page - 1)))
    if page.has_next and page.dialog_ids:
        buttons.append(to("▶", Position.AFTER, page.dialog_ids[-1], view.page + 1))
        buttons.append(to("⏭", Position.LAST, 0, page.pages))
    return buttons


def _search_rows(page: ListPage, t: Translate) -> list[list[InlineKeyboardButton]]:
    view = page.view
    rows = [
        [
            button(t("button-search"), SearchCallback(sort=view.sort, desc=view.desc, saved=view.saved)),
            button(t("button-filters"), FilterCallback(sort=view.sort, desc=view.desc, saved=view.saved)),
        ]
    ]
    resets = []
    if page.without_search is not None:
        target = list_data(view.sort, view.desc, saved=page.without_search)
        resets.append(data_button(t("button-reset"), target))
    if page.without_filters is not None:
        target = list_data(view.sort, view.desc, saved=page.without_filters)
        resets.append(data_button(t("button-reset-filters"), target))
    if resets:
        rows.append(resets)
    return rows


def _export(view: ListCallback, kind: ExportFormat) -> ExportCallback:
    return ExportCallback(format=kind, sort=view.sort, desc=view.desc, saved=view.saved)
