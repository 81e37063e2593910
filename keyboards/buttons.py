"""Buttons: every inline button carries the data of a callback data factory, packed as its `pack()` packs it.

The one shortcut of the keyboards lives here, because a list page has some twenty-five buttons and the
handler benchmark (benchmarks/README.md) sees each microsecond of them: `pack` writes what aiogram's
`CallbackData.pack()` writes, with its checks, in ~7 µs where `pack()` takes ~25 µs on this machine (its
model dump and per-value encoding serve any field type; ours are integers, booleans and integer enums, and
a factory with anything else is packed by aiogram). `tests/test_callback_data.py` holds the two equal
for every factory. A button is a copy of one validated button: ~7 µs, where validating one takes ~25 µs.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton

from keyboards.texts import Translate

MAX_CALLBACK_BYTES = 64  # Telegram's limit
_BUTTON = InlineKeyboardButton(text="·", callback_data="·")


def pack(data: CallbackData) -> str:
    """`data.pack()`: the prefix and every field in order; refuses data over Telegram's 64 bytes."""
    values = data.__dict__
    parts = [data.__prefix__]
    for name in type(data).model_fields:
        value = values[name]
        if not isinstance(value, int):  # bool and the integer enums are ints: they cannot hold a separator
            return data.pack()
        parts.append(str(int(value)))
    packed = data.__separator__.join(parts)
    if len(packed.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data {packed!r} is longer than {MAX_CALLBACK_BYTES} bytes")
    return packed


def button(text: str, target: CallbackData) -> InlineKeyboardButton:
    """A button leading to `target`."""
    return _BUTTON.model_copy(update={"text": text, "callback_data": pack(target)})


def back_button(target: CallbackData, t: Translate) -> InlineKeyboardButton:
    return button(t("back"), target)


def rows_of(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    """Buttons laid out `per_row` a row."""
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
