"""Keyboards of the keyword search inside conversations: its question and its pages of results."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup

from keyboards.buttons import back_button, button, rows_of
from keyboards.callbacks import (
    FindCallback,
    KeywordCardCallback,
    KeywordsCallback,
    ListCallback,
    Position,
)
from keyboards.dialogs import NUMBERS_PER_ROW
from keyboards.texts import Translate


@dataclass(frozen=True, slots=True)
class KeywordPage:
    """What the results keyboard needs to know about the page on screen."""

    shown: KeywordsCallback
    opened: list[tuple[int, int]]  # each entry's dialog and the transcript part holding the words, in order
    first_number: int
    has_previous: bool
    has_next: bool
    within: int  # the list view the search is within (0: the whole archive): ⬅ Назад returns to it


def keywords_keyboard(page: KeywordPage, t: Translate) -> InlineKeyboardMarkup:
    shown = page.shown
    numbers = [
        button(str(page.first_number + index), KeywordCardCallback.from_results(dialog, part, shown))
        for index, (dialog, part) in enumerate(page.opened)
    ]
    rows = rows_of(numbers, NUMBERS_PER_ROW)
    paging = []
    if page.has_previous and page.opened:
        paging.append(button("⏮", KeywordsCallback(search=shown.search)))
        before = page.opened[0][0]
        paging.append(button("◀", _to(shown, Position.BEFORE, before, max(1, shown.page - 1))))
    if page.has_next and page.opened:
        paging.append(button("▶", _to(shown, Position.AFTER, page.opened[-1][0], shown.page + 1)))
    if paging:
        rows.append(paging)
    rows.append([button(t("button-keywords-again"), FindCallback(view_id=page.within))])
    rows.append([back_button(ListCallback(view_id=page.within), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def keywords_prompt_keyboard(asked: FindCallback, t: Translate) -> InlineKeyboardMarkup:
    back = ListCallback(sort=asked.sort, desc=asked.desc, view_id=asked.view_id)
    return InlineKeyboardMarkup(inline_keyboard=[[back_button(back, t)]])


def _to(shown: KeywordsCallback, pos: Position, anchor: int, page: int) -> KeywordsCallback:
    return KeywordsCallback(search=shown.search, pos=pos, anchor=anchor, page=page)
