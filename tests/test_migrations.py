"""The migrations and the models describe the same schema, and the migrations run both ways."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from db.engine import Database
from db.migrate import alembic_config, is_up_to_date, upgrade
from tests.conftest import schema_differences


def test_models_match_migrations(database: Database) -> None:
    assert database.run(schema_differences) == []
    assert is_up_to_date(database)


def test_search_indexes_exist(database: Database) -> None:
    tables = set(database.run(lambda c: inspect(c).get_table_names()))
    assert {"client_names_fts", "client_phones_fts"} <= tables


def test_downgrade_and_upgrade_again(database: Database) -> None:
    command.downgrade(alembic_config(database), "base")
    assert not is_up_to_date(database)
    tables = set(database.run(lambda c: inspect(c).get_table_names()))
    assert tables <= {"alembic_version"}
    upgrade(database)
    assert database.run(schema_differences) == []
