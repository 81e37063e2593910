"""Keyboards as pure functions of view state, and the callback data they carry: every button's data fits
Telegram's 64 bytes in the worst case the Field constraints allow, and carries the view it promises."""

from __future__ import annotations

from enum import Enum
from typing import Any

import annotated_types
import pytest
from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from keyboards.callbacks import (
    MAX_ID,
    MAX_PAGE,
    AnalyticsCallback,
    CardCallback,
    FilterCallback,
    FilterKind,
    ListCallback,
    MenuCallback,
    Position,
    Screen,
    SearchCallback,
    list_data,
)
from keyboards.dialogs import ListPage, card_keyboard, list_keyboard, search_prompt_keyboard
from keyboards.menu import menu_keyboard
from views.texts import texts_for

RU = texts_for("ru")
FACTORIES: list[type[CallbackData]] = [
    MenuCallback,
    ListCallback,
    SearchCallback,
    CardCallback,
    FilterCallback,
    AnalyticsCallback,
]
SORT_LABELS = ["Клиент", "Канал", "Номер", "Кто", "Дата", "Сообщ."]
PAGING = ("⏮", "◀", "▶", "⏭")


def largest(factory: type[CallbackData], name: str) -> Any:
    """The widest value a field accepts: the upper bound of an int, the longest member of an enum."""
    field = factory.model_fields[name]
    annotation = field.annotation
    if annotation is bool:
        return True
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return max(annotation, key=lambda member: len(str(member.value)))
    assert annotation is int, f"{factory.__name__}.{name}: {annotation!r} is not compact callback data"
    for constraint in field.metadata:
        if isinstance(constraint, annotated_types.Le):
            return int(constraint.le)  # type: ignore[call-overload]
        if isinstance(constraint, annotated_types.Lt):
            return int(constraint.lt) - 1  # type: ignore[call-overload]
    raise AssertionError(f"{factory.__name__}.{name} has no upper bound: its packed size is unbounded")


def smallest(factory: type[CallbackData], name: str) -> Any:
    field = factory.model_fields[name]
    for constraint in field.metadata:
        if isinstance(constraint, annotated_types.Ge):
            return int(constraint.ge)  # type: ignore[call-overload]
    return largest(factory, name)


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_the_worst_case_of_every_callback_fits_64_bytes(factory: type[CallbackData]) -> None:
    worst = factory(**{name: largest(factory, name) for name in factory.model_fields})
    packed = worst.pack()
    assert len(packed.encode()) <= 64, packed
    assert factory.unpack(packed) == worst


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_values_beyond_the_bounds_are_refused(factory: type[CallbackData]) -> None:
    """A forged button with a larger number does not parse (and so reaches no handler)."""
    worst = factory(**{name: largest(factory, name) for name in factory.model_fields})
    for name in factory.model_fields:
        if factory.model_fields[name].annotation is not int:
            continue
        packed = worst.model_copy(update={name: largest(factory, name) + 1}).pack()
        with pytest.raises(ValueError):
            factory.unpack(packed)


def test_the_bounds_are_what_the_views_need() -> None:
    assert largest(CardCallback, "dialog") == largest(ListCallback, "anchor") == MAX_ID >= 2**31 - 1
    assert largest(ListCallback, "page") == MAX_PAGE >= 1_000_000  # a million dialogs, one a page
    assert largest(ListCallback, "sort") == 5 and smallest(ListCallback, "sort") == 0
    assert smallest(CardCallback, "dialog") == 1


# --- The list keyboard --------------------------------------------------------------------------------


def keyboard(
    view: ListCallback,
    *,
    ids: list[int] | None = None,
    first: int = 1,
    pages: int = 5,
    previous: bool = False,
    following: bool = True,
    without_filters: int | None = None,
) -> InlineKeyboardMarkup:
    """A list keyboard; a view with a stored id is a search alone unless `without_filters` is given."""
    page = ListPage(
        view=view,
        dialog_ids=list(range(101, 111)) if ids is None else ids,
        first_number=first,
        pages=pages,
        has_previous=previous,
        has_next=following,
        without_search=(0 if view.saved and without_filters is None else None),
        without_filters=without_filters,
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
    view = ListCallback(sort=2, desc=False, pos=Position.AFTER, anchor=77, page=2, saved=9)
    markup = keyboard(view, first=11, previous=True)
    numbers = [text for text in texts(markup) if text.isdigit()]
    assert numbers == [str(n) for n in range(11, 21)]
    for offset, number in enumerate(numbers):
        card = CardCallback.unpack(data(markup, number))
        assert card.dialog == 101 + offset and card.part == 0
        assert card.list_view() == view
    assert all(len(row) <= 5 for row in markup.inline_keyboard), "number rows fit a phone"


def test_six_sort_buttons_and_the_active_one_shows_its_direction() -> None:
    for column in range(6):
        for descending in (False, True):
            view = ListCallback(sort=column, desc=descending, saved=4)
            markup = keyboard(view)
            arrow = "↓" if descending else "↑"
            labels = [
                f"{label} {arrow}" if index == column else label for index, label in enumerate(SORT_LABELS)
            ]
            assert [text for text in texts(markup) if text.split(" ")[0] in SORT_LABELS] == labels
            flipped = ListCallback.unpack(data(markup, labels[column]))
            assert (flipped.sort, flipped.desc, flipped.saved) == (column, not descending, 4)
            assert flipped.page == 1 and flipped.pos is Position.FIRST
            for other in range(6):
                if other != column:
                    chosen = ListCallback.unpack(data(markup, SORT_LABELS[other]))
                    assert (chosen.sort, chosen.saved, chosen.page) == (other, 4, 1)


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
    view = ListCallback(sort=5, desc=True, pos=Position.AFTER, anchor=90, page=3, saved=12)
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
        assert (moved.sort, moved.desc, moved.saved) == (5, True, 12)


def test_reset_only_with_a_search() -> None:
    plain = keyboard(ListCallback())
    assert "🔎 Поиск" in texts(plain) and "✖ Сбросить поиск" not in texts(plain)
    searching = keyboard(ListCallback(sort=1, desc=False, saved=3, page=2, pos=Position.AFTER, anchor=9))
    reset = ListCallback.unpack(data(searching, "✖ Сбросить поиск"))
    assert reset == ListCallback(sort=1, desc=False)
    prompt = SearchCallback.unpack(data(searching, "🔎 Поиск"))
    assert (prompt.sort, prompt.desc) == (1, False)


def test_an_empty_page_keeps_only_search_and_back() -> None:
    markup = keyboard(ListCallback(saved=3), ids=[], pages=1, following=False)
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["🔎 Поиск", "⚙️ Фильтры"],
        ["✖ Сбросить поиск"],
        ["⬅ Назад"],
    ]
    assert MenuCallback.unpack(data(markup, "⬅ Назад")).screen is Screen.RECORDS


def test_filters_keep_the_view_and_reset_leads_to_the_search_alone() -> None:
    filtered = keyboard(ListCallback(sort=2, desc=True, saved=8), without_filters=5)
    assert "✖ Сбросить поиск" not in texts(filtered)
    reset = ListCallback.unpack(data(filtered, "✖ Сбросить фильтры"))
    assert reset == ListCallback(sort=2, desc=True, saved=5)
    opened = FilterCallback.unpack(data(filtered, "⚙️ Фильтры"))
    assert (opened.kind, opened.sort, opened.desc, opened.saved) == (FilterKind.NONE, 2, True, 8)
    assert SearchCallback.unpack(data(filtered, "🔎 Поиск")).saved == 8


def test_the_search_prompt_leads_back_to_the_list() -> None:
    markup = search_prompt_keyboard(SearchCallback(sort=3, desc=False, saved=4), RU)
    assert texts(markup) == ["⬅ Назад"]
    assert ListCallback.unpack(data(markup, "⬅ Назад")) == ListCallback(sort=3, desc=False, saved=4)


def test_every_button_of_a_worst_case_list_fits() -> None:
    view = ListCallback(
        sort=5, desc=False, pos=Position.BEFORE, anchor=MAX_ID, page=MAX_PAGE - 1, saved=MAX_ID
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
        (0, 3, ["Дальше ▶"]),
        (1, 3, ["◀ Раньше", "Дальше ▶"]),
        (2, 3, ["◀ Раньше"]),
    ],
)
def test_the_card_turns_only_where_there_is_another_part(part: int, parts: int, turns: list[str]) -> None:
    card = CardCallback(
        dialog=42, part=part, sort=0, desc=False, pos=Position.AFTER, anchor=8, page=4, saved=6
    )
    markup = card_keyboard(card, parts, RU)
    assert texts(markup) == [*turns, "⬅ К списку"]
    for turn, step in (("◀ Раньше", -1), ("Дальше ▶", 1)):
        if turn in turns:
            turned = card.model_copy(update={"part": part + step, "turn": True})
            assert CardCallback.unpack(data(markup, turn)) == turned
    assert ListCallback.unpack(data(markup, "⬅ К списку")) == card.list_view()


# --- The menu -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("screen", "onward"),
    [
        (Screen.HOME, "Отдел продаж"),
        (Screen.SALES, "Для руководителя"),
        (Screen.HEAD, "Записи"),
        (Screen.RECORDS, "Список диалогов"),
    ],
)
def test_each_menu_level_leads_on_and_back(screen: Screen, onward: str) -> None:
    markup = menu_keyboard(screen, RU)
    assert onward in texts(markup)
    if screen is Screen.HOME:
        assert "⬅ Назад" not in texts(markup)
    else:
        assert MenuCallback.unpack(data(markup, "⬅ Назад")).screen == Screen(screen - 1)
    if screen is Screen.RECORDS:
        assert ListCallback.unpack(data(markup, onward)) == ListCallback()


@pytest.mark.parametrize(
    "view",
    [
        ListCallback(),
        ListCallback(sort=0, desc=False, pos=Position.BEFORE, anchor=77, page=12, saved=5),
        ListCallback(sort=5, desc=True, pos=Position.LAST, anchor=0, page=99_999_999, saved=2**31 - 1),
    ],
)
def test_number_buttons_pack_as_the_card_callback_does(view: ListCallback) -> None:
    for dialog in (1, 4242, 2**31 - 1):
        assert CardCallback.openings(view)(dialog) == CardCallback.of(dialog, view).pack()


@pytest.mark.parametrize(
    "view",
    [
        ListCallback(),
        ListCallback(sort=0, desc=False, pos=Position.BEFORE, anchor=77, page=12, saved=5),
        ListCallback(sort=5, desc=True, pos=Position.LAST, anchor=0, page=99_999_999, saved=2**31 - 1),
        ListCallback(sort=3, desc=True, pos=Position.AFTER, anchor=2**31 - 1, page=2, saved=0),
    ],
)
def test_list_buttons_pack_as_the_list_callback_does(view: ListCallback) -> None:
    fields = view.model_dump()
    assert list_data(**fields) == view.pack()
    assert ListCallback.unpack(list_data(**fields)) == view
