"""Periods: named ones seen on a given day, typed ranges in the forms people type, codes that survive a trip
through a button, and local days turned into UTC bounds across a DST change."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from db.periods import (
    NAMED_PERIODS,
    Period,
    PeriodKind,
    Span,
    local_today,
    period_from_code,
    previous_days,
    previous_span,
    utc_bounds,
)
from keyboards.callbacks import ANALYTICS_PERIODS, ANALYTICS_PERIODS_SHOWN
from views.reports import compared_with
from views.texts import texts_for
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


@pytest.mark.parametrize(
    ("kind", "today", "first", "last"),
    [
        (PeriodKind.THIS_WEEK, TODAY, date(2026, 11, 23), TODAY),  # a Wednesday: from Monday
        (PeriodKind.THIS_WEEK, date(2026, 11, 30), date(2026, 11, 30), date(2026, 11, 30)),  # a Monday
        (PeriodKind.THIS_WEEK, date(2026, 11, 29), date(2026, 11, 23), date(2026, 11, 29)),  # a Sunday
        (PeriodKind.LAST_WEEK, TODAY, date(2026, 11, 16), date(2026, 11, 22)),
        (PeriodKind.LAST_WEEK, date(2027, 1, 4), date(2026, 12, 28), date(2027, 1, 3)),
        (PeriodKind.LAST_MONTH, TODAY, date(2026, 10, 1), date(2026, 10, 31)),
        (PeriodKind.LAST_MONTH, date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
        (PeriodKind.LAST_MONTH, date(2027, 1, 1), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_weeks_start_on_monday_and_last_month_is_whole(
    kind: PeriodKind, today: date, first: date, last: date
) -> None:
    assert Period(kind).days(today) == (first, last)


def test_the_analytics_offer_the_named_periods_in_their_order_and_old_buttons_keep_their_meaning() -> None:
    assert [ANALYTICS_PERIODS[index] for index in ANALYTICS_PERIODS_SHOWN] == [
        kind.value for kind in NAMED_PERIODS
    ]
    assert ANALYTICS_PERIODS[:6] == ("today", "yesterday", "7d", "30d", "month", "r")  # sent before
    assert all(period_from_code(code) is not None for code in ANALYTICS_PERIODS if code != "r")


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 22) -> datetime:
    return datetime(year, month, day, hour, minute)


@pytest.mark.parametrize(
    ("kind", "now", "compared"),
    [
        # not over yet: the same stretch of time, up to the same time of day
        (PeriodKind.TODAY, at(2026, 12, 5), Span(date(2026, 12, 4), date(2026, 12, 4), time(9, 22))),
        (PeriodKind.TODAY, at(2027, 1, 1), Span(date(2026, 12, 31), date(2026, 12, 31), time(9, 22))),
        (PeriodKind.THIS_WEEK, at(2026, 12, 5), Span(date(2026, 11, 23), date(2026, 11, 28), time(9, 22))),
        (PeriodKind.THIS_WEEK, at(2026, 11, 30), Span(date(2026, 11, 23), date(2026, 11, 23), time(9, 22))),
        (PeriodKind.THIS_WEEK, at(2027, 1, 1), Span(date(2026, 12, 21), date(2026, 12, 25), time(9, 22))),
        (PeriodKind.THIS_MONTH, at(2026, 12, 5), Span(date(2026, 11, 1), date(2026, 11, 5), time(9, 22))),
        (PeriodKind.THIS_MONTH, at(2027, 1, 5), Span(date(2026, 12, 1), date(2026, 12, 5), time(9, 22))),
        (PeriodKind.THIS_MONTH, at(2026, 3, 28), Span(date(2026, 2, 1), date(2026, 2, 28), time(9, 22))),
        # a day last month has not: all of last month
        (PeriodKind.THIS_MONTH, at(2026, 3, 31), Span(date(2026, 2, 1), date(2026, 2, 28))),
        (PeriodKind.THIS_MONTH, at(2026, 3, 29), Span(date(2026, 2, 1), date(2026, 2, 28))),
        (PeriodKind.THIS_MONTH, at(2028, 3, 29), Span(date(2028, 2, 1), date(2028, 2, 29), time(9, 22))),
        (PeriodKind.THIS_MONTH, at(2026, 5, 31), Span(date(2026, 4, 1), date(2026, 4, 30))),
        (PeriodKind.WEEK, at(2026, 12, 5), Span(date(2026, 11, 22), date(2026, 11, 28), time(9, 22))),
        (PeriodKind.MONTH_30, at(2026, 12, 5), Span(date(2026, 10, 7), date(2026, 11, 5), time(9, 22))),
        # over: the one of the same kind before, whole
        (PeriodKind.YESTERDAY, at(2026, 12, 5), Span(date(2026, 12, 3), date(2026, 12, 3))),
        (PeriodKind.YESTERDAY, at(2027, 1, 2), Span(date(2026, 12, 31), date(2026, 12, 31))),
        (PeriodKind.LAST_WEEK, at(2026, 12, 5), Span(date(2026, 11, 16), date(2026, 11, 22))),
        (PeriodKind.LAST_WEEK, at(2027, 1, 4), Span(date(2026, 12, 21), date(2026, 12, 27))),
        (PeriodKind.LAST_MONTH, at(2026, 12, 5), Span(date(2026, 10, 1), date(2026, 10, 31))),
        (PeriodKind.LAST_MONTH, at(2026, 3, 31), Span(date(2026, 1, 1), date(2026, 1, 31))),
        (PeriodKind.LAST_MONTH, at(2026, 4, 30), Span(date(2026, 2, 1), date(2026, 2, 28))),
        (PeriodKind.LAST_MONTH, at(2027, 1, 15), Span(date(2026, 11, 1), date(2026, 11, 30))),
        (PeriodKind.LAST_MONTH, at(2027, 2, 10), Span(date(2026, 12, 1), date(2026, 12, 31))),
    ],
)
def test_what_a_period_is_compared_with(kind: PeriodKind, now: datetime, compared: Span) -> None:
    assert previous_span(Period(kind), now) == compared


def test_typed_dates_are_compared_with_as_many_days_before() -> None:
    typed = Period(PeriodKind.RANGE, date(2026, 11, 1), date(2026, 11, 15))
    assert previous_span(typed, at(2026, 12, 5)) == Span(date(2026, 10, 17), date(2026, 10, 31))
    up_to_today = Period(PeriodKind.RANGE, date(2026, 12, 1), date(2026, 12, 5))
    assert previous_span(up_to_today, at(2026, 12, 5)) == Span(
        date(2026, 11, 26), date(2026, 11, 30), time(9, 22)
    )


def test_a_span_cut_within_a_day_has_its_whole_days_and_the_part_of_the_last() -> None:
    moscow = ZoneInfo("Europe/Moscow")  # UTC+3
    cut = Span(date(2026, 11, 1), date(2026, 11, 5), time(9, 22))
    assert cut.whole_days() == (date(2026, 11, 1), date(2026, 11, 4))
    assert cut.cut_day(moscow) == (datetime(2026, 11, 4, 21, 0), datetime(2026, 11, 5, 6, 22))
    one_day = Span(date(2026, 12, 4), date(2026, 12, 4), time(9, 22))
    assert one_day.whole_days() is None
    whole = Span(date(2026, 10, 1), date(2026, 10, 31))
    assert whole.whole_days() == (date(2026, 10, 1), date(2026, 10, 31)) and whole.cut_day(moscow) is None


@pytest.mark.parametrize(
    ("compared", "today", "year", "said"),
    [
        (
            Span(date(2026, 12, 4), date(2026, 12, 4), time(9, 22)),
            date(2026, 12, 5),
            2026,
            "Сравнение со вчерашним днём до 09:22",
        ),
        (
            Span(date(2026, 11, 1), date(2026, 11, 5), time(9, 22)),
            date(2026, 12, 5),
            2026,
            "Сравнение с 01.11–05.11 до 09:22",
        ),
        (Span(date(2026, 10, 1), date(2026, 10, 31)), date(2026, 12, 5), 2026, "Сравнение с 01.10–31.10"),
        (Span(date(2026, 12, 3), date(2026, 12, 3)), date(2026, 12, 5), 2026, "Сравнение с 03.12"),
        (
            Span(date(2026, 11, 23), date(2026, 11, 23), time(8, 5)),
            date(2026, 11, 30),
            2026,
            "Сравнение с 23.11 до 08:05",
        ),
        # across the new year: the year is said
        (
            Span(date(2026, 12, 1), date(2026, 12, 5), time(9, 22)),
            date(2027, 1, 5),
            2027,
            "Сравнение с 01.12–05.12.2026 до 09:22",
        ),
        (
            Span(date(2026, 12, 31), date(2026, 12, 31), time(9, 22)),
            date(2027, 1, 1),
            2027,
            "Сравнение со вчерашним днём до 09:22",
        ),
        (
            Span(date(2026, 12, 21), date(2026, 12, 27)),
            date(2027, 1, 4),
            2027,
            "Сравнение с 21.12–27.12.2026",
        ),
        (
            Span(date(2026, 12, 28), date(2027, 1, 3)),
            date(2027, 1, 12),
            2027,
            "Сравнение с 28.12.2026–03.01.2027",
        ),
    ],
)
def test_what_a_period_is_compared_with_reads_naturally(
    compared: Span, today: date, year: int, said: str
) -> None:
    assert compared_with(texts_for("ru"), compared, today, year) == said
