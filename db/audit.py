"""The audit log: who opened, exported or marked what, and when."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection

from db.engine import run_sql

OPEN_DIALOG = "open_dialog"
EXPORT_LIST = "export_list"
EXPORT_TRANSCRIPT = "export_transcript"
REVIEW_MARK = "review_mark"  # a dialog marked 1–5 (the detail is the mark)
REVIEW_COMMENT = "review_comment"  # the comment of a dialog's mark (the detail is the comment)
INGEST = "ingest"  # a call of the ingestion API (telegram_id 0; the detail names the token)


def record(
    connection: Connection, telegram_id: int, action: str, *, dialog_id: int | None = None, detail: str = ""
) -> None:
    values = {
        **recorded_by(telegram_id),
        "action": action,
        "dialog_id": dialog_id,
        "detail": detail[:500] or None,
    }
    run_sql(connection, _RECORD, values)


_RECORD = (
    "INSERT INTO audit_log (at, telegram_id, action, dialog_id, detail)"
    " VALUES (:at, :telegram_id, :action, :dialog_id, :detail)"
)


def opening_recorded(card: str) -> str:
    """The statement `card` (a dialog's row, its `id` among its columns, or no row) that also records the
    opening of the dialog it reads, when it reads one, on PostgreSQL (a WITH that inserts; SQLite has
    none): one round trip where the card's read and then its audit row took two (~0.3–0.5 ms of a card
    at 1M, benchmarks/README.md). Its parameters are `card`'s and `recorded_by`'s."""
    return (
        f"WITH card AS ({card}), opened AS (INSERT INTO audit_log (at, telegram_id, action, dialog_id)"
        f" SELECT :at, :telegram_id, '{OPEN_DIALOG}', id FROM card) SELECT * FROM card"
    )


def recorded_by(telegram_id: int) -> dict[str, object]:
    """Who did what is recorded, and when (naive UTC, as the archive stores times)."""
    return {"at": datetime.now(UTC).replace(tzinfo=None), "telegram_id": telegram_id}
