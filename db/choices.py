"""The choices of the list's filters: each choice is the list view it makes (the view on screen with that
channel, employee, period or review mark), so that its button carries a stored view's id."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import date, tzinfo
from typing import Any, Generic, TypeVar, cast

from sqlalchemy import Connection

from db.counters import archive_revision
from db.dialogs import Filters, filtered_total, list_channels, list_employees
from db.periods import NAMED_PERIODS, Period, PeriodKind
from db.reviews import REVIEW_FILTERS
from db.stats import channel_volumes, employee_volumes
from db.text import fold
from db.views import NOBODY, ListView, StoredView, scoped, total_key

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Choice(Generic[T]):
    value: T  # "" (a channel), 0 (an employee), None (a period): not filtered by it
    view: ListView  # what choosing it shows
    chosen: bool  # the view on screen has it
    view_id: int = 0  # `view` as stored (0: the whole archive)
    count: int | None = None  # its dialogs in the view on screen (without its search); None: not shown


@dataclass(frozen=True, slots=True)
class FilterOverview:
    """The filters screen: the view on screen and how many dialogs it finds."""

    view: StoredView | None  # None: the whole archive
    total: int | None  # None: not known without counting its search's matches


def filter_overview(
    connection: Connection, stored: StoredView | None, zone: tzinfo, today: date, scope: int | None = None
) -> FilterOverview:
    """The view on screen with its total: the filters' from the daily statistics (as the list counts it, and
    kept for the list opened next); a search's only when a page of it counted and kept it already.
    `scope`: of the dialogs of that employee alone (`db.views.scoped`)."""
    if stored is None:  # the whole archive (that employee's, with a scope)
        return FilterOverview(None, filtered_total(connection, scoped(Filters(), scope)))
    filters = scoped(stored.view.filters(zone, today), scope)
    if stored.view.search_text:
        return FilterOverview(stored, stored.known_total(total_key(stored.revision, filters, scope)))
    return FilterOverview(stored, filtered_total(connection, filters))


@dataclass(frozen=True, slots=True)
class FilterChoices(Generic[T]):
    """A filter's choices for the view on screen, one part of them (employees come in parts)."""

    view: StoredView | None  # the view on screen; None: the whole archive
    choices: list[Choice[T]]
    part: int = 0
    parts: int = 1


def channel_choices(
    connection: Connection, stored: StoredView | None, today: date, scope: int | None = None
) -> FilterChoices[str]:
    """Every channel, "all channels" first, then by how many dialogs each has in the view on screen (its
    period and employee; its search aside), most first. Each with that count, unless the view has a
    search (the count would not be what choosing it shows). `scope`: counted among the dialogs of that
    employee alone."""
    base = _base(stored)
    days = _days(base, today)
    employee = base.employee_filter() if scope is None else scope
    volumes = _kept(
        connection,
        ("channels", days, employee),
        lambda: channel_volumes(connection, days=days, employee_id=employee),
    )
    channels = sorted(list_channels(connection), key=lambda channel: -volumes.get(channel, 0))
    counted = not (base.search_text or base.review)  # the statistics know nothing of marks
    made = [Choice("", replace(base, channel=""), not base.channel)]
    made += [
        Choice(
            channel,
            replace(base, channel=channel),
            channel == base.channel,
            count=volumes.get(channel, 0) if counted else None,
        )
        for channel in channels
    ]
    return FilterChoices(stored, made)


def employee_choices(
    connection: Connection,
    stored: StoredView | None,
    part: int,
    per_part: int,
    today: date,
    scope: int | None = None,
) -> FilterChoices[tuple[int, str]]:
    """One part of everyone who completed dialogs, and of "closed automatically" (`NOBODY`, when the view
    on screen has such dialogs or is filtered to them), by how many dialogs each has in the view on screen
    (its period and channel; its search aside), most first, then by name; "everyone" first (a part beyond
    the last is the last). `scope`: that employee alone, no one else's name or count."""
    base = _base(stored)
    volumes = _employee_volumes(connection, base, today, scope)
    employees = _employees_seen(connection, scope)
    if scope is None and (volumes.get(0) or base.employee_id == NOBODY):
        employees.append((NOBODY, ""))
    employees.sort(key=lambda employee: -volumes.get(_counted_as(employee[0]), 0))
    parts = max(1, -(-len(employees) // per_part))
    part = min(part, parts - 1)
    everyone = [(0, "")] if part == 0 else []
    shown = everyone + employees[part * per_part : (part + 1) * per_part]
    return FilterChoices(stored, _employees(base, shown, volumes), part, parts)


def employees_matching(
    connection: Connection,
    stored: StoredView | None,
    text: str,
    limit: int,
    today: date,
    scope: int | None = None,
) -> FilterChoices[tuple[int, str]]:
    """Those who completed dialogs whose name holds every word typed (a few letters of a name: «анн»,
    «смирн ан»; case and ё aside), at most `limit`, ordered as `employee_choices` orders them. Each choice
    is the view on screen filtered to that employee (its search kept). `scope`: that employee alone."""
    base = _base(stored)
    words = fold(text).split()
    everyone = _employees_seen(connection, scope) if words else []
    found = [(id_, name) for id_, name in everyone if all(word in fold(name) for word in words)]
    volumes = _employee_volumes(connection, base, today, scope) if found else {}
    found.sort(key=lambda employee: -volumes.get(employee[0], 0))
    return FilterChoices(stored, _employees(base, found[:limit], volumes))


def employees_named(
    connection: Connection, stored: StoredView | None, text: str, limit: int, scope: int | None = None
) -> FilterChoices[tuple[int, str]]:
    """Those who completed dialogs whose name holds every word of `text` (case and ё aside, in any order:
    «смирнова анна», «анна смирн»), at most `limit`, by name: whom a search of a name may have meant. Each
    choice is the view on screen without its search, filtered to that employee. Nobody for text with digits
    (a number is no name). `scope`: that employee alone."""
    words = fold(text).split()
    base = _base(stored).without_search()
    found: list[tuple[int, str]] = []
    if words and not any(character.isdigit() for character in text):
        everyone = _employees_seen(connection, scope)
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


def review_choices(_connection: Connection, stored: StoredView | None) -> FilterChoices[str]:
    """Marked or not (""), «без оценки» (`UNMARKED`), «оценка ≤ 2» (`LOW`)."""
    base = _base(stored)
    made = [
        Choice(value, replace(base, review=value), value == base.review) for value in ("", *REVIEW_FILTERS)
    ]
    return FilterChoices(stored, made)


def _base(stored: StoredView | None) -> ListView:
    return stored.view if stored is not None else ListView()


def _days(view: ListView, today: date) -> tuple[date, date] | None:
    period = view.period_value()
    return period.days(today) if period is not None else None


def _counted_as(employee_id: int) -> int:
    """An employee choice's id as the statistics count it (nobody: 0)."""
    return 0 if employee_id == NOBODY else employee_id


def _employees_seen(connection: Connection, scope: int | None) -> list[tuple[int, str]]:
    """Everyone who completed dialogs, by name; `scope`: that employee alone."""
    return list_employees(connection, only=scope)


def _employee_volumes(
    connection: Connection, base: ListView, today: date, scope: int | None = None
) -> dict[int, int]:
    """Dialogs per employee in the view `base` (its period and channel); `scope`: that employee's alone."""
    days, channel = _days(base, today), base.channel or None
    volumes = _kept(
        connection,
        ("employees", days, channel),
        lambda: employee_volumes(connection, days=days, channel=channel),
    )
    return volumes if scope is None else {scope: volumes.get(scope, 0)}


def _employees(
    base: ListView, shown: list[tuple[int, str]], volumes: dict[int, int]
) -> list[Choice[tuple[int, str]]]:
    """The employee choices of the view `base` (0: everyone; `NOBODY`: closed automatically)."""
    counted = not (base.search_text or base.review)
    return [
        Choice(
            (employee_id, name),
            replace(base, employee_id=employee_id),
            employee_id == base.employee_id,
            count=volumes.get(_counted_as(employee_id), 0) if counted and employee_id else None,
        )
        for employee_id, name in shown
    ]


# Dialogs per channel or per employee, as the choices order them, by archive and revision: all time at
# 1M dialogs sums ~150,000 rows of statistics (~16 ms here), the next look at the same choices is free.
_volumes: dict[tuple[Hashable, ...], dict[Any, int]] = {}
MAX_VOLUMES_KEPT = 1024


def _kept(
    connection: Connection, key: tuple[Hashable, ...], count: Callable[[], dict[K, int]]
) -> dict[K, int]:
    full = (connection.engine.url.database, archive_revision(connection), *key)
    found = _volumes.get(full)
    if found is None:
        found = count()
        if len(_volumes) >= MAX_VOLUMES_KEPT:
            _volumes.clear()
        _volumes[full] = found
    return cast(dict[K, int], found)
