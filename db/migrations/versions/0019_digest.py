"""The morning digest (issue 16, point 5): who gets it and at what local time, which day's digest each
person last got (and which day a process claimed, until when); and the silences of channels already told.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digest_subscriptions",
        sa.Column("telegram_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("minute", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("sent_day", sa.Date(), nullable=True),
        sa.Column("claimed_day", sa.Date(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "channel_silences",
        sa.Column("channel", sa.String(32), primary_key=True),
        sa.Column("last_dialog_at", sa.DateTime(), primary_key=True),
        sa.Column("told_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("channel_silences")
    op.drop_table("digest_subscriptions")
