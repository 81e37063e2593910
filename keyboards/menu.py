"""The menu path's keyboards: the entries onwards and a way back on every level."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from keyboards.callbacks import AnalyticsCallback, ListCallback, MenuCallback, Screen
from keyboards.texts import Translate

# screen → the entries it leads to (target, text key of the label); analytics is for heads and admins
_ENTRIES: dict[Screen, tuple[tuple[CallbackData, str], ...]] = {
    Screen.HOME: ((MenuCallback(screen=Screen.SALES), "menu-sales"),),
    Screen.SALES: ((MenuCallback(screen=Screen.HEAD), "menu-head"),),
    Screen.HEAD: (
        (MenuCallback(screen=Screen.RECORDS), "menu-records"),
        (AnalyticsCallback(), "menu-analytics"),
    ),
    Screen.RECORDS: ((ListCallback(), "menu-dialogs"),),
}
PARENT: dict[Screen, Screen] = {
    Screen.SALES: Screen.HOME,
    Screen.HEAD: Screen.SALES,
    Screen.RECORDS: Screen.HEAD,
}


def menu_keyboard(screen: Screen, t: Translate, *, analytics: bool = False) -> InlineKeyboardMarkup:
    """`analytics`: the person may see the analytics (heads and admins)."""
    rows = [
        [button(t(label), target)]
        for target, label in _ENTRIES[screen]
        if analytics or not isinstance(target, AnalyticsCallback)
    ]
    if screen in PARENT:
        rows.append([back_button(MenuCallback(screen=PARENT[screen]), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def button(text: str, target: CallbackData) -> InlineKeyboardButton:
    return data_button(text, target.pack())


_BUTTON = InlineKeyboardButton(text="·", callback_data="·")


def data_button(text: str, data: str) -> InlineKeyboardButton:
    """A button with packed callback data, copied from a validated one: a list page has some twenty-five
    buttons, and validating each takes ~5.5 µs, a copy ~2.5 µs (the two values are plain strings)."""
    return _BUTTON.model_copy(update={"text": text, "callback_data": data})


def back_button(target: CallbackData, t: Translate) -> InlineKeyboardButton:
    return button(t("back"), target)
