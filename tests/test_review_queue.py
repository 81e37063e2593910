"""The review queue's sample and storage (issue 16, point 2), on a real archive (SQLite, and PostgreSQL under
`tests/with-servers`): each employee's share is exactly min(REVIEW_SAMPLE, their unmarked dialogs of the
week); within an employee every dialog is as likely (the sampling function alone, over many seeds); the
queue is a pure function of its stored seed and the week's dialogs, made once however many make it at once,
and unchanged by later imports; a dialog marked anywhere is done, one removed is skipped."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from db.engine import Database, run_sql
from db.importer import store_records
from db.periods import day_number
from db.records import DialogRecord
from db.review_queue import make_queue, queue_week, read_queue, sample, week_of_code
from db.reviews import mark_dialog
from tests.bot_harness import ZONE
from tests.conftest import run
from tests.databases import migrated_database

WEEK = date(2026, 11, 30)  # a Monday: the queue reviewed during the week of 07.12.2026
SIZE = 3


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A local time of the bot's TIMEZONE, as an import stores it (UTC)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def dialog(source_id: str, employee: str | None, completed: datetime) -> DialogRecord:
    return DialogRecord(
        source_id=source_id,
        client_name=f"Клиент {source_id}",
        client_phone=None,
        channel="whatsapp",
        completed_by=employee,
        started_at=None,
        completed_at=completed,
        message_count=2,
        messages=None,
    )


def week_dialogs() -> list[DialogRecord]:
    """Employees with 7, 2 and 3 dialogs in the week (one of Фёдор's marked before the queue is made);
    Олег's only outside it, at both edges; dialogs nobody completed; Monday 00:00 and Sunday 23:59 in."""
    sunday = WEEK + timedelta(days=6)
    records = [
        dialog(f"anna-{n}", "Анна Смирнова", at(WEEK + timedelta(days=n % 7), 10 + n)) for n in range(7)
    ]
    records += [
        dialog("boris-1", "Борис Ким", at(WEEK, 0, 0)),  # the week's first minute
        dialog("boris-2", "Борис Ким", at(sunday, 23, 59)),  # its last
        dialog("fedor-1", "Фёдор Орлов", at(WEEK + timedelta(days=1), 9)),
        dialog("fedor-2", "Фёдор Орлов", at(WEEK + timedelta(days=2), 9)),
        dialog("fedor-marked", "Фёдор Орлов", at(WEEK + timedelta(days=3), 9)),
        dialog("oleg-before", "Олег Петров", at(WEEK - timedelta(days=1), 23, 59)),  # the week before
        dialog("oleg-after", "Олег Петров", at(WEEK + timedelta(days=7), 0, 0)),  # the week after
        dialog("nobody-1", None, at(WEEK + timedelta(days=2), 12)),
    ]
    return records


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = migrated_database(tmp_path)
    store_records(database.sync_engine, week_dialogs(), zone=ZONE)
    database.run(mark_dialog, ids_of(database)["fedor-marked"], 4, 2001, "Ольга")
    yield database
    database.sync_engine.dispose()


def rows(database: Database, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    return database.run(lambda connection: [tuple(row) for row in run_sql(connection, sql, params)])


def ids_of(database: Database) -> dict[str, int]:
    return {source: int(id_) for id_, source in rows(database, "SELECT id, source_id FROM dialogs")}


def source_of(database: Database) -> dict[int, str]:
    return {id_: source for source, id_ in ids_of(database).items()}


# --- the sampling function -----------------------------------------------------------------------------


def test_each_employee_gets_exactly_min_of_the_size_and_their_dialogs() -> None:
    dialogs = [(1, n) for n in range(100, 110)] + [(2, 200), (2, 201)] + [(3, 300)]
    for size in (1, 2, 3, 10, 50):
        chosen = sample(12345, dialogs, size)
        assert {employee: len(ids) for employee, ids in chosen.items()} == {
            1: min(size, 10),
            2: min(size, 2),
            3: 1,
        }
        assert set(chosen[1]) <= set(range(100, 110))
        assert chosen[1] == sorted(set(chosen[1]))  # no dialog twice
    with pytest.raises(ValueError):
        sample(1, dialogs, 0)


def test_the_sample_is_a_function_of_the_seed_and_the_set_whatever_its_order() -> None:
    dialogs = [(employee, employee * 1000 + n) for employee in (1, 2, 3) for n in range(30)]
    first = sample(987654321, dialogs, 3)
    assert sample(987654321, list(reversed(dialogs)), 3) == first
    assert sample(987654321, sorted(dialogs, key=lambda pair: pair[1] % 7), 3) == first
    assert any(sample(seed, dialogs, 3) != first for seed in range(5))  # another seed, another sample


def test_every_dialog_of_an_employee_is_as_likely_over_many_seeds() -> None:
    """Twelve dialogs, three drawn: each should come up 1/4 of the time. Over 4000 seeds a count is
    1000 ± 27 (one standard deviation); ±15 % is over five of them."""
    dialogs = [(7, dialog_id) for dialog_id in range(500, 512)] + [(8, 900), (8, 901)]
    seeds = 4000
    picked: Counter[int] = Counter()
    for seed in range(seeds):
        picked.update(sample(seed * 7919 + 13, dialogs, 3)[7])
    expected = seeds * 3 / 12
    assert set(picked) == set(range(500, 512))
    for dialog_id, count in picked.items():
        assert abs(count - expected) < 0.15 * expected, (dialog_id, count)


def test_the_week_reviewed_is_the_full_week_before() -> None:
    assert queue_week(date(2026, 12, 7)) == WEEK  # a Monday: last week
    assert queue_week(date(2026, 12, 13)) == WEEK  # the Sunday after
    assert queue_week(date(2026, 12, 14)) == date(2026, 12, 7)
    assert day_number(WEEK) == 20261130 and week_of_code(20261130) == WEEK
    assert week_of_code(20261201) is None  # a Tuesday: forged
    assert week_of_code(20261340) is None and week_of_code(0) is None


# --- the stored queue ----------------------------------------------------------------------------------


def queue_sources(database: Database) -> list[tuple[str, str, bool]]:
    queue = database.run(read_queue, WEEK)
    assert queue is not None
    sources = source_of(database)
    return [(entry.employee, sources[entry.dialog_id], entry.done) for entry in queue.entries]


def test_the_week_queue_takes_each_employees_share_of_that_week_only(database: Database) -> None:
    queue = database.run(make_queue, WEEK, SIZE, ZONE)
    assert queue.week == WEEK and queue.sample_size == SIZE
    shares = Counter(entry.employee for entry in queue.entries)
    assert shares == {"Анна Смирнова": 3, "Борис Ким": 2, "Фёдор Орлов": 2}  # Олег had none that week
    listed = queue_sources(database)
    assert [employee for employee, _, _ in listed] == sorted(employee for employee, _, _ in listed)
    assert {source for employee, source, _ in listed if employee != "Анна Смирнова"} == {
        "boris-1",
        "boris-2",
        "fedor-1",
        "fedor-2",  # not the one marked already
    }
    assert all(source.startswith("anna-") for employee, source, _ in listed if employee == "Анна Смирнова")
    assert (queue.total, queue.left) == (7, 7)
    assert [(row.employee, row.done, row.total) for row in queue.progress()] == [
        ("Анна Смирнова", 0, 3),
        ("Борис Ким", 0, 2),
        ("Фёдор Орлов", 0, 2),
    ]


def test_the_stored_queue_is_the_sample_of_its_stored_seed(database: Database) -> None:
    queue = database.run(make_queue, WEEK, SIZE, ZONE)
    [(seed,)] = rows(database, "SELECT seed FROM review_weeks WHERE week = :w", w=day_number(WEEK))
    start, end = at(WEEK, 0).replace(tzinfo=None), at(WEEK + timedelta(days=7), 0).replace(tzinfo=None)
    week = rows(
        database,
        "SELECT employee_id, id FROM dialogs WHERE employee_id IS NOT NULL AND completed_at >= :s"
        " AND completed_at < :e AND id NOT IN (SELECT dialog_id FROM review_marks)",
        s=start,
        e=end,
    )
    redrawn = sample(int(seed), [(int(e), int(d)) for e, d in week], SIZE)
    assert sorted(entry.dialog_id for entry in queue.entries) == sorted(
        dialog_id for ids in redrawn.values() for dialog_id in ids
    )


def test_making_again_or_importing_later_changes_nothing(database: Database) -> None:
    first = database.run(make_queue, WEEK, SIZE, ZONE)
    seeds = rows(database, "SELECT week, seed FROM review_weeks")
    again = database.run(make_queue, WEEK, 5, ZONE)  # even with another REVIEW_SAMPLE
    assert again == first and rows(database, "SELECT week, seed FROM review_weeks") == seeds
    # dialogs of that week imported afterwards do not enter its queue
    late = [dialog(f"late-{n}", "Борис Ким", at(WEEK + timedelta(days=4), 8 + n)) for n in range(5)]
    store_records(database.sync_engine, late, zone=ZONE)
    assert database.run(read_queue, WEEK) == first


def test_two_makers_at_once_store_one_queue_and_see_the_same(database: Database) -> None:
    """Two handles of the same archive (two bot replicas) make the week's queue at the same moment, each
    with a seed of its own: one queue is stored, and both are given it."""
    other = Database(database.url.render_as_string(hide_password=False))
    start = threading.Barrier(2)
    made: list[Any] = [None, None]

    def make(index: int, handle: Database) -> None:
        start.wait()
        made[index] = handle.run(make_queue, WEEK, SIZE, ZONE)

    try:
        threads = [threading.Thread(target=make, args=pair) for pair in enumerate((database, other))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        other.sync_engine.dispose()
    assert made[0] is not None and made[0] == made[1]
    assert len(rows(database, "SELECT week FROM review_weeks")) == 1
    assert len(rows(database, "SELECT position FROM review_queue")) == 7


def test_a_mark_from_anywhere_is_done_and_a_removed_dialog_is_skipped(database: Database) -> None:
    queue = database.run(make_queue, WEEK, SIZE, ZONE)
    first, second = queue.entries[0].dialog_id, queue.entries[1].dialog_id
    database.run(mark_dialog, first, 5, 2001, "Ольга")
    marked = database.run(read_queue, WEEK)
    assert marked is not None and (marked.total, marked.left) == (7, 6)
    assert marked.next_after(0) == marked.entries[1] and marked.next_after(second) == marked.entries[2]
    last = marked.entries[-1].dialog_id
    assert marked.next_after(last) == marked.entries[1]  # round to the start, past the one marked
    rows(database, "DELETE FROM dialogs WHERE id = :id RETURNING id", id=second)
    skipped = database.run(read_queue, WEEK)
    assert skipped is not None and (skipped.total, skipped.left) == (6, 5)
    assert second not in [entry.dialog_id for entry in skipped.entries]
    for entry in skipped.entries[1:]:
        database.run(mark_dialog, entry.dialog_id, 3, 2001, "Ольга")
    done = database.run(read_queue, WEEK)
    assert done is not None and done.left == 0 and done.next_after(0) is None


def test_an_empty_week_is_stored_empty(database: Database) -> None:
    empty = date(2026, 10, 5)
    queue = database.run(make_queue, empty, SIZE, ZONE)
    assert queue.entries == () and (queue.total, queue.left) == (0, 0)
    assert database.run(read_queue, empty) == queue
    assert database.run(read_queue, date(2026, 10, 12)) is None  # never made


def test_review_sample_is_a_setting_of_at_least_one(
    workdir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert Settings().review_sample == 3
    monkeypatch.setenv("REVIEW_SAMPLE", "5")
    assert Settings().review_sample == 5
    for value in ("0", "-1", "три"):
        monkeypatch.setenv("REVIEW_SAMPLE", value)
        code, _out, err = run(capsys, "users", "list")
        assert code == 2 and len(err.strip().splitlines()) == 1 and "REVIEW_SAMPLE" in err, err
