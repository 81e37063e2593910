"""The morning digest's storage and figures (issue 16, point 5): who gets it and when, the claim that makes
each day's digest go out once, yesterday against the same weekday a week earlier (read from `daily_stats`,
never from the dialogs), the day's slowest first responses, and the channels that fell silent.

Sending a day's digest (`bot.digests` does it) is: `claim` → build → send → `mark_sent`; a send that
failed is `put_off`. Why a claim with a lease and not a flag written after the send: see `claim`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from db.engine import run_sql
from db.models import ChannelSilence, Dialog, DigestSubscription
from db.periods import utc_bounds
from db.review_queue import ReviewQueue

WEEK = timedelta(days=7)
DIGEST_ROWS = 10  # rows of each of the digest's sections, busiest first; the rest is «ещё …»
SLOWEST_ROWS = 5  # the slowest first responses the digest names; the rest are in the day's list by that time


@dataclass(frozen=True, slots=True)
class Subscription:
    telegram_id: int
    enabled: bool
    minute: int  # local minute of the day (TIMEZONE)
    language: str
    sent_day: date | None  # the local day whose digest they last got


def subscription(connection: Connection, telegram_id: int) -> Subscription | None:
    row = connection.execute(
        select(*_FIELDS).where(DigestSubscription.telegram_id == telegram_id)
    ).one_or_none()
    return Subscription(*row) if row is not None else None


def subscribers(connection: Connection) -> list[Subscription]:
    """Everyone whose digest is on."""
    rows = connection.execute(select(*_FIELDS).where(DigestSubscription.enabled.is_(True)))
    return [Subscription(*row) for row in rows]


_FIELDS = (
    DigestSubscription.telegram_id,
    DigestSubscription.enabled,
    DigestSubscription.minute,
    DigestSubscription.language,
    DigestSubscription.sent_day,
)


def set_subscription(
    connection: Connection, telegram_id: int, *, enabled: bool, minute: int, language: str
) -> Subscription:
    """Turns a person's digest on or off and sets its time (and the language it comes in); the day last
    sent stays, so that turning it off and on again, or another time, never brings today's twice."""
    values = {"enabled": enabled, "minute": minute, "language": language}
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(DigestSubscription).values(telegram_id=telegram_id, **values)
    connection.execute(statement.on_conflict_do_update(index_elements=["telegram_id"], set_=values))
    found = subscription(connection, telegram_id)
    assert found is not None
    return found


# --- Sending each day's digest once -------------------------------------------------------------------


def claim(connection: Connection, telegram_id: int, day: date, now: datetime, lease: timedelta) -> bool:
    """Claims the digest of the local `day` for this process until `now + lease` (UTC, aware); False when it
    was sent already, or another process holds a claim on it that has not run out.

    One conditional UPDATE: of two replicas that see the digest due in the same minute, the database lets
    one change the row and the other finds nothing to change, on SQLite (one writer at a time) as on
    PostgreSQL (the second UPDATE waits for the first's row lock, then reads the row again).

    Why a lease: the send and the record that it was sent cannot be one transaction. Recording after the
    send alone would let two replicas both send; recording before it would lose the digest of a process
    killed in between. With the claim, a process killed after claiming leaves the claim to run out
    (`lease`), and the digest is sent by whichever process looks next, still that day; a send that failed
    is put off (`put_off`) to be tried again. What remains is a kill in the milliseconds between Telegram's
    answer and `mark_sent`: the digest then comes twice rather than never. A process stopped by SIGTERM
    finishes the send in hand and records it (`bot.digests.DigestScheduler.run`)."""
    row = DigestSubscription
    naive_now = _naive(now)
    statement = (
        update(row)
        .where(
            row.telegram_id == telegram_id,
            row.enabled.is_(True),
            or_(row.sent_day.is_(None), row.sent_day < day),
            or_(
                row.claimed_day.is_(None),
                row.claimed_day != day,
                row.claimed_until.is_(None),
                row.claimed_until <= naive_now,
            ),
        )
        .values(claimed_day=day, claimed_until=naive_now + lease)
    )
    return connection.execute(statement).rowcount == 1


def mark_sent(connection: Connection, telegram_id: int, day: date) -> None:
    """The digest of `day` reached the person (or never can, e.g. they blocked the bot): done for the day."""
    row = DigestSubscription
    connection.execute(
        update(row)
        .where(row.telegram_id == telegram_id)
        .values(sent_day=day, claimed_day=None, claimed_until=None)
    )


def put_off(connection: Connection, telegram_id: int, day: date, until: datetime) -> None:
    """A send of the digest of `day` failed: the claim is kept until `until` (UTC, aware), when any process
    may try again."""
    row = DigestSubscription
    connection.execute(
        update(row)
        .where(row.telegram_id == telegram_id, row.claimed_day == day)
        .values(claimed_until=_naive(until))
    )


# --- Yesterday against a week earlier ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Compared:
    """One row of the digest: dialogs of the day and of the same weekday a week earlier."""

    key: str | int  # a channel's name, or an employee's id (0: nobody recorded)
    name: str  # the employee's name ('' for nobody); the channel's code for a channel
    dialogs: int
    before: int


@dataclass(frozen=True, slots=True)
class DayFigures:
    """What the digest tells of a day: dialogs per employee and per channel, busiest first, each with the
    same weekday a week earlier. The rows of the day itself (those with dialogs that day)."""

    day: date
    total: int
    total_before: int
    employees: list[Compared]
    channels: list[Compared]


def day_figures(connection: Connection, day: date) -> DayFigures:
    """Read from `daily_stats` (two days' rows, a few hundred): the same at 1M dialogs as at a thousand."""
    params = {"day": day, "before": day - WEEK}
    employees = [
        Compared(int(employee_id), name or "", int(on_day), int(on_before))
        for employee_id, name, on_day, on_before in run_sql(connection, _PER_EMPLOYEE, params)
        if on_day
    ]
    per_channel = [
        Compared(str(channel), str(channel), int(on_day), int(on_before))
        for channel, on_day, on_before in run_sql(connection, _PER_CHANNEL, params)
    ]
    channels = [row for row in per_channel if row.dialogs]
    employees.sort(key=lambda row: (-row.dialogs, not row.key, row.name.casefold(), row.key))
    channels.sort(key=lambda row: (-row.dialogs, str(row.key)))
    total, total_before = sum(row.dialogs for row in per_channel), sum(row.before for row in per_channel)
    return DayFigures(day, total, total_before, employees, channels)


@dataclass(frozen=True, slots=True)
class SlowResponse:
    """A dialog of the day among those answered slowest."""

    dialog_id: int
    employee: str | None  # the employee's name; None: closed by nobody
    client_name: str | None
    client_phone: str  # E.164, '' when unknown
    first_response: int  # seconds, or `db.responses.UNANSWERED`


def slowest_responses(
    connection: Connection, day: date, zone: tzinfo, rows: int = SLOWEST_ROWS
) -> list[SlowResponse]:
    """The `rows` dialogs completed on the local `day` whose first response took longest, the unanswered
    first, in the order of the list sorted by «Первый ответ» slowest first (`first_response`, then the id,
    both descending). A dialog without a transcript, or whose client never wrote, has no first response and
    is none of them."""
    start, end = utc_bounds(day, day, zone)
    found = run_sql(connection, _SLOWEST, {"start": start, "end": end, "rows": rows})
    return [
        SlowResponse(int(dialog_id), employee, client_name, client_phone or "", int(first_response))
        for dialog_id, employee, client_name, client_phone, first_response in found
    ]


# The day's dialogs through ix_dialogs_completed_at (~1,400 at 1M dialogs over two years), each one's row
# read for its figure, and the top few kept by the database (a sort of the day's rows). The ORDER BY
# sorts an expression, not the column: SQLite takes the completed_at range either way today (checked
# without statistics at 20,000 and 1M dialogs, with them at 20,000), and the expression keeps any planner
# from walking ix_dialogs_first_response from the slowest of all time instead, through every unanswered
# dialog of two years, to spare that sort. first_response >= 0: a time or UNANSWERED, not a state below
# zero (no client message, no transcript).
_SLOWEST = """
    SELECT d.id, e.name, d.client_name, d.client_phone, d.first_response
    FROM dialogs d LEFT JOIN employees e ON e.id = d.employee_id
    WHERE d.completed_at >= :start AND d.completed_at < :end AND d.first_response >= 0
    ORDER BY d.first_response + 0 DESC, d.id DESC
    LIMIT :rows
"""


@dataclass(frozen=True, slots=True)
class Digest:
    """A day's digest as every reader gets it: the figures, and the stored list views its rows open (of
    the first `DIGEST_ROWS` rows of each section, in order); the day's slowest first responses, and the
    stored view of the whole day (which the «все» button shows sorted by first response, and the cards of
    the slow responses go back to); the review queue of the week the digest is sent in (None: nothing in
    it to review)."""

    figures: DayFigures
    employee_views: list[int]
    channel_views: list[int]
    slowest: list[SlowResponse] = field(default_factory=list)
    day_view: int = 0
    reviews: ReviewQueue | None = None


_PER_EMPLOYEE = """
    SELECT s.employee_id, e.name,
           SUM(CASE WHEN s.day = :day THEN s.dialogs ELSE 0 END),
           SUM(CASE WHEN s.day = :before THEN s.dialogs ELSE 0 END)
    FROM daily_stats s LEFT JOIN employees e ON e.id = s.employee_id
    WHERE s.day IN (:day, :before)
    GROUP BY s.employee_id, e.name
"""
_PER_CHANNEL = """
    SELECT channel,
           SUM(CASE WHEN day = :day THEN dialogs ELSE 0 END),
           SUM(CASE WHEN day = :before THEN dialogs ELSE 0 END)
    FROM daily_stats WHERE day IN (:day, :before)
    GROUP BY channel
"""


# --- Channels fallen silent ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Silence:
    channel: str
    last_dialog_at: datetime  # UTC, aware: the channel's last dialog before the silence
    usual: float  # dialogs the channel had on average in the same hours of the same weekday before


USUAL_WEEKS = 4  # the weeks the rule looks back


def silent_channels(
    connection: Connection, now: datetime, zone: tzinfo, hours: int, usual_at_least: float
) -> list[Silence]:
    """The channels without a dialog in the last `hours` hours before `now` (UTC, aware) that usually have
    many then: in the same local hours of the same weekday of each of the `USUAL_WEEKS` weeks before, on
    average at least `usual_at_least` dialogs. Reads the dialogs of those few hours through the index of
    their completion time, and each quiet channel's last dialog through `ix_dialogs_channel_time`."""
    local = now.astimezone(zone).replace(tzinfo=None)
    windows: list[tuple[datetime, datetime]] = []
    for weeks in range(1, USUAL_WEEKS + 1):
        end = (local - weeks * WEEK).replace(tzinfo=zone)
        start = (local - weeks * WEEK - timedelta(hours=hours)).replace(tzinfo=zone)
        windows.append((_naive(start), _naive(end)))
    usual: dict[str, float] = {}
    at = Dialog.completed_at
    # each window alone, its channels counted here: one range of the completed_at index (a hundred-odd
    # rows at 1M dialogs). A GROUP BY channel over the windows ORed makes SQLite scan ix_dialogs_channel_time
    for start, end in windows:
        for (channel,) in connection.execute(select(Dialog.channel).where(at >= start, at < end)):
            usual[channel] = usual.get(channel, 0.0) + 1 / USUAL_WEEKS
    busy = {channel for channel, mean in usual.items() if mean >= usual_at_least}
    if not busy:
        return []
    naive_now = _naive(now)
    since = naive_now - timedelta(hours=hours)
    # silent: the last dialog is `hours` or more before now
    recent = select(Dialog.channel).where(at > since, at < naive_now).distinct()
    heard = {str(channel) for (channel,) in connection.execute(recent)}
    silences = []
    for channel in sorted(busy - heard):
        last = connection.scalar(select(func.max(at)).where(Dialog.channel == channel, at < naive_now))
        if last is not None:
            silences.append(Silence(channel, last.replace(tzinfo=UTC), usual[channel]))
    return silences


def tell_silence(connection: Connection, silence: Silence, now: datetime) -> bool:
    """Claims the telling of a silence: True for the one process whose row goes in first, False when it was
    told already (by this process or another: the key is the channel and its last dialog)."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(ChannelSilence).values(
        channel=silence.channel, last_dialog_at=_naive(silence.last_dialog_at), told_at=_naive(now)
    )
    return connection.execute(statement.on_conflict_do_nothing()).rowcount == 1


def _naive(moment: datetime) -> datetime:
    """A moment as stored: naive UTC."""
    return moment.astimezone(UTC).replace(tzinfo=None)
