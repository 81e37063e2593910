"""The review queue (issue 16, point 2): each week, a fair random sample of each employee's dialogs of the
week before — `REVIEW_SAMPLE` a person, among those not marked yet — for the heads to walk card by card.

A week starts on Monday 00:00 in TIMEZONE; the queue of a week samples the dialogs completed in the whole
week before it, and is known by that earlier week's Monday (`week`, an integer yyyymmdd as the buttons
carry it, which both engines store and compare alike). It is made the first time someone opens it: a
random seed is stored with the week, the sample is a pure function of the seed and the week's dialogs
(`sample`), and the chosen dialogs are stored with the week, so that later imports do not change it and
every head, on every replica, walks the same queue. A dialog is done once it has a mark, given from the
queue or from anywhere else; a dialog removed from the archive since is skipped.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from sqlalchemy import Connection

from db.engine import run_sql
from db.periods import day_number, day_of_number, utc_bounds, utc_now

DEFAULT_SAMPLE = 3  # dialogs an employee a week (REVIEW_SAMPLE)
_SEED_BITS = 62  # fits a signed 64-bit column on both engines


@dataclass(frozen=True, slots=True)
class QueueEntry:
    dialog_id: int
    employee_id: int
    employee: str  # the employee's name
    done: bool  # the dialog has a mark


@dataclass(frozen=True, slots=True)
class EmployeeProgress:
    employee: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ReviewQueue:
    week: date  # the Monday of the week whose dialogs it holds
    sample_size: int  # REVIEW_SAMPLE when it was made: dialogs an employee
    entries: tuple[QueueEntry, ...]  # in the order they are walked: by employee, then by dialog

    @property
    def code(self) -> int:
        """The week as the buttons carry it (yyyymmdd)."""
        return day_number(self.week)

    @property
    def total(self) -> int:
        return len(self.entries)

    @property
    def left(self) -> int:
        return sum(not entry.done for entry in self.entries)

    def progress(self) -> list[EmployeeProgress]:
        """Done and total per employee, in the queue's order."""
        done: dict[str, int] = {}
        total: dict[str, int] = {}
        for entry in self.entries:
            total[entry.employee] = total.get(entry.employee, 0) + 1
            done[entry.employee] = done.get(entry.employee, 0) + entry.done
        return [EmployeeProgress(name, done[name], count) for name, count in total.items()]

    def next_after(self, dialog_id: int) -> QueueEntry | None:
        """The first dialog not yet marked after `dialog_id` in the queue (from the start when it is not in
        it, or 0), going round to the start after the last; None when every one is marked."""
        ids = [entry.dialog_id for entry in self.entries]
        start = ids.index(dialog_id) + 1 if dialog_id in ids else 0
        for entry in (*self.entries[start:], *self.entries[:start]):
            if not entry.done:
                return entry
        return None


def week_of_code(code: int) -> date | None:
    """The Monday a button's week stands for; None when it is no Monday (forged)."""
    monday = day_of_number(code)
    return monday if monday is not None and monday.weekday() == 0 else None


def queue_week(today: date) -> date:
    """The week whose dialogs are reviewed during the week of `today` (a local day): the full week before."""
    return today - timedelta(days=today.weekday() + 7)


def sample(seed: int, dialogs: Iterable[tuple[int, int]], size: int) -> dict[int, list[int]]:
    """Of each employee's dialogs (`dialogs`: employee id, dialog id), `size` chosen at random (all of them
    when they have fewer): employee id → the chosen dialog ids, ascending. A pure function of the seed and
    the set of dialogs, whatever order they come in: each employee's ids are sorted, then drawn by a
    generator seeded with the week's seed and the employee, so every dialog of an employee is as likely as
    any other, and each employee's draw is independent of the others'."""
    if size < 1:
        raise ValueError(f"a sample is at least 1 dialog an employee, not {size}")
    by_employee: dict[int, list[int]] = defaultdict(list)
    for employee_id, dialog_id in dialogs:
        by_employee[employee_id].append(dialog_id)
    chosen = {}
    for employee_id, ids in by_employee.items():
        ids.sort()
        draw = random.Random(f"{seed}:{employee_id}")  # a str seed is hashed (SHA-512): the same everywhere
        chosen[employee_id] = sorted(draw.sample(ids, min(size, len(ids))))
    return chosen


# The week's completed dialogs of each employee, not marked yet, read per employee through
# ix_dialogs_employee_time (employee_id, completed_at): for each of the E employees a range of the index, so
# the cost is E seeks plus one index entry and one probe of review_marks' primary key per dialog of the
# week (~10,000 at 1M dialogs over two years), never a scan of the archive. On SQLite the index holds the
# rowid (the dialog's id) and answers alone; CROSS JOIN makes SQLite walk the employees first (its planner
# otherwise takes the time index, which lacks employee_id: a table row read per dialog, twice the time —
# 18 ms against 9 ms for 9,830 dialogs here); PostgreSQL reads it as a plain join and plans it itself.
_WEEK_DIALOGS = (
    "SELECT e.id, d.id FROM employees e CROSS JOIN dialogs d"
    " WHERE d.employee_id = e.id AND d.completed_at >= :start AND d.completed_at < :end"
    " AND NOT EXISTS (SELECT 1 FROM review_marks r WHERE r.dialog_id = d.id)"
)
# Only the first to make the week's queue stores it: a second (another head, another replica) racing it
# waits for its transaction (PostgreSQL: for the conflicting row; SQLite: for the write lock), inserts
# nothing, and reads what the first stored
_CLAIM = (
    "INSERT INTO review_weeks (week, seed, sample_size, made_at) VALUES (:week, :seed, :size, :now)"
    " ON CONFLICT (week) DO NOTHING RETURNING week"
)
_ENTRIES_INTO = "INSERT INTO review_queue (week, position, dialog_id, employee_id) VALUES "
_ROWS_A_STATEMENT = 200  # 800 parameters: under the limits of both engines
_MADE = "SELECT sample_size FROM review_weeks WHERE week = :week"
# The dialogs removed from the archive since are left out (their marks went with them)
_ENTRIES = (
    "SELECT q.dialog_id, q.employee_id, e.name, r.dialog_id FROM review_queue q"
    " JOIN dialogs d ON d.id = q.dialog_id"
    " LEFT JOIN employees e ON e.id = q.employee_id"
    " LEFT JOIN review_marks r ON r.dialog_id = q.dialog_id"
    " WHERE q.week = :week ORDER BY q.position"
)
_NAMES = "SELECT id, name FROM employees"


def read_queue(connection: Connection, week: date, scope: int | None = None) -> ReviewQueue | None:
    """The stored queue of the week (None: not made yet). `scope`: only that employee's dialogs."""
    code = day_number(week)
    made = run_sql(connection, _MADE, {"week": code}).fetchone()
    if made is None:
        return None
    entries = tuple(
        QueueEntry(dialog_id, employee_id, name or "", mark is not None)
        for dialog_id, employee_id, name, mark in run_sql(connection, _ENTRIES, {"week": code})
        if scope is None or employee_id == scope
    )
    return ReviewQueue(week, int(made[0]), entries)


def make_queue(
    connection: Connection, week: date, size: int, zone: tzinfo, scope: int | None = None
) -> ReviewQueue:
    """The queue of the week, made and stored if nobody has yet (idempotent under a race, see `_CLAIM`),
    read back in the same transaction."""
    code = day_number(week)
    seed = secrets.randbits(_SEED_BITS)
    now = utc_now().replace(tzinfo=None)
    claimed = run_sql(connection, _CLAIM, {"week": code, "seed": seed, "size": size, "now": now}).fetchone()
    if claimed is not None:
        start, end = utc_bounds(week, week + timedelta(days=6), zone)
        dialogs = [
            (int(e), int(d)) for e, d in run_sql(connection, _WEEK_DIALOGS, {"start": start, "end": end})
        ]
        store_sample(connection, code, sample(seed, dialogs, size))
    queue = read_queue(connection, week, scope)
    assert queue is not None  # claimed here, or by whoever stored it first
    return queue


def store_sample(connection: Connection, code: int, chosen: dict[int, list[int]]) -> None:
    """The chosen dialogs in the order they are walked: by the employee's name, then by dialog."""
    names = {int(employee_id): name for employee_id, name in run_sql(connection, _NAMES)}
    employees = sorted(chosen, key=lambda employee_id: (names.get(employee_id, "").casefold(), employee_id))
    rows = [(employee_id, dialog_id) for employee_id in employees for dialog_id in chosen[employee_id]]
    for first in range(0, len(rows), _ROWS_A_STATEMENT):
        values: list[str] = []
        params: dict[str, int] = {}
        for position, (employee_id, dialog_id) in enumerate(rows[first : first + _ROWS_A_STATEMENT], first):
            values.append(f"(:w{position}, :p{position}, :d{position}, :e{position})")
            params |= {f"w{position}": code, f"p{position}": position}
            params |= {f"d{position}": dialog_id, f"e{position}": employee_id}
        run_sql(connection, _ENTRIES_INTO + ", ".join(values), params)
