"""Shared fixtures: a real, migrated SQLite file per test (or per module), never a mock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from db.engine import Database
from db.migrate import upgrade


def migrated_database(folder: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{folder / 'dialogs.db'}")
    upgrade(database)
    return database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = migrated_database(tmp_path)
    yield database
    database.sync_engine.dispose()
