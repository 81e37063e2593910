"""One dialog in full: its columns and its transcript, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from db.dialogs import DialogRow, dialog_row
from db.engine import run_sql, stored_time


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    sent_at: datetime  # UTC, aware
    sender: str  # client | employee | bot
    author: str | None
    text: str


@dataclass(frozen=True, slots=True)
class TranscriptPage:
    lines: list[TranscriptLine]
    total: int  # messages stored for the dialog (may differ from its message_count)


_DIALOG = (
    "SELECT d.id, d.source_id, d.client_name, d.client_phone, d.channel, e.name,"
    " d.started_at, d.completed_at, d.message_count"
    " FROM dialogs d LEFT JOIN employees e ON e.id = d.employee_id WHERE d.id = :id"
)
_COUNT = "SELECT COUNT(*) FROM messages WHERE dialog_id = :id"
_LINES = (
    "SELECT sent_at, sender, author, text FROM messages WHERE dialog_id = :id"
    " ORDER BY position LIMIT :limit OFFSET :offset"
)


def fetch_dialog(connection: Connection, dialog_id: int) -> DialogRow | None:
    row = run_sql(connection, _DIALOG, {"id": dialog_id}).fetchone()
    return dialog_row(row) if row is not None else None


def fetch_transcript(connection: Connection, dialog_id: int, offset: int, limit: int) -> TranscriptPage:
    (total,) = run_sql(connection, _COUNT, {"id": dialog_id}).fetchone()
    rows = run_sql(connection, _LINES, {"id": dialog_id, "limit": limit, "offset": offset})
    lines = [
        TranscriptLine(stored_time(at).replace(tzinfo=UTC), who, author, text)
        for at, who, author, text in rows
    ]
    return TranscriptPage(lines, total)


def fetch_card(
    connection: Connection, dialog_id: int, offset: int, limit: int
) -> tuple[DialogRow | None, TranscriptPage]:
    dialog = fetch_dialog(connection, dialog_id)
    if dialog is None:
        return None, TranscriptPage([], 0)
    return dialog, fetch_transcript(connection, dialog_id, offset, limit)
