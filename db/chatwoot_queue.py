"""The Chatwoot connector's durable queue: conversations to fetch from Chatwoot and store.

A job is one conversation. It is queued by a webhook event, a re-poll or a backfill, taken when due,
and done (`due_at` NULL) only once its dialog is stored; a failed fetch puts it off with a growing delay.
Nothing is held in memory, so a restart or a Chatwoot outage loses no conversation. A conversation queued
again while it is being fetched (reopened and resolved once more) is not marked done by that fetch: the
fetch compares the `queued_at` it took.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from db.engine import run_sql, stored_time
from db.tokens import note_call

FAILING_AFTER = 5  # failed fetches in a row after which a job is reported as failing
MAX_ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Job:
    conversation_id: int
    queued_at: datetime  # naive UTC, as stored: compared to tell a job queued again
    attempts: int


@dataclass(frozen=True, slots=True)
class FailingJob:
    conversation_id: int
    attempts: int
    last_error: str
    due_at: datetime  # UTC, aware: the next try


@dataclass(frozen=True, slots=True)
class QueueState:
    waiting: int  # jobs not done, failing ones included
    failing: list[FailingJob]  # at most `shown` of them, the longest failing first
    failing_count: int
    done: int
    last_fetched_at: datetime | None  # UTC, aware


def enqueue(connection: Connection, conversation_ids: list[int], now: datetime) -> None:
    """Queues the conversations, due now: a new job, a done one again (its record of failures cleared),
    or one waiting to be tried again sooner (its failures kept: they are still to be reported)."""
    at = _naive(now)
    for conversation_id in conversation_ids:
        run_sql(
            connection,
            "INSERT INTO chatwoot_jobs (conversation_id, queued_at, due_at, attempts) "
            "VALUES (:id, :now, :now, 0) "
            "ON CONFLICT (conversation_id) DO UPDATE SET "
            "attempts = CASE WHEN chatwoot_jobs.due_at IS NULL THEN 0 ELSE chatwoot_jobs.attempts END, "
            "last_error = CASE WHEN chatwoot_jobs.due_at IS NULL THEN NULL "
            "ELSE chatwoot_jobs.last_error END, "
            "queued_at = excluded.queued_at, due_at = excluded.due_at",
            {"id": conversation_id, "now": at},
        )


def queue_event(connection: Connection, caller: str, conversation_id: int, now: datetime) -> None:
    """A webhook event of the token `caller` said the conversation was resolved: queued, and the call
    noted in the audit log."""
    enqueue(connection, [conversation_id], now)
    note_call(connection, caller, f"Chatwoot conversation {conversation_id} queued")


def enqueue_unknown(connection: Connection, conversation_ids: list[int], now: datetime) -> int:
    """Queues those of the conversations never queued before (a re-poll: what a lost webhook left out);
    returns how many."""
    new = [
        conversation_id
        for conversation_id in dict.fromkeys(conversation_ids)
        if run_sql(
            connection, "SELECT 1 FROM chatwoot_jobs WHERE conversation_id = :id", {"id": conversation_id}
        ).fetchone()
        is None
    ]
    enqueue(connection, new, now)
    return len(new)


def due_jobs(connection: Connection, now: datetime, limit: int) -> list[Job]:
    """The jobs due by `now`, the longest due first."""
    rows = run_sql(
        connection,
        "SELECT conversation_id, queued_at, attempts FROM chatwoot_jobs "
        "WHERE due_at IS NOT NULL AND due_at <= :now ORDER BY due_at, conversation_id LIMIT :limit",
        {"now": _naive(now), "limit": limit},
    )
    return [Job(int(row[0]), stored_time(row[1]), int(row[2])) for row in rows]


def next_due(connection: Connection) -> datetime | None:
    """When the next job is due (UTC, aware), or None when none waits."""
    row = run_sql(connection, "SELECT min(due_at) FROM chatwoot_jobs WHERE due_at IS NOT NULL").fetchone()
    return None if row is None or row[0] is None else _aware(row[0])


def mark_done(connection: Connection, job: Job, now: datetime) -> None:
    """The job's dialog is stored: done, unless an event queued it again meanwhile."""
    run_sql(
        connection,
        "UPDATE chatwoot_jobs SET due_at = NULL, attempts = 0, last_error = NULL, fetched_at = :now "
        "WHERE conversation_id = :id AND queued_at = :queued_at",
        {"id": job.conversation_id, "queued_at": job.queued_at, "now": _naive(now)},
    )


def mark_failed(connection: Connection, job: Job, error: str, retry_at: datetime) -> None:
    """A fetch or a store failed: tried again at `retry_at` (sooner if an event queues it again)."""
    run_sql(
        connection,
        "UPDATE chatwoot_jobs SET attempts = attempts + 1, last_error = :error, due_at = :retry_at "
        "WHERE conversation_id = :id AND due_at IS NOT NULL",
        {
            "id": job.conversation_id,
            "error": error[:MAX_ERROR_LENGTH],
            "retry_at": _naive(retry_at),
        },
    )


def queue_state(connection: Connection, shown: int = 10) -> QueueState:
    waiting, failing_count, done, last_fetched = run_sql(
        connection,
        "SELECT count(due_at), "
        "count(CASE WHEN due_at IS NOT NULL AND attempts >= :failing THEN 1 END), "
        "count(CASE WHEN due_at IS NULL THEN 1 END), max(fetched_at) FROM chatwoot_jobs",
        {"failing": FAILING_AFTER},
    ).fetchone()
    rows = run_sql(
        connection,
        "SELECT conversation_id, attempts, last_error, due_at FROM chatwoot_jobs "
        "WHERE due_at IS NOT NULL AND attempts >= :failing "
        "ORDER BY attempts DESC, conversation_id LIMIT :shown",
        {"failing": FAILING_AFTER, "shown": shown},
    )
    return QueueState(
        waiting=int(waiting),
        failing=[FailingJob(int(row[0]), int(row[1]), str(row[2] or ""), _aware(row[3])) for row in rows],
        failing_count=int(failing_count),
        done=int(done),
        last_fetched_at=None if last_fetched is None else _aware(last_fetched),
    )


def retry_delay(attempts: int, base: float, cap: float, retry_after: float | None = None) -> timedelta:
    """How long a job that failed `attempts` times (this one included) waits: doubling from `base`, at
    most `cap`, and never sooner than the server asked (`Retry-After`)."""
    seconds = min(base * 2 ** min(attempts - 1, 30), cap)
    if retry_after is not None:
        seconds = max(seconds, min(retry_after, cap))
    return timedelta(seconds=seconds)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(value: str | datetime) -> datetime:
    return stored_time(value).replace(tzinfo=UTC)
