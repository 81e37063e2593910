"""Response times of a dialog, from its transcript: the one definition of both figures.

- First response: from the client's first message to the first employee message after it.
- Longest wait: the longest time the client waited for an employee. A wait opens with the client's first
  message after an employee's (or after the start) and ends with the next employee message; a wait no
  employee ended (the client's last «спасибо») is not one.

Bot messages (auto-replies) are no response and open no wait. A dialog an employee opened is measured the
same way: its opening message answers nothing, so its first response is the answer to the client's first
message after it.

Both figures are stored as two sort keys each (`Dialog.first_response` / `first_response_up`,
`longest_wait` / `longest_wait_up`), indexed with the id like every sorted column. A figure is whole
seconds, or one of three states:
- `UNANSWERED` «без ответа»: the client wrote, no employee answered. Slower than any answer: first in the
  slowest-first order, after every answered dialog in the fastest-first one;
- `NO_CLIENT` «клиент не писал»: a transcript without a single client message (nothing to answer);
- `NO_TRANSCRIPT` «нет переписки»: no transcript stored.
The last two come last in both directions (no transcript the very last): the descending key holds them
below zero, the ascending key above `UNANSWERED`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

UNANSWERED = 2_000_000_000  # seconds; above any real figure (~63 years), below the integers' limit
NO_CLIENT = -1
NO_TRANSCRIPT = -2
# the ascending keys of the two states that come last both ways
NO_CLIENT_UP = UNANSWERED + 1
NO_TRANSCRIPT_UP = UNANSWERED + 2
LONGEST_FIGURE = UNANSWERED - 1  # a longer figure (bad data) is stored as this


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """A dialog's two figures, as stored in the descending keys (seconds, or a state above)."""

    first_response: int = NO_TRANSCRIPT
    longest_wait: int = NO_TRANSCRIPT

    def columns(self) -> dict[str, int]:
        """The four columns of `dialogs` that hold them."""
        return {
            "first_response": self.first_response,
            "first_response_up": up_key(self.first_response),
            "longest_wait": self.longest_wait,
            "longest_wait_up": up_key(self.longest_wait),
        }


def up_key(figure: int) -> int:
    """The ascending sort key of a figure (its descending key): the same, but for the two states that come
    last, which go above every figure."""
    if figure == NO_CLIENT:
        return NO_CLIENT_UP
    if figure == NO_TRANSCRIPT:
        return NO_TRANSCRIPT_UP
    return figure


def up_key_sql(column: str) -> str:
    """`up_key` as SQL, of a column holding a descending key."""
    return (
        f"CASE WHEN {column} = {NO_CLIENT} THEN {NO_CLIENT_UP}"
        f" WHEN {column} = {NO_TRANSCRIPT} THEN {NO_TRANSCRIPT_UP} ELSE {column} END"
    )


def response_times(messages: Iterable[tuple[str, datetime]] | None) -> ResponseTimes:
    """The figures of a transcript: (sender, sent_at) in the transcript's order; None: no transcript.

    Each wait is measured from the earliest client message since the last employee message (the first
    one, unless the source's clocks disagree) to the employee message that ends it: the migration's
    back-fill (`0016_response_times`) computes exactly this in SQL."""
    if messages is None:
        return ResponseTimes()
    waits: list[int] = []
    asked: datetime | None = None  # the opening of the wait going on
    wrote = False
    any_message = False
    for sender, sent_at in messages:
        any_message = True
        if sender == "client":
            wrote = True
            asked = sent_at if asked is None else min(asked, sent_at)
        elif sender == "employee" and asked is not None:
            seconds = round((sent_at - asked).total_seconds())
            waits.append(min(max(seconds, 0), LONGEST_FIGURE))
            asked = None
    if not any_message:
        return ResponseTimes()
    if not wrote:
        return ResponseTimes(NO_CLIENT, NO_CLIENT)
    if not waits:
        return ResponseTimes(UNANSWERED, UNANSWERED)
    return ResponseTimes(waits[0], max(waits))


def is_figure(value: int) -> bool:
    """Whether a stored descending key is a time (seconds), not a state."""
    return 0 <= value < UNANSWERED
