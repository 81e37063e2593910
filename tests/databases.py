"""A real, migrated SQLite file in a folder: what every test that needs an archive starts from."""

from __future__ import annotations

from pathlib import Path

from db.dialogs import DialogQuery, Filters, fetch_page
from db.engine import Database
from db.migrate import upgrade
from db.search import Search


def migrated_database(folder: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{folder / 'dialogs.db'}")
    upgrade(database)
    return database


def total_of(database: Database, search: Search | None = None, filters: Filters | None = None) -> int:
    """How many dialogs the list finds for a search and filters: the total its first page shows."""
    query = DialogQuery(search=search, filters=filters or Filters())
    return database.run(fetch_page, query).total
