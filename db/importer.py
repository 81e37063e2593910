"""Loading dialogs from JSON Lines or CSV: streaming, in batches, idempotent by the source `id`.

Memory stays flat whatever the file's size: lines are read one at a time and stored a batch at a time,
each batch in its own transaction, so an interrupted import keeps what it stored and can simply be re-run.
The statistics (`db.stats`) follow the dialogs: the local days a batch changed are counted again.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, text, update

from db.counters import advance_revision, count_dialog_total, dialog_total
from db.models import Base, ClientName, ClientPhone, ClientPhoneGram, Dialog, Employee, Message
from db.records import DialogRecord, RecordError, parse_record
from db.search import phone_grams
from db.stats import ensure_stats, local_day, mark_fresh, mark_stale, rebuild_stats, refresh_days
from db.text import fold

BATCH_SIZE = 5000


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    updated: int = 0
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return self.added + self.updated + len(self.rejected)


# Called after each batch with (lines read, bytes read) so a terminal can show progress.
Progress = Callable[[int, int], None]

# A load at least this large, into an archive less than half its size, takes the bulk path.
BULK_MIN_DIALOGS = 50_000
# A batch that changed dialogs of up to this many local days counts them again in its own transaction
# (~7 ms a day at 1M dialogs); one that changed more (a re-import of old dialogs) leaves them for the end
# of the import, where each day is counted once whatever the number of batches that changed it.
REFRESH_NOW_DAYS = 31


def import_file(
    engine: Engine,
    path: Path,
    *,
    region: str,
    local_tz: ZoneInfo,
    progress: Progress | None = None,
) -> ImportReport:
    """Imports `path` (.jsonl or .csv; other names are recognised by their first character). `local_tz`:
    the zone of times given without an offset, and of the statistics' days."""
    report = ImportReport()
    with path.open("rb") as raw, _Loader(engine, _estimate_lines(path, raw), report, local_tz) as loader:
        for number, obj in _read_objects(raw, _is_csv(path, raw)):
            try:
                if isinstance(obj, RecordError):
                    raise obj
                record = parse_record(obj, region=region, local_tz=local_tz)
            except RecordError as error:
                report.rejected.append(Rejection(number, str(error)))
                continue
            if loader.add(record) and progress:
                progress(report.lines, raw.tell())
    if progress:
        progress(report.lines, path.stat().st_size)
    return report


def store_records(
    engine: Engine, records: Iterable[DialogRecord], *, zone: ZoneInfo, expected: int = 0
) -> int:
    """Stores already valid records (demo data); returns how many were stored. `zone`: the time zone of
    the statistics' days (the TIMEZONE setting)."""
    report = ImportReport()
    with _Loader(engine, expected, report, zone) as loader:
        for record in records:
            loader.add(record)
    return report.added + report.updated


_DIALOG_INDEXES = Base.metadata.tables[Dialog.__tablename__].indexes


class _Loader:
    """Stores records a batch at a time, in one of two ways:

    - incremental: a transaction per batch, indexes and counters kept up to date as it goes; the bot
      can read and write in between, and an interrupted import keeps the batches it stored. The
      statistics of the days a batch changed are counted again with it, or, when it changed many days,
      at the end of the import (until then they are marked stale, so that should the process be killed
      first, `db.stats.ensure_stats` counts them all again at the next start);
    - bulk, for a large load into a small archive (the first import, demo data): one transaction that
      drops the dialogs' indexes, inserts, and builds the indexes, counters and statistics once at the
      end — sorting once is several times faster than a million random index insertions. Readers keep
      seeing the archive as it was until the commit; an interrupted bulk load stores nothing.
    """

    def __init__(self, engine: Engine, expected: int, report: ImportReport, zone: ZoneInfo) -> None:
        self._engine = engine
        self._expected = expected
        self._report = report
        self._zone = zone
        self._batch: list[DialogRecord] = []
        self._bulk: Connection | None = None
        self._transaction: Any = None
        self._stored = 0
        self._stale_days: set[date] = set()  # changed by batches that left them for the end

    def __enter__(self) -> _Loader:
        with self._engine.begin() as connection:
            current = dialog_total(connection)
            bulk = self._expected >= BULK_MIN_DIALOGS and current * 2 < self._expected
            if not bulk:  # days are refreshed in the zone the rest was counted in
                ensure_stats(connection, self._zone)
        if bulk:
            self._bulk = self._engine.connect()
            self._transaction = self._bulk.begin()
            for index in _DIALOG_INDEXES:
                index.drop(self._bulk)
        return self

    def add(self, record: DialogRecord) -> bool:
        """Queues a record; True when that stored a batch."""
        self._batch.append(record)
        if len(self._batch) < BATCH_SIZE:
            return False
        self._flush()
        return True

    def __exit__(self, error_type: object, *_: object) -> None:
        if self._bulk is None:
            if error_type is None:
                self._flush()
            with self._engine.begin() as connection:  # after an error too: the stored batches are kept
                self._finish(connection)
            return
        try:
            if error_type is None:
                self._flush()
                for index in _DIALOG_INDEXES:
                    index.create(self._bulk)
                _refresh_all_counts(self._bulk)
                rebuild_stats(self._bulk, self._zone)
                self._finish(self._bulk)
                self._transaction.commit()
        finally:
            self._bulk.close()  # rolls back unless committed

    def _flush(self) -> None:
        if not self._batch:
            return
        if self._bulk is not None:
            added, updated, _ = _store_batch(self._bulk, self._batch, count=False)
        else:
            with self._engine.begin() as connection:
                added, updated, replaced = _store_batch(connection, self._batch, count=True)
                self._refresh_stats(connection, replaced)
        self._report.added += added
        self._report.updated += updated
        self._stored += added + updated
        self._batch = []

    def _refresh_stats(self, connection: Connection, replaced: list[datetime]) -> None:
        """`replaced`: the completion times the batch's updated dialogs had before."""
        moments = replaced + [_naive_utc(record.completed_at) for record in self._batch]
        days = {local_day(moment, self._zone) for moment in moments if moment is not None}
        if len(days) <= REFRESH_NOW_DAYS:
            refresh_days(connection, self._zone, days)
        else:
            mark_stale(connection)
            self._stale_days |= days

    def _finish(self, connection: Connection) -> None:
        if self._stale_days:
            refresh_days(connection, self._zone, self._stale_days)
            mark_fresh(connection, self._zone)
            self._stale_days.clear()
        count_dialog_total(connection)
        if self._stored:  # kept totals and cached counts see the change
            advance_revision(connection)


def _estimate_lines(path: Path, raw: IO[bytes]) -> int:
    """The file's size over the average length of its first lines."""
    sample = raw.read(1 << 20)
    raw.seek(0)
    lines = sample.count(b"\n")
    return path.stat().st_size * lines // len(sample) if lines else 0


def _is_csv(path: Path, raw: IO[bytes]) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return False
    if suffix == ".csv":
        return True
    start = raw.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    raw.seek(0)
    return not start.startswith(b"{")


def _read_objects(raw: IO[bytes], is_csv: bool) -> Iterator[tuple[int, dict[str, Any] | RecordError]]:
    """(line number, object or the reason it is not one) for every non-blank line."""
    if is_csv:
        yield from _read_csv(raw)
        return
    for number, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            yield number, RecordError(f"not valid JSON ({error})")
            continue
        yield number, obj if isinstance(obj, dict) else RecordError("not a JSON object")


def _read_csv(raw: IO[bytes]) -> Iterator[tuple[int, dict[str, Any] | RecordError]]:
    # utf-8-sig: Excel starts its UTF-8 files with a byte order mark
    stream = _TextLines(raw)
    reader = csv.DictReader(stream)
    for row in reader:
        if None in row:
            yield reader.line_num, RecordError("more cells than there are columns in the header")
        elif any(value for value in row.values()):
            yield reader.line_num, row


class _TextLines:
    """Decodes a binary file line by line for `csv` while keeping `tell()` of the underlying file usable."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._first = True

    def __iter__(self) -> _TextLines:
        return self

    def __next__(self) -> str:
        line = self._raw.readline()
        if not line:
            raise StopIteration
        encoding = "utf-8-sig" if self._first else "utf-8"
        self._first = False
        return line.decode(encoding, errors="replace")


def _store_batch(
    connection: Connection, records: list[DialogRecord], *, count: bool
) -> tuple[int, int, list[datetime]]:
    """Upserts one batch; returns (added, updated, the completion times the updated dialogs had before).
    `count`: bring the names' and phones' counters up to date now (otherwise the caller refreshes them
    all at the end)."""
    latest = {record.source_id: record for record in records}  # a repeated id: the later line wins
    employee_ids = _ensure_ids(
        connection, Employee, Employee.name, {r.completed_by for r in records if r.completed_by}
    )
    name_ids = _ensure_ids(
        connection, ClientName, ClientName.name, {r.client_name for r in records if r.client_name}
    )
    phone_ids = _ensure_ids(
        connection, ClientPhone, ClientPhone.e164, {r.client_phone for r in records if r.client_phone}
    )
    existing = {
        row.source_id: row
        for row in connection.execute(
            select(Dialog.source_id, Dialog.id, Dialog.name_id, Dialog.phone_id, Dialog.completed_at).where(
                Dialog.source_id.in_(list(latest))
            )
        )
    }
    touched_names = {row.name_id for row in existing.values() if row.name_id is not None}
    touched_phones = {row.phone_id for row in existing.values() if row.phone_id is not None}
    touched_names.update(name_ids.values())
    touched_phones.update(phone_ids.values())

    new_rows, changed_rows = [], []
    for source_id, record in latest.items():
        row = _dialog_row(record, employee_ids, name_ids, phone_ids)
        if source_id in existing:
            changed_rows.append({"dialog_id": existing[source_id].id, **row})
        else:
            new_rows.append(row)
    if new_rows:
        connection.execute(insert(Dialog), new_rows)
    if changed_rows:
        connection.execute(
            update(Dialog).where(Dialog.id == bindparam("dialog_id")),
            changed_rows,
        )
    _store_transcripts(connection, [r for r in latest.values() if r.messages is not None])
    if count:
        _refresh_counts(connection, ClientName, "name_id", touched_names)
        _refresh_counts(connection, ClientPhone, "phone_id", touched_phones)

    # count lines, not ids: a line that repeats an id earlier in the file updates it
    seen: set[str] = set()
    added = 0
    for record in records:
        if record.source_id not in existing and record.source_id not in seen:
            added += 1
        seen.add(record.source_id)
    return added, len(records) - added, [row.completed_at for row in existing.values()]


def _dialog_row(
    record: DialogRecord,
    employee_ids: dict[str, int],
    name_ids: dict[str, int],
    phone_ids: dict[str, int],
) -> dict[str, Any]:
    name, phone, employee = record.client_name, record.client_phone, record.completed_by
    return {
        "source_id": record.source_id,
        "client_name": name,
        "client_phone": phone or "",
        "client_sort": fold(name) if name else (phone or ""),
        "name_id": name_ids[name] if name else None,
        "phone_id": phone_ids[phone] if phone else None,
        "channel": record.channel,
        "employee_id": employee_ids[employee] if employee else None,
        "employee_sort": fold(employee) if employee else "",
        "started_at": _naive_utc(record.started_at),
        "completed_at": _naive_utc(record.completed_at),
        "message_count": record.message_count,
    }


def _naive_utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment is not None else None


def _ensure_ids(connection: Connection, model: Any, key: Any, values: set[str]) -> dict[str, int]:
    """Ids of the rows whose `key` is in `values`, inserting the missing ones."""
    if not values:
        return {}
    ids: dict[str, int] = {
        value: id_ for value, id_ in connection.execute(select(key, model.id).where(key.in_(values)))
    }
    missing = sorted(values - ids.keys())
    if missing:
        rows = [_new_row(model, value) for value in missing]
        connection.execute(insert(model), rows)
        added: dict[str, int] = dict(connection.execute(select(key, model.id).where(key.in_(missing))).all())
        if model is ClientPhone:
            grams = {(gram, phone_id) for e164, phone_id in added.items() for gram in phone_grams(e164)}
            connection.execute(insert(ClientPhoneGram), [{"gram": g, "phone_id": p} for g, p in grams])
        ids.update(added)
    return ids


def _new_row(model: Any, value: str) -> dict[str, Any]:
    if model is ClientPhone:
        return {"e164": value, "dialog_count": 0}
    if model is ClientName:
        return {"name": value, "name_fold": fold(value), "dialog_count": 0}
    return {"name": value, "name_fold": fold(value)}


def _store_transcripts(connection: Connection, records: list[DialogRecord]) -> None:
    if not records:
        return
    dialog_ids = dict(
        connection.execute(
            select(Dialog.source_id, Dialog.id).where(Dialog.source_id.in_([r.source_id for r in records]))
        ).all()
    )
    connection.execute(delete(Message).where(Message.dialog_id.in_(list(dialog_ids.values()))))
    rows = [
        {
            "dialog_id": dialog_ids[record.source_id],
            "position": position,
            "sent_at": _naive_utc(message.at),
            "sender": message.sender,
            "author": message.author,
            "text": message.text,
        }
        for record in records
        for position, message in enumerate(record.messages or (), start=1)
    ]
    if rows:
        connection.execute(insert(Message), rows)


def _refresh_counts(connection: Connection, model: Any, column: str, ids: set[int]) -> None:
    if not ids:
        return
    statement = text(f"{_recount(model, column)} WHERE id IN :ids").bindparams(
        bindparam("ids", expanding=True)
    )
    connection.execute(statement, {"ids": sorted(ids)})


def _refresh_all_counts(connection: Connection) -> None:
    connection.execute(text(_recount(ClientName, "name_id")))
    connection.execute(text(_recount(ClientPhone, "phone_id")))


def _recount(model: Any, column: str) -> str:
    table = model.__tablename__
    dialogs = f"FROM dialogs WHERE {column} = {table}.id"
    return (
        f"UPDATE {table} SET dialog_count = (SELECT COUNT(*) {dialogs}),"
        f" last_completed_at = (SELECT MAX(completed_at) {dialogs})"
    )
