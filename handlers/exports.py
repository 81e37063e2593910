"""Exports for heads and admins: the list view (its search, filters and sort) as CSV or Excel, a
conversation as a text file. Built in a worker thread with progress shown in the chat; every export is
audited."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from tempfile import TemporaryDirectory

from aiogram import Bot, Router
from aiogram.exceptions import (
    AiogramError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import CallbackQuery, FSInputFile, Message

from db import audit
from db.archive import Archive
from db.dialogs import DialogRow
from db.periods import local_today
from db.views import ListView, StoredView
from keyboards.callbacks import ExportCallback, TranscriptCallback
from keyboards.columns import COLUMNS
from views.exports import (
    EXPORT_LIMIT,
    list_audit_detail,
    list_caption,
    list_file_name,
    transcript_file_name,
    transcript_title,
    write_list,
    write_transcript,
)
from views.formatting import h, short
from views.viewer import Viewer

log = logging.getLogger(__name__)

PROGRESS_SECONDS = 2.0  # Telegram allows about one edit a second per chat
TRANSCRIPT_LIMIT = 100_000


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
    stored = await archive.stored_view(callback_data.view_id) if callback_data.view_id else None
    if callback_data.view_id and stored is None:
        await callback.answer(t("button-outdated"), show_alert=True)
        return
    await callback.answer()
    status = await bot.send_message(viewer.telegram_id, t("export-started"))
    filename = list_file_name(callback_data.format, datetime.now(viewer.zone), viewer.texts)
    with TemporaryDirectory() as folder:
        path = Path(folder) / filename
        count = await _write_list(path, callback_data, stored, status, viewer, archive)
        if count is None:
            return
        today = local_today(viewer.zone)
        caption = list_caption(t, count, stored, callback_data.sort, callback_data.desc, today)
        failure = await _send_file(bot, viewer, FSInputFile(path, filename=filename), caption)
    if failure is not None:  # the status says what happened instead of "preparing" for good
        with contextlib.suppress(AiogramError):
            await status.edit_text(t(failure))
        return
    with contextlib.suppress(TelegramAPIError):
        await status.delete()
    detail = list_audit_detail(filename, count, stored, callback_data.sort, callback_data.desc)
    await archive.record_export(viewer.telegram_id, audit.EXPORT_LIST, detail)


async def _write_list(
    path: Path,
    asked: ExportCallback,
    stored: StoredView | None,
    status: Message,
    viewer: Viewer,
    archive: Archive,
) -> int | None:
    """Writes the view's file in a worker thread, its progress shown on `status`; how many dialogs it
    holds, or None when it failed (said on `status`)."""
    progress = _Progress()

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
        return await archive.export(
            stored.view if stored is not None else ListView(),
            COLUMNS[asked.sort].sort_key,
            asked.desc,
            lambda batches: write_list(path, asked.format, capped(batches), viewer.texts, viewer.zone),
        )
    except Exception:  # the person is told on the status message; we get the traceback in the log
        log.exception("export failed")
        with contextlib.suppress(TelegramAPIError):
            await status.edit_text(viewer.texts("export-failed"))
        return None
    finally:
        reporter.cancel()


async def export_transcript(
    callback: CallbackQuery, callback_data: TranscriptCallback, viewer: Viewer, archive: Archive, bot: Bot
) -> None:
    t = viewer.texts
    if not viewer.role.may_export:
        await callback.answer(t("export-heads-only"), show_alert=True)
        return
    card = await archive.open_card(callback_data.dialog, 0, TRANSCRIPT_LIMIT, opened_by=None)
    if card is None:
        await callback.answer(t("card-not-found"), show_alert=True)
        return
    await callback.answer()
    title = transcript_title(card.dialog, t, viewer.zone)
    filename = transcript_file_name(card.dialog, t)
    with TemporaryDirectory() as folder:
        path = Path(folder) / filename
        write_transcript(path, card.dialog, card.lines, t, viewer.zone, title)
        document = FSInputFile(path, filename=filename)
        failure = await _send_file(bot, viewer, document, h(short(title, 1000)))
    if failure is not None:  # the button was answered already: the person is told in the chat
        with contextlib.suppress(AiogramError):
            await bot.send_message(viewer.telegram_id, t(failure))
        return
    await archive.record_export(
        viewer.telegram_id, audit.EXPORT_TRANSCRIPT, filename, dialog_id=card.dialog.id
    )


async def _send_file(bot: Bot, viewer: Viewer, document: FSInputFile, caption: str) -> str | None:
    """Sends an export's file (the session waits out a short flood wait and tries again when nothing was
    sent); None when it went, or the text that tells the person why not and what to do. The button was
    answered before the file was written, so a failure can no longer be said on it."""
    try:
        await bot.send_document(viewer.telegram_id, document, caption=caption)
    except TelegramEntityTooLarge:
        log.warning("export not sent: the file is larger than Telegram takes from a bot")
        return "export-too-large"
    except (TelegramRetryAfter, TelegramServerError, TelegramNetworkError) as error:
        log.warning("export not sent: %s", error.message)
        return "export-not-sent"
    except TelegramAPIError:
        log.exception("export not sent")
        return "export-failed"
    return None


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
