"""Periods: named ones seen on a given day, typed ranges in the forms people type, codes that survive a trip
through a button, and local days turned into UTC bounds across a DST change."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from db.periods import (
    NAMED_PERIODS,
    Period,
    PeriodKind,
    local_today,
    period_from_code,
    previous_days,
    utc_bounds,
)
from views.typed import parse_period

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    ("kind", "first", "last"),
    [
        (PeriodKind.TODAY, date(2026, 11, 25), date(2026, 11, 25)),
        (PeriodKind.YESTERDAY, date(2026, 11, 24), date(2026, 11, 24)),
        (PeriodKind.WEEK, date(2026, 11, 19), date(2026, 11, 25)),
        (PeriodKind.MONTH_30, date(2026, 10, 27), date(2026, 11, 25)),
        (PeriodKind.THIS_MONTH, date(2026, 11, 1), date(2026, 11, 25)),
    ],
)
def test_named_periods_on_a_day(kind: PeriodKind, first: date, last: date) -> None:
    assert Period(kind).days(TODAY) == (first, last)


@pytest.mark.parametrize(
    ("typed", "first", "last"),
    [
        ("01.11–15.11", date(2026, 11, 1), date(2026, 11, 15)),
        ("1.11-15.11", date(2026, 11, 1), date(2026, 11, 15)),
        ("01.11 — 15.11", date(2026, 11, 1), date(2026, 11, 15)),
        ("с 01.11 по 15.11", date(2026, 11, 1), date(2026, 11, 15)),
        ("1/11-15/11", date(2026, 11, 1), date(2026, 11, 15)),
        ("01.11.2026–15.11.2026", date(2026, 11, 1), date(2026, 11, 15)),
        ("01.11.25 - 15.01.26", date(2025, 11, 1), date(2026, 1, 15)),
        ("21.11.2026", date(2026, 11, 21), date(2026, 11, 21)),
        # no year: the latest such day not after today; a range ending "before" its start crosses a new year
        ("01.12", date(2025, 12, 1), date(2025, 12, 1)),
        ("15.12–10.01", date(2025, 12, 15), date(2026, 1, 10)),
        ("20.11–01.12", date(2026, 11, 20), date(2026, 12, 1)),
    ],
)
def test_typed_ranges(typed: str, first: date, last: date) -> None:
    period = parse_period(typed, TODAY)
    assert period == Period(PeriodKind.RANGE, first, last)


@pytest.mark.parametrize(
    "typed",
    ["", "вчера", "4567", "31.02", "32.13", "15.11.2026–01.11.2026", "01.11.1990–01.11.2026", "1.2.3.4"],
)
def test_what_is_no_period(typed: str) -> None:
    assert parse_period(typed, TODAY) is None


def test_codes_survive_a_button() -> None:
    periods = [Period(kind) for kind in NAMED_PERIODS]
    periods.append(Period(PeriodKind.RANGE, date(2025, 12, 15), date(2026, 1, 10)))
    for period in periods:
        assert period_from_code(period.code) == period
        assert len(period.code) <= 32  # the column that stores it
    for forged in ("", "r", "r20261301-20261302", "r20261115-20261101", "week", "r2026111-20261115"):
        assert period_from_code(forged) is None


def test_local_days_become_utc_bounds_across_a_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # summer time ended on 25.10.2026
    start, end = utc_bounds(date(2026, 10, 24), date(2026, 10, 25), berlin)
    assert start == datetime(2026, 10, 23, 22, 0)
    assert end == datetime(2026, 10, 25, 23, 0)  # 25 hours in the last day
    moscow = ZoneInfo("Europe/Moscow")
    assert local_today(moscow, datetime(2026, 11, 24, 21, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 11, 25)


def test_the_period_before_has_the_same_length() -> None:
    assert previous_days(date(2026, 11, 19), date(2026, 11, 25)) == (date(2026, 11, 12), date(2026, 11, 18))
    assert previous_days(date(2026, 11, 1), date(2026, 11, 1)) == (date(2026, 10, 31), date(2026, 10, 31))
