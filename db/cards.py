"""One dialog in full: its columns and its transcript, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from db.dialogs import DialogRow, dialog_row
from db.models import Dialog, Employee, Message


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


def fetch_dialog(connection: Connection, dialog_id: int) -> DialogRow | None:
    row = connection.execute(
        select(
            Dialog.id,
            Dialog.source_id,
            Dialog.client_name,
            Dialog.client_phone,
            Dialog.channel,
            Employee.name,
            Dialog.started_at,
            Dialog.completed_at,
            Dialog.message_count,
        )
        .outerjoin(Employee, Employee.id == Dialog.employee_id)
        .where(Dialog.id == dialog_id)
    ).first()
    return dialog_row(row) if row is not None else None


def fetch_transcript(connection: Connection, dialog_id: int, offset: int, limit: int) -> TranscriptPage:
    total = connection.execute(select(func.count()).where(Message.dialog_id == dialog_id)).scalar_one()
    rows = connection.execute(
        select(Message.sent_at, Message.sender, Message.author, Message.text)
        .where(Message.dialog_id == dialog_id)
        .order_by(Message.position)
        .offset(offset)
        .limit(limit)
    )
    lines = [TranscriptLine(at.replace(tzinfo=UTC), who, author, text) for at, who, author, text in rows]
    return TranscriptPage(lines, total)
