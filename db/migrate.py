"""Bringing the schema up to date with Alembic, without an alembic.ini: the migrations ship in the package."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from db.engine import Database


def alembic_config(database: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", "db:migrations")
    config.attributes["engine"] = database.async_engine
    return config


def upgrade(database: Database) -> None:
    """Applies pending migrations. Must not be called from a running event loop (Alembic's env starts one)."""
    command.upgrade(alembic_config(database), "head")
