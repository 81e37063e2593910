"""The audit log: who opened or exported what, and when."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert

from db.models import AuditEntry

OPEN_DIALOG = "open_dialog"
EXPORT_LIST = "export_list"
EXPORT_TRANSCRIPT = "export_transcript"


def record(
    connection: Connection, telegram_id: int, action: str, *, dialog_id: int | None = None, detail: str = ""
) -> None:
    connection.execute(
        insert(AuditEntry).values(
            at=datetime.now(UTC).replace(tzinfo=None),
            telegram_id=telegram_id,
            action=action,
            dialog_id=dialog_id,
            detail=detail[:500] or None,
        )
    )
