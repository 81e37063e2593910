"""The archive as the bot sees it: one object with async methods, so handlers never touch SQL.

Reads run inline; writes too when the database is free, and in a worker thread behind another writer
(see `db.engine`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import TypeVar

from db import audit
from db.cards import TranscriptPage, fetch_card, fetch_transcript
from db.dialogs import DialogPage, DialogQuery, DialogRow, fetch_page, iter_dialogs
from db.engine import Database
from db.saved_searches import find_search, load_search, save_search
from db.users import Role, find_role

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

    async def save_search(self, typed: str) -> int:
        """A search seen before is only read; a new one is written."""
        found = self._db.run(find_search, typed)
        return found if found is not None else await self._db.write(save_search, typed)

    async def search_text(self, search_id: int) -> str | None:
        return self._db.run(load_search, search_id)

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
