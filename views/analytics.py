"""The analytics screens (per employee, per channel, the busiest days and hours, the most active clients)
for a period, the prompt for typed dates, and what the period's chart says."""

from __future__ import annotations

from datetime import date
from typing import Any

from db.analytics import ChannelStats, ChartFigures, ClientStats, EmployeeStats, Figures, TimeFigures
from db.periods import Period, PeriodKind, day_number, period_from_code
from keyboards.analytics import AnalyticsPage, analytics_keyboard, dates_prompt_keyboard
from keyboards.callbacks import ANALYTICS_PERIODS, RANGE_PERIOD, AnalyticsCallback, Section
from views import reports
from views.charts import DAY_BARS_UP_TO, ChartTexts
from views.drill import report_code
from views.formatting import channel_name, days_label, period_label, short
from views.screen import Screen
from views.viewer import Viewer

MAX_CHART_NAME = 40  # characters of an employee's name on the chart
SECTION_TITLES = {
    Section.EMPLOYEES: "analytics-employees",
    Section.CHANNELS: "analytics-channels",
    Section.TIME: "analytics-time",
    Section.CLIENTS: "analytics-clients",
}


def analytics_period(pressed: AnalyticsCallback) -> tuple[AnalyticsCallback, Period]:
    """The period a button asks for; a forged range gets the default period."""
    period = _period_of(pressed)
    if period is None:
        pressed = AnalyticsCallback(section=pressed.section)
        period = _period_of(pressed)
        assert period is not None
    return pressed, period


def typed_range(section: Section, period: Period) -> AnalyticsCallback:
    """The screen of a section for dates typed (a range): its buttons carry the range as two numbers."""
    assert period.first is not None and period.last is not None
    return AnalyticsCallback(
        section=section, period=RANGE_PERIOD, first=day_number(period.first), last=day_number(period.last)
    )


def _period_of(pressed: AnalyticsCallback) -> Period | None:
    if pressed.period == RANGE_PERIOD:
        return period_from_code(f"r{pressed.first:08d}-{pressed.last:08d}")
    return period_from_code(ANALYTICS_PERIODS[pressed.period])


def employees_screen(
    figures: Figures[list[EmployeeStats]], shown: AnalyticsCallback, viewer: Viewer
) -> Screen:
    page = reports.employees_text(viewer.texts, _title(figures, viewer), figures.rows, shown.page)
    drill = figures.drill[page.first - 1 : page.first - 1 + page.count]
    return _screen(page.text, figures, drill, shown, viewer, has_data=bool(figures.rows), paged=page)


def channels_screen(figures: Figures[list[ChannelStats]], shown: AnalyticsCallback, viewer: Viewer) -> Screen:
    compared = reports.compared_with(viewer.texts, figures.previous, figures.today, figures.last.year)
    text, numbered = reports.channels_text(viewer.texts, _title(figures, viewer), compared, figures.rows)
    return _screen(text, figures, figures.drill[:numbered], shown, viewer, has_data=bool(figures.drill))


def time_screen(figures: Figures[TimeFigures], shown: AnalyticsCallback, viewer: Viewer) -> Screen:
    time = figures.rows
    text = reports.time_text(viewer.texts, _title(figures, viewer), time.busiest, time.hours)
    days = [day for day, _ in time.busiest]  # each row opens one day of the period
    return _screen(text, figures, figures.drill, shown, viewer, has_data=bool(figures.drill), days=days)


def clients_screen(figures: Figures[list[ClientStats]], shown: AnalyticsCallback, viewer: Viewer) -> Screen:
    text = reports.clients_text(viewer.texts, _title(figures, viewer), figures.rows)
    return _screen(text, figures, figures.drill, shown, viewer, has_data=bool(figures.rows))


def dates_prompt_screen(shown: AnalyticsCallback, viewer: Viewer) -> Screen:
    t = viewer.texts
    text = reports.header(t, t("button-typed-dates"), SECTION_TITLES[shown.section])
    return Screen(f"{text}\n\n{t('filters-type-dates')}", dates_prompt_keyboard(shown, t))


def _title(figures: Figures[Any], viewer: Viewer) -> str:
    return period_label(figures.period, viewer.texts, figures.today)


def _screen(
    text: str,
    figures: Figures[Any],
    drill: list[int],
    shown: AnalyticsCallback,
    viewer: Viewer,
    *,
    has_data: bool,
    days: list[date] | None = None,
    paged: reports.ReportPage | None = None,
) -> Screen:
    """`days`: the day each numbered row opens, when not the whole period; `paged`: the page shown of a
    report told a page at a time."""
    period = figures.period
    range_label = days_label(figures.first, figures.last) if period.kind is PeriodKind.RANGE else None
    spans = [(day, day) for day in days] if days is not None else [(figures.first, figures.last)] * len(drill)
    backs = [report_code(shown, figures.first, figures.last, *span) for span in spans[: len(drill)]]
    page = AnalyticsPage(
        shown=shown,
        drill=drill,
        has_data=has_data,
        range_label=range_label,
        reports=backs,
        first_number=paged.first if paged is not None else 1,
        pages=paged.pages if paged is not None else 1,
    )
    return Screen(text, analytics_keyboard(page, viewer.texts))


def chart_of(
    figures: Figures[ChartFigures], viewer: Viewer
) -> tuple[ChartTexts, list[tuple[str, int]], list[tuple[str, int]], list[tuple[date, int]], str]:
    """What `views.charts.render_chart` draws for the period, and the photo's caption."""
    t = viewer.texts
    chart = figures.rows
    title = _title(figures, viewer)
    texts = ChartTexts(
        title=t("chart-title", period=title),
        employees_title=t("chart-employees"),
        channels_title=t("chart-channels"),
        # a long period is drawn as a line with its 7-day mean in bold
        days_title=t("chart-days" if len(chart.days) <= DAY_BARS_UP_TO else "chart-days-mean"),
        empty=t("chart-empty"),
        others_label=t("chart-others"),
    )
    nobody = t("analytics-nobody")
    employees = [
        (short(row.name or nobody, MAX_CHART_NAME) if row.employee_id else nobody, row.dialogs)
        for row in chart.employees
    ]
    channels = [(channel_name(row.channel, t), row.dialogs) for row in chart.channels if row.dialogs]
    caption = t("chart-caption", period=title, dialogs=sum(row.dialogs for row in chart.employees))
    return texts, employees, channels, chart.days, caption
