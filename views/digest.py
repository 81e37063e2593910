"""The morning digest as a person reads it, and its settings screen (/digest).

A digest is one message made of sections, in the order of `SECTIONS`: each a pure function of the day's
`Digest` that gives its lines and the stored views its numbered rows open (numbered on from the section
before). A new section (the slowest first responses, the reviews due) is one more function here and the
figures it needs read into `db.digest.Digest` by `Archive.digest`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from db.digest import DIGEST_ROWS, WEEK, Compared, Digest, Silence
from keyboards.callbacks import DigestMoreCallback, Section
from keyboards.digest import clock, digest_keyboard, settings_keyboard, time_prompt_keyboard
from views.formatting import channel_label, h, short
from views.screen import Screen
from views.texts import Texts

MAX_ROW_NAME = 40  # characters of an employee's name in a row
DEFAULT_MINUTE = 9 * 60  # the time of a digest turned on before any was chosen


@dataclass(frozen=True)
class Part:
    """One section of the digest: its text, the stored views its numbered rows open, and its «ещё …»
    buttons (a label and the screen they open)."""

    text: str
    rows: list[int] = field(default_factory=list)
    more: list[tuple[str, DigestMoreCallback]] = field(default_factory=list)


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
    return DigestMoreCallback(section=section, day=day.year * 10_000 + day.month * 100 + day.day)


def _rows(
    rows: list[Compared], views: list[int], first: int, label: Callable[[Compared], str]
) -> tuple[list[str], list[int]]:
    shown = rows[: min(DIGEST_ROWS, len(views))]
    lines = [
        f"{number}. {label(row)} — {row.dialogs} ({change(row.dialogs, row.before)})"
        for number, row in enumerate(shown, first)
    ]
    return lines, views[: len(shown)]


def employees_part(digest: Digest, t: Texts, first: int) -> Part | None:
    """Dialogs per employee (the dialogs nobody completed as one row), busiest first."""
    rows = digest.figures.employees
    if not rows:
        return None

    def name(row: Compared) -> str:
        return h(short(row.name, MAX_ROW_NAME)) if row.key else h(t("analytics-nobody"))

    lines, views = _rows(rows, digest.employee_views, first, name)
    more: list[tuple[str, DigestMoreCallback]] = []
    rest = rows[len(views) :]
    if rest:
        lines.append(t("digest-more", count=len(rest), dialogs=sum(row.dialogs for row in rest)))
        more.append((t("digest-all-employees"), _day_button(Section.EMPLOYEES, digest.figures.day)))
    return Part("\n".join([f"<b>{t('digest-employees')}</b>", *lines]), views, more)


def channels_part(digest: Digest, t: Texts, first: int) -> Part | None:
    """Dialogs per channel, busiest first."""
    rows = digest.figures.channels
    if not rows:
        return None
    lines, views = _rows(rows, digest.channel_views, first, lambda row: channel_label(str(row.key), t))
    more: list[tuple[str, DigestMoreCallback]] = []
    rest = rows[len(views) :]
    if rest:
        lines.append(t("digest-more", count=len(rest), dialogs=sum(row.dialogs for row in rest)))
        more.append((t("digest-all-channels"), _day_button(Section.CHANNELS, digest.figures.day)))
    return Part("\n".join([f"<b>{t('digest-channels')}</b>", *lines]), views, more)


SECTIONS: tuple[DigestSection, ...] = (employees_part, channels_part)


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
    rows: list[int] = []
    more: list[tuple[str, DigestMoreCallback]] = []
    for section in sections:
        part = section(digest, t, len(rows) + 1)
        if part is None:
            continue
        chunks.append(part.text)
        rows.extend(part.rows)
        more.extend(part.more)
    if rows:
        chunks.append(t("digest-hint"))
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
