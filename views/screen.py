"""What a handler puts on the phone."""

from __future__ import annotations

from typing import NamedTuple

from aiogram.types import InlineKeyboardMarkup


class Screen(NamedTuple):
    text: str  # Telegram HTML, every piece of data escaped
    markup: InlineKeyboardMarkup
    notice: str | None = None  # said in the answer to the button pressed (a note that fades)
