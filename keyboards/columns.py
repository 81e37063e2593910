"""The dialog list's columns — the seed's six, in its order, then the response times (`db.responses`): the
one place that says what each column is.

Each column has the dialogs' field the query engine sorts it by (one of `db.dialogs.SORT_KEYS`, each
indexed with the id for keyset paging), the text key of its name (the list's header "Сортировка: Канал",
the exports' headers), the text key of its sort button, and the direction a first tap sorts it in (the way
people read it: names A→Z, the newest and the longest first). A column's number travels in buttons, so
the numbers never change.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Column(IntEnum):
    CLIENT = 0
    CHANNEL = 1
    PHONE = 2
    COMPLETED_BY = 3
    COMPLETED_AT = 4
    MESSAGES = 5
    FIRST_RESPONSE = 6
    LONGEST_WAIT = 7


@dataclass(frozen=True, slots=True)
class ColumnDefinition:
    sort_key: str
    name: str
    button: str
    descending_first: bool


COLUMNS: dict[Column, ColumnDefinition] = {
    Column.CLIENT: ColumnDefinition("client_sort", "column-client", "button-client", descending_first=False),
    Column.CHANNEL: ColumnDefinition("channel", "column-channel", "button-channel", descending_first=False),
    Column.PHONE: ColumnDefinition("client_phone", "column-phone", "button-phone", descending_first=False),
    Column.COMPLETED_BY: ColumnDefinition(
        "employee_sort", "column-completed-by", "button-completed-by", descending_first=False
    ),
    Column.COMPLETED_AT: ColumnDefinition(
        "completed_at", "column-completed-at", "button-completed-at", descending_first=True
    ),
    Column.MESSAGES: ColumnDefinition(
        "message_count", "column-messages", "button-messages", descending_first=True
    ),
    # the slowest first: who waited longest is what a head looks for
    Column.FIRST_RESPONSE: ColumnDefinition(
        "first_response", "column-first-response", "button-first-response", descending_first=True
    ),
    Column.LONGEST_WAIT: ColumnDefinition(
        "longest_wait", "column-longest-wait", "button-longest-wait", descending_first=True
    ),
}
# The sorts whose entries show their figure (the others' values are on every entry already)
RESPONSE_COLUMNS = (Column.FIRST_RESPONSE, Column.LONGEST_WAIT)
# The list as it opens: the newest dialogs first.
DEFAULT_SORT = Column.COMPLETED_AT
DEFAULT_DESCENDING = COLUMNS[DEFAULT_SORT].descending_first
