"""Keyboards as pure functions of view state: every button carries the view it promises, and every
button's data fits Telegram's 64 bytes (the worst case of each factory: `tests/test_callback_data.py`)."""

from __future__ import annotations

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from keyboards.callbacks import (
    MAX_ID,
    MAX_PAGE,
    CardCallback,
    FilterCallback,
    FilterKind,
    FindCallback,
    ListCallback,
    MenuCallback,
    MenuLevel,
    Position,
    Reset,
    ResetCallback,
    SearchCallback,
)
from keyboards.columns import RESPONSE_COLUMNS, Column
from keyboards.dialogs import ListPage, card_keyboard, list_keyboard, search_prompt_keyboard
from keyboards.menu import menu_keyboard
from views.texts import texts_for

RU = texts_for("ru")
SORT_LABELS = ["Клиент", "Канал", "Номер", "Кто", "Дата", "Сообщ.", "Ответ", "Ждал"]
PAGING = ("⏮", "◀", "▶", "⏭")


# --- The list keyboard --------------------------------------------------------------------------------


def keyboard(
    view: ListCallback,
    *,
    ids: list[int] | None = None,
    first: int = 1,
    pages: int = 5,
    previous: bool = False,
    following: bool = True,
    filters: bool = False,
) -> InlineKeyboardMarkup:
    """A list keyboard; a view with a stored id is a search alone unless it has `filters`."""
    page = ListPage(
        shown=view,
        dialog_ids=list(range(101, 111)) if ids is None else ids,
        first_number=first,
        pages=pages,
        has_previous=previous,
        has_next=following,
        has_search=bool(view.view_id) and not filters,
        has_filters=filters,
    )
    return list_keyboard(page, RU)


def texts(markup: InlineKeyboardMarkup) -> list[str]:
    return [button.text for row in markup.inline_keyboard for button in row]


def button(markup: InlineKeyboardMarkup, text: str) -> InlineKeyboardButton:
    for row in markup.inline_keyboard:
        for candidate in row:
            if candidate.text == text:
                return candidate
    raise AssertionError(f"no {text!r} among {texts(markup)}")


def data(markup: InlineKeyboardMarkup, text: str) -> str:
    packed = button(markup, text).callback_data
    assert packed is not None
    return packed


def test_number_buttons_open_each_dialog_and_remember_the_list() -> None:
    view = ListCallback(sort=2, desc=False, pos=Position.AFTER, anchor=77, page=2, view_id=9)
    markup = keyboard(view, first=11, previous=True)
    numbers = [text for text in texts(markup) if text.isdigit()]
    assert numbers == [str(n) for n in range(11, 21)]
    for offset, number in enumerate(numbers):
        card = CardCallback.unpack(data(markup, number))
        assert card.dialog == 101 + offset and card.part == 0
        assert card.list_page() == view
    assert all(len(row) <= 5 for row in markup.inline_keyboard), "number rows fit a phone"


def test_eight_sort_buttons_and_the_active_one_shows_its_direction() -> None:
    for column in Column:
        for descending in (False, True):
            view = ListCallback(sort=column, desc=descending, view_id=4)
            markup = keyboard(view)
            arrow = "↓" if descending else "↑"
            labels = [
                f"{label} {arrow}" if index == column else label for index, label in enumerate(SORT_LABELS)
            ]
            assert [text for text in texts(markup) if text.split(" ")[0] in SORT_LABELS] == labels
            flipped = ListCallback.unpack(data(markup, labels[column]))
            assert (flipped.sort, flipped.desc, flipped.view_id) == (column, not descending, 4)
            assert flipped.page == 1 and flipped.pos is Position.FIRST
            for other in Column:
                if other != column:
                    chosen = ListCallback.unpack(data(markup, SORT_LABELS[other]))
                    assert (chosen.sort, chosen.view_id, chosen.page) == (other, 4, 1)
                    # a column chosen anew: names A→Z, the newest, the longest and the slowest first
                    longest_first = (Column.COMPLETED_AT, Column.MESSAGES, *RESPONSE_COLUMNS)
                    assert chosen.desc is (other in longest_first)
            # eight sorts on a phone: three rows of at most three
            sort_rows = [row for row in markup.inline_keyboard if row[0].text.split(" ")[0] in SORT_LABELS]
            assert [len(row) for row in sort_rows] == [3, 3, 2]


@pytest.mark.parametrize(
    ("previous", "following", "shown"),
    [
        (False, True, ["▶", "⏭"]),
        (True, True, ["⏮", "◀", "▶", "⏭"]),
        (True, False, ["⏮", "◀"]),
        (False, False, []),
    ],
)
def test_paging_buttons_only_where_there_is_somewhere_to_go(
    previous: bool, following: bool, shown: list[str]
) -> None:
    view = ListCallback(
        page=3 if previous else 1, pos=Position.AFTER if previous else Position.FIRST, anchor=5
    )
    markup = keyboard(view, previous=previous, following=following, pages=7)
    assert [text for text in texts(markup) if text in PAGING] == shown


def test_paging_buttons_carry_the_next_view() -> None:
    view = ListCallback(sort=5, desc=True, pos=Position.AFTER, anchor=90, page=3, view_id=12)
    markup = keyboard(view, ids=[31, 32, 33], first=21, pages=7, previous=True, following=True)
    later = ListCallback.unpack(data(markup, "▶"))
    assert (later.pos, later.anchor, later.page) == (Position.AFTER, 33, 4)
    earlier = ListCallback.unpack(data(markup, "◀"))
    assert (earlier.pos, earlier.anchor, earlier.page) == (Position.BEFORE, 31, 2)
    first = ListCallback.unpack(data(markup, "⏮"))
    assert (first.pos, first.page) == (Position.FIRST, 1)
    last = ListCallback.unpack(data(markup, "⏭"))
    assert (last.pos, last.page) == (Position.LAST, 7)
    for moved in (later, earlier, first, last):
        assert (moved.sort, moved.desc, moved.view_id) == (5, True, 12)


def test_reset_only_with_a_search() -> None:
    plain = keyboard(ListCallback())
    assert "🔎 Поиск" in texts(plain) and "✖ Сбросить поиск" not in texts(plain)
    searching = keyboard(ListCallback(sort=1, desc=False, view_id=3, page=2, pos=Position.AFTER, anchor=9))
    reset = ResetCallback.unpack(data(searching, "✖ Сбросить поиск"))
    assert reset == ResetCallback(what=Reset.SEARCH, sort=1, desc=False, view_id=3)
    prompt = SearchCallback.unpack(data(searching, "🔎 Поиск"))
    assert (prompt.sort, prompt.desc) == (1, False)


def test_an_empty_page_keeps_only_search_and_back() -> None:
    markup = keyboard(ListCallback(view_id=3), ids=[], pages=1, following=False)
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["🔎 Поиск", "⚙️ Фильтры"],
        ["✖ Сбросить поиск"],
        ["⬅ Назад"],
    ]
    assert MenuCallback.unpack(data(markup, "⬅ Назад")).level is MenuLevel.RECORDS


def test_filters_keep_the_view_and_reset_takes_them_away() -> None:
    filtered = keyboard(ListCallback(sort=2, desc=True, view_id=8), filters=True)
    assert "✖ Сбросить поиск" not in texts(filtered)
    reset = ResetCallback.unpack(data(filtered, "✖ Сбросить фильтры"))
    assert reset == ResetCallback(what=Reset.FILTERS, sort=2, desc=True, view_id=8)
    opened = FilterCallback.unpack(data(filtered, "⚙️ Фильтры"))
    assert (opened.kind, opened.sort, opened.desc, opened.view_id) == (FilterKind.NONE, 2, True, 8)
    assert SearchCallback.unpack(data(filtered, "🔎 Поиск")).view_id == 8


def test_the_search_prompt_leads_back_to_the_list_or_to_words_in_the_conversations() -> None:
    markup = search_prompt_keyboard(SearchCallback(sort=3, desc=False, view_id=4), RU)
    assert texts(markup) == ["💬 Искать слова в переписке", "⬅ Назад"]
    assert ListCallback.unpack(data(markup, "⬅ Назад")) == ListCallback(sort=3, desc=False, view_id=4)
    find = FindCallback.unpack(data(markup, "💬 Искать слова в переписке"))
    assert find == FindCallback(sort=3, desc=False, view_id=4)


def test_every_button_of_a_worst_case_list_fits() -> None:
    view = ListCallback(
        sort=5, desc=False, pos=Position.BEFORE, anchor=MAX_ID, page=MAX_PAGE - 1, view_id=MAX_ID
    )
    markup = keyboard(
        view, ids=[MAX_ID - n for n in range(10)], first=MAX_PAGE, previous=True, pages=MAX_PAGE
    )
    for row in markup.inline_keyboard:
        for each in row:
            assert each.callback_data is not None and len(each.callback_data.encode()) <= 64


# --- The card keyboard --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("part", "parts", "turns"),
    [
        (0, 1, []),
        (0, 2, ["Дальше ▶"]),
        (0, 3, ["Дальше ▶", "⏭"]),
        (1, 3, ["◀ Раньше", "Дальше ▶"]),
        (2, 3, ["⏮", "◀ Раньше"]),
        (1, 2, ["◀ Раньше"]),
    ],
)
def test_the_card_turns_only_where_there_is_another_part(part: int, parts: int, turns: list[str]) -> None:
    card = CardCallback(
        dialog=42, part=part, sort=0, desc=False, pos=Position.AFTER, anchor=8, page=4, view_id=6
    )
    markup = card_keyboard(card, parts, RU)
    assert texts(markup) == [*turns, "⬅ К списку"]
    for turn, to in (("◀ Раньше", part - 1), ("Дальше ▶", part + 1), ("⏮", 0), ("⏭", parts - 1)):
        if turn in turns:
            turned = card.model_copy(update={"part": to, "turn": True})
            assert CardCallback.unpack(data(markup, turn)) == turned
    assert ListCallback.unpack(data(markup, "⬅ К списку")) == card.list_page()


# --- The menu -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("screen", "onward"),
    [
        (MenuLevel.HOME, "Отдел продаж"),
        (MenuLevel.SALES, "Для руководителя"),
        (MenuLevel.HEAD, "Записи"),
        (MenuLevel.RECORDS, "Список диалогов"),
    ],
)
def test_each_menu_level_leads_on_and_back(screen: MenuLevel, onward: str) -> None:
    markup = menu_keyboard(screen, RU)
    assert onward in texts(markup)
    if screen is MenuLevel.HOME:
        assert "⬅ Назад" not in texts(markup)
    else:
        assert MenuCallback.unpack(data(markup, "⬅ Назад")).level == MenuLevel(screen - 1)
    if screen is MenuLevel.RECORDS:
        assert ListCallback.unpack(data(markup, onward)) == ListCallback()
