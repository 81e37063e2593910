"""A search by four or more digits as the list shows it: the numbers that end with the digits first (what
"the last four digits" means), then the numbers that hold them elsewhere (`db.search.digit_parts`).

The two parts follow each other in the list's pages, each beginning on a page of its own, so that every
page is wholly of one part and its header can say which. A page is asked for as usual (first, last, after
or before a dialog, with the number the button knew it by); that number tells which part it lies in, and
a step across the border between the parts turns into the first page of the second part or the last of
the first. Within a part the query engine pages as for any search.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection

from db import dialogs
from db.dialect import sql_of
from db.dialogs import (
    DialogPage,
    DialogQuery,
    DialogRow,
    PagePosition,
    fetch_page,
    page_number,
    plan_page,
)
from db.search import DigitsPart, Found, Search


@dataclass(frozen=True, slots=True)
class PartsShown:
    """Which part a page of such a search is of, and the dialogs of each part."""

    part: DigitsPart
    digits: str  # as the search reads them
    ending: int  # dialogs whose number ends with the digits
    inside: int  # dialogs whose number holds them elsewhere


@dataclass(frozen=True, slots=True)
class PartsPage:
    page: DialogPage  # its total: both parts'
    number: int  # the page's number in the whole list, from 1
    pages: int
    first_number: int  # the entry number of the page's first dialog
    shown: PartsShown


def fetch_parts_page(
    connection: Connection,
    query: DialogQuery,
    parts: tuple[Search, Search],
    asked_number: int,
    found: tuple[Found, ...] | None = None,
    newest_rows: list[DialogRow] | None = None,
) -> PartsPage:
    """The page `query` asks for (`asked_number`: its number as the button knew it) of the search told in
    `parts`; `found`: what each part finds, when already found (`EngineSQL.find_part_matches`);
    `newest_rows`: the first dialogs, newest first, of the part a first page is of, when already read
    (`db.dialogs.fetch_page`)."""
    ending_query, inside_query = (replace(query, search=part, known_total=None) for part in parts)
    # each part counted once: the page read is of one of them, and its plan is that count's
    ending_found, inside_found = found or sql_of(connection).find_part_matches(
        connection, parts, dialogs.SPARSE_LIMIT
    )
    ending_plan = plan_page(connection, ending_query, ending_found)
    inside_plan = plan_page(connection, inside_query, inside_found)
    ending, inside = ending_plan.total, inside_plan.total
    size = query.page_size
    ending_pages = -(-ending // size)
    position, anchor = query.position, query.anchor_id
    in_first: bool
    if position is PagePosition.FIRST:
        in_first = ending > 0
    elif position is PagePosition.LAST:
        in_first = inside == 0
    elif position is PagePosition.AFTER:
        in_first = asked_number <= ending_pages
        if asked_number == ending_pages + 1:  # ▶ on the first part's last page
            position, anchor = PagePosition.FIRST, None
    else:
        in_first = asked_number <= ending_pages
        if asked_number == ending_pages:  # ◀ on the second part's first page
            position, anchor = PagePosition.LAST, None
    part_query = replace(ending_query if in_first else inside_query, position=position, anchor_id=anchor)
    first_rows = newest_rows if query.position is PagePosition.FIRST else None
    page = fetch_page(connection, part_query, ending_plan if in_first else inside_plan, first_rows)
    part_pages = max(1, -(-page.total // size))
    before_pages, before_dialogs = (0, 0) if in_first else (ending_pages, ending)
    number = page_number(position, page, asked_number - before_pages, part_pages)
    whole = DialogPage(
        page.rows,
        ending + inside,
        has_previous=page.has_previous or (not in_first and ending > 0),
        has_next=page.has_next or (in_first and inside > 0),
    )
    digits = parts[0].terms[0]
    shown = PartsShown(DigitsPart.ENDING if in_first else DigitsPart.INSIDE, digits, ending, inside)
    return PartsPage(
        whole,
        before_pages + number,
        max(1, ending_pages + -(-inside // size)),
        before_dialogs + (number - 1) * size + 1,
        shown,
    )
