"""The dialog list: /dialogs, and every sort, page and reset button of the list."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from db.archive import Archive
from db.errors import ArchiveBusy, SearchRefused
from handlers.screens import list_page, send, show
from keyboards.callbacks import ClientListCallback, DrillListCallback, ListCallback, ResetCallback
from keyboards.columns import Column
from views.dialog_list import list_screen, reset_change
from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="dialog_list")
    screen.message.register(dialogs_command, Command("dialogs", ignore_case=True))
    screen.callback_query.register(list_button, ListCallback.filter())
    screen.callback_query.register(list_button, DrillListCallback.filter())  # drilled down from analytics
    screen.callback_query.register(reset_button, ResetCallback.filter())
    screen.callback_query.register(client_button, ClientListCallback.filter())
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


async def client_button(
    callback: CallbackQuery, callback_data: ClientListCallback, viewer: Viewer, archive: Archive
) -> None:
    """Every dialog of a card's client, newest first (its view stored if new: a long import holding the
    database makes it wait). A dialog gone since, or not this person's (a forged button): the whole list,
    saying the dialog is no longer found."""
    try:
        result = await archive.client_list(callback_data.dialog, masked=not viewer.full_phones)
    except ArchiveBusy:
        await callback.answer(viewer.texts("archive-busy"), show_alert=True)
        return
    except SearchRefused:  # a name holding digits, from someone who sees numbers masked (a forged button)
        await callback.answer(viewer.texts("search-masked-digits"), show_alert=True)
        return
    if result is None:
        screen = await list_page(archive, ListCallback(), viewer)
        await show(callback, screen._replace(notice=viewer.texts("card-not-found")))
        return
    await show(callback, list_screen(result, Column.COMPLETED_AT, True, viewer))
