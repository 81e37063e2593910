"""The bucketed statistics (durations, first responses) indexed by employee and bucket, so that a long
period's medians are summed in the index's order instead of sorting a year of rows (`db.analytics`).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("duration_stats", "response_stats")


def upgrade() -> None:
    for table in _TABLES:
        op.create_index(f"ix_{table}_employee", table, ["employee_id", "bucket", "day", "dialogs"])


def downgrade() -> None:
    for table in _TABLES:
        op.drop_index(f"ix_{table}_employee", table_name=table)
