"""The response times of a transcript (`db.responses`), computed by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from db.responses import (
    NO_CLIENT,
    NO_CLIENT_UP,
    NO_TRANSCRIPT,
    NO_TRANSCRIPT_UP,
    UNANSWERED,
    ResponseTimes,
    response_times,
    up_key,
)

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def lines(*pairs: tuple[str, int]) -> list[tuple[str, datetime]]:
    """(who, seconds after 10:00)."""
    return [(sender, START + timedelta(seconds=seconds)) for sender, seconds in pairs]


@pytest.mark.parametrize(
    ("transcript", "first", "longest"),
    [
        # the bot's instant reply answers nothing; a later wait (10:10 → 11:15) is the longest
        (lines(("client", 0), ("bot", 5), ("employee", 240), ("client", 600), ("employee", 4500)), 240, 3900),
        # the wait opens with the client's first message of a run, not its last
        (lines(("client", 0), ("client", 100), ("employee", 160)), 160, 160),
        # the last «спасибо» nobody answered is no wait
        (lines(("client", 0), ("employee", 60), ("client", 70)), 60, 60),
        # an employee wrote first: their opening answers nothing
        (lines(("employee", 0), ("client", 1800), ("employee", 3000)), 1200, 1200),
        # two employee lines in a row: the second ends no wait
        (
            lines(("client", 0), ("employee", 30), ("employee", 900), ("client", 960), ("employee", 1000)),
            30,
            40,
        ),
        # an answer within the same second is a figure of 0, not a missing one
        (lines(("client", 0), ("employee", 0)), 0, 0),
        # clocks that disagree: an answer "before" the question is 0
        (lines(("client", 60), ("employee", 0)), 0, 0),
        (lines(("client", 0), ("bot", 1)), UNANSWERED, UNANSWERED),
        (lines(("employee", 0), ("client", 10)), UNANSWERED, UNANSWERED),
        (lines(("employee", 0), ("bot", 10)), NO_CLIENT, NO_CLIENT),
        (lines(("bot", 0)), NO_CLIENT, NO_CLIENT),
        ([], NO_TRANSCRIPT, NO_TRANSCRIPT),
        (None, NO_TRANSCRIPT, NO_TRANSCRIPT),
    ],
)
def test_the_figures_of_a_transcript(
    transcript: list[tuple[str, datetime]] | None, first: int, longest: int
) -> None:
    assert response_times(transcript) == ResponseTimes(first, longest)


def test_the_keys_put_the_figureless_last_both_ways() -> None:
    figures = [0, 40, 3900, UNANSWERED]
    states = [NO_CLIENT, NO_TRANSCRIPT]
    slowest_first = sorted([*states, *figures], reverse=True)
    assert slowest_first == [UNANSWERED, 3900, 40, 0, NO_CLIENT, NO_TRANSCRIPT]
    fastest_first = sorted([*states, *figures], key=up_key)
    assert fastest_first == [0, 40, 3900, UNANSWERED, NO_CLIENT, NO_TRANSCRIPT]
    assert (up_key(NO_CLIENT), up_key(NO_TRANSCRIPT)) == (NO_CLIENT_UP, NO_TRANSCRIPT_UP)
    assert ResponseTimes(40, 3900).columns() == {
        "first_response": 40,
        "first_response_up": 40,
        "longest_wait": 3900,
        "longest_wait_up": 3900,
    }
