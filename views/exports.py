"""Files for heads of sales: the list view as CSV or Excel, a conversation as text; their names and
captions.

Written a batch at a time (Excel in xlsxwriter's constant-memory mode), so memory stays flat for any
number of rows. Data in files is not HTML: nothing is escaped, numbers are in full (only heads and
admins export).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path

import xlsxwriter

from db.cards import TranscriptLine
from db.dialogs import DialogRow
from db.views import StoredView
from keyboards.callbacks import ExportFormat
from keyboards.columns import COLUMNS, Column
from views.formatting import (
    MAX_SEARCH_SHOWN,
    channel_name,
    client_label_plain,
    filters_line,
    format_phone,
    h,
    response_time,
    short,
)
from views.texts import Texts

HEADER_KEYS = (
    "card-source",
    "column-client",
    "column-channel",
    "column-phone",
    "column-completed-by",
    "card-started",
    "column-completed-at",
    "column-messages",
    "column-first-response",
    "column-longest-wait",
    "export-mark",
    "export-mark-comment",
)
WIDTHS = (16, 28, 14, 18, 24, 17, 17, 11, 16, 16, 9, 40)
EXCEL_TIME = "dd.mm.yyyy hh:mm"
EXPORT_LIMIT = 200_000  # rows in one file: beyond that, a narrower search is more use than a bigger file
SUFFIX = {ExportFormat.CSV: "csv", ExportFormat.XLSX: "xlsx"}


def list_file_name(kind: ExportFormat, now: datetime, t: Texts) -> str:
    """In the person's language: «диалоги-2026-12-05-1019.xlsx»."""
    return f"{t('export-file-list')}-{now:%Y-%m-%d-%H%M}.{SUFFIX[kind]}"


def list_caption(
    t: Texts, count: int, stored: StoredView | None, sort: Column, descending: bool, today: date
) -> str:
    """What the file is: how many dialogs, of which search and filters, in which order."""
    parts = [t("export-done", count=count)]
    if stored is not None and stored.view.search_text:
        parts.append(t("export-search", text=h(short(stored.view.search_text, MAX_SEARCH_SHOWN))))
    if stored is not None and stored.view.has_filters:
        parts.append(filters_line(stored, t, today))
    parts.append(t("export-sorted", column=t(COLUMNS[sort].name), arrow="↓" if descending else "↑"))
    caption = " · ".join(parts)
    if count >= EXPORT_LIMIT:
        caption += "\n" + t("export-capped", count=count)
    return caption


def list_audit_detail(
    filename: str, count: int, stored: StoredView | None, sort: Column, descending: bool
) -> str:
    """What the audit log notes of a list exported: the file, its rows, its order, search and filters."""
    detail = f"{filename}; rows={count}; sort={sort.name.lower()} {'desc' if descending else 'asc'}"
    if stored is None:
        return f"{detail}; search="
    view = stored.view
    detail += f"; search={view.search_text}"
    if view.has_filters:
        detail += f"; channel={view.channel}; employee={view.employee_id or ''}; period={view.period}"
        if view.review:
            detail += f"; review={view.review}"
    return detail


def transcript_title(dialog: DialogRow, t: Texts, zone: tzinfo) -> str:
    when = dialog.completed_at.astimezone(zone).strftime("%d.%m.%Y")
    return t("transcript-file-caption", client=client_label_plain(dialog, t), date=when)


def transcript_file_name(dialog: DialogRow, t: Texts) -> str:
    """A CRM's id as part of a file name, in the person's language: «переписка-crm-01.txt»."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in dialog.source_id)[:80]
    return f"{t('export-file-transcript')}-{safe}.txt"


def _cells(
    row: DialogRow, t: Texts, zone: tzinfo
) -> tuple[str, str, str, str, str, datetime | None, datetime, int, str, str, int | str, str]:
    return (
        row.source_id,
        row.client_name or "",
        channel_name(row.channel, t),
        format_phone(row.client_phone, masked=False) if row.client_phone else "",
        row.completed_by or "",
        _local(row.started_at, zone) if row.started_at else None,
        _local(row.completed_at, zone),
        row.message_count,
        # text cells, as the list shows them: «4 мин», «нет переписки» (never a zero for no figure)
        response_time(row.first_response, t),
        response_time(row.longest_wait, t),
        row.mark if row.mark is not None else "",  # a head's mark, 1–5 (`db.reviews`)
        row.review_comment or "",
    )


def _local(moment: datetime, zone: tzinfo) -> datetime:
    """Naive local time: what Excel and a person reading the CSV expect."""
    return moment.astimezone(zone).replace(tzinfo=None)


def write_list(
    path: Path, kind: ExportFormat, batches: Iterable[Sequence[DialogRow]], t: Texts, zone: tzinfo
) -> int:
    """Writes every row of `batches`; returns how many."""
    header = [t(key) for key in HEADER_KEYS]
    rows = (_cells(row, t, zone) for batch in batches for row in batch)
    if kind is ExportFormat.XLSX:
        return _write_xlsx(path, header, rows, t("export-sheet"))
    return _write_csv(path, header, rows)


# A spreadsheet reads a cell that starts with one of these as a formula (or, after a tab or a return, as
# one once trimmed): a client named `=HYPERLINK("http://…")` must stay a name (OWASP, "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: str) -> str:
    """A text cell of a CSV file that a spreadsheet shows as the text it is: a leading apostrophe before
    anything that would start a formula (the spreadsheets' own sign for "this is text")."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _write_csv(path: Path, header: list[str], rows: Iterator[tuple[object, ...]]) -> int:
    # UTF-8 with a byte order mark and ";" between cells: how Excel in a Russian locale opens a CSV
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(header)
        for cells in rows:
            writer.writerow([_csv_cell(value) for value in cells])
            count += 1
    return count


def _csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return csv_text(value) if isinstance(value, str) else value


def _write_xlsx(path: Path, header: list[str], rows: Iterator[tuple[object, ...]], sheet_name: str) -> int:
    # every text cell is written as text: never a formula, a link or a number guessed from it
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(str(path), options)
    try:
        sheet = workbook.add_worksheet(sheet_name)
        bold = workbook.add_format({"bold": True})
        time = workbook.add_format({"num_format": EXCEL_TIME})
        for column, width in enumerate(WIDTHS):
            sheet.set_column(column, column, width, time if column in (5, 6) else None)
        sheet.write_row(0, 0, header, bold)
        sheet.freeze_panes(1, 0)
        count = 0
        for count, cells in enumerate(rows, start=1):
            for column, value in enumerate(cells):
                if isinstance(value, datetime):
                    sheet.write_datetime(count, column, value, time)
                elif isinstance(value, int):
                    sheet.write_number(count, column, value)
                elif isinstance(value, str) and value:
                    sheet.write_string(count, column, value)
        sheet.autofilter(0, 0, count, len(header) - 1)
    finally:
        workbook.close()
    return count


def write_transcript(
    path: Path,
    dialog: DialogRow,
    lines: Sequence[TranscriptLine],
    t: Texts,
    zone: tzinfo,
    title: str,
) -> None:
    """A plain-text conversation: a title, the columns, then who wrote what, when."""
    with path.open("w", encoding="utf-8") as out:
        out.write(f"{title}\n")
        for key, value in zip(HEADER_KEYS, _cells(dialog, t, zone), strict=True):
            shown = value.strftime("%d.%m.%Y %H:%M") if isinstance(value, datetime) else value
            if shown not in (None, ""):
                out.write(f"{t(key)}: {shown}\n")
        out.write("\n")
        for line in lines:
            author = line.author or t(f"sender-{line.sender}")
            when = _local(line.sent_at, zone).strftime("%d.%m.%Y %H:%M:%S")
            out.write(f"[{when}] {author}:\n{line.text}\n\n")
