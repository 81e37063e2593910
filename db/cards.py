"""One dialog in full: its columns and its transcript, a page at a time, and the way to every dialog of the
same client (`db.views.client_view`: the number, else the name; its count read off the per-number and
per-name counters in the same statement), and its review mark."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from db import audit
from db.dialect import is_postgres
from db.dialogs import DialogRow, dialog_row
from db.engine import run_sql, stored_time
from db.reviews import REVIEW_COLUMNS, Review, review_of
from db.sqlite.pages import ROW_WIDTH, row_columns
from db.views import ListView, client_view


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
    client_dialogs: int = 0  # the client's dialogs in every channel, this one among them (0: not known)
    client_view: ListView | None = None  # the list of them, when the client has more than this one
    review: Review | None = None  # a head's mark of the dialog (`db.reviews`); None: not marked


# The dialog, how many lines its transcript has, its review mark (`db.reviews`, None when not marked) and
# its client's dialogs (see below): one statement, not three (each a round trip on PostgreSQL).
_CARD_COLUMNS = (
    f"SELECT {row_columns('d')}, (SELECT COUNT(*) FROM messages WHERE dialog_id = d.id), {REVIEW_COLUMNS},"
)
# where the card statement's own columns stand in its row, after the dialog's
_LINES_AT = ROW_WIDTH
_REVIEW_AT = _LINES_AT + 1
_CLIENT_DIALOGS_AT = _REVIEW_AT + REVIEW_COLUMNS.count(",") + 1
_CARD_JOINS = (
    " FROM dialogs d LEFT JOIN employees e ON e.id = d.employee_id"
    " LEFT JOIN review_marks r ON r.dialog_id = d.id LEFT JOIN client_names n ON n.id = d.name_id"
)
_DIALOG = (
    # the client's dialogs: the number's counter, else the name's (for a dialog without a number) summed
    # over every spelling of the name, as its list finds them (any case, ё = е: `client_sort` is the fold)
    f"{_CARD_COLUMNS} CASE WHEN d.phone_id IS NOT NULL THEN p.dialog_count ELSE"
    " (SELECT sum(s.dialog_count) FROM client_names s WHERE s.name_fold = n.name_fold) END"
    f"{_CARD_JOINS} LEFT JOIN client_phones p ON p.id = d.phone_id"
    " WHERE d.id = :id"
)
# The card as someone sees it who sees the dialogs of one employee alone (`db.views.scoped`): no card of
# another's dialog, and of the client's dialogs only theirs counted (a client's few, through their index).
_SCOPED_DIALOG = (
    f"{_CARD_COLUMNS} CASE WHEN d.phone_id IS NOT NULL THEN"
    " (SELECT count(*) FROM dialogs o WHERE o.phone_id = d.phone_id AND o.employee_id = :scope) ELSE"
    " (SELECT count(*) FROM client_names s JOIN dialogs o ON o.name_id = s.id"
    " WHERE s.name_fold = n.name_fold AND o.employee_id = :scope) END"
    f"{_CARD_JOINS} WHERE d.id = :id AND d.employee_id = :scope"
)
_CLIENT = "SELECT client_phone, client_name FROM dialogs WHERE id = :id"
_SCOPED_CLIENT = f"{_CLIENT} AND employee_id = :scope"
_LINES = (
    "SELECT sent_at, sender, author, text FROM messages WHERE dialog_id = :id"
    " ORDER BY position LIMIT :limit OFFSET :offset"
)


def _with_lines(card: str) -> str:
    """The statement `card` with the part of the transcript `_LINES` reads as its last column, an array of
    the lines (PostgreSQL's; each a record of `_LINES`'s columns, or the array NULL when the part is
    empty): one round trip where the card and then its lines took two (benchmarks/README.md). A part
    beyond the end (a button from before the transcript was shortened) is read again as the last."""
    return (
        "SELECT c.*, (SELECT array_agg(ROW(m.sent_at, m.sender, m.author, m.text) ORDER BY m.position)"
        " FROM (SELECT position, sent_at, sender, author, text FROM messages WHERE dialog_id = c.id"
        f" ORDER BY position LIMIT :limit OFFSET :offset) m) FROM ({card}) c"
    )


def open_card(
    connection: Connection,
    dialog_id: int,
    part: int,
    per_part: int,
    scope: int | None = None,
    *,
    opened_by: int | None = None,
) -> Card | None:
    """A dialog and one part of its conversation (`per_part` messages); None when there is no such dialog.
    `scope`: for someone who sees the dialogs of that employee alone: None for another's dialog too
    (nothing of it read), and the client's dialogs counted among theirs. `opened_by`: the opening of a
    card shown is recorded in the audit log as that person's (nothing when there is none to show); on
    PostgreSQL by the card's own statement (`audit.opening_recorded`)."""
    statement = _DIALOG if scope is None else _SCOPED_DIALOG
    params: dict[str, object] = {"id": dialog_id} if scope is None else {"id": dialog_id, "scope": scope}
    postgres = is_postgres(connection)
    if postgres:  # the part asked for read by the card's statement itself
        statement = _with_lines(statement)
        params.update({"limit": per_part, "offset": part * per_part})
    if opened_by is not None and postgres:  # and its opening recorded
        statement = audit.opening_recorded(statement)
        params.update(audit.recorded_by(opened_by))
    row = run_sql(connection, statement, params).fetchone()
    if row is None:
        return None
    if opened_by is not None and not postgres:  # in the card's transaction
        audit.record(connection, opened_by, audit.OPEN_DIALOG, dialog_id=dialog_id)
    total = row[_LINES_AT]
    parts = max(1, -(-total // per_part))
    asked, part = part, min(part, parts - 1)
    if postgres and part == asked:
        read = row[-1] or []
    else:
        read = run_sql(connection, _LINES, {"id": dialog_id, "limit": per_part, "offset": part * per_part})
    lines = [
        TranscriptLine(stored_time(at).replace(tzinfo=UTC), who, author, text)
        for at, who, author, text in read
    ]
    dialog = dialog_row(row)
    client_dialogs = row[_CLIENT_DIALOGS_AT] or 0
    view = client_view(dialog.client_phone, dialog.client_name) if client_dialogs > 1 else None
    review = review_of(row[_REVIEW_AT:_CLIENT_DIALOGS_AT])
    first = part * per_part + 1
    return Card(dialog, lines, part, parts, total, first, client_dialogs, view, review)


def client_list_view(connection: Connection, dialog_id: int, scope: int | None = None) -> ListView | None:
    """The list of every dialog of the client of `dialog_id` (`db.views.client_view`); None when there is
    no such dialog (for `scope`: none of that employee's), or the client has no list."""
    if scope is None:
        row = run_sql(connection, _CLIENT, {"id": dialog_id}).fetchone()
    else:
        row = run_sql(connection, _SCOPED_CLIENT, {"id": dialog_id, "scope": scope}).fetchone()
    return client_view(row[0] or None, row[1]) if row is not None else None
