"""Keyboards of the dialog list, the search prompt and the dialog card: pure functions of view state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from keyboards.buttons import back_button, button, rows_of
from keyboards.callbacks import (
    MAX_MARK,
    REMOVE_COMMENT,
    CardCallback,
    ClientListCallback,
    ExportCallback,
    ExportFormat,
    FilterCallback,
    FindCallback,
    ListCallback,
    MenuCallback,
    Position,
    QueueCallback,
    QueueCardCallback,
    Reset,
    ResetCallback,
    ReviewCallback,
    SearchCallback,
    TranscriptCallback,
)
from keyboards.columns import COLUMNS, Column
from keyboards.menu import DIALOG_LIST
from keyboards.texts import Translate

NUMBERS_PER_ROW = 5
SORTS_PER_ROW = 3


@dataclass(frozen=True, slots=True)
class ListPage:
    """What the list keyboard needs to know about the page on screen."""

    shown: ListCallback  # the page on screen
    dialog_ids: list[int]  # in the order shown
    first_number: int  # the entry number of the first dialog (11 on the second page of ten)
    pages: int
    has_previous: bool
    has_next: bool
    can_export: bool = False  # heads and admins may take the list away as a file
    has_search: bool = False  # a reset button takes it away
    has_filters: bool = False  # another reset button takes them away
    back: CallbackData | None = None  # where ⬅ Назад leads (the report drilled down from); None: the menu


def list_keyboard(page: ListPage, t: Translate) -> InlineKeyboardMarkup:
    shown = page.shown
    numbers = [
        button(str(page.first_number + index), CardCallback.opening(dialog_id, shown))
        for index, dialog_id in enumerate(page.dialog_ids)
    ]
    rows = rows_of(numbers, NUMBERS_PER_ROW)
    if page.dialog_ids:
        rows += rows_of([_sort_button(column, shown, t) for column in Column], SORTS_PER_ROW)
    paging = _paging(page)
    if paging:
        rows.append(paging)
    if page.can_export and page.dialog_ids:
        rows.append(
            [button(t(f"button-export-{kind.name.lower()}"), _export(shown, kind)) for kind in ExportFormat]
        )
    rows += _search_rows(page, t)
    rows.append([back_button(page.back or MenuCallback(level=DIALOG_LIST[1]), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def with_offers(
    markup: InlineKeyboardMarkup, offers: Sequence[tuple[str, CallbackData]]
) -> InlineKeyboardMarkup:
    """A keyboard with offers on top of it, a button a row (the employees a search of a name may have
    meant)."""
    rows = [[button(label, target)] for label, target in offers]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, *markup.inline_keyboard])


def search_prompt_keyboard(prompt: SearchCallback, t: Translate) -> InlineKeyboardMarkup:
    """Back to the list; or words to find in the conversations instead, within the same filters."""
    back = ListCallback(sort=prompt.sort, desc=prompt.desc, view_id=prompt.view_id)
    find = FindCallback(sort=prompt.sort, desc=prompt.desc, view_id=prompt.view_id)
    return InlineKeyboardMarkup(
        inline_keyboard=[[button(t("button-keywords"), find)], [back_button(back, t)]]
    )


def card_keyboard(
    card: CardCallback,
    parts: int,
    t: Translate,
    *,
    transcript_file: bool = False,
    client_dialogs: int = 0,
    client_list: bool = False,
    reviewing: bool = False,
    mark: int = 0,
    commented: bool = False,
) -> InlineKeyboardMarkup:
    """`parts`: how many pages the transcript has; `transcript_file`: offer it as a file; `client_list`:
    offer the list of the client's `client_dialogs` dialogs, newest first;
    `reviewing`: offer the marks 1–5 (the dialog's `mark` shown chosen; 0: not marked) and, once marked,
    the comment (to add, or to change when `commented`)."""
    rows: list[list[InlineKeyboardButton]] = []
    turns = []

    def to(label: str, part: int) -> InlineKeyboardButton:
        return button(label, card.model_copy(update={"part": part, "turn": True}))

    if card.part > 1:  # the start, when "earlier" is not the way there already
        turns.append(to("⏮", 0))
    if card.part > 0:
        turns.append(to(t("button-earlier"), card.part - 1))
    if card.part + 1 < parts:
        turns.append(to(t("button-later"), card.part + 1))
    if card.part + 2 < parts:  # the end, where the last messages are: what a head reads first
        turns.append(to("⏭", parts - 1))
    if turns:
        rows.append(turns)
    if transcript_file:
        rows.append([button(t("button-transcript-file"), TranscriptCallback(dialog=card.dialog))])
    if client_list:
        client = ClientListCallback(dialog=card.dialog)
        rows.append([button(t("button-client-dialogs", count=client_dialogs), client)])
    if reviewing:
        rows += _review_rows(card, t, mark, commented)
    if isinstance(card, QueueCardCallback):  # the next dialog of the review queue, or back to it
        walk = QueueCallback(week=card.week, walk=True, after=card.dialog)
        rows.append([button(t("button-queue-next"), walk), button(t("button-to-queue"), card.queue())])
    else:
        rows.append([button(t("button-to-list"), card.back())])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def comment_prompt_keyboard(card: CardCallback, t: Translate, *, commented: bool) -> InlineKeyboardMarkup:
    """The question for a mark's comment: the comment there is removed, or back to the card as it was."""
    remove = [[button(t("button-review-comment-remove"), ReviewCallback.on(card, REMOVE_COMMENT))]]
    return InlineKeyboardMarkup(inline_keyboard=[*(remove if commented else []), [back_button(card, t)]])


def _review_rows(
    card: CardCallback, t: Translate, mark: int, commented: bool
) -> list[list[InlineKeyboardButton]]:
    """«⭐1 … ⭐5» (the dialog's mark as «✅4»), then the comment once it is marked."""
    marks = [
        button(f"✅{value}" if value == mark else f"⭐{value}", ReviewCallback.on(card, value))
        for value in range(1, MAX_MARK + 1)
    ]
    rows = [marks]
    if mark:
        label = t("button-review-comment-change" if commented else "button-review-comment")
        rows.append([button(label, ReviewCallback.on(card, 0))])
    return rows


def _sort_button(column: Column, shown: ListCallback, t: Translate) -> InlineKeyboardButton:
    definition = COLUMNS[column]
    label = t(definition.button)
    if column is shown.sort:
        label += " ↓" if shown.desc else " ↑"
        descending = not shown.desc  # a second tap flips the direction
    else:
        descending = definition.descending_first
    # the first page of the same view (and the same way back)
    first = {"sort": column, "desc": descending, "pos": Position.FIRST, "anchor": 0, "page": 1}
    return button(label, shown.model_copy(update=first))


def _paging(page: ListPage) -> list[InlineKeyboardButton]:
    shown = page.shown
    if not page.dialog_ids:
        return []

    def to(label: str, pos: Position, anchor: int, number: int) -> InlineKeyboardButton:
        return button(label, shown.model_copy(update={"pos": pos, "anchor": anchor, "page": number}))

    buttons = []
    if page.has_previous:
        buttons.append(to("⏮", Position.FIRST, 0, 1))
        buttons.append(to("◀", Position.BEFORE, page.dialog_ids[0], max(1, shown.page - 1)))
    if page.has_next:
        buttons.append(to("▶", Position.AFTER, page.dialog_ids[-1], shown.page + 1))
        buttons.append(to("⏭", Position.LAST, 0, page.pages))
    return buttons


def _search_rows(page: ListPage, t: Translate) -> list[list[InlineKeyboardButton]]:
    shown = page.shown
    sort, desc, view_id = shown.sort, shown.desc, shown.view_id
    rows = [
        [
            button(t("button-search"), SearchCallback(sort=sort, desc=desc, view_id=view_id)),
            button(t("button-filters"), FilterCallback(sort=sort, desc=desc, view_id=view_id)),
        ]
    ]
    resets = []
    if page.has_search:
        target = ResetCallback(what=Reset.SEARCH, sort=sort, desc=desc, view_id=view_id)
        resets.append(button(t("button-reset"), target))
    if page.has_filters:
        target = ResetCallback(what=Reset.FILTERS, sort=sort, desc=desc, view_id=view_id)
        resets.append(button(t("button-reset-filters"), target))
    if resets:
        rows.append(resets)
    return rows


def _export(shown: ListCallback, kind: ExportFormat) -> ExportCallback:
    return ExportCallback(format=kind, sort=shown.sort, desc=shown.desc, view_id=shown.view_id)
