"""Response times (issue 16, point 3): each dialog's first response and longest wait, as two sort keys each
(`db.responses`), back-filled from the transcripts already stored; and `response_stats`, the first
responses per day, employee and duration bucket, which the analytics add up.

The back-fill is set-based: one pass over the messages in transcript order numbers the waits (a wait holds
the client's messages after the k-th employee message, up to the next one), groups them, and the dialogs
with a transcript are updated from that. `response_stats` is left empty and the statistics marked as not
counted (`stats_zone` emptied): the next start or import counts them all again in TIMEZONE
(`db.stats.ensure_stats`), this table with them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# as `db.responses` was when this was written
UNANSWERED = 2_000_000_000
NO_CLIENT, NO_TRANSCRIPT = -1, -2
NO_CLIENT_UP, NO_TRANSCRIPT_UP = UNANSWERED + 1, UNANSWERED + 2
LONGEST_FIGURE = UNANSWERED - 1

_FIGURES = ("first_response", "longest_wait")


def _seconds(dialect: str) -> str:
    """Whole seconds from `asked` to `answered`, rounded, 0 to LONGEST_FIGURE."""
    if dialect == "postgresql":
        seconds = "ROUND(EXTRACT(EPOCH FROM answered - asked))"
        return f"CAST(LEAST(GREATEST(0, {seconds}), {LONGEST_FIGURE}) AS INTEGER)"
    seconds = "ROUND((julianday(answered) - julianday(asked)) * 86400)"
    return f"CAST(MIN(MAX(0, {seconds}), {LONGEST_FIGURE}) AS INTEGER)"


def _figures(dialect: str) -> str:
    # k: the employee messages before a message; the client's messages with the same k and the employee
    # message that has it (the (k+1)-th) are one wait. Bot messages count nowhere, but keep a transcript
    # of bots alone from looking like none
    return f"""
        CREATE TEMPORARY TABLE response_figures AS
        WITH m AS (
            SELECT dialog_id, sender, sent_at,
                COALESCE(SUM(CASE WHEN sender = 'employee' THEN 1 ELSE 0 END) OVER (
                    PARTITION BY dialog_id ORDER BY position
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS k
            FROM messages),
        w AS (
            SELECT dialog_id, k, MIN(CASE WHEN sender = 'client' THEN sent_at END) AS asked,
                MAX(CASE WHEN sender = 'employee' THEN sent_at END) AS answered
            FROM m GROUP BY dialog_id, k),
        s AS (
            SELECT dialog_id, k, asked,
                CASE WHEN asked IS NOT NULL AND answered IS NOT NULL THEN {_seconds(dialect)} END AS wait
            FROM w),
        f AS (
            SELECT dialog_id, k, asked, wait,
                MIN(CASE WHEN wait IS NOT NULL THEN k END) OVER (PARTITION BY dialog_id) AS first_k
            FROM s)
        SELECT dialog_id,
            CASE WHEN COUNT(asked) = 0 THEN {NO_CLIENT} WHEN MAX(wait) IS NULL THEN {UNANSWERED}
                ELSE MAX(CASE WHEN k = first_k THEN wait END) END AS first_response,
            CASE WHEN COUNT(asked) = 0 THEN {NO_CLIENT} WHEN MAX(wait) IS NULL THEN {UNANSWERED}
                ELSE MAX(wait) END AS longest_wait
        FROM f GROUP BY dialog_id
    """


def _up(column: str) -> str:
    return (
        f"CASE WHEN {column} = {NO_CLIENT} THEN {NO_CLIENT_UP}"
        f" WHEN {column} = {NO_TRANSCRIPT} THEN {NO_TRANSCRIPT_UP} ELSE {column} END"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in _FIGURES:  # without a rewrite of the table on either engine: a constant default
        op.add_column(
            "dialogs", sa.Column(name, sa.Integer(), nullable=False, server_default=str(NO_TRANSCRIPT))
        )
        op.add_column(
            "dialogs",
            sa.Column(f"{name}_up", sa.Integer(), nullable=False, server_default=str(NO_TRANSCRIPT_UP)),
        )
    op.execute("DROP TABLE IF EXISTS response_figures")
    op.execute(_figures(dialect))
    op.execute("CREATE UNIQUE INDEX ix_response_figures ON response_figures (dialog_id)")
    found = "(SELECT {0} FROM response_figures f WHERE f.dialog_id = dialogs.id)"
    changed = " WHERE id IN (SELECT dialog_id FROM response_figures)"
    op.execute(
        "UPDATE dialogs SET " + ", ".join(f"{name} = {found.format(name)}" for name in _FIGURES) + changed
    )
    op.execute("UPDATE dialogs SET " + ", ".join(f"{name}_up = {_up(name)}" for name in _FIGURES) + changed)
    op.execute("DROP TABLE response_figures")
    for name in _FIGURES:  # built once, after the back-fill
        op.create_index(f"ix_dialogs_{name}", "dialogs", [name, "id"])
        op.create_index(f"ix_dialogs_{name}_up", "dialogs", [f"{name}_up", "id"])
    op.create_table(
        "response_stats",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("employee_id", sa.Integer(), primary_key=True),
        sa.Column("bucket", sa.Integer(), primary_key=True),
        sa.Column("dialogs", sa.Integer(), nullable=False),
    )
    op.execute("DELETE FROM stats_zone")  # counted again, response_stats with the rest, at the next start


def downgrade() -> None:
    op.drop_table("response_stats")
    for name in _FIGURES:
        for column in (name, f"{name}_up"):
            op.drop_index(f"ix_dialogs_{column}", "dialogs")
            # in place (SQLite 3.35+), not by a batch copy of the whole table
            op.execute(f"ALTER TABLE dialogs DROP COLUMN {column}")
