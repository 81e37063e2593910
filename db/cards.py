"""One dialog in full: its columns and its transcript, a page at a time; opening it is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from db import audit
from db.dialogs import DialogRow, dialog_row
from db.engine import run_sql, stored_time


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    sent_at: datetime  # UTC, aware
    sender: str  # client | employee | bot
    author: str | None
    text: str


@dataclass(frozen=True, slots=True)
class Card:
    dialog: DialogRow
    lines: list[TranscriptLine]  # one part of the transcript
    part: int  # which part, from 0 (the last one when a part beyond the end was asked for)
    parts: int  # how many parts the transcript has (1 when it is empty)
    total: int  # messages stored for the dialog (may differ from its message_count)
    first_index: int  # the number of the part's first message, from 1


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


def open_card(
    connection: Connection, dialog_id: int, part: int, per_part: int, opened_by: int | None = None
) -> Card | None:
    """A dialog and one part of its conversation (`per_part` messages); None when there is no such dialog.
    `opened_by`: the Telegram id the opening is audited for, in the same transaction (a card that cannot be
    audited is not shown)."""
    row = run_sql(connection, _DIALOG, {"id": dialog_id}).fetchone()
    if row is None:
        return None
    (total,) = run_sql(connection, _COUNT, {"id": dialog_id}).fetchone()
    parts = max(1, -(-total // per_part))
    part = min(part, parts - 1)
    rows = run_sql(connection, _LINES, {"id": dialog_id, "limit": per_part, "offset": part * per_part})
    lines = [
        TranscriptLine(stored_time(at).replace(tzinfo=UTC), who, author, text)
        for at, who, author, text in rows
    ]
    if opened_by is not None:
        audit.record(connection, opened_by, audit.OPEN_DIALOG, dialog_id=dialog_id)
    return Card(dialog_row(row), lines, part, parts, total, part * per_part + 1)
