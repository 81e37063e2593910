"""The archive as the bot sees it: one object whose methods are the bot's use cases, so that a handler makes
one call and never touches SQL.

Reads run in one transaction each (inline on SQLite, see `db.engine`); writes too, and they wait behind
another writer (an import) in a worker thread, raising `db.errors.ArchiveBusy` when the wait runs out.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import Connection

from db import analytics, audit, choices, digest, review_queue, reviews
from db.analytics import (
    ChannelStats,
    ChartFigures,
    ClientStats,
    EmployeeStats,
    Figures,
    TimeFigures,
    busiest_days,
)
from db.cards import Card, client_list_view, open_card
from db.choices import FilterChoices, FilterOverview
from db.dialogs import DialogQuery, DialogRow, Filters, iter_dialogs
from db.digest import DIGEST_ROWS, Digest, Subscription
from db.engine import Database
from db.errors import ArchiveBusy
from db.keywords import (
    KeywordResult,
    StoredKeywords,
    load_keywords,
    read_results,
    store_keywords,
    words_text_of,
)
from db.listing import (
    ListRequest,
    ListResult,
    ListSettings,
    ViewChange,
    keep,
    read_and_keep,
    read_list,
)
from db.periods import Period, PeriodKind, local_now, local_today, previous_span
from db.review_queue import ReviewQueue, queue_week, week_of_code
from db.users import PEOPLE_CHANGES, Person, choose_language, find_person
from db.views import NOBODY, ListView, StoredView, find_views, load_view, scoped, store_views

T = TypeVar("T")
R = TypeVar("R")

PEOPLE_KEPT = 10_000  # Telegram users kept at most (strangers included); all forgotten when it is reached


class Archive:
    """`scope`: the employee whose dialogs alone this archive shows (a manager linked to them, with
    MANAGER_SCOPE=own: `seen_by`); None: every dialog. Every page, search, count, choice and card is read
    through it, whatever a button carries: a stored view filtered to another employee is as good as gone,
    another's dialog has no card."""

    def __init__(self, database: Database, settings: ListSettings, scope: int | None = None) -> None:
        self._db = database
        self.settings = settings
        self.scope = scope
        # who each Telegram user is, by the number of the changes told when it was read (`person`)
        self._people: dict[int, tuple[int, Person]] = {}

    def seen_by(self, scope: int | None) -> Archive:
        """The archive as someone sees it who sees the dialogs of the employee `scope` alone (None: all):
        what the access check hands each update's handler. Nothing is read to make it."""
        if scope == self.scope:
            return self
        scoped = copy.copy(self)  # the people kept are the same
        scoped.scope = scope
        return scoped

    async def person(self, telegram_id: int) -> Person:
        """Who a Telegram user is to the bot — their role and the language they chose — in one read, the
        first statement of every update. On PostgreSQL it is kept between updates for as long as the
        database tells this process of every change to who may use the bot (`Database.changes_told`): a
        role taken away is refused from the next update on, on every replica; a round trip less a tap
        (benchmarks/README.md). On SQLite, reading it costs less than keeping it would."""
        told = self._db.changes_told(PEOPLE_CHANGES)
        kept = self._people.get(telegram_id)
        if told is not None and kept is not None and kept[0] == told:
            return kept[1]
        person = await self._db.read(find_person, telegram_id)
        # kept only when no change was told while it was read: it might be what the change replaced
        if told is not None and self._db.changes_told(PEOPLE_CHANGES) == told:
            if len(self._people) >= PEOPLE_KEPT:
                self._people.clear()
            self._people[telegram_id] = (told, person)
        return person

    async def choose_language(self, telegram_id: int, language: str) -> None:
        await self._db.write(choose_language, telegram_id, language)
        self._people.pop(telegram_id, None)  # for their next update, which may come before the word of it

    # --- the dialog list ---------------------------------------------------------------------------

    async def open_list(
        self, request: ListRequest, change: ViewChange | None = None, *, masked: bool = False
    ) -> ListResult:
        """The page a list button asks for, read in one transaction, or with `change` the page of the view
        a person just made (a search or dates typed, a filter reset), the view stored as it is looked up
        (a long import holding the database: `ArchiveBusy`). A search's total counted at a cost is kept
        with its view for the next pages; when the archive is busy it is counted again next time.
        `masked`: the person sees numbers masked, and may not search by the digits the mask hides
        (`SearchRefused`)."""
        scope = self.scope
        if change is not None:
            return await self._db.write_statement(
                read_and_keep, request, self.settings, change, masked=masked, scope=scope
            )
        listed = await self._db.read(read_list, request, self.settings, masked=masked, scope=scope)
        if listed.total_to_keep is not None:
            with contextlib.suppress(ArchiveBusy):
                await self._db.write_statement(keep, listed)
        return listed.result

    async def stored_view(self, view_id: int, *, masked: bool = False) -> StoredView | None:
        """A stored view by its id (None when it is gone, or `masked` and its search one that someone who
        sees numbers masked may not make, or filtered to an employee other than the archive's `scope`)."""
        return await self._db.read(self._load_view, view_id, masked)

    def _load_view(self, connection: Connection, view_id: int, masked: bool) -> StoredView | None:
        stored = load_view(connection, view_id)
        if stored is not None and masked and stored.view.reads_hidden_digits(self.settings.phone_region):
            return None
        if stored is not None and not stored.view.open_to(self.scope):
            return None
        return stored

    async def filter_overview(self, view_id: int, *, masked: bool) -> FilterOverview | None:
        """The filters screen of the view on screen, with what it finds (`db.choices.filter_overview`);
        None when that view is gone (or `masked` and not for them: see `stored_view`)."""
        zone = self.settings.zone

        def read(connection: Connection) -> FilterOverview | None:
            stored = self._load_view(connection, view_id, masked) if view_id else None
            if view_id and stored is None:
                return None
            return choices.filter_overview(connection, stored, zone, local_today(zone), self.scope)

        return await self._db.read(read)

    async def channel_choices(self, view_id: int, *, masked: bool) -> FilterChoices[str] | None:
        """The channel filter's choices for the view on screen; None when that view is gone (or `masked` and
        not for them: see `stored_view`)."""
        today, scope = local_today(self.settings.zone), self.scope
        return await self._choices(
            view_id,
            masked,
            lambda connection, stored: choices.channel_choices(connection, stored, today, scope),
        )

    async def employee_choices(
        self, view_id: int, part: int, per_part: int, *, masked: bool
    ) -> FilterChoices[tuple[int, str]] | None:
        today, scope = local_today(self.settings.zone), self.scope
        return await self._choices(
            view_id,
            masked,
            lambda connection, stored: choices.employee_choices(
                connection, stored, part, per_part, today, scope
            ),
        )

    async def employees_matching(
        self, text: str, view_id: int, limit: int, *, masked: bool
    ) -> FilterChoices[tuple[int, str]] | None:
        """The employee choices whose name holds the letters typed (`db.choices.employees_matching`); None
        when the view on screen is gone (see `channel_choices`)."""
        today, scope = local_today(self.settings.zone), self.scope

        def matching(connection: Connection, stored: StoredView | None) -> FilterChoices[tuple[int, str]]:
            return choices.employees_matching(connection, stored, text, limit, today, scope)

        return await self._choices(view_id, masked, matching)

    async def period_choices(self, view_id: int, *, masked: bool) -> FilterChoices[Period | None] | None:
        return await self._choices(view_id, masked, choices.period_choices)

    async def review_choices(self, view_id: int, *, masked: bool) -> FilterChoices[str] | None:
        """The review filter's choices (`db.choices.review_choices`); None when that view is gone."""
        return await self._choices(view_id, masked, choices.review_choices)

    async def employees_named(
        self, text: str, view_id: int, limit: int, *, masked: bool
    ) -> FilterChoices[tuple[int, str]] | None:
        """The employees whose name `text` is (`db.choices.employees_named`), each the view `view_id`
        without its search, filtered to them; None when that view is gone (see `channel_choices`)."""

        def named(connection: Connection, stored: StoredView | None) -> FilterChoices[tuple[int, str]]:
            return choices.employees_named(connection, stored, text, limit, self.scope)

        return await self._choices(view_id, masked, named)

    async def _choices(
        self, view_id: int, masked: bool, make: Callable[[Connection, StoredView | None], FilterChoices[T]]
    ) -> FilterChoices[T] | None:
        def read(connection: Connection) -> tuple[FilterChoices[T] | None, list[int] | None]:
            stored = self._load_view(connection, view_id, masked) if view_id else None
            if view_id and stored is None:
                return None, None
            found = make(connection, stored)
            return found, find_views(connection, [choice.view for choice in found.choices])

        found, ids = await self._db.read(read)
        if found is None:
            return None
        if ids is None:  # the first time these choices are offered: their views are stored, in one go
            ids = await self._db.write(store_views, [choice.view for choice in found.choices])
        stored_ids = zip(found.choices, ids, strict=True)
        return replace(found, choices=[replace(choice, view_id=view_id) for choice, view_id in stored_ids])

    async def _stored_ids(self, views: list[ListView]) -> list[int]:
        """The ids of views a screen's buttons lead to, storing them (in one go) the first time."""
        ids = await self._db.read(find_views, views)
        return ids if ids is not None else await self._db.write(store_views, views)

    # --- keyword search inside conversations (`db.keywords`) ----------------------------------------

    async def find_words(self, typed: str, view_id: int, size: int, *, masked: bool) -> KeywordResult | None:
        """The first page of the dialogs whose conversations hold the words `typed`, within the filters of
        the list view `view_id` (0, or a view gone or not for them: the whole archive they see); the
        search stored (once) for the pages' buttons to carry. None when `typed` holds no word."""
        words = words_text_of(typed)
        if not words:
            return None

        def write(connection: Connection) -> KeywordResult:
            stored = self._load_view(connection, view_id, masked) if view_id else None
            within = stored.id if stored is not None else 0
            search = StoredKeywords(store_keywords(connection, words, within), words, within)
            return self._results(connection, search, stored, size, 0, 0, 1)

        return await self._db.write(write)

    async def word_results(
        self, search_id: int, size: int, *, after: int = 0, before: int = 0, page: int = 1, masked: bool
    ) -> KeywordResult | None:
        """A page of a stored keyword search (the first; after or before the dialog given); None when there
        is no such search (a forged button), or it is within a list view that is not for them."""

        def read(connection: Connection) -> KeywordResult | None:
            search = load_keywords(connection, search_id)
            if search is None:
                return None
            stored = self._load_view(connection, search.view_id, masked) if search.view_id else None
            if search.view_id and stored is None:
                return None
            return self._results(connection, search, stored, size, after, before, page)

        return await self._db.read(read)

    def _results(
        self,
        connection: Connection,
        search: StoredKeywords,
        stored: StoredView | None,
        size: int,
        after: int,
        before: int,
        page: int,
    ) -> KeywordResult:
        """Within the view's filters as this archive's person sees them (`scoped`)."""
        zone = self.settings.zone
        today = local_today(zone)
        filters = scoped(stored.view.filters(zone, today) if stored is not None else Filters(), self.scope)
        return read_results(
            connection, search, stored, filters, size, after=after, before=before, page=page, today=today
        )

    # --- a dialog ----------------------------------------------------------------------------------

    async def open_card(self, dialog_id: int, part: int, per_part: int, opened_by: int | None) -> Card | None:
        """A dialog's card at one part of its transcript (None: no such dialog). With `opened_by`, the
        opening is audited, and the card is not shown when it cannot be (`ArchiveBusy`). With a `scope`,
        another employee's dialog is no dialog (None)."""
        if opened_by is None:
            return await self._db.read(open_card, dialog_id, part, per_part, self.scope)
        return await self._db.write_statement(
            open_card, dialog_id, part, per_part, self.scope, opened_by=opened_by
        )

    async def client_list(self, dialog_id: int, *, masked: bool) -> ListResult | None:
        """The first page, newest first, of every dialog of the client of `dialog_id` (its card's button),
        its view stored as it is looked up (as `open_list`'s). None when there is no such dialog (with a
        `scope`: none of theirs) or its client has no list. `masked`: as `open_list`'s."""

        def opened(connection: Connection) -> ListResult | None:
            view = client_list_view(connection, dialog_id, self.scope)
            if view is None:
                return None
            change = ViewChange(search_text=view.search_text)
            request = ListRequest("completed_at", descending=True)  # newest first
            return read_and_keep(connection, request, self.settings, change, masked=masked, scope=self.scope)

        return await self._db.write_statement(opened)

    async def mark(
        self, dialog_id: int, mark: int, by: int, by_name: str | None, part: int, per_part: int
    ) -> Card | None:
        """Marks a dialog 1–5 for `by` (a head or an admin; `by_name`: their name in Telegram, shown when
        the bot knows none), audited, and the card at that part, marked, in one transaction; None when
        there is no such dialog (nothing written)."""

        def write(connection: Connection) -> Card | None:
            if not reviews.mark_dialog(connection, dialog_id, mark, by, by_name):
                return None
            return open_card(connection, dialog_id, part, per_part, self.scope)

        return await self._db.write(write)

    async def comment_review(
        self, dialog_id: int, comment: str | None, by: int, part: int, per_part: int
    ) -> Card | None:
        """The comment of a dialog's mark (`db.reviews.comment_review`; None removes it), audited, and the
        card at that part, in one transaction; None when there is no such dialog. A dialog without a mark
        keeps no comment: its card comes back without one (`Card.review` None)."""

        def write(connection: Connection) -> Card | None:
            reviews.comment_review(connection, dialog_id, comment, by)
            return open_card(connection, dialog_id, part, per_part, self.scope)

        return await self._db.write(write)

    # --- the review queue ------------------------------------------------------------------------------

    async def review_queue(self, week: int = 0) -> ReviewQueue:
        """The review queue of the week `week` (yyyymmdd of its Monday, as a button carries it) when it was
        made; otherwise (0, a week never made, a forged one) the queue of this week — the dialogs of the
        week before — made now if nobody has made it yet (`db.review_queue.make_queue`). With a `scope`,
        only that employee's dialogs of it."""
        asked = week_of_code(week) if week else None
        if asked is not None:
            queue = await self._db.read(review_queue.read_queue, asked, self.scope)
            if queue is not None:
                return queue
        return await self._queue_of(queue_week(local_today(self.settings.zone)), self.scope)

    async def _queue_of(self, week: date, scope: int | None) -> ReviewQueue:
        """The queue of the week, read; made if nobody has made it yet (a write only then)."""
        made = await self._db.read(review_queue.read_queue, week, scope)
        if made is not None:
            return made
        size, zone = self.settings.review_sample, self.settings.zone
        return await self._db.write(review_queue.make_queue, week, size, zone, scope)

    # --- the analytics -------------------------------------------------------------------------------

    async def employee_figures(self, period: Period) -> Figures[list[EmployeeStats]]:
        """Per employee; a numbered row for each employee, then one for the dialogs nobody completed."""

        def drill(rows: list[EmployeeStats]) -> list[ListView]:
            people = [row.employee_id for row in rows if row.employee_id]
            nobody = [NOBODY for row in rows if not row.employee_id]
            return [ListView(employee_id=employee, period=period.code) for employee in [*people, *nobody]]

        zone = self.settings.zone

        def read(connection: Connection, first: date, last: date) -> list[EmployeeStats]:
            rows = analytics.employee_stats(connection, first, last)
            return analytics.with_reviews(connection, rows, first, last, zone)

        return await self._figures(period, read, drill)

    async def channel_figures(self, period: Period) -> Figures[list[ChannelStats]]:
        """Per channel, against the same stretch of time before (`Figures.previous`); a numbered row for
        each channel with dialogs in the period."""
        zone = self.settings.zone
        now = local_now(zone)
        previous = previous_span(period, now)
        return await self._figures(
            period,
            lambda connection, first, last: analytics.channel_stats(connection, first, last, previous, zone),
            lambda rows: [ListView(channel=row.channel, period=period.code) for row in rows if row.dialogs],
            now,
        )

    async def time_figures(self, period: Period) -> Figures[TimeFigures]:
        """Dialogs per day and per hour; the busiest days are numbered, each opening that day's list."""

        def read(connection: Connection, first: date, last: date) -> TimeFigures:
            days = analytics.daily_counts(connection, first, last)
            return TimeFigures(days, analytics.hourly_counts(connection, first, last), busiest_days(days))

        return await self._figures(
            period, read, lambda time: [ListView(period=_day_code(day)) for day, _ in time.busiest]
        )

    async def client_figures(self, period: Period) -> Figures[list[ClientStats]]:
        """The most active clients; each row opens that number's dialogs of the period."""
        zone = self.settings.zone
        return await self._figures(
            period,
            lambda connection, first, last: analytics.top_clients(connection, first, last, zone),
            lambda rows: [ListView(search_text=row.phone, period=period.code) for row in rows],
        )

    async def chart_figures(self, period: Period) -> Figures[ChartFigures]:
        """What the period's chart draws."""

        zone = self.settings.zone
        now = local_now(zone)
        previous = previous_span(period, now)

        def read(connection: Connection, first: date, last: date) -> ChartFigures:
            return ChartFigures(
                analytics.employee_stats(connection, first, last),
                analytics.channel_stats(connection, first, last, previous, zone),
                analytics.daily_counts(connection, first, last),
            )

        return await self._figures(period, read, lambda _chart: [], now)

    async def _figures(
        self,
        period: Period,
        read: Callable[[Connection, date, date], R],
        drill_of: Callable[[R], list[ListView]],
        now: datetime | None = None,
    ) -> Figures[R]:
        """The figures `read` finds in the period's days, seen at the local time `now` (by default now)."""
        now = now or local_now(self.settings.zone)
        today = now.date()
        first, last = period.days(today)
        rows = await self._db.read(read, first, last)
        views = drill_of(rows)
        drill = await self._stored_ids(views) if views else []
        return Figures(period, today, first, last, rows, drill, previous_span(period, now))

    # --- the morning digest ------------------------------------------------------------------------

    async def digest_subscription(self, telegram_id: int) -> Subscription | None:
        return await self._db.read(digest.subscription, telegram_id)

    async def set_digest(
        self, telegram_id: int, *, enabled: bool, minute: int, language: str
    ) -> Subscription:
        return await self._db.write(
            digest.set_subscription, telegram_id, enabled=enabled, minute=minute, language=language
        )

    async def digest(self, day: date) -> Digest:
        """The digest of the local `day`: its figures and slowest first responses (one read), and the list
        views its rows open (stored the first time), each filtered to that one day, so that a row tapped a
        week later still opens that day; and the reviews due in the week it is sent in (`_reviews_due`).
        Read whole, whoever the archive's scope: heads and admins alone get the digest."""
        zone = self.settings.zone

        def read(connection: Connection) -> tuple[digest.DayFigures, list[digest.SlowResponse]]:
            return digest.day_figures(connection, day), digest.slowest_responses(connection, day, zone)

        figures, slowest = await self._db.read(read)
        code = _day_code(day)
        employees = [
            ListView(employee_id=int(row.key) or NOBODY, period=code)
            for row in figures.employees[:DIGEST_ROWS]
        ]
        channels = [ListView(channel=str(row.key), period=code) for row in figures.channels[:DIGEST_ROWS]]
        whole_day = [ListView(period=code)] if slowest else []
        views = [*employees, *channels, *whole_day]
        ids = await self._stored_ids(views) if views else []
        channels_end = len(employees) + len(channels)
        day_view = ids[channels_end] if whole_day else 0
        reviews = await self._reviews_due(day + timedelta(days=1))
        return Digest(
            figures, ids[: len(employees)], ids[len(employees) : channels_end], slowest, day_view, reviews
        )

    async def _reviews_due(self, today: date) -> ReviewQueue | None:
        """The review queue of the week of the local `today` (the week the digest is sent in), when some of
        it is left to review. Made here if no head has opened it yet: making it is idempotent and
        reproducible (`db.review_queue.make_queue`: the first to make it stores it, everyone reads that),
        so the queue is the one a head would have made; waiting for a head to open it first would leave
        the digest silent on Mondays, when a new week's reviews fall due. The queue holds the dialogs
        stored by the time it is made, which is the digest's time instead of a head's first look."""
        queue = await self._queue_of(queue_week(today), None)
        return queue if queue.left else None

    # --- exports and the audit log --------------------------------------------------------------------

    async def export(
        self,
        view: ListView,
        sort: str,
        descending: bool,
        consume: Callable[[Iterator[tuple[int, list[DialogRow]]]], T],
    ) -> T:
        """Walks the whole view in a worker thread and hands the batches (with the total) to `consume`,
        which writes a file there too: an export of any size never stalls the bot."""
        settings = self.settings
        query = DialogQuery(
            search=view.search(settings.phone_region),
            filters=scoped(view.filters(settings.zone, local_today(settings.zone)), self.scope),
            sort=sort,
            descending=descending,
        )
        return await asyncio.to_thread(
            self._db.run, lambda connection: consume(iter_dialogs(connection, query))
        )

    async def record_export(
        self, telegram_id: int, action: str, detail: str, dialog_id: int | None = None
    ) -> None:
        await self._db.write(audit.record, telegram_id, action, dialog_id=dialog_id, detail=detail)


def _day_code(day: date) -> str:
    return Period(PeriodKind.RANGE, day, day).code
