"""What the bot waits for after a button asked for text. The list view to return to is kept in the state's
data (`sort`, `desc`, `view_id`), and the message that asks (`prompt`), which the answer takes the place of;
a restart forgets the question, and the text is then a plain search."""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from keyboards.callbacks import (
    CardCallback,
    DrillCardCallback,
    FilterCallback,
    FindCallback,
    KeywordCardCallback,
    ListCallback,
    QueueCardCallback,
    SearchCallback,
)

# the buttons a question is asked from within a list view, which it returns to
AskedFrom = SearchCallback | FilterCallback | FindCallback


class Asking(StatesGroup):
    search = State()  # text to search within the list's filters
    dates = State()  # a period for the list's filter, typed like 01.11–15.11
    analytics_dates = State()  # the same for the analytics; the data holds the `section`
    employee = State()  # letters of an employee's name, while the employee filter's choices are open
    review_comment = State()  # a mark's comment; the data holds the `card` (packed) to return to
    keywords = State()  # words to find in the conversations; the data holds the list view to search within
    digest_time = State()  # the morning digest's time, typed like 7:30


async def typed_text(message: Message) -> bool:
    """A filter: text that is not a command (the answer to a question, or a search). aiogram runs a
    filter that is not a coroutine function in a worker thread (as it does `F.text`): ~0.1 ms each."""
    return message.text is not None and not message.text.startswith("/")


async def ask_from_list(
    state: FSMContext, question: State, pressed: AskedFrom, callback: CallbackQuery
) -> None:
    """Waits for the answer to `question`, remembering the list view it was asked from and the message the
    button `callback` turns into the question."""
    await state.set_state(question)
    await state.set_data({**list_data(pressed), **asked_in(callback)})


def list_data(pressed: AskedFrom) -> dict[str, int | bool]:
    """The state's data that remembers the list view a question is asked from (`list_asked_from`)."""
    return {"sort": int(pressed.sort), "desc": pressed.desc, "view_id": pressed.view_id}


def asked_in(callback: CallbackQuery) -> dict[str, int]:
    """The state's data that remembers the message a question is asked in (the button's message)."""
    return {"prompt": callback.message.message_id} if callback.message is not None else {}


def prompt_of(data: dict[str, Any]) -> int | None:
    """The message that asked the question (`asked_in`); None: not known (a state kept by an older bot)."""
    prompt = data.get("prompt")
    return prompt if isinstance(prompt, int) else None


def list_asked_from(data: dict[str, Any]) -> ListCallback:
    """The list view a question (search text, dates) was asked from: its state's data."""
    return ListCallback(sort=data["sort"], desc=data["desc"], view_id=data["view_id"])


def card_asked_from(data: dict[str, Any]) -> CardCallback:
    """The card a mark's comment was asked from (its state's data holds the card's button, packed)."""
    packed = str(data.get("card", ""))
    for kind in (DrillCardCallback, QueueCardCallback, KeywordCardCallback):
        if packed.startswith(f"{kind.__prefix__}{kind.__separator__}"):
            return kind.unpack(packed)
    return CardCallback.unpack(packed)
