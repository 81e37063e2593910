"""The dialog list's use case: a list button pressed, or a search or dates typed → the page to show.

Everything a page needs is read here in one transaction (`read_list`): the stored view the button carries
(or the view a typed text makes), the page, its number, and the search's total, counted once and then
kept with the view until the archive changes (`StoredView.known_total`). What that leaves to store, a new
view or a total counted, is stored after it in one statement (`keep`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from db import dialogs
from db.dialect import sql_of
from db.dialogs import (
    DialogPage,
    DialogQuery,
    DialogRow,
    Filters,
    PagePosition,
    dialog_row,
    fetch_page,
    first_page_reads,
    page_number,
    plan_page,
    reads_newest_first,
)
from db.digit_parts import PartsShown, fetch_parts_page
from db.errors import SearchRefused
from db.periods import local_today
from db.review_queue import DEFAULT_SAMPLE
from db.search import Found, digit_parts
from db.views import (
    ListView,
    StoredView,
    load_view,
    remember_total,
    scoped,
    search_text_of,
    store_view,
    stored_of,
    storing,
    total_key,
)


@dataclass(frozen=True, slots=True)
class ListRequest:
    """A page of the list as a button asks for it."""

    sort: str  # one of `db.dialogs.SORT_KEYS`
    descending: bool
    position: PagePosition = PagePosition.FIRST
    anchor: int = 0  # the dialog the page starts after or ends before (AFTER, BEFORE)
    page: int = 1  # the page's number as the button knew it
    view_id: int = 0  # the stored view (search and filters); 0: the whole archive


@dataclass(frozen=True, slots=True)
class ViewChange:
    """What a person changed of the request's view just now; the view they get is stored if it is new."""

    search_text: str | None = None  # typed: the search within the view's filters
    period: str | None = None  # typed dates (a `Period.code`): the view's period
    drop_search: bool = False
    drop_filters: bool = False

    def applied_to(self, view: ListView) -> ListView:
        if self.drop_search:
            view = view.without_search()
        if self.drop_filters:
            view = view.without_filters()
        if self.search_text is not None:
            view = replace(view, search_text=search_text_of(self.search_text))
        if self.period is not None:
            view = replace(view, period=self.period)
        return view


@dataclass(frozen=True, slots=True)
class ListSettings:
    """What every page depends on besides the request: the TIMEZONE, PHONE_REGION and PAGE_SIZE settings;
    and REVIEW_SAMPLE, the size of each employee's share of a week's review queue (`db.review_queue`)."""

    zone: ZoneInfo
    phone_region: str
    page_size: int
    review_sample: int = DEFAULT_SAMPLE


@dataclass(frozen=True, slots=True)
class ListResult:
    """The page to show, and where it is: what the list's text and buttons are made of."""

    view: StoredView | None  # the search and filters shown; None: the whole archive
    page: DialogPage
    position: PagePosition  # how the page was asked for (FIRST when the view asked for is gone)
    anchor: int
    page_number: int  # from 1, corrected: the first page is page 1 whatever the button said
    pages: int
    first_number: int  # the entry number of the page's first dialog (11 on the second page of ten)
    today: date  # the local day relative periods ("7 days") were seen on
    view_gone: bool = False  # the stored view asked for no longer exists: the whole archive instead
    parts: PartsShown | None = None  # a search by digits: which part of it the page is of (`db.digit_parts`)

    @property
    def view_id(self) -> int:
        return self.view.id if self.view is not None else 0


@dataclass(frozen=True, slots=True)
class Listed:
    """A page read, and what it leaves to store: a total counted at a cost, valid for `key`."""

    result: ListResult
    total_to_keep: int | None = None
    key: str = ""


def read_list(
    connection: Connection,
    request: ListRequest,
    settings: ListSettings,
    change: ViewChange | None = None,
    *,
    masked: bool = False,
    scope: int | None = None,
) -> Listed:
    """The page a request asks for; with a change, the page of the view it makes, which it stores as it
    looks it up (writing work: `read_and_keep`). `masked`: for someone who sees numbers masked, who may
    not search by the digits the mask hides (`db.search.reads_hidden_digits`): such a search typed raises
    `SearchRefused`, and a stored view with one (someone else's, behind a forged button) is as good as
    gone. `scope`: for someone who sees the dialogs of that employee alone (`db.views.scoped`): every
    page, search and total is of theirs, and a stored view filtered to another employee is as good as
    gone."""
    today = local_today(settings.zone)
    base = load_view(connection, request.view_id) if request.view_id else None
    if masked and base is not None and base.view.reads_hidden_digits(settings.phone_region):
        base = None
    if base is not None and not base.view.open_to(scope):
        base = None
    gone = request.view_id != 0 and base is None and change is None
    if gone:  # a forged button, or a view of a database since replaced: the whole archive, from the start
        request = ListRequest(request.sort, request.descending)
    stored, found, newest = base, None, None
    if change is not None:
        wanted = change.applied_to(base.view if base is not None else ListView())
        if masked and wanted.reads_hidden_digits(settings.phone_region):
            raise SearchRefused
        stored = None
        if not wanted.is_empty:
            stored, found, newest = _stored_and_found(connection, wanted, request, settings, scope)
    view = stored.view if stored is not None else None
    filters = scoped(view.filters(settings.zone, today) if view is not None else Filters(), scope)
    known, key = None, ""
    if stored is not None and stored.view.search_text:  # filters alone are cheap to count every time
        key = total_key(stored.revision, filters, scope)
        known = stored.known_total(key)
    query = DialogQuery(
        search=view.search(settings.phone_region) if view is not None else None,
        filters=filters,
        sort=request.sort,
        descending=request.descending,
        position=request.position,
        anchor_id=request.anchor or None,
        page_size=settings.page_size,
        known_total=known,
    )
    parts = digit_parts(query.search)
    shown: PartsShown | None = None
    if parts is not None:  # four digits or more: the numbers that end with them first
        told = fetch_parts_page(connection, query, parts, request.page, found, newest)
        page, number, pages, first_number, shown = (
            told.page,
            told.number,
            told.pages,
            told.first_number,
            told.shown,
        )
    else:
        # without what a search found, `fetch_page` plans the page itself, and may read the total along
        plan = plan_page(connection, query, found[0]) if found else None
        page = fetch_page(connection, query, plan, newest)
        pages = max(1, -(-page.total // settings.page_size))
        number = page_number(request.position, page, request.page, pages)
        first_number = (number - 1) * settings.page_size + 1
    result = ListResult(
        view=stored,
        page=page,
        position=request.position,
        anchor=request.anchor,
        page_number=number,
        pages=pages,
        first_number=first_number,
        today=today,
        view_gone=gone,
        parts=shown,
    )
    costly = page.total if page.total_costly and key and known is None else None
    return Listed(result, costly, key)


def _stored_and_found(
    connection: Connection, view: ListView, request: ListRequest, settings: ListSettings, scope: int | None
) -> tuple[StoredView, tuple[Found, ...] | None, list[DialogRow] | None]:
    """A view made, stored; on PostgreSQL with what its search finds counted by the same statement
    (`EngineSQL.counted_along`: a round trip less for every search typed), for its page's plan. There a
    view without filters, seen by everyone, also keeps that count as its total if it was costly (what
    `keep` would store after the page), or else has the first page of its search read, newest first as the
    list opens, by that statement (what `fetch_page` would read after it): a round trip less again."""
    sql = sql_of(connection)
    search = view.search(settings.phone_region)
    if search is None or sql.counted_along is None:
        return store_view(connection, view), None, None
    parts = digit_parts(search)
    alone = not view.has_filters and scope is None  # the search's own count and pages are the view's
    statement = storing(connection, view, keeping_count=alone and parts is None)
    first = request.position is PagePosition.FIRST and reads_newest_first(request.sort, request.descending)
    newest = first_page_reads(settings.page_size) if alone and first else 0
    searches = parts or (search,)
    row, found, rows = sql.counted_along(connection, *statement, searches, dialogs.SPARSE_LIMIT, newest)
    return stored_of(row), found, None if rows is None else [dialog_row(read) for read in rows]


def keep(connection: Connection, listed: Listed) -> None:
    """Stores the total a page read counted at a cost (a statement, which writes), if it did."""
    stored = listed.result.view
    if stored is not None and listed.total_to_keep is not None:
        remember_total(connection, stored.id, listed.total_to_keep, listed.key)


def read_and_keep(
    connection: Connection,
    request: ListRequest,
    settings: ListSettings,
    change: ViewChange,
    *,
    masked: bool = False,
    scope: int | None = None,
) -> ListResult:
    """`read_list` with a change, which stores the view it makes as it looks it up, then `keep`: writing
    work, whose writes each stand alone (a view stored without its total is counted again next time)."""
    listed = read_list(connection, request, settings, change, masked=masked, scope=scope)
    keep(connection, listed)
    return listed.result
