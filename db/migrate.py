"""Bringing the schema up to date with Alembic, without an alembic.ini: the migrations ship in the package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from db.engine import Database


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", "db:migrations")
    config.attributes["engine"] = database.async_engine
    return config


def upgrade(database: Database) -> None:
    """Applies pending migrations. Must not be called from a running event loop (Alembic's env starts one)."""
    command.upgrade(alembic_config(database), "head")


def is_up_to_date(database: Database) -> bool:
    head = ScriptDirectory.from_config(alembic_config(database)).get_current_head()

    def current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    return database.run(current) == head
