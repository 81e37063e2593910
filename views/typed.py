"""Reading what a person types where the bot asks for it: dates like `01.11–15.11`."""

from __future__ import annotations

import re
from datetime import date

from db.periods import Period, range_period

_DATE = r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?"
_RANGE = re.compile(rf"{_DATE}(?:\s*(?:–|—|-|\.\.|…|по|to)\s*{_DATE})?", re.IGNORECASE)


def parse_period(typed: str, today: date) -> Period | None:
    """`01.11–15.11`, `1.11-15.11.2026`, `01.11.25 - 15.01.26`, or one day `01.11`; None when it is none.

    Without a year a date is the latest one not after today (in late November `01.12` is last December);
    a range whose end would come before its start runs over the new year."""
    found = _RANGE.fullmatch(" ".join(typed.strip().lower().replace("с ", "").split()))
    if not found:
        return None
    day1, month1, year1, day2, month2, year2 = found.groups()
    try:
        first = _date(int(day1), int(month1), year1, today)
        if day2 is None:
            return range_period(first, first)
        last = _date(int(day2), int(month2), year2, today)
        if year2 is None and last < first:
            last = last.replace(year=last.year + 1)
        elif year1 is None and year2 is not None and first > last:
            first = first.replace(year=last.year)
    except ValueError:
        return None
    return range_period(first, last)


def _date(day: int, month: int, year: str | None, today: date) -> date:
    if year is not None:
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        return date(full_year, month, day)
    candidate = date(today.year, month, day)
    return candidate if candidate <= today else date(today.year - 1, month, day)
