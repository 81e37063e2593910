"""Searches stored by a short id, so that a button can carry "the search for …" in a few bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, text

MAX_SEARCH_LENGTH = 200

_INSERT = text(
    "INSERT INTO saved_searches (text, created_at) VALUES (:text, :now) ON CONFLICT (text) DO NOTHING"
)
_FIND = text("SELECT id FROM saved_searches WHERE text = :text")
_LOAD = text("SELECT text FROM saved_searches WHERE id = :id")


def search_text_of(typed: str) -> str:
    """The form a search is stored and shown in: spaces folded, length bounded."""
    return " ".join(typed.split())[:MAX_SEARCH_LENGTH]


def find_search(connection: Connection, typed: str) -> int | None:
    found = connection.execute(_FIND, {"text": search_text_of(typed)}).scalar()
    return int(found) if found is not None else None


def save_search(connection: Connection, typed: str) -> int:
    """The id of this text, stored once however often it is searched."""
    stored = search_text_of(typed)
    connection.execute(_INSERT, {"text": stored, "now": datetime.now(UTC).replace(tzinfo=None)})
    return int(connection.execute(_FIND, {"text": stored}).scalar_one())


def load_search(connection: Connection, search_id: int) -> str | None:
    found = connection.execute(_LOAD, {"id": search_id}).scalar()
    return str(found) if found is not None else None
