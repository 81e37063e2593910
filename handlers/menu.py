"""/start, /help and the menu path: Отдел продаж → Для руководителя → Записи → Список диалогов."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from handlers.screens import show
from keyboards.callbacks import MenuCallback, Screen
from keyboards.menu import menu_keyboard
from views.rendering import h, render_menu
from views.viewer import Viewer

PATHS: dict[Screen, tuple[str, ...]] = {
    Screen.HOME: (),
    Screen.SALES: ("menu-sales",),
    Screen.HEAD: ("menu-sales", "menu-head"),
    Screen.RECORDS: ("menu-sales", "menu-head", "menu-records"),
}


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="menu")
    screen.message.register(start, CommandStart())
    screen.message.register(help_command, Command("help"))
    screen.callback_query.register(menu_button, MenuCallback.filter())
    return screen


async def start(message: Message, viewer: Viewer) -> None:
    t = viewer.texts
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(t("menu-welcome", name=h(name)))
    await message.answer(
        render_menu(t), reply_markup=menu_keyboard(Screen.HOME, t, analytics=viewer.analytics)
    )


async def help_command(message: Message, viewer: Viewer) -> None:
    await message.answer(viewer.texts("help"))


async def menu_button(callback: CallbackQuery, callback_data: MenuCallback, viewer: Viewer) -> None:
    t = viewer.texts
    screen = callback_data.screen
    await show(callback, render_menu(t, *PATHS[screen]), menu_keyboard(screen, t, analytics=viewer.analytics))
