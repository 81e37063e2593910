"""Exports for heads and admins: the list view (its search, filters and sort) as CSV or Excel, a
conversation as a text file. Built in a worker thread with progress shown in the chat; every export is
audited."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.types import CallbackQuery, FSInputFile, Message

from db import audit
from db.archive import Archive
from db.dialogs import DialogQuery, DialogRow, SortColumn
from db.periods import local_today
from db.views import SavedView
from keyboards.callbacks import ExportCallback, ExportFormat, TranscriptCallback
from views.exports import write_list, write_transcript
from views.rendering import COLUMN_NAMES, MAX_SEARCH_SHOWN, client_label_plain, filters_line, h, short
from views.viewer import Viewer

log = logging.getLogger(__name__)

EXPORT_LIMIT = 200_000  # rows in one file: beyond that, a narrower search is more use than a bigger file
PROGRESS_SECONDS = 2.0  # Telegram allows about one edit a second per chat
TRANSCRIPT_LIMIT = 100_000
SUFFIX = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx"}


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="exports")
    screen.callback_query.register(export_list, ExportCallback.filter())
    screen.callback_query.register(export_transcript, TranscriptCallback.filter())
    return screen


@dataclass
class _Progress:
    """Written by the export thread, read by the task that shows it (plain ints: safe under the GIL)."""

    done: int = 0
    total: int = 0


async def export_list(
    callback: CallbackQuery, callback_data: ExportCallback, viewer: Viewer, archive: Archive, bot: Bot
) -> None:
    t = viewer.texts
    if not viewer.role.may_export:
        await callback.answer(t("export-heads-only"), show_alert=True)
        return
    saved = await archive.view(callback_data.saved) if callback_data.saved else SavedView()
    if saved is None:
        await callback.answer(t("button-outdated"), show_alert=True)
        return
    today = local_today(viewer.zone)
    query = DialogQuery(
        search=saved.search(viewer.phone_region),
        filters=saved.filters(viewer.zone, today),
        sort=SortColumn(callback_data.sort),
        descending=callback_data.desc,
    )
    await callback.answer()
    chat_id = viewer.telegram_id
    status = await bot.send_message(chat_id, t("export-started"))
    progress = _Progress()
    stamp = datetime.now(viewer.zone).strftime("%Y-%m-%d-%H%M")
    filename = f"dialogs-{stamp}.{SUFFIX[callback_data.format]}"
    with TemporaryDirectory() as folder:
        path = Path(folder) / filename

        def capped(batches: Iterator[tuple[int, list[DialogRow]]]) -> Iterator[list[DialogRow]]:
            for total, rows in batches:
                progress.total = min(total, EXPORT_LIMIT)
                room = EXPORT_LIMIT - progress.done
                if room <= 0:
                    return
                progress.done += min(room, len(rows))
                yield rows[:room]

        reporter = asyncio.create_task(_report(status, progress, viewer))
        try:
            count = await archive.export(
                query, lambda batches: write_list(path, callback_data.format, capped(batches), t, viewer.zone)
            )
        except Exception:  # the person is told on the status message; we get the traceback in the log
            log.exception("export failed")
            with contextlib.suppress(TelegramAPIError):
                await status.edit_text(t("export-failed"))
            return
        finally:
            reporter.cancel()
        caption = _caption(viewer, count, callback_data, saved, today)
        await bot.send_document(chat_id, FSInputFile(path, filename=filename), caption=caption)
    with contextlib.suppress(TelegramAPIError):
        await status.delete()
    detail = f"{filename}; rows={count}; sort={SortColumn(callback_data.sort).name.lower()}"
    detail += f"{' desc' if callback_data.desc else ' asc'}; search={saved.search_text}"
    if saved.has_filters:
        detail += f"; channel={saved.channel}; employee={saved.employee_id or ''}; period={saved.period}"
    await archive.record_export(viewer.telegram_id, audit.EXPORT_LIST, detail)


async def export_transcript(
    callback: CallbackQuery, callback_data: TranscriptCallback, viewer: Viewer, archive: Archive, bot: Bot
) -> None:
    t = viewer.texts
    if not viewer.role.may_export:
        await callback.answer(t("export-heads-only"), show_alert=True)
        return
    dialog, transcript = await archive.card(callback_data.dialog, 0, TRANSCRIPT_LIMIT)
    if dialog is None:
        await callback.answer(t("card-not-found"), show_alert=True)
        return
    await callback.answer()
    when = dialog.completed_at.astimezone(viewer.zone).strftime("%d.%m.%Y")
    title = t("transcript-file-caption", client=client_label_plain(dialog, t), date=when)
    filename = f"dialog-{_safe(dialog.source_id)}.txt"
    with TemporaryDirectory() as folder:
        path = Path(folder) / filename
        write_transcript(path, dialog, transcript.lines, t, viewer.zone, title)
        document = FSInputFile(path, filename=filename)
        await bot.send_document(viewer.telegram_id, document, caption=h(short(title, 1000)))
    await archive.record_export(viewer.telegram_id, audit.EXPORT_TRANSCRIPT, filename, dialog_id=dialog.id)


async def _report(status: Message, progress: _Progress, viewer: Viewer) -> None:
    """Edits the status message while the export runs, no more often than Telegram likes."""
    shown = -1
    while True:
        await asyncio.sleep(PROGRESS_SECONDS)
        if progress.total and progress.done != shown:
            shown = progress.done
            text = viewer.texts("export-progress", done=progress.done, total=progress.total)
            try:
                await status.edit_text(text)
            except TelegramRetryAfter as error:
                await asyncio.sleep(error.retry_after)
            except TelegramAPIError as error:
                log.info("export progress not shown: %s", error)


def _caption(viewer: Viewer, count: int, view: ExportCallback, saved: SavedView, today: date) -> str:
    t = viewer.texts
    parts = [t("export-done", count=count)]
    if saved.search_text:
        parts.append(t("export-search", text=h(short(saved.search_text, MAX_SEARCH_SHOWN))))
    if saved.has_filters:
        parts.append(filters_line(saved, t, today))
    parts.append(t("export-sorted", column=t(COLUMN_NAMES[view.sort]), arrow="↓" if view.desc else "↑"))
    caption = " · ".join(parts)
    if count >= EXPORT_LIMIT:
        caption += "\n" + t("export-capped", count=count)
    return caption


def _safe(source_id: str) -> str:
    """A CRM id as part of a file name."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in source_id)[:80]
