"""Periods of the filters and the analytics: whole local days, named (today, this week, the last 7 days, …)
or a range of days (typed like `01.11–15.11`: `views.typed`).

A named period is relative: "today" stored in a button is the day the button is pressed. A period travels
and is stored as a short code (`today`, `7d`, `r20261101-20261115`). Weeks start on Monday.

What a period is compared with (`previous_span`) is defined here too: the same stretch of time just before
it, so that a period not over yet (today at 09:22, this month on the 5th) is compared with as much time as
it has had (yesterday until 09:22, the 1st to the 5th of last month).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum


class PeriodKind(Enum):
    # the codes are stored (list views) and sent (buttons): never change one; none may start with "r"
    TODAY = "today"
    YESTERDAY = "yesterday"
    WEEK = "7d"  # today and the six days before
    MONTH_30 = "30d"
    THIS_MONTH = "month"
    THIS_WEEK = "thisweek"  # from Monday to today
    LAST_WEEK = "lastweek"  # Monday to Sunday before this week
    LAST_MONTH = "lastmonth"  # the whole calendar month before this one
    RANGE = "r"


# The named periods in the order they are offered: each "this" beside its "last", two to a row on a phone.
NAMED_PERIODS = (
    PeriodKind.TODAY,
    PeriodKind.YESTERDAY,
    PeriodKind.THIS_WEEK,
    PeriodKind.LAST_WEEK,
    PeriodKind.THIS_MONTH,
    PeriodKind.LAST_MONTH,
    PeriodKind.WEEK,
    PeriodKind.MONTH_30,
)
MAX_RANGE_DAYS = 3660  # ten years: anything longer is a typing mistake


@dataclass(frozen=True, slots=True)
class Period:
    kind: PeriodKind
    first: date | None = None  # RANGE only
    last: date | None = None  # RANGE only, inclusive

    @property
    def code(self) -> str:
        if self.kind is PeriodKind.RANGE:
            assert self.first is not None and self.last is not None
            return f"r{self.first:%Y%m%d}-{self.last:%Y%m%d}"
        return str(self.kind.value)

    def days(self, today: date) -> tuple[date, date]:
        """The first and the last day (inclusive) of the period, seen on `today`."""
        if self.kind is PeriodKind.TODAY:
            return today, today
        if self.kind is PeriodKind.YESTERDAY:
            yesterday = today - timedelta(days=1)
            return yesterday, yesterday
        if self.kind is PeriodKind.WEEK:
            return today - timedelta(days=6), today
        if self.kind is PeriodKind.MONTH_30:
            return today - timedelta(days=29), today
        if self.kind is PeriodKind.THIS_MONTH:
            return today.replace(day=1), today
        if self.kind is PeriodKind.THIS_WEEK:
            return _monday(today), today
        if self.kind is PeriodKind.LAST_WEEK:
            monday = _monday(today) - timedelta(days=7)
            return monday, monday + timedelta(days=6)
        if self.kind is PeriodKind.LAST_MONTH:
            last = today.replace(day=1) - timedelta(days=1)
            return last.replace(day=1), last
        assert self.first is not None and self.last is not None
        return self.first, self.last


def period_from_code(code: str) -> Period | None:
    """None for a code that is no period (a forged or outdated button)."""
    if code.startswith(PeriodKind.RANGE.value):
        found = re.fullmatch(r"r(\d{8})-(\d{8})", code)
        if not found:
            return None
        try:
            first = datetime.strptime(found.group(1), "%Y%m%d").date()
            last = datetime.strptime(found.group(2), "%Y%m%d").date()
        except ValueError:
            return None
        return range_period(first, last)
    try:
        kind = PeriodKind(code)
    except ValueError:
        return None
    return Period(kind)


def day_number(day: date) -> int:
    """A day as the buttons carry it: the integer yyyymmdd."""
    return day.year * 10_000 + day.month * 100 + day.day


def day_of_number(number: int) -> date | None:
    """The day a button's `day_number` stands for; None when it is no date (a forged button)."""
    try:
        return date(number // 10_000, number // 100 % 100, number % 100)
    except ValueError:
        return None


def range_period(first: date, last: date) -> Period | None:
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        return None
    return Period(PeriodKind.RANGE, first, last)


def utc_now() -> datetime:
    """The clock of the periods (the tests set it)."""
    return datetime.now(UTC)


def local_today(zone: tzinfo, now: datetime | None = None) -> date:
    return local_now(zone, now).date()


def local_now(zone: tzinfo, now: datetime | None = None) -> datetime:
    """The local time of `zone`, naive: the day and the time of day a period is seen at."""
    return (now or utc_now()).astimezone(zone).replace(tzinfo=None)


def utc_bounds(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """Naive UTC moments (as stored) of the start of `first` and the end of `last`, local days of `zone`:
    a dialog is in the period when `start <= completed_at < end`."""
    return _utc(first, zone), _utc(last + timedelta(days=1), zone)


def _utc(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)


def previous_days(first: date, last: date) -> tuple[date, date]:
    """The period of equal length just before: what a change is measured against."""
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Span:
    """Local days `first`..`last` (inclusive), the last one whole or only up to `until` (a local time of
    day, exclusive)."""

    first: date
    last: date
    until: time | None = None

    def whole_days(self) -> tuple[date, date] | None:
        """The days taken whole (None: none, a single day up to `until`)."""
        last = self.last if self.until is None else self.last - timedelta(days=1)
        return (self.first, last) if self.first <= last else None

    def cut_day(self, zone: tzinfo) -> tuple[datetime, datetime] | None:
        """Naive UTC moments (as stored) of the start of the last day and of `until` on it, when the last
        day is not taken whole."""
        if self.until is None:
            return None
        start = _utc(self.last, zone)
        end = datetime.combine(self.last, self.until, zone).astimezone(UTC).replace(tzinfo=None)
        return start, end


def previous_span(period: Period, now: datetime) -> Span:
    """What `period`, seen at the local time `now`, is compared with: the same stretch of time before it.

    A period that is not over (it ends today) is compared with as much time as it has had: today with
    yesterday up to the same time; this week with last week's Monday up to the same weekday and time; this
    month with last month's first days up to the same day and time (the whole of last month when it has
    no such day: on 31 March, all of February). A period that is over is compared with the one of the same
    kind before it: last month with the whole month before it, last week with the week before, yesterday
    with the day before, 7 or 30 days and typed dates with as many days just before them."""
    today = now.date()
    first, last = period.days(today)
    until = now.time() if last == today else None
    if period.kind is PeriodKind.THIS_WEEK:
        return Span(first - timedelta(days=7), last - timedelta(days=7), until)
    if period.kind in (PeriodKind.THIS_MONTH, PeriodKind.LAST_MONTH):
        before_first = _month_before(first)
        days_before = calendar.monthrange(before_first.year, before_first.month)[1]
        if period.kind is PeriodKind.LAST_MONTH or last.day > days_before:
            return Span(before_first, before_first.replace(day=days_before))
        return Span(before_first, before_first.replace(day=last.day), until)
    return Span(*previous_days(first, last), until)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_before(first: date) -> date:
    """The first day of the month before the one `first` (a first day) begins."""
    return (first - timedelta(days=1)).replace(day=1)
