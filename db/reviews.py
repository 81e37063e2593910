"""Review marks: a head's mark of a dialog, 1–5, with an optional short comment, and who gave it when. One
current mark a dialog (marking again replaces it); every mark and comment is audited in the same
transaction, so the audit log keeps their history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from db import audit
from db.engine import run_sql, stored_time

MARKS = range(1, 6)
LOW_MARK = 2  # «оценка ≤ 2»
MAX_COMMENT_LENGTH = 500

# The list views' review filter (`db.views.ListView.review`, `db.dialogs.Filters.review`)
UNMARKED = "unmarked"  # «без оценки»
LOW = "low"  # «оценка ≤ 2»
REVIEW_FILTERS = (UNMARKED, LOW)


@dataclass(frozen=True, slots=True)
class Review:
    mark: int  # 1–5
    comment: str | None
    reviewer_id: int  # Telegram id
    reviewer_name: str | None
    marked_at: datetime  # UTC, aware


REVIEW_COLUMNS = "r.mark, r.comment, r.reviewer_id, r.reviewer_name, r.marked_at"  # of `review_marks r`
_EXISTS = "SELECT 1 FROM dialogs WHERE id = :id"
# the reviewer's name as the bot knows them (`users add --name`), else as Telegram does
_MARK = (
    "INSERT INTO review_marks (dialog_id, mark, comment, reviewer_id, reviewer_name, marked_at)"
    " VALUES (:id, :mark, NULL, :by,"
    " coalesce((SELECT name FROM bot_users WHERE telegram_id = :by), :by_name), :now)"
    " ON CONFLICT (dialog_id) DO UPDATE SET mark = excluded.mark, reviewer_id = excluded.reviewer_id,"
    " reviewer_name = excluded.reviewer_name, marked_at = excluded.marked_at"
)
_COMMENT = "UPDATE review_marks SET comment = :comment WHERE dialog_id = :id RETURNING dialog_id"


def mark_dialog(connection: Connection, dialog_id: int, mark: int, by: int, by_name: str | None) -> bool:
    """Marks a dialog (a mark given before is replaced, its comment kept) and audits it; False when there
    is no such dialog (nothing written)."""
    if mark not in MARKS:
        raise ValueError(f"a mark is 1 to 5, not {mark}")
    if run_sql(connection, _EXISTS, {"id": dialog_id}).fetchone() is None:
        return False
    now = datetime.now(UTC).replace(tzinfo=None)
    name = (by_name or "").strip()[:200] or None
    run_sql(connection, _MARK, {"id": dialog_id, "mark": mark, "by": by, "by_name": name, "now": now})
    audit.record(connection, by, audit.REVIEW_MARK, dialog_id=dialog_id, detail=str(mark))
    return True


def comment_review(connection: Connection, dialog_id: int, comment: str | None, by: int) -> bool:
    """Sets the comment of a dialog's mark (at most `MAX_COMMENT_LENGTH` characters; None removes it) and
    audits it (a removal with no detail); False when the dialog has no mark (or is gone): nothing
    written."""
    text = comment.strip()[:MAX_COMMENT_LENGTH] if comment is not None else None
    if text == "":
        raise ValueError("an empty comment")
    if run_sql(connection, _COMMENT, {"id": dialog_id, "comment": text}).fetchone() is None:
        return False
    audit.record(connection, by, audit.REVIEW_COMMENT, dialog_id=dialog_id, detail=text or "")
    return True


def marks_of(connection: Connection, dialog_ids: list[int]) -> dict[int, tuple[int, str | None]]:
    """The marks and comments of some dialogs (a batch of an export): dialog id → (mark, comment)."""
    if not dialog_ids:
        return {}
    names = {f"i{index}": dialog_id for index, dialog_id in enumerate(dialog_ids)}
    statement = (
        "SELECT dialog_id, mark, comment FROM review_marks"
        f" WHERE dialog_id IN ({', '.join(':' + name for name in names)})"
    )
    return {dialog_id: (mark, comment) for dialog_id, mark, comment in run_sql(connection, statement, names)}


def review_of(row: Any) -> Review | None:
    """The review of `REVIEW_COLUMNS` read (None: the dialog is not marked, the columns are empty)."""
    if row[0] is None:
        return None
    return Review(row[0], row[1], row[2], row[3], stored_time(row[4]).replace(tzinfo=UTC))
