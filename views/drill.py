"""The way back from a drill-down: a numbered row of an analytics report opens the dialog list filtered to
it, and that list's ⬅ Назад returns to the report, the same section for the same period.

The report travels in the list's buttons as one small number (`DrillListCallback.report`, ≤ 999 999, so
that its cards' data still fits 64 bytes): the section and a named period, or the section and a typed
range. A typed range does not fit whole; it is told relative to the days of the view the row opened, which
are stored with the view: every row of a range's report filters to the range itself (0 days either side),
but a day of «Дни и часы» to that one day (how many days of the range lie before it and after it).

    0                                   no report: ⬅ Назад leads to the menu
    1 + section + S·period              a named period (S sections; `period`: its number in the buttons)
    1 + S·P + section + S·(b·N + a)     a typed range: b days before the view's first, a after its last
                                        (P periods, N = `SPREAD`)
"""

from __future__ import annotations

from datetime import date, timedelta

from db.periods import PeriodKind, day_number, period_from_code
from db.views import ListView
from keyboards.callbacks import ANALYTICS_PERIODS, MAX_REPORT, RANGE_PERIOD, AnalyticsCallback, Section

SECTIONS = len(Section)
PERIODS = len(ANALYTICS_PERIODS)  # the named periods, and the typed range (`RANGE_PERIOD`) among them
SPREAD = 499  # days of a typed range either side of a drilled-down day that the way back can tell
assert SECTIONS * (PERIODS + SPREAD * SPREAD) <= MAX_REPORT


def report_code(shown: AnalyticsCallback, first: date, last: date, view_first: date, view_last: date) -> int:
    """The report `shown` (its period's days `first`..`last`), as a row's list goes back to it; the row's
    view filters to `view_first`..`view_last`. 0 when a typed range reaches too far beyond them."""
    if shown.period != RANGE_PERIOD:
        return 1 + shown.section + SECTIONS * shown.period
    before, after = (view_first - first).days, (last - view_last).days
    if not (0 <= before < SPREAD and 0 <= after < SPREAD):
        return 0
    return 1 + SECTIONS * PERIODS + shown.section + SECTIONS * (before * SPREAD + after)


def report_of(code: int, view: ListView | None) -> AnalyticsCallback | None:
    """The report a drilled-down list goes back to (`view`: the list's view); None: the menu instead (no
    report, or a typed range's view gone)."""
    if code <= 0:
        return None
    code -= 1
    if code < SECTIONS * PERIODS:
        period_number = code // SECTIONS
        if period_number == RANGE_PERIOD:  # a forged button: a range travels as days
            return None
        return AnalyticsCallback(section=Section(code % SECTIONS), period=period_number)
    code -= SECTIONS * PERIODS
    section, offsets = Section(code % SECTIONS), code // SECTIONS
    before, after = divmod(offsets, SPREAD)
    period = period_from_code(view.period) if view is not None and view.period else None
    if period is None or period.kind is not PeriodKind.RANGE or period.first is None or period.last is None:
        return None
    first, last = period.first - timedelta(days=before), period.last + timedelta(days=after)
    return AnalyticsCallback(
        section=section, period=RANGE_PERIOD, first=day_number(first), last=day_number(last)
    )
