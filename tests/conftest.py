"""Shared fixtures: a real, migrated SQLite file per test (or per module), never a mock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from db.engine import Database
from db.migrate import upgrade
from db.models import Base
from db.search import is_search_index


def migrated_database(folder: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{folder / 'dialogs.db'}")
    upgrade(database)
    return database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = migrated_database(tmp_path)
    yield database
    database.sync_engine.dispose()


def schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_name": lambda name, type_, _parent: (
                not (type_ == "table" and is_search_index(name or ""))
            ),
            "compare_type": True,
        },
    )
    return list(compare_metadata(context, Base.metadata))
