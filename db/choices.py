"""The choices of the list's filters: each choice is the list view it makes (the view on screen with that
channel, employee or period), so that its button carries a stored view's id."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Generic, TypeVar

from sqlalchemy import Connection

from db.dialogs import list_channels, list_employees
from db.periods import NAMED_PERIODS, Period, PeriodKind
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


def channel_choices(connection: Connection, base: ListView) -> list[Choice[str]]:
    """Every channel, "all channels" first."""
    channels = ["", *list_channels(connection)]
    return [Choice(channel, replace(base, channel=channel), channel == base.channel) for channel in channels]


def employee_choices(
    connection: Connection, base: ListView, part: int, per_part: int
) -> tuple[list[Choice[tuple[int, str]]], int, int]:
    """One part of everyone who completed dialogs, by name, "everyone" first; and which part of how many
    (a part beyond the last is the last)."""
    employees = list_employees(connection)
    parts = max(1, -(-len(employees) // per_part))
    part = min(part, parts - 1)
    everyone = [(0, "")] if part == 0 else []
    shown = everyone + employees[part * per_part : (part + 1) * per_part]
    return (
        [
            Choice(
                (employee_id, name), replace(base, employee_id=employee_id), employee_id == base.employee_id
            )
            for employee_id, name in shown
        ],
        part,
        parts,
    )


def period_choices(base: ListView) -> list[Choice[Period | None]]:
    """All time, the named periods, and the typed range on screen (if any)."""
    periods: list[Period | None] = [None, *(Period(kind) for kind in NAMED_PERIODS)]
    current = base.period_value()
    if current is not None and current.kind is PeriodKind.RANGE:
        periods.append(current)
    return [
        Choice(period, replace(base, period=code), code == base.period)
        for period, code in ((period, period.code if period else "") for period in periods)
    ]
