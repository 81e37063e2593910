"""What no other handler takes: outdated or forged buttons, unknown commands, stickers and the like."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, Message

from bot.viewer import Viewer

router = Router(name="fallback")


@router.callback_query()
async def unknown_button(callback: CallbackQuery, viewer: Viewer) -> None:
    await callback.answer(viewer.texts("button-outdated"), show_alert=True)


@router.message()
async def unknown_message(message: Message, viewer: Viewer) -> None:
    await message.answer(viewer.texts("help"))
