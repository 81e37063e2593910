"""The archive as the bot sees it: one object with async methods, so handlers never touch SQL.

Reads run inline; writes too when the database is free, and in a worker thread behind another writer
(see `db.engine`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator
from datetime import date, tzinfo
from typing import TypeVar

from sqlalchemy.exc import OperationalError

from db import analytics, audit
from db.analytics import ChannelStats, ClientStats, EmployeeStats
from db.cards import TranscriptPage, fetch_card, fetch_transcript
from db.dialogs import (
    DialogPage,
    DialogQuery,
    DialogRow,
    fetch_page,
    iter_dialogs,
    list_channels,
    list_employees,
)
from db.engine import Database
from db.users import Role, find_role
from db.views import (
    SavedView,
    find_view,
    load_view,
    remember_total,
    store_view,
    view_page,
)

T = TypeVar("T")


class Archive:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def page(self, query: DialogQuery) -> DialogPage:
        return self._db.run(fetch_page, query)

    async def card(self, dialog_id: int, offset: int, limit: int) -> tuple[DialogRow | None, TranscriptPage]:
        """A dialog and one page of its conversation, read together."""
        return self._db.run(fetch_card, dialog_id, offset, limit)

    async def transcript(self, dialog_id: int, offset: int, limit: int) -> TranscriptPage:
        return self._db.run(fetch_transcript, dialog_id, offset, limit)

    async def role_of(self, telegram_id: int) -> Role | None:
        return self._db.run(find_role, telegram_id)

    async def view_page(
        self, view: SavedView | int, query_of: Callable[[SavedView | None], DialogQuery]
    ) -> tuple[SavedView | None, DialogPage]:
        """A stored view (by its id; None when it is gone) or a search just typed (by what it holds; id 0
        when it is new, see `store`), and the page `query_of` it, read together."""
        return self._db.run(view_page, view, query_of)

    async def store(self, view: SavedView, total: int | None = None, key: str = "") -> SavedView:
        """Stores a view, with the total its first page counted when that was costly (one write: a new
        search is stored after its page is made, not before)."""
        return await self._db.write(store_view, view, total, key)

    async def save_view(self, view: SavedView) -> int:
        """The id of a view, storing it if it is new."""
        found = self._db.run(find_view, view)
        return found.id if found is not None else (await self.store(view)).id

    async def save_views(self, views: list[SavedView]) -> list[int]:
        """The ids of several views (the choices of a filter), writing the new ones in one transaction."""
        found = [self._db.run(find_view, view) for view in views]
        if all(view is not None for view in found):
            return [view.id for view in found if view is not None]
        return await self._db.write(lambda connection: [store_view(connection, view).id for view in views])

    async def remember_total(self, view_id: int, total: int, key: str) -> None:
        """Keeps what a view found, so that its next pages need not count again; a busy archive (an
        import) only means counting again next time."""
        with contextlib.suppress(OperationalError):
            await self._db.write(remember_total, view_id, total, key)

    async def view(self, view_id: int) -> SavedView | None:
        return self._db.run(load_view, view_id)

    async def channels(self) -> list[str]:
        return self._db.run(list_channels)

    async def employees(self) -> list[tuple[int, str]]:
        return self._db.run(list_employees)

    async def employee_stats(self, first: date, last: date) -> list[EmployeeStats]:
        return self._db.run(analytics.employee_stats, first, last)

    async def channel_stats(self, first: date, last: date) -> list[ChannelStats]:
        return self._db.run(analytics.channel_stats, first, last)

    async def daily_counts(self, first: date, last: date) -> list[tuple[date, int]]:
        return self._db.run(analytics.daily_counts, first, last)

    async def hourly_counts(self, first: date, last: date) -> list[int]:
        return self._db.run(analytics.hourly_counts, first, last)

    async def top_clients(self, first: date, last: date, zone: tzinfo) -> list[ClientStats]:
        return self._db.run(analytics.top_clients, first, last, zone)

    async def record_opening(self, telegram_id: int, dialog_id: int) -> None:
        await self._db.write(audit.record, telegram_id, audit.OPEN_DIALOG, dialog_id=dialog_id)

    async def record_export(
        self, telegram_id: int, action: str, detail: str, dialog_id: int | None = None
    ) -> None:
        await self._db.write(audit.record, telegram_id, action, dialog_id=dialog_id, detail=detail)

    async def export(
        self, query: DialogQuery, consume: Callable[[Iterator[tuple[int, list[DialogRow]]]], T]
    ) -> T:
        """Walks the whole view in a worker thread and hands the batches to `consume` (which writes a file
        there too): an export of any size never stalls the bot."""
        return await asyncio.to_thread(
            self._db.run, lambda connection: consume(iter_dialogs(connection, query))
        )
