"""The figures of the analytics screens, for local days `first`..`last` (inclusive).

Everything but the top clients adds up the statistics tables (`db.stats`): a year of a million-dialog
archive in ~0.2 s rather than ~9 s of counting its dialogs (`benchmarks.analytics`). The top clients
cannot be kept that way (hundreds of thousands of phones) and are counted from the dialogs, one of two
ways chosen by how many dialogs the period has (see `top_clients`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta, tzinfo
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Connection, Date, and_, bindparam, func, select, text, tuple_

from db.dialect import sql_of
from db.engine import run_sql
from db.models import ClientPhone, DailyStats, Dialog, DurationStats, Employee, HourlyStats, ResponseStats
from db.periods import Period, Span, previous_days, utc_bounds
from db.stats import bucket_middle_s

# Up to this many dialogs in the period, the top clients are counted by grouping the period's dialogs;
# beyond it, by walking the clients of most dialogs of all time (see `top_clients`).
TOP_CLIENTS_GROUP_LIMIT = 30_000
# Walking a phone costs about what grouping two dialogs does (~4 µs against ~2 µs at 1M dialogs): a walk
# may take up to this many phones per dialog of the period before grouping them is the cheaper way.
WALK_PHONES_PER_DIALOG = 0.5


@dataclass(frozen=True, slots=True)
class EmployeeStats:
    employee_id: int  # 0: the dialogs nobody was recorded to complete
    name: str | None
    dialogs: int
    messages: int
    median_duration_s: int | None  # None when none of the dialogs has a start time
    channels: tuple[tuple[str, int], ...] = ()  # (channel, dialogs), most first
    reviewed: int = 0  # «Качество»: how many of the dialogs a head marked (`db.reviews`)
    average_mark: float | None = None  # their average mark, 1–5; None when none is marked
    # the first response times of their answered dialogs (`db.responses`), to the duration bucket
    # (`db.stats`): the median and the 90th percentile; None when none was answered in a transcript
    response_median_s: int | None = None
    response_p90_s: int | None = None


@dataclass(frozen=True, slots=True)
class ChannelStats:
    channel: str
    dialogs: int
    previous: int  # in the period it is compared with (`db.periods.previous_span`)


@dataclass(frozen=True, slots=True)
class ClientStats:
    phone_id: int
    phone: str  # E.164
    name: str | None  # as in the client's latest dialog of the period
    dialogs: int


def employee_stats(connection: Connection, first: date, last: date) -> list[EmployeeStats]:
    """Everyone with dialogs in the period, most dialogs first, then by name (nobody's after names)."""
    totals: defaultdict[int, list[int]] = defaultdict(lambda: [0, 0])
    channels: defaultdict[int, list[tuple[str, int]]] = defaultdict(list)
    for employee_id, channel, dialogs, messages in connection.execute(
        select(
            DailyStats.employee_id,
            DailyStats.channel,
            func.sum(DailyStats.dialogs),
            func.sum(DailyStats.messages),
        )
        .where(DailyStats.day.between(first, last))
        .group_by(DailyStats.employee_id, DailyStats.channel)
    ):
        totals[employee_id][0] += int(dialogs)
        totals[employee_id][1] += int(messages)
        channels[employee_id].append((channel, int(dialogs)))
    names: dict[int, str] = dict(connection.execute(select(Employee.id, Employee.name)).all())
    medians = _median_durations(connection, first, last)
    responses = _bucket_counts(connection, ResponseStats, first, last)
    rows = [
        EmployeeStats(
            employee_id,
            names.get(employee_id),
            dialogs,
            messages,
            medians.get(employee_id),
            tuple(sorted(channels[employee_id], key=lambda pair: (-pair[1], pair[0]))),
            response_median_s=_percentile_middle(responses[employee_id], 0.5)
            if employee_id in responses
            else None,
            response_p90_s=_percentile_middle(responses[employee_id], 0.9)
            if employee_id in responses
            else None,
        )
        for employee_id, (dialogs, messages) in totals.items()
    ]
    rows.sort(key=lambda row: (-row.dialogs, row.name is None, row.name or "", row.employee_id))
    return rows


def with_reviews(
    connection: Connection, rows: list[EmployeeStats], first: date, last: date, zone: tzinfo
) -> list[EmployeeStats]:
    """The rows with «Качество»: how many of each employee's dialogs completed in the local days
    `first`..`last` are marked, and their average mark. Read over the marks (given by hand: few)."""
    since, until = utc_bounds(first, last, zone)
    found = {
        employee_id or 0: (int(count), float(average))
        for employee_id, count, average in run_sql(connection, _REVIEWED, {"since": since, "until": until})
    }
    return [
        replace(row, reviewed=found[row.employee_id][0], average_mark=found[row.employee_id][1])
        if row.employee_id in found
        else row
        for row in rows
    ]


_REVIEWED = (
    "SELECT d.employee_id, count(*), avg(r.mark) FROM review_marks r JOIN dialogs d ON d.id = r.dialog_id"
    " WHERE d.completed_at >= :since AND d.completed_at < :until GROUP BY d.employee_id"
)


# From this many days on, a bucketed table's rows are summed off its (employee_id, bucket, day, dialogs)
# index, read in the GROUP BY's order: the whole table is read, but not sorted. SQLite otherwise takes the
# day range of the primary key and sorts the period's rows: at 1M dialogs, 560,000 rows of response_stats
# for the whole archive 410 ms that way, 150 ms through the index; a year 215 against 110 ms; 30 days 14
# against 66 ms (benchmarks/README.md). PostgreSQL hashes the groups and needs no hint.
LONG_PERIOD_DAYS = 120


def _median_durations(connection: Connection, first: date, last: date) -> dict[int, int]:
    """Employee → the middle of the duration bucket of their middle dialog (the lower one of two)."""
    buckets = _bucket_counts(connection, DurationStats, first, last)
    return {employee_id: _percentile_middle(counts, 0.5) for employee_id, counts in buckets.items()}


def _bucket_counts(
    connection: Connection, model: type[DurationStats] | type[ResponseStats], first: date, last: date
) -> dict[int, dict[int, int]]:
    """Employee → duration bucket → dialogs, of a bucketed statistics table over the local days."""
    table = model.__tablename__
    long_period = (last - first).days >= LONG_PERIOD_DAYS and sql_of(connection).hints
    statement = text(
        f"SELECT employee_id, bucket, sum(dialogs) FROM {table}"
        f"{f' INDEXED BY ix_{table}_employee' if long_period else ''}"
        " WHERE day BETWEEN :first AND :last GROUP BY employee_id, bucket"
    ).bindparams(bindparam("first", type_=Date), bindparam("last", type_=Date))
    buckets: defaultdict[int, dict[int, int]] = defaultdict(dict)
    for employee_id, bucket, dialogs in connection.execute(statement, {"first": first, "last": last}):
        if dialogs:
            buckets[employee_id][bucket] = int(dialogs)
    return {employee_id: counts for employee_id, counts in buckets.items() if counts}


def _percentile_middle(counts: dict[int, int], share: float) -> int:
    """The middle of the bucket of the dialog at `share` of the way (nearest rank: the median of an even
    count is the lower one of the two)."""
    rank = max(math.ceil(share * sum(counts.values())), 1) - 1  # its position, from 0
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen > rank:
            return bucket_middle_s(bucket)
    raise AssertionError("unreachable: the dialog is in some bucket")


# Each channel's days are summed off the (channel, day) index, the channels found by skipping through it:
# no sort, and no row outside the two periods read (a whole archive: ~15 ms rather than ~90 at 1M).
_CHANNELS = text("""
    WITH RECURSIVE channels(channel) AS (
        SELECT min(channel) FROM daily_stats
        UNION ALL
        SELECT (SELECT min(channel) FROM daily_stats WHERE channel > channels.channel)
        FROM channels WHERE channel IS NOT NULL
    )
    SELECT channel,
        (SELECT sum(dialogs) FROM daily_stats s
         WHERE s.channel = channels.channel AND s.day BETWEEN :first AND :last),
        (SELECT sum(dialogs) FROM daily_stats s
         WHERE s.channel = channels.channel AND s.day BETWEEN :previous_first AND :previous_last)
    FROM channels WHERE channel IS NOT NULL
""").bindparams(
    *(bindparam(name, type_=Date) for name in ("first", "last", "previous_first", "previous_last"))
)


def channel_stats(
    connection: Connection, first: date, last: date, previous: Span | None = None, zone: tzinfo | None = None
) -> list[ChannelStats]:
    """Channels with dialogs in the period or in `previous` (by default the days of equal length just
    before), most dialogs first. A `previous` that ends within a day (`Span.until`) counts that day's
    dialogs up to then, in `zone`."""
    if previous is None:
        previous = Span(*previous_days(first, last))
    whole = previous.whole_days() or (previous.last, previous.last - timedelta(days=1))  # none
    rows = connection.execute(
        _CHANNELS, {"first": first, "last": last, "previous_first": whole[0], "previous_last": whole[1]}
    )
    cut = _cut_day_counts(connection, previous, zone)
    result = [
        ChannelStats(channel, int(dialogs or 0), int(before or 0) + cut.get(channel, 0))
        for channel, dialogs, before in rows
    ]
    result = [row for row in result if row.dialogs or row.previous]
    result.sort(key=lambda row: (-row.dialogs, -row.previous, row.channel))
    return result


def _cut_day_counts(connection: Connection, span: Span, zone: tzinfo | None) -> dict[str, int]:
    """Per channel, the dialogs of the span's last day up to `until` (none when it is taken whole): a
    part of a day, counted from the dialogs (the statistics count whole days)."""
    if span.until is None:
        return {}
    assert zone is not None, "a span that ends within a day needs the zone of its days"
    bounds = span.cut_day(zone)
    assert bounds is not None
    start, end = bounds
    counts = connection.execute(
        select(Dialog.channel, func.count())
        .where(Dialog.completed_at >= start, Dialog.completed_at < end)
        .group_by(Dialog.channel)
    )
    return {channel: int(count) for channel, count in counts}


def daily_counts(connection: Connection, first: date, last: date) -> list[tuple[date, int]]:
    """Every day of the period with its dialogs, days without any included (a chart needs them) — but
    from the archive's first day at the earliest, so that a period of years before it does not come out
    as thousands of empty days; the days after the archive's last one are kept (today may have none yet).
    Empty for an empty archive."""
    archive_first = connection.scalar(select(func.min(HourlyStats.day)))
    if archive_first is None:
        return []
    first = max(first, archive_first)
    counts: dict[date, int] = dict(
        connection.execute(
            select(HourlyStats.day, func.sum(HourlyStats.dialogs))
            .where(HourlyStats.day.between(first, last))
            .group_by(HourlyStats.day)
        ).all()
    )
    return [
        (day, int(counts.get(day, 0)))
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]


def hourly_counts(connection: Connection, first: date, last: date) -> list[int]:
    """Dialogs completed in each local hour of the day, 0 to 23."""
    hours = [0] * 24
    for hour, dialogs in connection.execute(
        select(HourlyStats.hour, func.sum(HourlyStats.dialogs))
        .where(HourlyStats.day.between(first, last))
        .group_by(HourlyStats.hour)
    ):
        hours[hour] = int(dialogs)
    return hours


def top_clients(
    connection: Connection, first: date, last: date, zone: tzinfo, limit: int = 10
) -> list[ClientStats]:
    """The clients (by phone) with the most dialogs in the period; on a tie, the smaller phone first.

    A short period's dialogs are grouped by phone. For a long one that would read hundreds of thousands
    of rows, so the phones are walked from the most dialogs of all time down, each one's dialogs of the
    period counted off the (phone_id, completed_at) index, until a phone's all-time count cannot reach the
    current `limit`-th best. Which way is faster depends on the period's share of the archive: the switch
    is `TOP_CLIENTS_GROUP_LIMIT`, measured at 1M dialogs (`benchmarks.analytics`). The walk is fast when
    the busiest clients of all time are busy in the period too; should it have to walk more phones than
    grouping would cost (an archive without such clients), it gives up and groups."""
    since, until = utc_bounds(first, last, zone)
    in_period = and_(Dialog.completed_at >= since, Dialog.completed_at < until)
    total = connection.scalar(
        select(func.coalesce(func.sum(HourlyStats.dialogs), 0)).where(HourlyStats.day.between(first, last))
    )
    if not total:
        return []
    best = None
    if total > TOP_CLIENTS_GROUP_LIMIT:
        best = _top_by_walking(connection, in_period, limit, budget=int(total * WALK_PHONES_PER_DIALOG))
    if best is None:
        best = _top_by_grouping(connection, in_period, limit)
    names = _latest_names(connection, in_period, [phone_id for phone_id, _, _ in best])
    return [ClientStats(phone_id, phone, names.get(phone_id), count) for phone_id, phone, count in best]


_Candidate = tuple[int, str, int]  # phone id, phone, dialogs in the period


def _top_by_grouping(connection: Connection, in_period: ColumnElement[bool], limit: int) -> list[_Candidate]:
    counts = (
        select(Dialog.phone_id, func.count().label("dialogs"))
        .where(in_period, Dialog.phone_id.is_not(None))
        .group_by(Dialog.phone_id)
        .subquery()
    )
    rows = connection.execute(
        select(ClientPhone.id, ClientPhone.e164, counts.c.dialogs)
        .join(counts, counts.c.phone_id == ClientPhone.id)
        .order_by(counts.c.dialogs.desc(), ClientPhone.e164)
        .limit(limit)
    )
    return [(int(phone_id), phone, int(dialogs)) for phone_id, phone, dialogs in rows]


def _top_by_walking(
    connection: Connection, in_period: ColumnElement[bool], limit: int, *, budget: int
) -> list[_Candidate] | None:
    """None when more than `budget` phones would have to be walked."""
    best: list[_Candidate] = []
    chunk = 4 * limit
    after: tuple[int, int] | None = None  # (all-time dialogs, id) of the last phone walked
    while True:
        if budget <= 0:
            return None
        chunk = min(chunk, budget)
        period_count = (
            select(func.count()).where(Dialog.phone_id == ClientPhone.id, in_period).scalar_subquery()
        )
        statement = select(ClientPhone.id, ClientPhone.e164, ClientPhone.dialog_count, period_count)
        if after is not None:
            statement = statement.where(tuple_(ClientPhone.dialog_count, ClientPhone.id) < tuple_(*after))
        rows = connection.execute(
            statement.order_by(ClientPhone.dialog_count.desc(), ClientPhone.id.desc()).limit(chunk)
        ).all()
        for phone_id, phone, all_time, dialogs in rows:
            if len(best) == limit and all_time < best[-1][2]:
                return best  # this phone and every one after it have fewer dialogs than the last best
            if dialogs:
                best.append((phone_id, phone, dialogs))
                best.sort(key=lambda candidate: (-candidate[2], candidate[1]))
                del best[limit:]
        if len(rows) < chunk:
            return best
        after = (rows[-1][2], rows[-1][0])
        budget -= chunk
        chunk *= 2


def _latest_names(
    connection: Connection, in_period: ColumnElement[bool], phone_ids: list[int]
) -> dict[int, str | None]:
    if not phone_ids:
        return {}
    latest = (
        select(Dialog.client_name)
        .where(Dialog.phone_id == ClientPhone.id, in_period)
        .order_by(Dialog.completed_at.desc(), Dialog.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return dict(connection.execute(select(ClientPhone.id, latest).where(ClientPhone.id.in_(phone_ids))).all())


BUSIEST_DAYS = 5


def busiest_days(days: list[tuple[date, int]]) -> list[tuple[date, int]]:
    """The days with the most dialogs, most first (the earlier day first on a tie)."""
    return sorted((day for day in days if day[1]), key=lambda day: (-day[1], day[0]))[:BUSIEST_DAYS]


R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Figures(Generic[R]):
    """Analytics figures of a period, and the stored list views their numbered rows open, in order."""

    period: Period
    today: date  # the local day the period was seen on
    first: date
    last: date
    rows: R
    drill: list[int]
    previous: Span  # what the period is compared with (`db.periods.previous_span`), seen at the same time


@dataclass(frozen=True, slots=True)
class TimeFigures:
    """The dialogs of every day of a period and of every hour of the day, and the busiest days."""

    days: list[tuple[date, int]]
    hours: list[int]
    busiest: list[tuple[date, int]]


@dataclass(frozen=True, slots=True)
class ChartFigures:
    employees: list[EmployeeStats]
    channels: list[ChannelStats]
    days: list[tuple[date, int]]
