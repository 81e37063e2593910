"""Putting a screen on the phone: edit the message in place, or send a new one; answer the button."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

log = logging.getLogger(__name__)


async def show(
    callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup, notice: str | None = None
) -> None:
    """Edits the button's message into the screen, then answers the button (with `notice`, if any)."""
    message = callback.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup)
        except TelegramBadRequest as error:
            if "message is not modified" not in error.message:
                # too old to edit, or deleted: the screen comes as a new message instead
                log.info("sending instead of editing: %s", error.message)
                await message.answer(text, reply_markup=markup)
    elif callback.bot is not None:  # a message too old for the bot to see: send the screen anew
        await callback.bot.send_message(callback.from_user.id, text, reply_markup=markup)
    await callback.answer(notice)
