"""What the analytics screens say: short text tables for a phone, every name escaped.

Each table's rows are numbered in the order of the buttons that open them as a filtered dialog list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from db.analytics import ChannelStats, ClientStats, EmployeeStats
from db.periods import Span
from keyboards.menu import ANALYTICS_PATH
from views.formatting import breadcrumb, channel_label, channel_name, days_label, format_phone, h, short
from views.texts import Texts

MAX_TEXT = 4000  # Telegram takes 4096 characters a message
HOUR_BAR = 12  # characters of the longest hour's bar


def header(t: Texts, period: str, section: str) -> str:
    return f"{breadcrumb(t, *ANALYTICS_PATH)}\n<b>{t(section)}</b> · {h(period)}"


EMPLOYEES_PER_PAGE = 10  # four short lines each: a page reads on a phone without scrolling far
CHANNELS_SHOWN = 2  # per employee, by name; the rest are counted


@dataclass(frozen=True, slots=True)
class ReportPage:
    """A page of a report told a page at a time: its text, the number of its first numbered row (from 1),
    how many numbered rows it holds, and how many pages there are."""

    text: str
    first: int
    count: int
    pages: int


def employees_text(t: Texts, period: str, rows: Sequence[EmployeeStats], page: int = 0) -> ReportPage:
    """Everyone who completed dialogs, busiest first, `EMPLOYEES_PER_PAGE` a page (`page` from 0; one past
    the last is the last), each with labelled figures and the channels they worked in most; the dialogs
    nobody completed come last on the last page, numbered after everyone (their list is a tap away too)."""
    head = [header(t, period, "analytics-employees")]
    if not rows:
        return ReportPage("\n".join([*head, "", t("analytics-empty")]), 1, 0, 1)
    dialogs = sum(row.dialogs for row in rows)
    messages = sum(row.messages for row in rows)
    head.append(t("analytics-total", dialogs=dialogs, messages=messages))
    people = [row for row in rows if row.employee_id]
    pages = max(1, -(-len(people) // EMPLOYEES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    start = page * EMPLOYEES_PER_PAGE
    shown = people[start : start + EMPLOYEES_PER_PAGE]
    if pages > 1:
        last = start + len(shown)
        head.append(t("analytics-employees-page", first=start + 1, last=last, total=len(people)))
    blocks = [
        _employee_block(t, f"{number}. {short(row.name or t('filter-unknown-employee'))}", row)
        for number, row in enumerate(shown, start=start + 1)
    ]
    nobody = [row for row in rows if not row.employee_id] if page == pages - 1 else []
    blocks += [_employee_block(t, f"{len(people) + 1}. {t('analytics-nobody')}", row) for row in nobody]
    text, count = fit(t, head, blocks, [t("analytics-drill-hint")], "analytics-more-employees")
    return ReportPage(text, start + 1, count, pages)


def fit(t: Texts, head: list[str], blocks: list[str], tail: list[str], more: str) -> tuple[str, int]:
    """`head`, as many numbered `blocks` as one message holds, then `tail`, blank lines between; and how
    many blocks made it (the text `more` says how many did not)."""
    room = MAX_TEXT - sum(len(part) + 2 for part in [*head, *tail]) - 80
    shown = 0
    for block in blocks:
        room -= len(block) + 2
        if room < 0:
            break
        shown += 1
    parts = ["\n".join(head), *blocks[:shown]]
    if shown < len(blocks):
        parts.append(t(more, count=len(blocks) - shown))
    return "\n\n".join([*parts, *tail]), shown


def _employee_block(t: Texts, title: str, row: EmployeeStats) -> str:
    dialogs = t("analytics-dialogs", count=row.dialogs)
    return f"<b>{h(title)}</b> — {dialogs}\n{_employee_figures(t, row)}"


def _employee_figures(t: Texts, row: EmployeeStats) -> str:
    """Messages and how many a dialog, how long a dialog usually lasts (the median), the channels most
    worked in, how fast clients got a first answer (median, 90th percentile): each figure says what it
    is."""
    average = round(row.messages / row.dialogs) if row.dialogs else 0
    lines = [t("analytics-employee-messages", messages=row.messages, average=average)]
    if row.median_duration_s is not None:
        lines.append(t("analytics-employee-duration", duration=duration(t, row.median_duration_s)))
    if row.channels:
        shown = [f"{h(channel_name(channel, t))} {count}" for channel, count in row.channels[:CHANNELS_SHOWN]]
        if len(row.channels) > CHANNELS_SHOWN:
            shown.append(t("analytics-employee-more-channels", count=len(row.channels) - CHANNELS_SHOWN))
        lines.append(" · ".join(shown))
    if row.response_median_s is not None and row.response_p90_s is not None:
        median, p90 = duration(t, row.response_median_s), duration(t, row.response_p90_s)
        lines.append(t("analytics-employee-response", median=median, p90=p90))
    if row.reviewed and row.average_mark is not None:
        lines.append(t("analytics-employee-quality", reviewed=row.reviewed, average=row.average_mark))
    return "\n".join(lines)


def duration(t: Texts, seconds: int) -> str:
    minutes = seconds // 60
    if minutes == 0:
        return t("duration-under-minute")
    hours, minutes = divmod(minutes, 60)
    return (
        t("duration-hours", hours=hours, minutes=minutes) if hours else t("duration-minutes", minutes=minutes)
    )


def channels_text(t: Texts, period: str, compared: str, rows: Sequence[ChannelStats]) -> tuple[str, int]:
    """Channels with dialogs in the period, numbered; those that had some only in the period compared
    with (`compared`: `compared_with`) come last, unnumbered. Returns the text and how many numbered rows it
    holds."""
    head = [header(t, period, "analytics-channels")]
    total = sum(row.dialogs for row in rows)
    if total == 0:
        return "\n".join([*head, "", t("analytics-empty")]), 0
    before = sum(row.previous for row in rows)
    overall = change(t, ChannelStats("", total, before)) if before else t("analytics-change-from-zero")
    head.append(f"{t('analytics-channels-total', dialogs=total)} · {overall}")
    head.append(compared)

    def figures(row: ChannelStats) -> str:
        share = round(100 * row.dialogs / total)
        return f"{t('analytics-channel-line', dialogs=row.dialogs, share=share)} · {change(t, row)}"

    active = [row for row in rows if row.dialogs]
    blocks = [
        f"<b>{number}. {channel_label(row.channel, t)}</b>\n{figures(row)}"
        for number, row in enumerate(active, start=1)
    ]
    quiet = [f"<b>{channel_label(row.channel, t)}</b>\n{figures(row)}" for row in rows if not row.dialogs]
    return fit(t, head, blocks, [*quiet, t("analytics-drill-hint")], "analytics-more-channels")


def compared_with(t: Texts, span: Span, today: date, year: int) -> str:
    """What a period is compared with (`db.periods.previous_span`), seen on `today`: `Сравнение с
    01.11–05.11`, `… до 09:22` when its last day is taken up to a time, `Сравнение со вчерашним днём до
    09:22`. The year is shown when it is not `year` (the period's own)."""
    until = f"{span.until:%H:%M}" if span.until is not None else None
    if until is not None and span.first == span.last == today - timedelta(days=1):
        return t("analytics-compared-yesterday-until", time=until)
    if span.first.year != span.last.year or span.last.year != year:
        days = days_label(span.first, span.last)
    elif span.first == span.last:
        days = f"{span.first:%d.%m}"
    else:
        days = f"{span.first:%d.%m}–{span.last:%d.%m}"
    if until is None:
        return t("analytics-compared", days=days)
    return t("analytics-compared-until", days=days, time=until)


def change(t: Texts, row: ChannelStats) -> str:
    """Against the period compared with (`compared_with`)."""
    if row.previous == 0:
        # «было 0», not «новый канал»: a channel quiet in the span compared with is rarely a new one
        return t("analytics-change-from-zero") if row.dialogs else t("analytics-change-same")
    percent = round(100 * (row.dialogs - row.previous) / row.previous)
    if percent > 0:
        return t("analytics-change-up", percent=percent, previous=row.previous)
    if percent < 0:
        return t("analytics-change-down", percent=-percent, previous=row.previous)
    return t("analytics-change-same")


def time_text(t: Texts, period: str, top: Sequence[tuple[date, int]], hours: Sequence[int]) -> str:
    """`top`: the busiest days, most first (`db.analytics.busiest_days`)."""
    lines = [header(t, period, "analytics-time")]
    if not top:
        return "\n".join([*lines, "", t("analytics-empty")])
    lines.append("")
    lines.append(f"<b>{t('analytics-busiest-days')}</b>")
    for number, (day, count) in enumerate(top, start=1):
        weekday = t(f"weekday-{day.weekday()}")
        lines.append(f"{number}. {weekday} {day:%d.%m.%Y} — {t('analytics-dialogs', count=count)}")
    lines.append("")
    lines.append(f"<b>{t('analytics-hours')}</b>")
    peak = max(hours)
    for hour, count in enumerate(hours):
        if count:
            bar = "█" * max(1, round(HOUR_BAR * count / peak))
            lines.append(f"<code>{hour:02d}:00</code> {bar} {count}")
    lines.append("")
    lines.append(t("analytics-drill-days"))
    return "\n".join(lines)


def clients_text(t: Texts, period: str, rows: Sequence[ClientStats]) -> str:
    lines = [header(t, period, "analytics-clients")]
    if not rows:
        return "\n".join([*lines, "", t("analytics-empty")])
    for number, row in enumerate(rows, start=1):
        name = h(short(row.name)) if row.name else t("list-no-name")
        lines.append("")
        lines.append(f"<b>{number}. {name}</b>")
        lines.append(f"{format_phone(row.phone, masked=False)} · {t('analytics-dialogs', count=row.dialogs)}")
    lines.append("")
    lines.append(t("analytics-drill-hint"))
    return "\n".join(lines)
