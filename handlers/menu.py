"""/start, /help and the menu path: Отдел продаж → Для руководителя → Записи → Список диалогов; /language and
🌐 Язык / Language in the main menu: the language the bot speaks to a person, stored for them."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from handlers.screens import send, show
from keyboards.callbacks import LanguageCallback, MenuCallback, MenuLevel
from views.formatting import h
from views.menu import language_screen, menu_screen, numbered_language
from views.texts import texts_for
from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="menu")
    screen.message.register(start, CommandStart(ignore_case=True))
    screen.message.register(help_command, Command("help", ignore_case=True))
    screen.message.register(language_command, Command("language", ignore_case=True))
    screen.callback_query.register(menu_button, MenuCallback.filter())
    screen.callback_query.register(language_button, LanguageCallback.filter())
    return screen


async def start(message: Message, viewer: Viewer) -> None:
    name = message.from_user.first_name if message.from_user else ""
    await message.answer(viewer.texts("menu-welcome", name=h(name)))
    await send(message, menu_screen(MenuLevel.HOME, viewer))


async def help_command(message: Message, viewer: Viewer) -> None:
    await message.answer(viewer.texts("help"))


async def menu_button(callback: CallbackQuery, callback_data: MenuCallback, viewer: Viewer) -> None:
    await show(callback, menu_screen(callback_data.level, viewer))


async def language_command(message: Message, viewer: Viewer) -> None:
    await send(message, language_screen(viewer))


async def language_button(
    callback: CallbackQuery, callback_data: LanguageCallback, viewer: Viewer, archive: Archive
) -> None:
    """The screen (`choose` 0), or a language chosen: stored, and the screen again in it."""
    if not callback_data.choose:
        await show(callback, language_screen(viewer))
        return
    language = numbered_language(callback_data.choose)
    if language is None:  # forged, or a language this bot no longer speaks
        await callback.answer(viewer.texts("language-unknown"), show_alert=True)
        return
    await archive.choose_language(viewer.telegram_id, language)
    await show(callback, language_screen(replace(viewer, texts=texts_for(language)), chosen=True))
