"""What the bot waits for after a button asked for text. The list view to return to is kept in the state's
data (`sort`, `desc`, `saved`); a restart forgets the question, and the text is then a plain search."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class Asking(StatesGroup):
    search = State()  # text to search within the list's filters
    dates = State()  # a period for the list's filter, typed like 01.11–15.11
    analytics_dates = State()  # the same for the analytics; the data holds the `section`
