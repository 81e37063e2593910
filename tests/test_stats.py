"""The statistics tables and the analytics against a real SQLite file: every figure is checked against a
count made here in Python, from the records or from the dialogs table, with zoneinfo's own local times."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, delete, func, select, text

from bot.cli import main
from db import analytics, importer
from db.analytics import ChannelStats, ClientStats, EmployeeStats
from db.counters import REVISION
from db.engine import Database
from db.importer import store_records
from db.models import Counter as CounterRow
from db.models import DailyStats, Dialog, DurationStats, Employee, HourlyStats, ResponseStats, StatsZone
from db.periods import previous_days, utc_bounds
from db.records import DialogRecord, MessageRecord
from db.responses import NO_TRANSCRIPT, UNANSWERED, is_figure
from db.stats import (
    DAY_BUCKET,
    bucket_middle_s,
    bucket_of,
    count_dialogs,
    ensure_stats,
    local_day,
    rebuild_stats,
    refresh_days,
)
from tests.databases import migrated_database

MOSCOW = ZoneInfo("Europe/Moscow")
BERLIN = ZoneInfo("Europe/Berlin")  # DST: 2026-03-29 02:00 → 03:00, 2026-10-25 03:00 → 02:00

CHANNELS = ("whatsapp", "telegram", "email", "vk")
EMPLOYEES = ("Анна Смирнова", "Борис Ким", "Вера Лебедева", "Глеб Орлов", "Дарья Юн")
NAMES = ("Иван Петров", "Мария Соколова", "Jessica Davies", None)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def dialog(
    source_id: str,
    completed_at: datetime,
    *,
    channel: str = "whatsapp",
    employee: str | None = "Анна Смирнова",
    duration: int | None = 600,
    messages: int = 5,
    phone: str | None = "+79160000001",
    name: str | None = "Иван Петров",
) -> DialogRecord:
    return DialogRecord(
        source_id=source_id,
        client_name=name,
        client_phone=phone,
        channel=channel,
        completed_by=employee,
        started_at=None if duration is None else completed_at - timedelta(seconds=duration),
        completed_at=completed_at,
        message_count=messages,
        messages=None,
    )


def random_dialogs(count: int, seed: int, first: datetime, days: int) -> list[DialogRecord]:
    """Varied dialogs: skewed phones (so that some clients are busy), no employee or no start time now and
    then, durations across every bucket step and a few negative ones (bad data); transcripts with first
    responses across the bucket steps, never answered, or none."""
    rng = random.Random(seed)
    talks = random.Random(seed + 1)  # apart: the other columns stay as they were
    records = []
    for number in range(count):
        completed = first + timedelta(seconds=rng.randrange(days * 86400))
        duration = rng.choice(
            [rng.randrange(0, 3600), rng.randrange(3600, 10800), rng.randrange(10800, 86400), 90000, -300]
        )
        phone_number = int(rng.paretovariate(1.2)) % 70
        records.append(
            dialog(
                f"r{number}",
                completed,
                channel=rng.choice(CHANNELS),
                employee=None if rng.random() < 0.1 else rng.choice(EMPLOYEES),
                duration=None if rng.random() < 0.1 else duration,
                messages=rng.randrange(0, 60),
                phone=None if rng.random() < 0.05 else f"+7916{phone_number:07d}",
                name=rng.choice(NAMES),
            )
        )
        records[-1] = replace(records[-1], messages=conversation(talks, completed))
    return records


def conversation(rng: random.Random, completed: datetime) -> tuple[MessageRecord, ...] | None:
    """None (no transcript) now and then; else a client's question answered after a random while, or not."""
    if rng.random() < 0.2:
        return None
    asked = completed - timedelta(hours=30)
    lines = [MessageRecord(asked, "client", None, "?")]
    if rng.random() < 0.9:
        response = rng.choice(
            [rng.randrange(0, 3600), rng.randrange(3600, 10800), rng.randrange(10800, 100000)]
        )
        lines.append(MessageRecord(asked + timedelta(seconds=response), "employee", None, "!"))
    return tuple(lines)


# --- What the statistics should be, counted here ---------------------------------------------------------


def direct_counts(connection: Connection, zone: ZoneInfo) -> dict[str, dict[Any, Any]]:
    """The three tables' rows as they should be, from the dialogs table itself."""
    daily: defaultdict[Any, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    hourly: Counter[Any] = Counter()
    durations: Counter[Any] = Counter()
    responses: Counter[Any] = Counter()
    rows = connection.execute(
        select(
            Dialog.completed_at,
            Dialog.started_at,
            Dialog.channel,
            Dialog.employee_id,
            Dialog.message_count,
            Dialog.first_response,
        )
    )
    for completed, started, channel, employee_id, messages, first_response in rows:
        local = completed.replace(tzinfo=UTC).astimezone(zone)
        totals = daily[local.date(), channel, employee_id or 0]
        totals[0] += 1
        totals[1] += messages
        hourly[local.date(), local.hour] += 1
        if started is not None:
            seconds = max(0, int((completed - started).total_seconds()))
            totals[2] += seconds
            totals[3] += 1
            durations[local.date(), employee_id or 0, bucket_of(seconds)] += 1
        if is_figure(first_response):
            responses[local.date(), employee_id or 0, bucket_of(first_response)] += 1
    return {
        "daily": {key: tuple(value) for key, value in daily.items()},
        "hourly": dict(hourly),
        "duration": dict(durations),
        "response": dict(responses),
    }


def stored_counts(connection: Connection) -> dict[str, dict[Any, Any]]:
    daily = connection.execute(
        select(
            DailyStats.day,
            DailyStats.channel,
            DailyStats.employee_id,
            DailyStats.dialogs,
            DailyStats.messages,
            DailyStats.duration_s,
            DailyStats.timed,
        )
    )
    hourly = connection.execute(select(HourlyStats.day, HourlyStats.hour, HourlyStats.dialogs))
    durations = connection.execute(
        select(DurationStats.day, DurationStats.employee_id, DurationStats.bucket, DurationStats.dialogs)
    )
    responses = connection.execute(
        select(ResponseStats.day, ResponseStats.employee_id, ResponseStats.bucket, ResponseStats.dialogs)
    )
    return {
        "daily": {(day, channel, employee): tuple(rest) for day, channel, employee, *rest in daily},
        "hourly": {(day, hour): dialogs for day, hour, dialogs in hourly},
        "duration": {(day, employee, bucket): dialogs for day, employee, bucket, dialogs in durations},
        "response": {(day, employee, bucket): dialogs for day, employee, bucket, dialogs in responses},
    }


def assert_stats_match(database: Database, zone: ZoneInfo) -> None:
    assert database.run(stored_counts) == database.run(direct_counts, zone)
    assert database.run(lambda connection: connection.scalar(select(StatsZone.name))) == zone.key


def revision(database: Database) -> int:
    return database.run(
        lambda connection: connection.scalar(select(CounterRow.value).where(CounterRow.name == REVISION)) or 0
    )


# --- Duration buckets ----------------------------------------------------------------------------------


def test_duration_buckets_follow_the_steps() -> None:
    assert [bucket_of(s) for s in (-300, 0, 59, 60, 3599)] == [0, 0, 0, 1, 59]
    assert [bucket_of(s) for s in (3600, 3899, 3900, 10799)] == [60, 60, 61, 83]
    assert [bucket_of(s) for s in (10800, 12599, 12600, 86399)] == [84, 84, 85, 125]
    assert [bucket_of(s) for s in (86400, 10**7)] == [DAY_BUCKET] * 2
    assert DAY_BUCKET == 126
    assert [bucket_middle_s(b) for b in (0, 59, 60, 83, 84, 125, 126)] == [
        30,
        59 * 60 + 30,
        3600 + 150,
        10800 - 150,
        10800 + 900,
        86400 - 900,
        86400,
    ]
    for bucket in range(DAY_BUCKET + 1):
        assert bucket_of(bucket_middle_s(bucket)) == bucket
    with pytest.raises(ValueError):
        bucket_middle_s(DAY_BUCKET + 1)


# --- Keeping the statistics --------------------------------------------------------------------------


def test_an_import_counts_the_statistics_of_its_days(database: Database) -> None:
    records = random_dialogs(400, 1, utc(2026, 10, 1), 40)
    store_records(database.sync_engine, records, zone=BERLIN)
    assert_stats_match(database, BERLIN)
    assert database.run(count_dialogs, days=None, channel=None, employee_id=None) == 400


def test_a_reimport_moves_dialogs_to_another_day_channel_and_employee(database: Database) -> None:
    first = [
        dialog("a", utc(2026, 11, 1, 10)),
        dialog("b", utc(2026, 11, 1, 11), channel="email", employee=None),
        dialog("c", utc(2026, 11, 2, 9), employee="Борис Ким", duration=None),
    ]
    store_records(database.sync_engine, first, zone=MOSCOW)
    moved = [
        replace(first[0], completed_at=utc(2026, 11, 5, 10), started_at=utc(2026, 11, 5, 8)),
        replace(first[1], channel="vk", completed_by="Борис Ким"),
        replace(first[2], completed_by=None, started_at=utc(2026, 11, 2, 8, 59, 30)),
    ]
    store_records(database.sync_engine, moved, zone=MOSCOW)
    assert_stats_match(database, MOSCOW)
    days = database.run(lambda c: sorted(set(c.scalars(select(DailyStats.day)))))
    assert days == [date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 5)]
    assert database.run(count_dialogs, days=None, channel="email", employee_id=None) == 0
    assert database.run(count_dialogs, days=None, channel=None, employee_id=0) == 1


def test_each_batch_counts_its_days_in_its_own_transaction(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    seen: list[int] = []

    def records() -> Iterator[DialogRecord]:
        for number in range(6):
            if number and number % 2 == 0:  # the batch before this record is stored
                seen.append(database.run(count_dialogs, days=None, channel=None, employee_id=None))
            yield dialog(f"d{number}", utc(2026, 11, 1 + number, 12))

    store_records(database.sync_engine, records(), zone=MOSCOW)
    assert seen == [2, 4]
    assert_stats_match(database, MOSCOW)


def test_batches_of_many_days_keep_the_statistics_right_as_they_go(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 50)
    store_records(database.sync_engine, random_dialogs(200, 2, utc(2026, 9, 1), 60), zone=MOSCOW)
    assert_stats_match(database, MOSCOW)
    # the same ids again, moved to other days, channels and employees: each batch takes their old part
    # away and adds the new one; days and rows left with nothing are gone
    store_records(database.sync_engine, random_dialogs(200, 3, utc(2026, 10, 1), 60), zone=MOSCOW)
    assert_stats_match(database, MOSCOW)
    assert database.run(lambda c: c.scalar(select(func.count()).where(DailyStats.dialogs <= 0))) == 0


def test_an_interrupted_import_leaves_the_statistics_of_what_it_stored(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BATCH_SIZE", 50)
    records = random_dialogs(200, 4, utc(2026, 9, 1), 60)

    def interrupted() -> Iterator[DialogRecord]:
        yield from records[:120]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store_records(database.sync_engine, interrupted(), zone=MOSCOW)
    assert database.run(count_dialogs, days=None, channel=None, employee_id=None) == 100
    assert_stats_match(database, MOSCOW)
    assert revision(database) >= 1  # the archive did change: kept totals and cached counts count again


def test_a_bulk_load_counts_the_statistics_once_at_its_end(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "BULK_MIN_DIALOGS", 100)
    monkeypatch.setattr(importer, "BATCH_SIZE", 64)
    refreshed: list[object] = []
    monkeypatch.setattr(importer, "count_batch", lambda *args: refreshed.append(args))
    store_records(
        database.sync_engine, random_dialogs(500, 7, utc(2026, 6, 1), 120), zone=BERLIN, expected=500
    )
    assert refreshed == []  # no batch counted anything: the rebuild did
    assert_stats_match(database, BERLIN)
    assert revision(database) == 1


def test_every_import_that_stored_something_adds_one_to_the_revision(database: Database) -> None:
    assert revision(database) == 0
    store_records(database.sync_engine, [dialog("a", utc(2026, 11, 1, 10))], zone=MOSCOW)
    store_records(database.sync_engine, [dialog("a", utc(2026, 11, 1, 10))], zone=MOSCOW)
    assert revision(database) == 2
    store_records(database.sync_engine, [], zone=MOSCOW)
    assert revision(database) == 2


def test_a_dialog_late_in_the_utc_evening_counts_on_the_next_moscow_day(database: Database) -> None:
    store_records(
        database.sync_engine,
        [dialog("late", utc(2026, 11, 20, 21, 30)), dialog("early", utc(2026, 11, 20, 20, 59))],
        zone=MOSCOW,
    )
    assert_stats_match(database, MOSCOW)
    assert database.run(count_dialogs, days=(date(2026, 11, 21),) * 2, channel=None, employee_id=None) == 1
    assert database.run(count_dialogs, days=(date(2026, 11, 20),) * 2, channel=None, employee_id=None) == 1
    hours = database.run(analytics.hourly_counts, date(2026, 11, 20), date(2026, 11, 21))
    assert (hours[0], hours[23]) == (1, 1)


def test_local_hours_follow_summer_time(database: Database) -> None:
    records = [
        dialog("spring", utc(2026, 3, 29, 1, 30)),  # 03:30 CEST: 02:00-03:00 does not exist that day
        dialog("fall-summer", utc(2026, 10, 25, 0, 30)),  # 02:30 CEST
        dialog("fall-winter", utc(2026, 10, 25, 1, 30)),  # 02:30 CET, the same hour again
        dialog("across", utc(2026, 10, 25, 1, 10), duration=20 * 60),  # 00:50 → 01:10 UTC: 20 minutes
        dialog("midnight", utc(2026, 10, 24, 22, 0)),  # 00:00 CEST on the 25th
    ]
    store_records(database.sync_engine, records, zone=BERLIN)
    assert_stats_match(database, BERLIN)
    fall = database.run(analytics.hourly_counts, date(2026, 10, 25), date(2026, 10, 25))
    assert (fall[0], fall[2]) == (1, 3)
    spring = database.run(analytics.hourly_counts, date(2026, 3, 29), date(2026, 3, 29))
    assert (spring[2], spring[3]) == (0, 1)
    buckets = database.run(
        lambda c: c.execute(
            select(DurationStats.bucket, DurationStats.dialogs)
            .where(DurationStats.day == date(2026, 10, 25))
            .order_by(DurationStats.bucket)
        ).all()
    )
    assert buckets == [(10, 3), (20, 1)]


@pytest.mark.parametrize(
    ("zone", "around"),
    [
        ("Europe/Berlin", utc(2026, 10, 25)),
        ("Europe/Berlin", utc(2026, 3, 29)),
        ("America/Santiago", utc(2026, 4, 5)),  # clocks turn back at midnight
        ("America/Santiago", utc(2026, 9, 6)),  # and forward at midnight: no 00:00
        ("Asia/Kolkata", utc(2026, 11, 20)),  # half an hour off UTC
        ("Australia/Lord_Howe", utc(2026, 4, 5)),  # a half-hour shift
        # until 2011 clocks turned back at 00:01 to 23:01: for an hour the wall shows the day before,
        # yet the new day has begun (its 00:00 came); astimezone alone would say the day before
        ("America/St_Johns", utc(2010, 11, 7)),
    ],
)
def test_the_local_day_of_a_moment_is_the_day_whose_bounds_hold_it(zone: str, around: datetime) -> None:
    tz = ZoneInfo(zone)
    for quarter in range(-4 * 48, 4 * 48):
        moment = (around + timedelta(minutes=15 * quarter)).replace(tzinfo=None)
        day = local_day(moment, tz)
        start, end = utc_bounds(day, day, tz)
        assert start <= moment < end, (zone, moment, day)


def test_ensure_stats_counts_again_in_another_zone_and_only_then(database: Database) -> None:
    store_records(database.sync_engine, [dialog("late", utc(2026, 11, 20, 21, 30))], zone=MOSCOW)
    assert database.run(ensure_stats, MOSCOW) is False
    assert database.run(ensure_stats, ZoneInfo("UTC")) is True
    assert_stats_match(database, ZoneInfo("UTC"))
    assert database.run(count_dialogs, days=(date(2026, 11, 20),) * 2, channel=None, employee_id=None) == 1
    assert database.run(ensure_stats, ZoneInfo("UTC")) is False


def test_ensure_stats_counts_an_archive_that_has_dialogs_but_no_statistics(database: Database) -> None:
    """As after migration 0004 on an archive imported before it."""
    store_records(database.sync_engine, random_dialogs(50, 8, utc(2026, 9, 1), 10), zone=MOSCOW)

    def forget(connection: Connection) -> None:
        for model in (DailyStats, HourlyStats, DurationStats, StatsZone):
            connection.execute(delete(model))

    database.run(forget)
    assert database.run(ensure_stats, MOSCOW) is True
    assert_stats_match(database, MOSCOW)


def test_refresh_days_counts_only_the_days_it_is_given(database: Database) -> None:
    store_records(
        database.sync_engine,
        [dialog("a", utc(2026, 11, 1, 10)), dialog("b", utc(2026, 11, 2, 10))],
        zone=MOSCOW,
    )
    database.run(lambda c: c.execute(text("UPDATE dialogs SET channel = 'vk'")))
    database.run(refresh_days, MOSCOW, {date(2026, 11, 2)})
    channels = database.run(lambda c: c.execute(select(DailyStats.day, DailyStats.channel)).all())
    assert sorted(channels) == [(date(2026, 11, 1), "whatsapp"), (date(2026, 11, 2), "vk")]
    database.run(rebuild_stats, MOSCOW)
    assert_stats_match(database, MOSCOW)


def test_the_commands_count_the_statistics_in_the_configured_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'dialogs.db'}")
    monkeypatch.setenv("TIMEZONE", "Asia/Novosibirsk")
    assert main(["demo-data", "--dialogs", "60", "--no-transcripts", "--until", "2026-11-24"]) == 0
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'dialogs.db'}")
    assert_stats_match(database, ZoneInfo("Asia/Novosibirsk"))
    monkeypatch.setenv("TIMEZONE", "Europe/Moscow")
    assert main(["migrate"]) == 0
    assert "Counted the statistics in Europe/Moscow" in capsys.readouterr().out
    assert_stats_match(database, MOSCOW)
    database.sync_engine.dispose()


# --- Counting for the list's filters -------------------------------------------------------------------


@pytest.fixture(scope="module")
def records() -> list[DialogRecord]:
    return random_dialogs(1500, 11, utc(2026, 9, 1), 70)  # across the end of summer time in Berlin


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, records: list[DialogRecord]) -> Iterator[Database]:
    database = migrated_database(tmp_path_factory.mktemp("stats"))
    store_records(database.sync_engine, records, zone=BERLIN)
    yield database
    database.sync_engine.dispose()


def employee_ids(database: Database) -> dict[str | None, int]:
    found = database.run(lambda c: c.execute(select(Employee.name, Employee.id)).all())
    return {None: 0, **dict(found)}


def local_date(record: DialogRecord) -> date:
    return record.completed_at.astimezone(BERLIN).date()


def in_days(records: Sequence[DialogRecord], first: date, last: date) -> list[DialogRecord]:
    return [record for record in records if first <= local_date(record) <= last]


PERIODS = [
    (date(2026, 9, 1), date(2026, 11, 9)),  # all of it
    (date(2026, 10, 25), date(2026, 10, 25)),  # the day of 25 hours
    (date(2026, 10, 1), date(2026, 10, 31)),
    (date(2026, 9, 10), date(2026, 9, 16)),
    (date(2026, 11, 9), date(2026, 11, 30)),  # the archive's last day, then none
    (date(2026, 1, 1), date(2026, 8, 31)),  # before it
]


@pytest.mark.parametrize("days", [None, *PERIODS])
@pytest.mark.parametrize("channel", [None, "email", "fax"])
@pytest.mark.parametrize("employee", ["any", None, "Борис Ким"])
def test_count_dialogs_for_every_combination_of_filters(
    archive: Database,
    records: list[DialogRecord],
    days: tuple[date, date] | None,
    channel: str | None,
    employee: str | None,
) -> None:
    expected = sum(
        1
        for record in records
        if (days is None or days[0] <= local_date(record) <= days[1])
        and (channel is None or record.channel == channel)
        and (employee == "any" or record.completed_by == employee)
    )
    employee_id = None if employee == "any" else employee_ids(archive)[employee]
    assert archive.run(count_dialogs, days=days, channel=channel, employee_id=employee_id) == expected


# --- The analytics -------------------------------------------------------------------------------------


def duration_of(record: DialogRecord) -> int | None:
    if record.started_at is None:
        return None
    return max(0, int((record.completed_at - record.started_at).total_seconds()))


def first_response(record: DialogRecord) -> int:
    """As the transcript was written by `conversation`: its answer's delay, or not a figure."""
    messages = record.messages
    if messages is None:
        return NO_TRANSCRIPT
    if len(messages) < 2:
        return UNANSWERED
    return int((messages[1].at - messages[0].at).total_seconds())


@pytest.mark.parametrize(("first", "last"), PERIODS)
def test_employee_stats_are_the_counts_and_medians_of_the_dialogs(
    archive: Database, records: list[DialogRecord], first: date, last: date
) -> None:
    ids = employee_ids(archive)
    chosen = in_days(records, first, last)
    expected = []
    for name in {record.completed_by for record in chosen}:
        own = [record for record in chosen if record.completed_by == name]
        durations = sorted(d for d in (duration_of(record) for record in own) if d is not None)
        median = bucket_middle_s(bucket_of(durations[(len(durations) - 1) // 2])) if durations else None
        per_channel = Counter(record.channel for record in own)
        channels = tuple(sorted(per_channel.items(), key=lambda pair: (-pair[1], pair[0])))
        messages = sum(record.message_count for record in own)
        # the first responses of the answered, at nearest rank: the lower middle, and 90 % of the way
        answered = sorted(r for r in (first_response(record) for record in own) if is_figure(r))
        ranks = [max(math.ceil(share * len(answered)), 1) - 1 for share in (0.5, 0.9)]
        median_response, p90_response = (
            (bucket_middle_s(bucket_of(answered[rank])) for rank in ranks) if answered else (None, None)
        )
        expected.append(
            EmployeeStats(
                ids[name],
                name,
                len(own),
                messages,
                median,
                channels,
                response_median_s=median_response,
                response_p90_s=p90_response,
            )
        )
    expected.sort(key=lambda row: (-row.dialogs, row.name is None, row.name or ""))
    assert archive.run(analytics.employee_stats, first, last) == expected


def test_the_median_is_the_lower_middle_dialogs_bucket(database: Database) -> None:
    records = [
        dialog("a", utc(2026, 11, 1, 10), duration=30),  # bucket 0
        dialog("b", utc(2026, 11, 1, 11), duration=150),  # bucket 2
        dialog("c", utc(2026, 11, 1, 12), duration=4000),  # bucket 61
        dialog("d", utc(2026, 11, 1, 13), duration=None),
    ]
    store_records(database.sync_engine, records[:2], zone=MOSCOW)
    [row] = database.run(analytics.employee_stats, date(2026, 11, 1), date(2026, 11, 1))
    assert row.median_duration_s == 30
    store_records(database.sync_engine, records[2:], zone=MOSCOW)
    [row] = database.run(analytics.employee_stats, date(2026, 11, 1), date(2026, 11, 1))
    assert (row.dialogs, row.median_duration_s) == (4, 150)


@pytest.mark.parametrize(("first", "last"), PERIODS)
def test_channel_stats_compare_with_the_period_just_before(
    archive: Database, records: list[DialogRecord], first: date, last: date
) -> None:
    now = Counter(record.channel for record in in_days(records, first, last))
    before = Counter(record.channel for record in in_days(records, *previous_days(first, last)))
    expected = [
        ChannelStats(channel, now[channel], before[channel]) for channel in now.keys() | before.keys()
    ]
    expected.sort(key=lambda row: (-row.dialogs, -row.previous, row.channel))
    assert archive.run(analytics.channel_stats, first, last) == expected


@pytest.mark.parametrize(("first", "last"), PERIODS)
def test_hourly_counts_are_local_hours(
    archive: Database, records: list[DialogRecord], first: date, last: date
) -> None:
    hours = Counter(record.completed_at.astimezone(BERLIN).hour for record in in_days(records, first, last))
    assert archive.run(analytics.hourly_counts, first, last) == [hours[hour] for hour in range(24)]


def test_daily_counts_have_every_day_from_the_archives_first(
    archive: Database, records: list[DialogRecord]
) -> None:
    per_day = Counter(local_date(record) for record in records)
    first_day = min(per_day)
    assert first_day == date(2026, 9, 1)

    def expected(first: date, last: date) -> list[tuple[date, int]]:
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        return [(day, per_day[day]) for day in days]

    assert archive.run(analytics.daily_counts, date(2026, 9, 10), date(2026, 10, 30)) == expected(
        date(2026, 9, 10), date(2026, 10, 30)
    )
    # a period from long before the archive starts on its first day; the days after its last are zeros
    counts = archive.run(analytics.daily_counts, date(2020, 1, 1), date(2026, 11, 30))
    assert counts == expected(first_day, date(2026, 11, 30))
    assert counts[-1] == (date(2026, 11, 30), 0)
    assert archive.run(analytics.daily_counts, date(2026, 1, 1), date(2026, 8, 31)) == []


def test_daily_counts_of_an_empty_archive_are_empty(database: Database) -> None:
    assert database.run(analytics.daily_counts, date(2026, 11, 1), date(2026, 11, 7)) == []
    assert database.run(analytics.hourly_counts, date(2026, 11, 1), date(2026, 11, 7)) == [0] * 24
    assert database.run(analytics.top_clients, date(2026, 11, 1), date(2026, 11, 7), MOSCOW) == []


def expected_top(records: Sequence[DialogRecord], first: date, last: date, limit: int) -> list[ClientStats]:
    chosen = [record for record in in_days(records, first, last) if record.client_phone]
    counts = Counter(record.client_phone for record in chosen)
    latest = {}
    for record in sorted(chosen, key=lambda record: record.completed_at):
        latest[record.client_phone] = record.client_name
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [ClientStats(0, phone, latest[phone], dialogs) for phone, dialogs in top if phone]


def without_ids(rows: list[ClientStats]) -> list[ClientStats]:
    return [replace(row, phone_id=0) for row in rows]


def choose_way(monkeypatch: pytest.MonkeyPatch, way: str) -> list[bool]:
    """Makes `top_clients` group or walk; the list returned gets a True for each walk it finished."""
    monkeypatch.setattr(analytics, "TOP_CLIENTS_GROUP_LIMIT", 10**9 if way == "group" else 0)
    monkeypatch.setattr(analytics, "WALK_PHONES_PER_DIALOG", 10**9)  # never give the walk up
    walked: list[bool] = []
    walk = analytics._top_by_walking

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = walk(*args, **kwargs)
        walked.append(found is not None)
        return found

    monkeypatch.setattr(analytics, "_top_by_walking", spy)
    return walked


@pytest.mark.parametrize("way", ["group", "walk"])
@pytest.mark.parametrize(("first", "last"), PERIODS)
@pytest.mark.parametrize("limit", [3, 10])
def test_top_clients_either_way(
    archive: Database,
    records: list[DialogRecord],
    monkeypatch: pytest.MonkeyPatch,
    way: str,
    first: date,
    last: date,
    limit: int,
) -> None:
    walked = choose_way(monkeypatch, way)
    found = archive.run(analytics.top_clients, first, last, BERLIN, limit)
    assert without_ids(found) == expected_top(records, first, last, limit)
    assert walked == ([True] if way == "walk" and found else [])
    phones: dict[int, str] = archive.run(
        lambda c: dict(c.execute(text("SELECT id, e164 FROM client_phones")).all())
    )
    assert all(phones[row.phone_id] == row.phone for row in found)


def test_a_long_period_takes_the_walk_and_a_walk_too_long_groups_instead(
    archive: Database, records: list[DialogRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analytics, "TOP_CLIENTS_GROUP_LIMIT", 500)
    grouped: list[object] = []
    group = analytics._top_by_grouping

    def spy(*args: Any) -> Any:
        grouped.append(args)
        return group(*args)

    monkeypatch.setattr(analytics, "_top_by_grouping", spy)
    first, last = PERIODS[0]
    assert without_ids(archive.run(analytics.top_clients, first, last, BERLIN)) == expected_top(
        records, first, last, 10
    )
    assert grouped == []  # the busiest phones of all time are the busiest of the whole archive
    monkeypatch.setattr(analytics, "WALK_PHONES_PER_DIALOG", 0)  # no phone may be walked
    assert without_ids(archive.run(analytics.top_clients, first, last, BERLIN)) == expected_top(
        records, first, last, 10
    )
    assert len(grouped) == 1


@pytest.mark.parametrize("way", ["group", "walk"])
def test_top_clients_break_ties_by_phone_and_name_the_latest_dialog(
    database: Database, monkeypatch: pytest.MonkeyPatch, way: str
) -> None:
    day = utc(2026, 11, 10, 9)
    records = [
        dialog("1", day, phone="+79160000003", name="Старое имя"),
        dialog("2", day + timedelta(hours=2), phone="+79160000003", name=None),
        dialog("3", day + timedelta(hours=1), phone="+79160000003", name="Новое имя"),
        dialog("4", day, phone="+79160000002", name="Б"),
        dialog("5", day + timedelta(hours=3), phone="+79160000002", name="Б"),
        dialog("6", day, phone="+79160000001", name="А"),
        dialog("7", day + timedelta(hours=4), phone="+79160000001", name="А"),
        dialog("8", day + timedelta(days=1), phone="+79160000001", name="А"),  # the next day
        dialog("9", day, phone=None, name="Без телефона"),
        dialog("10", day + timedelta(minutes=5), phone=None, name="Без телефона"),
        dialog("11", day + timedelta(minutes=6), phone=None, name="Без телефона"),
        dialog("12", day + timedelta(days=-1), phone="+79160000009", name="Раньше"),
        dialog("13", day + timedelta(days=-1, hours=1), phone="+79160000009", name="Раньше"),
        dialog("14", day + timedelta(days=-1, hours=2), phone="+79160000009", name="Раньше"),
    ]
    store_records(database.sync_engine, records, zone=MOSCOW)
    walked = choose_way(monkeypatch, way)
    top = database.run(analytics.top_clients, date(2026, 11, 10), date(2026, 11, 10), MOSCOW, 2)
    # +79160000002 has as many dialogs as +79160000001 but comes after it
    assert [(row.phone, row.name, row.dialogs) for row in top] == [
        ("+79160000003", None, 3),
        ("+79160000001", "А", 2),
    ]
    assert walked == ([True] if way == "walk" else [])


def test_a_reimport_keeps_the_response_times_without_a_transcript_and_moves_them_with_one(
    database: Database,
) -> None:
    """A dialog sent again without its transcript keeps the stored one (`db.importer`), and its figures;
    sent with another, its figures and its part of `response_stats` follow."""
    asked = utc(2026, 11, 1, 9)
    answered_in = (
        MessageRecord(asked, "client", None, "?"),
        MessageRecord(asked + timedelta(seconds=120), "employee", None, "!"),
    )
    first = replace(dialog("a", utc(2026, 11, 1, 10)), messages=answered_in)
    store_records(database.sync_engine, [first], zone=MOSCOW)

    def figures(connection: Connection) -> tuple[int, int]:
        first_response, longest_wait = connection.execute(
            select(Dialog.first_response, Dialog.longest_wait)
        ).one()
        return first_response, longest_wait

    assert database.run(figures) == (120, 120)
    store_records(database.sync_engine, [replace(first, messages=None, channel="vk")], zone=MOSCOW)
    assert database.run(figures) == (120, 120)
    assert_stats_match(database, MOSCOW)
    slower = (answered_in[0], MessageRecord(asked + timedelta(seconds=4000), "employee", None, "!"))
    store_records(database.sync_engine, [replace(first, messages=slower)], zone=MOSCOW)
    assert database.run(figures) == (4000, 4000)
    assert_stats_match(database, MOSCOW)
    store_records(database.sync_engine, [replace(first, messages=(answered_in[0],))], zone=MOSCOW)
    assert database.run(figures) == (UNANSWERED, UNANSWERED)
    assert_stats_match(database, MOSCOW)
    assert database.run(lambda c: c.scalar(select(func.count()).select_from(ResponseStats))) == 0
