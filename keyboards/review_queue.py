"""The review queue's keyboard: a pure function of the queue's state."""

from __future__ import annotations

from aiogram.types import InlineKeyboardMarkup

from keyboards.buttons import back_button, button
from keyboards.callbacks import MenuCallback, QueueCallback
from keyboards.menu import REVIEW_QUEUE
from keyboards.texts import Translate


def queue_keyboard(week: int, *, left: int, started: bool, t: Translate) -> InlineKeyboardMarkup:
    """«Начать» (nothing marked yet) or «Дальше»: the card of the first dialog not yet marked, while `left`
    ones are; then back to the menu."""
    rows = []
    if left:
        label = t("button-queue-continue" if started else "button-queue-start")
        rows.append([button(label, QueueCallback(week=week, walk=True))])
    rows.append([back_button(MenuCallback(level=REVIEW_QUEUE[1]), t)])
    return InlineKeyboardMarkup(inline_keyboard=rows)
