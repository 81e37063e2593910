"""The morning digest as a person reads it, and its settings screen (/digest).

A digest is one message made of sections, in the order of `SECTIONS`: each a pure function of the day's
`Digest` that gives its lines, what its numbered rows open (numbered on from the section before) and its
other buttons. A new section is one more function here and the figures it needs read into
`db.digest.Digest` by `Archive.digest`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from aiogram.filters.callback_data import CallbackData

from db.digest import DIGEST_ROWS, WEEK, Compared, Digest, Silence, SlowResponse
from db.periods import day_number
from keyboards.callbacks import (
    DigestDialogCallback,
    DigestMoreCallback,
    DigestQueueCallback,
    DigestRowCallback,
    DigestSlowestCallback,
    Section,
)
from keyboards.digest import clock, digest_keyboard, settings_keyboard, time_prompt_keyboard
from views.formatting import channel_label, format_phone, h, response_time, short
from views.screen import Screen
from views.texts import Texts

MAX_ROW_NAME = 40  # characters of an employee's name in a row
DEFAULT_MINUTE = 9 * 60  # the time of a digest turned on before any was chosen


@dataclass(frozen=True)
class Part:
    """One section of the digest: its text, what its numbered rows open (a stored view's list, or a
    dialog's card), and its other buttons (a label and what it opens: «ещё …», the review queue)."""

    text: str
    rows: list[CallbackData] = field(default_factory=list)
    more: list[tuple[str, CallbackData]] = field(default_factory=list)


# A section: the day's digest, the catalogue, the number of its first row → its part (None: nothing to say)
DigestSection = Callable[[Digest, Texts, int], Part | None]


def change(dialogs: int, before: int) -> str:
    """«+5», «−3», «±0»: the day against the same weekday a week earlier."""
    difference = dialogs - before
    if difference > 0:
        return f"+{difference}"
    if difference < 0:
        return f"−{-difference}"
    return "±0"


def _day_button(section: Section, day: date) -> DigestMoreCallback:
    return DigestMoreCallback(section=section, day=day_number(day))


def _compared_part(
    rows: list[Compared],
    views: list[int],
    first: int,
    label: Callable[[Compared], str],
    t: Texts,
    section: Section,
    day: date,
) -> Part | None:
    """A section of rows against a week earlier, busiest first: the first `DIGEST_ROWS` numbered from
    `first`, each opening its stored list view (`views`), then «ещё N» and a button to the day's whole
    report of the section."""
    if not rows:
        return None
    shown = rows[: min(DIGEST_ROWS, len(views))]
    lines = [
        f"{number}. {label(row)} — {row.dialogs} ({change(row.dialogs, row.before)})"
        for number, row in enumerate(shown, first)
    ]
    buttons: list[CallbackData] = [DigestRowCallback(view_id=view_id) for view_id in views[: len(shown)]]
    more: list[tuple[str, CallbackData]] = []
    rest = rows[len(shown) :]
    if rest:
        lines.append(t("digest-more", count=len(rest), dialogs=sum(row.dialogs for row in rest)))
        more.append((t(_ALL_OF[section]), _day_button(section, day)))
    return Part("\n".join([f"<b>{t(_TITLE_OF[section])}</b>", *lines]), buttons, more)


_TITLE_OF = {Section.EMPLOYEES: "digest-employees", Section.CHANNELS: "digest-channels"}
_ALL_OF = {Section.EMPLOYEES: "digest-all-employees", Section.CHANNELS: "digest-all-channels"}


def employees_part(digest: Digest, t: Texts, first: int) -> Part | None:
    """Dialogs per employee (the dialogs nobody completed as one row), busiest first."""

    def name(row: Compared) -> str:
        return h(short(row.name, MAX_ROW_NAME)) if row.key else h(t("analytics-nobody"))

    figures = digest.figures
    return _compared_part(
        figures.employees, digest.employee_views, first, name, t, Section.EMPLOYEES, figures.day
    )


def channels_part(digest: Digest, t: Texts, first: int) -> Part | None:
    """Dialogs per channel, busiest first."""

    def label(row: Compared) -> str:
        return channel_label(str(row.key), t)

    figures = digest.figures
    return _compared_part(
        figures.channels, digest.channel_views, first, label, t, Section.CHANNELS, figures.day
    )


def slowest_part(digest: Digest, t: Texts, first: int) -> Part | None:
    """The day's slowest first responses, the unanswered first: who, to whom, how long; each row opens the
    dialog's card, and a button the whole day sorted by first response, slowest first. The client is named
    as heads and admins see them, the number in full: they alone get the digest (`bot.digests`)."""
    if not digest.slowest or not digest.day_view:
        return None
    lines = [f"<b>{t('digest-slowest')}</b>"]
    rows: list[CallbackData] = []
    for number, row in enumerate(digest.slowest, first):
        lines.append(f"{number}. {_slow_row(row, t)}")
        rows.append(DigestDialogCallback(dialog=row.dialog_id, view_id=digest.day_view))
    more: list[tuple[str, CallbackData]] = [
        (t("digest-all-responses"), DigestSlowestCallback(view_id=digest.day_view))
    ]
    return Part("\n".join(lines), rows, more)


def _slow_row(row: SlowResponse, t: Texts) -> str:
    """«Анна Смирнова · Иван Петров — 1 ч 05 мин»: the employee, the client (their name, else their
    number), the time (`response_time`, as the list shows it)."""
    employee = h(short(row.employee, MAX_ROW_NAME)) if row.employee else t("list-auto-closed")
    if row.client_name:
        client = h(short(row.client_name, MAX_ROW_NAME))
    elif row.client_phone:
        client = h(format_phone(row.client_phone, masked=False))
    else:
        client = t("list-no-name")
    return f"{employee} · {client} — {response_time(row.first_response, t)}"


def reviews_part(digest: Digest, t: Texts, first: int) -> Part | None:
    """The reviews due: how many dialogs of the week's review queue are left of how many, and a button to
    the queue. None when nothing is left (`Archive.digest` keeps no queue then)."""
    queue = digest.reviews
    if queue is None or not queue.left:
        return None
    monday = queue.week
    week = f"{monday:%d.%m}–{monday + timedelta(days=6):%d.%m}"
    left = t("digest-reviews-left", left=queue.left, total=queue.total, week=week)
    return Part(
        f"<b>{t('digest-reviews')}</b>\n{left}",
        more=[(t("digest-open-queue"), DigestQueueCallback(week=queue.code))],
    )


SECTIONS: tuple[DigestSection, ...] = (employees_part, channels_part, slowest_part, reviews_part)


def digest_screen(digest: Digest, t: Texts, sections: tuple[DigestSection, ...] = SECTIONS) -> Screen:
    """The digest of a day in one message: the title and total, then each section's part."""
    figures = digest.figures
    day, before = figures.day, figures.day - WEEK
    title = t("digest-title", weekday=t("digest-weekday", day=day.weekday()), date=f"{day:%d.%m.%Y}")
    if not figures.total:
        total = t("digest-none", before=f"{before:%d.%m}", dialogs=figures.total_before)
    else:
        total = t(
            "digest-total",
            dialogs=figures.total,
            change=change(figures.total, figures.total_before),
            before=f"{before:%d.%m}",
        )
    chunks = [f"<b>{h(title)}</b>\n{total}"]
    rows: list[CallbackData] = []
    more: list[tuple[str, CallbackData]] = []
    for section in sections:
        part = section(digest, t, len(rows) + 1)
        if part is None:
            continue
        chunks.append(part.text)
        rows.extend(part.rows)
        more.extend(part.more)
    if rows:
        opens_dialogs = any(isinstance(row, DigestDialogCallback) for row in rows)
        chunks.append(t("digest-hint-dialogs" if opens_dialogs else "digest-hint"))
    return Screen("\n\n".join(chunks), digest_keyboard(rows, more))


def silence_text(silence: Silence, t: Texts, zone: tzinfo, now: datetime, hours: int) -> str:
    """The alert of a channel fallen silent."""
    last = silence.last_dialog_at.astimezone(zone)
    local_now = now.astimezone(zone)
    when = f"{last:%H:%M}" if last.date() == local_now.date() else f"{last:%d.%m %H:%M}"
    return t(
        "digest-silence",
        channel=channel_label(silence.channel, t),
        hours=hours,
        last=when,
        usual=round(silence.usual),
        weekday=t("digest-weekday-plural", day=local_now.weekday()),
    )


# --- /digest ------------------------------------------------------------------------------------------


def settings_screen(enabled: bool, minute: int, zone_name: str, t: Texts) -> Screen:
    state = t("digest-state-on", time=clock(minute), zone=zone_name) if enabled else t("digest-state-off")
    text = f"<b>{t('digest-heading')}</b>\n\n{t('digest-about')}\n\n{state}"
    return Screen(text, settings_keyboard(enabled, minute, t))


def time_prompt_screen(t: Texts) -> Screen:
    return Screen(f"<b>{t('digest-heading')}</b>\n\n{t('digest-type-time')}", time_prompt_keyboard(t))


def parse_time(text: str) -> int | None:
    """A local time typed, «7:30», «07:30», «7.30» or «9»: its minute of the day; None when it is not one."""
    cleaned = text.strip().replace(".", ":")
    hours, _, minutes = cleaned.partition(":")
    if not hours.isdigit() or len(hours) > 2 or (minutes and (not minutes.isdigit() or len(minutes) != 2)):
        return None
    hour, minute = int(hours), int(minutes or 0)
    if hour > 23 or minute > 59:
        return None
    return hour * 60 + minute


def yesterday(now: datetime, zone: tzinfo) -> date:
    return now.astimezone(zone).date() - timedelta(days=1)
