"""The choices of the list's filters: each choice is the list view it makes (the view on screen with that
channel, employee or period), so that its button carries a stored view's id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from sqlalchemy import Connection

from db.dialogs import list_channels, list_employees
from db.periods import NAMED_PERIODS, Period, PeriodKind
from db.text import fold
from db.views import ListView, StoredView

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Choice(Generic[T]):
    value: T  # "" (a channel), 0 (an employee), None (a period): not filtered by it
    view: ListView  # what choosing it shows
    chosen: bool  # the view on screen has it
    view_id: int = 0  # `view` as stored (0: the whole archive)


@dataclass(frozen=True, slots=True)
class FilterChoices(Generic[T]):
    """A filter's choices for the view on screen, one part of them (employees come in parts)."""

    view: StoredView | None  # the view on screen; None: the whole archive
    choices: list[Choice[T]]
    part: int = 0
    parts: int = 1


def channel_choices(connection: Connection, stored: StoredView | None) -> FilterChoices[str]:
    """Every channel, "all channels" first."""
    base = _base(stored)
    channels = ["", *list_channels(connection)]
    made = [Choice(channel, replace(base, channel=channel), channel == base.channel) for channel in channels]
    return FilterChoices(stored, made)


def employee_choices(
    connection: Connection, stored: StoredView | None, part: int, per_part: int
) -> FilterChoices[tuple[int, str]]:
    """One part of everyone who completed dialogs, by name, "everyone" first (a part beyond the last is
    the last)."""
    base = _base(stored)
    employees = list_employees(connection)
    parts = max(1, -(-len(employees) // per_part))
    part = min(part, parts - 1)
    everyone = [(0, "")] if part == 0 else []
    shown = everyone + employees[part * per_part : (part + 1) * per_part]
    made = [
        Choice((employee_id, name), replace(base, employee_id=employee_id), employee_id == base.employee_id)
        for employee_id, name in shown
    ]
    return FilterChoices(stored, made, part, parts)


def employees_named(
    connection: Connection, stored: StoredView | None, text: str, limit: int
) -> FilterChoices[tuple[int, str]]:
    """Those who completed dialogs whose name holds every word of `text` (case and ё aside, in any order:
    «смирнова анна», «анна смирн»), at most `limit`, by name: whom a search of a name may have meant. Each
    choice is the view on screen without its search, filtered to that employee. Nobody for text with digits
    (a number is no name)."""
    words = fold(text).split()
    base = _base(stored).without_search()
    found: list[tuple[int, str]] = []
    if words and not any(character.isdigit() for character in text):
        everyone = list_employees(connection)
        found = [(id_, name) for id_, name in everyone if all(word in fold(name) for word in words)]
    made = [
        Choice((employee_id, name), replace(base, employee_id=employee_id), employee_id == base.employee_id)
        for employee_id, name in found[:limit]
    ]
    return FilterChoices(stored, made)


def period_choices(_connection: Connection, stored: StoredView | None) -> FilterChoices[Period | None]:
    """The named periods (in pairs: today and yesterday, this week and last week, …), all time, and the
    typed range on screen (if any)."""
    base = _base(stored)
    periods: list[Period | None] = [*(Period(kind) for kind in NAMED_PERIODS), None]
    current = base.period_value()
    if current is not None and current.kind is PeriodKind.RANGE:
        periods.append(current)
    codes = [period.code if period else "" for period in periods]
    made = [
        Choice(period, replace(base, period=code), code == base.period)
        for period, code in zip(periods, codes, strict=True)
    ]
    return FilterChoices(stored, made)


def _base(stored: StoredView | None) -> ListView:
    return stored.view if stored is not None else ListView()
