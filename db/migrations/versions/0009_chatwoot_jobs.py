"""The Chatwoot connector's durable queue of conversations to fetch.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chatwoot_jobs",
        sa.Column("conversation_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("queued_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("fetched_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_chatwoot_jobs_due_at", "chatwoot_jobs", ["due_at"])


def downgrade() -> None:
    op.drop_table("chatwoot_jobs")
