"""The dialog list: /dialogs, and every sort, page and reset button of the list."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from handlers.screens import list_page, send, show
from keyboards.callbacks import DrillListCallback, ListCallback, ResetCallback
from views.dialog_list import reset_change
from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="dialog_list")
    screen.message.register(dialogs_command, Command("dialogs", ignore_case=True))
    screen.callback_query.register(list_button, ListCallback.filter())
    screen.callback_query.register(list_button, DrillListCallback.filter())  # drilled down from analytics
    screen.callback_query.register(reset_button, ResetCallback.filter())
    return screen


async def dialogs_command(message: Message, viewer: Viewer, archive: Archive) -> None:
    await send(message, await list_page(archive, ListCallback(), viewer))


async def list_button(
    callback: CallbackQuery, callback_data: ListCallback, viewer: Viewer, archive: Archive
) -> None:
    await show(callback, await list_page(archive, callback_data, viewer))


async def reset_button(
    callback: CallbackQuery, callback_data: ResetCallback, viewer: Viewer, archive: Archive
) -> None:
    """The list view without its search, or without its filters (stored, if it is new)."""
    change = reset_change(callback_data)
    await show(callback, await list_page(archive, callback_data.list_page(), viewer, change))
