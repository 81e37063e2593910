"""A real, migrated SQLite file in a folder: what every test that needs an archive starts from."""

from __future__ import annotations

from pathlib import Path

from db.engine import Database
from db.migrate import upgrade


def migrated_database(folder: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{folder / 'dialogs.db'}")
    upgrade(database)
    return database
