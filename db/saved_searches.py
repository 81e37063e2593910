"""Searches stored by a short id, so that a button can carry "the search for …" in a few bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects.sqlite import insert

from db.models import SavedSearch

MAX_SEARCH_LENGTH = 200


def save_search(connection: Connection, typed: str) -> int:
    """The id of this text, stored once however often it is searched."""
    typed = " ".join(typed.split())[:MAX_SEARCH_LENGTH]
    connection.execute(
        insert(SavedSearch)
        .values(text=typed, created_at=datetime.now(UTC).replace(tzinfo=None))
        .on_conflict_do_nothing(index_elements=["text"])
    )
    return int(connection.execute(select(SavedSearch.id).where(SavedSearch.text == typed)).scalar_one())


def load_search(connection: Connection, search_id: int) -> str | None:
    query = select(SavedSearch.text).where(SavedSearch.id == search_id)
    return connection.execute(query).scalar_one_or_none()
