"""Periods of the filters and the analytics: whole local days, named (today, the last 7 days, …) or a range
of days (typed like `01.11–15.11`: `views.typed`).

A named period is relative: "today" stored in a button is the day the button is pressed. A period travels
and is stored as a short code (`today`, `7d`, `r20261101-20261115`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import Enum


class PeriodKind(Enum):
    TODAY = "today"
    YESTERDAY = "yesterday"
    WEEK = "7d"  # today and the six days before
    MONTH_30 = "30d"
    THIS_MONTH = "month"
    RANGE = "r"


NAMED_PERIODS = (
    PeriodKind.TODAY,
    PeriodKind.YESTERDAY,
    PeriodKind.WEEK,
    PeriodKind.MONTH_30,
    PeriodKind.THIS_MONTH,
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


def range_period(first: date, last: date) -> Period | None:
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        return None
    return Period(PeriodKind.RANGE, first, last)


def local_today(zone: tzinfo, now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(zone).date()


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
