"""/start, /help and the menu path: Отдел продаж → Для руководителя → Записи → Список диалогов."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from handlers.screens import send, show
from keyboards.callbacks import MenuCallback, MenuLevel
from views.formatting import h
from views.menu import menu_screen
from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="menu")
    screen.message.register(start, CommandStart(ignore_case=True))
    screen.message.register(help_command, Command("help", ignore_case=True))
    screen.callback_query.register(menu_button, MenuCallback.filter())
    return screen


async def start(message: Message, viewer: Viewer) -> None:
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(viewer.texts("menu-welcome", name=h(name)))
    await send(message, menu_screen(MenuLevel.HOME, viewer))


async def help_command(message: Message, viewer: Viewer) -> None:
    await message.answer(viewer.texts("help"))


async def menu_button(callback: CallbackQuery, callback_data: MenuCallback, viewer: Viewer) -> None:
    await show(callback, menu_screen(callback_data.level, viewer))
