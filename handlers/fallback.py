"""What no other handler takes: outdated or forged buttons, unknown commands, stickers and the like."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="fallback")
    screen.callback_query.register(unknown_button)
    screen.message.register(unknown_message)
    return screen


async def unknown_button(callback: CallbackQuery, viewer: Viewer) -> None:
    await callback.answer(viewer.texts("button-outdated"), show_alert=True)


async def unknown_message(message: Message, viewer: Viewer) -> None:
    await message.answer(viewer.texts("help"))
