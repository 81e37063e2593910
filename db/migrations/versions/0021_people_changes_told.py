"""PostgreSQL tells the bot's processes when who may use the bot changes: a statement that changes
`bot_users` or `user_languages` (a role given or taken away, a manager linked, a language chosen) counts
the change in `counters` (the row `dialogs_people`) and sends a notification on the channel
`dialogs_people` as it commits. Each process listens to it, and reads the count every second in case a
notification was missed; it then forgets the people it kept in memory (`db.postgres.changes`,
`db.archive.Archive.person`). SQLite's bot reads a person from its file at every update and needs
nothing.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# written out here, not imported: a migration does what it did when it was written (the channel is
# `db.users.PEOPLE_CHANGES`)
_TABLES = ("bot_users", "user_languages")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE FUNCTION people_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        " INSERT INTO counters (name, value) VALUES ('dialogs_people', 1)"
        " ON CONFLICT (name) DO UPDATE SET value = counters.value + 1;"
        " PERFORM pg_notify('dialogs_people', ''); RETURN NULL; END $$"
    )
    for table in _TABLES:
        # once a statement, whatever it changed: a process forgets every person it kept
        op.execute(
            f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION people_changed()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in _TABLES:
        op.execute(f"DROP TRIGGER {table}_changed ON {table}")
    op.execute("DROP FUNCTION people_changed()")
    op.execute("DELETE FROM counters WHERE name = 'dialogs_people'")
