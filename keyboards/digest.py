"""The morning digest's buttons: its settings (/digest), and the rows of a digest sent."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from keyboards.buttons import button, rows_of
from keyboards.callbacks import DigestAction, DigestCallback, MenuCallback, MenuLevel
from keyboards.texts import Translate

# the times offered as buttons, local minutes of the day; any other is typed
OFFERED_MINUTES = (8 * 60, 9 * 60, 10 * 60)
ROW_BUTTONS = 8  # number buttons a row: eight fit a phone's width


def clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def settings_keyboard(enabled: bool, minute: int, t: Translate) -> InlineKeyboardMarkup:
    switch = (
        button(t("digest-button-off"), DigestCallback(action=DigestAction.OFF))
        if enabled
        else button(t("digest-button-on"), DigestCallback(action=DigestAction.ON))
    )
    times = [
        button(
            f"• {clock(offered)}" if enabled and offered == minute else clock(offered),
            DigestCallback(action=DigestAction.AT, minute=offered),
        )
        for offered in OFFERED_MINUTES
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [switch],
            times,
            [button(t("digest-button-other-time"), DigestCallback(action=DigestAction.ASK_TIME))],
            [button(t("back"), MenuCallback(level=MenuLevel.HOME))],
        ]
    )


def time_prompt_keyboard(t: Translate) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[button(t("back"), DigestCallback())]])


def digest_keyboard(rows: list[CallbackData], more: list[tuple[str, CallbackData]]) -> InlineKeyboardMarkup:
    """A number button for each row shown (`rows`: what each opens, numbered from 1 in order: a stored
    view's list, `DigestRowCallback`, or a dialog's card, `DigestDialogCallback`), then a button for each of
    `more` (its label and what it opens: the analytics screen of the whole day, the day's list by response
    time, the review queue)."""
    numbered: list[InlineKeyboardButton] = [
        button(str(number), target) for number, target in enumerate(rows, 1)
    ]
    extra = [[button(label, target)] for label, target in more]
    return InlineKeyboardMarkup(inline_keyboard=[*rows_of(numbered, ROW_BUTTONS), *extra])
