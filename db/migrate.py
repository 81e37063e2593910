"""Bringing the schema up to date with Alembic, without an alembic.ini: the migrations ship in the package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from db.engine import Database
from db.postgres.connection import check_database


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", "db:migrations")
    config.attributes["engine"] = database.migration_engine()
    return config


def upgrade(database: Database) -> None:
    """Applies pending migrations. Must not be called from a running event loop (Alembic's env starts one).
    A PostgreSQL database is checked first: one that cannot hold the archive raises `DatabaseUnfit`, whose
    message says what to change."""
    if database.postgres:
        database.run(check_database)
    command.upgrade(alembic_config(database), "head")
