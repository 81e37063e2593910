"""The menu path of the seed — Отдел продаж → Для руководителя → Записи → Список диалогов, with Аналитика
beside Записи — defined once: the breadcrumbs of every screen and the menu's keyboards come from it. The
main menu also leads to the choice of language."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup

from keyboards.buttons import back_button, button
from keyboards.callbacks import (
    AnalyticsCallback,
    LanguageCallback,
    ListCallback,
    MenuCallback,
    MenuLevel,
    QueueCallback,
)
from keyboards.texts import Translate

# Each level of the menu: the text key of its name, and the level above it.
LEVELS: dict[MenuLevel, tuple[str, MenuLevel | None]] = {
    MenuLevel.HOME: ("menu-home", None),
    MenuLevel.SALES: ("menu-sales", MenuLevel.HOME),
    MenuLevel.HEAD: ("menu-head", MenuLevel.SALES),
    MenuLevel.RECORDS: ("menu-records", MenuLevel.HEAD),
}
# The screens the path leads to: their name, where they are opened from, and the button that opens them.
DIALOG_LIST = ("menu-dialogs", MenuLevel.RECORDS)
ANALYTICS = ("menu-analytics", MenuLevel.HEAD)  # heads and admins only
REVIEW_QUEUE = ("menu-review-queue", MenuLevel.HEAD)  # heads and admins only
LANGUAGE = ("menu-language", MenuLevel.HOME)  # its name in both languages: found whatever the bot speaks
_OPENINGS: tuple[tuple[tuple[str, MenuLevel], CallbackData], ...] = (
    (DIALOG_LIST, ListCallback()),
    (ANALYTICS, AnalyticsCallback()),
    (REVIEW_QUEUE, QueueCallback()),
    (LANGUAGE, LanguageCallback()),
)
CURRENT = "✓"  # marks the language the bot speaks


def path(screen: MenuLevel) -> tuple[str, ...]:
    """The text keys of the breadcrumb down to a level (the top level has no breadcrumb)."""
    keys: list[str] = []
    level: MenuLevel | None = screen
    while level is not None and level is not MenuLevel.HOME:
        name, level = LEVELS[level]
        keys.append(name)
    return tuple(reversed(keys))


LIST_PATH = (*path(DIALOG_LIST[1]), DIALOG_LIST[0])
ANALYTICS_PATH = (*path(ANALYTICS[1]), ANALYTICS[0])
REVIEW_QUEUE_PATH = (*path(REVIEW_QUEUE[1]), REVIEW_QUEUE[0])


def menu_keyboard(
    screen: MenuLevel, t: Translate, *, analytics: bool = False, reviewing: bool = False
) -> InlineKeyboardMarkup:
    """The entries of a level, then back to the level above. `analytics`: the person may see the
    analytics; `reviewing`: the review queue (heads and admins)."""
    entries = [
        button(t(name), MenuCallback(level=level))
        for level, (name, parent) in LEVELS.items()
        if parent is screen
    ]
    entries += [
        button(t(name), target)
        for (name, parent), target in _OPENINGS
        if parent is screen
        and (analytics or not isinstance(target, AnalyticsCallback))
        and (reviewing or not isinstance(target, QueueCallback))
    ]
    rows = [[entry] for entry in entries]
    parent = LEVELS[screen][1]
    if parent is not None:
        rows.append([back_button(MenuCallback(level=parent), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def language_keyboard(names: Sequence[str], current: int, t: Translate) -> InlineKeyboardMarkup:
    """The languages to choose from, one a row — `names`: each one's name in its own language, in the order
    of their numbers (from 1); `current`: the number of the one the bot speaks, marked — then back to the
    main menu."""
    rows = [
        [button(f"{CURRENT} {name}" if number == current else name, LanguageCallback(choose=number))]
        for number, name in enumerate(names, start=1)
    ]
    rows.append([back_button(MenuCallback(level=MenuLevel.HOME), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)
