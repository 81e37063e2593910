"""The menu path's keyboards: one entry onwards and a way back on every level."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from keyboards.callbacks import ListCallback, MenuCallback, Screen
from keyboards.texts import Translate

# screen → (the entry it leads to, the text key of that entry's label), and the screen "back" returns to
_ONWARD: dict[Screen, tuple[MenuCallback | ListCallback, str]] = {
    Screen.HOME: (MenuCallback(screen=Screen.SALES), "menu-sales"),
    Screen.SALES: (MenuCallback(screen=Screen.HEAD), "menu-head"),
    Screen.HEAD: (MenuCallback(screen=Screen.RECORDS), "menu-records"),
    Screen.RECORDS: (ListCallback(), "menu-dialogs"),
}
PARENT: dict[Screen, Screen] = {
    Screen.SALES: Screen.HOME,
    Screen.HEAD: Screen.SALES,
    Screen.RECORDS: Screen.HEAD,
}


def menu_keyboard(screen: Screen, t: Translate) -> InlineKeyboardMarkup:
    target, label = _ONWARD[screen]
    rows = [[InlineKeyboardButton(text=t(label), callback_data=target.pack())]]
    if screen in PARENT:
        rows.append([back_button(MenuCallback(screen=PARENT[screen]), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def back_button(target: MenuCallback | ListCallback, t: Translate) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=t("back"), callback_data=target.pack())
