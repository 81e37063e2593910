"""Loading dialogs from JSON Lines or CSV: streaming, in batches, idempotent by the source `id`.

Every line ends up stored, or rejected with its reason; `db.sources` reads the file (its encoding, a CSV
file's delimiter), and a file that cannot be read, or a database that refuses a write, stops the import
with `ImportStopped`, which says what was stored until then. Each batch is stored in its own transaction
together with the counters it changes (`db.counters`: the total, the revision, the names' and phones'
counts), so an import that stops, is killed or runs out of disk keeps what it stored, consistent with
itself, and can simply be run again. The statistics (`db.stats`) follow the dialogs: the local days a
batch changed are counted again.

Memory stays flat whatever the file's size: lines are read one at a time, stored a batch at a time, and
every statement keeps one shape whatever the batch holds (`db.lookups`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, bindparam, delete, insert, select, update
from sqlalchemy.exc import DatabaseError, OperationalError

from db.counters import (
    add_to_dialog_total,
    advance_revision,
    count_dialog_total,
    dialog_total,
    refresh_all_client_counts,
    refresh_client_counts,
)
from db.dialect import is_postgres
from db.engine import begin_writing
from db.keywords import index_transcripts, unindex_transcripts
from db.lookups import chunks
from db.models import Base, ClientName, ClientPhone, ClientPhoneGram, Dialog, Employee, Message
from db.postgres.connection import copy_rows, drop_foreign_keys
from db.records import DialogRecord, RecordError, parse_record
from db.responses import ResponseTimes, response_times
from db.search import phone_grams
from db.sources import ImportFile, Item, UnreadableFile
from db.stats import count_batch, ensure_stats, local_day, rebuild_stats
from db.text import fold

BATCH_SIZE = 5000


@dataclass(frozen=True, slots=True)
class Rejection:
    line: int
    reason: str
    last: int = 0  # the last line of a CSV record written over several lines (or of a broken one)


@dataclass(slots=True)
class ImportReport:
    added: int = 0
    updated: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    # Every line up to this one is stored or rejected: the end of the file, or, when the import stopped,
    # the last line of the last batch it stored (0: nothing is stored).
    complete_through: int = 0
    encoding: str = ""  # the encoding the file was found to be in, when not UTF-8 and not given

    @property
    def lines(self) -> int:
        return self.added + self.updated + len(self.rejected)


class ImportStopped(Exception):
    """The import stopped before the end of the file; `report` has what it stored and rejected until then.
    The message, for the person, says why."""

    def __init__(self, reason: str, report: ImportReport) -> None:
        super().__init__(reason)
        self.report = report


class FileUnreadable(ImportStopped):
    """The file cannot be read: not at all (nothing is stored), or not after some line (the lines before
    it are)."""


class DatabaseUnwritable(ImportStopped):
    """The database refused a write (a full disk, an I/O error, another writer holding it too long): the
    batches stored before it are kept (a bulk load keeps nothing)."""


# Called after each batch with (lines read, bytes read) so a terminal can show progress.
Progress = Callable[[int, int], None]

# A load at least this large, into an archive less than half its size, takes the bulk path.
BULK_MIN_DIALOGS = 50_000


def import_file(
    engine: Engine,
    path: Path,
    *,
    region: str,
    local_tz: ZoneInfo,
    encoding: str | None = None,
    delimiter: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Imports `path` (.jsonl or .csv; other names are recognised by their first character). `local_tz`:
    the zone of times given without an offset, and of the statistics' days. `encoding`, `delimiter`: as
    given, or None to find them (`db.sources`). Raises `FileUnreadable` or `DatabaseUnwritable`."""
    report = ImportReport()
    try:
        source = ImportFile(path, encoding=encoding, delimiter=delimiter)
    except UnreadableFile as error:
        raise FileUnreadable(str(error), report) from None
    stopped: UnreadableFile | None = None
    with source:
        report.encoding = source.encoding if source.detected else ""
        try:
            with _Loader(engine, source.estimated_lines, report, local_tz) as loader:
                try:
                    for item in source.items():
                        if loader.take(item, region) and progress:
                            progress(report.lines, source.position())
                except UnreadableFile as error:  # the valid lines before it are stored all the same
                    stopped = error
        except (OperationalError, DatabaseError) as error:
            if not _refused(error):
                raise
            raise DatabaseUnwritable(f"the database could not be written: {error.orig}", report) from None
    if stopped is not None:
        raise FileUnreadable(str(stopped), report)
    if progress:
        progress(report.lines, source.size)
    return report


def import_items(engine: Engine, items: Iterable[Item], *, region: str, local_tz: ZoneInfo) -> ImportReport:
    """Stores objects given other than in a file (the ingestion API's, numbered from 0 in their lines) as
    `import_file` stores a file's lines: each stored, or rejected with its reason. Raises
    `DatabaseUnwritable`; the batches stored before it are kept."""
    report = ImportReport()
    try:
        with _Loader(engine, 0, report, local_tz) as loader:
            for item in items:
                loader.take(item, region)
    except (OperationalError, DatabaseError) as error:
        if not _refused(error):
            raise
        raise DatabaseUnwritable(f"the database could not be written: {error.orig}", report) from None
    return report


def _refused(error: DatabaseError) -> bool:
    """Whether the database refused a write for a reason outside the import (a full disk, an I/O error, a
    lock held too long, a damaged file), rather than for a mistake in the import's own statements."""
    return isinstance(error, OperationalError) or type(error) is DatabaseError


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
# PostgreSQL checks a foreign key row by row as rows arrive; a bulk load checks them once, as it adds them
# back at its end: the dialogs' names, numbers and employees, and the numbers' digit grams
_BULK_CHECKED = (Dialog.__tablename__, ClientPhoneGram.__tablename__)


class _Loader:
    """Stores records a batch at a time, in one of two ways:

    - incremental: a transaction per batch, indexes, counters and statistics kept up to date as it goes
      (the batch's old part of the statistics taken away and its new part added, `db.stats.count_batch`);
      the bot can read and write in between, and an interrupted import keeps the batches it stored;
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
        self._bulk_counts = (0, 0)  # added, updated: reported when the bulk load commits
        self._foreign_keys: list[str] = []  # dropped by a bulk load on PostgreSQL, added back at its end
        self._new_numbers: list[int] = []  # a bulk load's: their grams are made at its end, once counted
        self.line = 0  # the line read last: a batch stored now holds every valid line up to it

    def __enter__(self) -> _Loader:
        with begin_writing(self._engine) as connection:
            current = dialog_total(connection)
            bulk = self._expected >= BULK_MIN_DIALOGS and current * 2 < self._expected
            if not bulk:  # days are refreshed in the zone the rest was counted in
                ensure_stats(connection, self._zone)
        if bulk:
            self._bulk = self._engine.connect()
            self._transaction = self._bulk.begin()
            for index in _DIALOG_INDEXES:
                index.drop(self._bulk)
            if is_postgres(self._bulk):
                self._foreign_keys = drop_foreign_keys(self._bulk, _BULK_CHECKED)
        return self

    def take(self, item: Item, region: str) -> bool:
        """Stores a line's object once it is valid, or rejects it with the reason; True when that stored
        a batch."""
        first, last, found = item
        self.line = last
        if isinstance(found, str):
            self._report.rejected.append(Rejection(first, found, last if last > first else 0))
            return False
        try:
            record = parse_record(found, region=region, local_tz=self._zone)
        except RecordError as error:
            self._report.rejected.append(Rejection(first, str(error), last if last > first else 0))
            return False
        return self.add(record)

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
                self._report.complete_through = self.line
            return
        try:
            if error_type is None:
                self._flush()
                for index in _DIALOG_INDEXES:
                    index.create(self._bulk)
                refresh_all_client_counts(self._bulk)
                _add_grams(self._bulk, self._new_numbers)
                for statement in self._foreign_keys:
                    self._bulk.exec_driver_sql(statement)
                rebuild_stats(self._bulk, self._zone)
                count_dialog_total(self._bulk)
                advance_revision(self._bulk)
                self._transaction.commit()
                self._report.added, self._report.updated = self._bulk_counts
                self._report.complete_through = self.line
        finally:
            self._bulk.close()  # rolls back unless committed

    def _flush(self) -> None:
        if not self._batch:
            return
        if self._bulk is not None:
            added, updated = _store_batch(
                self._bulk, self._batch, count=False, zone=self._zone, new_numbers=self._new_numbers
            )
            self._bulk_counts = (self._bulk_counts[0] + added, self._bulk_counts[1] + updated)
        else:
            with begin_writing(self._engine) as connection:
                added, updated = _store_batch(connection, self._batch, count=True, zone=self._zone)
            self._report.added += added
            self._report.updated += updated
            self._report.complete_through = self.line
        self._batch = []


def _store_batch(
    connection: Connection,
    records: list[DialogRecord],
    *,
    count: bool,
    zone: ZoneInfo,
    new_numbers: list[int] | None = None,
) -> tuple[int, int]:
    """Upserts one batch; returns (added, updated). `count`: bring the names' and phones' counters and
    the statistics (of local days in `zone`) up to date now (otherwise the caller counts them all at the
    end). `new_numbers`: the numbers this batch adds are listed there, for the caller to make their digit
    grams at the end (otherwise they are made now)."""
    latest = {record.source_id: record for record in records}  # a repeated id: the later line wins
    employee_ids = _ensure_ids(
        connection, Employee, Employee.name, {r.completed_by for r in records if r.completed_by}
    )
    name_ids = _ensure_ids(
        connection, ClientName, ClientName.name, {r.client_name for r in records if r.client_name}
    )
    phones = {r.client_phone for r in records if r.client_phone}
    phone_ids = _ensure_ids(connection, ClientPhone, ClientPhone.e164, phones, new_numbers)
    existing = {
        row.source_id: row
        for chunk in chunks(latest)
        for row in connection.execute(_EXISTING, {"ids": chunk})
    }
    touched_names = {row.name_id for row in existing.values() if row.name_id is not None}
    touched_phones = {row.phone_id for row in existing.values() if row.phone_id is not None}
    touched_names.update(name_ids.values())
    touched_phones.update(phone_ids.values())

    if count:  # the changed dialogs' old part of the statistics goes; their new part comes below
        old_days = {local_day(row.completed_at, zone) for row in existing.values()}
        count_batch(connection, zone, existing.keys(), old_days, -1)

    new_rows, changed_rows = [], []
    for source_id, record in latest.items():
        stored = existing.get(source_id)
        if record.messages is None and stored is not None:  # the stored transcript stays, and its figures
            times = ResponseTimes(stored.first_response, stored.longest_wait)
        else:
            times = response_times(None if record.messages is None else _transcript(record))
        row = _dialog_row(record, employee_ids, name_ids, phone_ids, times)
        if source_id in existing:
            changed_rows.append({"dialog_id": existing[source_id].id, **row})
        else:
            new_rows.append(row)
    if new_rows:
        insert_rows(connection, Dialog, new_rows)
    if changed_rows:
        connection.execute(
            update(Dialog).where(Dialog.id == bindparam("dialog_id")),
            changed_rows,
        )
    _store_transcripts(connection, [r for r in latest.values() if r.messages is not None])
    if count:
        new_days = {local_day(record.completed_at.replace(tzinfo=None), zone) for record in latest.values()}
        count_batch(connection, zone, latest.keys(), new_days, 1)
        refresh_client_counts(connection, ClientName, "name_id", touched_names)
        refresh_client_counts(connection, ClientPhone, "phone_id", touched_phones)
        add_to_dialog_total(connection, len(new_rows))
        advance_revision(connection)  # kept totals and cached counts see the change

    # count lines, not ids: a line that repeats an id earlier in the file updates it
    seen: set[str] = set()
    added = 0
    for record in records:
        if record.source_id not in existing and record.source_id not in seen:
            added += 1
        seen.add(record.source_id)
    return added, len(records) - added


# A nameless client's number sorts behind one of these: below every folded name, or above every one.
NAMELESS_BELOW = "\x01"
NAMELESS_ABOVE = "\U0010ffff"


def client_sort_keys(name: str | None, phone: str | None) -> dict[str, str]:
    """A dialog's two keys of the Клиент sort: `client_sort` walked down (Я→А) and `client_sort_up` walked
    up (А→Я). A named client's are its folded name; a nameless one's, its number behind a mark that puts
    it after every name in that direction: a list sorted by name ends with the nameless both ways."""
    if name:
        return {"client_sort": fold(name), "client_sort_up": fold(name)}
    return {"client_sort": NAMELESS_BELOW + (phone or ""), "client_sort_up": NAMELESS_ABOVE + (phone or "")}


def _dialog_row(
    record: DialogRecord,
    employee_ids: dict[str, int],
    name_ids: dict[str, int],
    phone_ids: dict[str, int],
    times: ResponseTimes,
) -> dict[str, Any]:
    name, phone, employee = record.client_name, record.client_phone, record.completed_by
    return {
        "source_id": record.source_id,
        "client_name": name,
        "client_phone": phone or "",
        **client_sort_keys(name, phone),
        "name_id": name_ids[name] if name else None,
        "phone_id": phone_ids[phone] if phone else None,
        "channel": record.channel,
        "employee_id": employee_ids[employee] if employee else None,
        "employee_sort": fold(employee) if employee else "",
        "started_at": _naive_utc(record.started_at),
        "completed_at": _naive_utc(record.completed_at),
        "message_count": record.message_count,
        **times.columns(),
    }


def _transcript(record: DialogRecord) -> list[tuple[str, datetime]]:
    return [(message.sender, message.at) for message in record.messages or ()]


def _naive_utc(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=None) if moment is not None else None


_EXISTING = select(
    Dialog.source_id,
    Dialog.id,
    Dialog.name_id,
    Dialog.phone_id,
    Dialog.completed_at,
    Dialog.first_response,
    Dialog.longest_wait,
).where(Dialog.source_id.in_(bindparam("ids", expanding=True)))


def insert_rows(connection: Connection, model: Any, rows: list[dict[str, Any]]) -> None:
    """Inserts rows of one shape: on PostgreSQL by COPY (`db.postgres.connection.copy_rows`)."""
    if is_postgres(connection):
        copy_rows(connection, model.__tablename__, rows)
    else:
        connection.execute(insert(model), rows)


def _ids_of(connection: Connection, model: Any, key: Any, values: Iterable[str]) -> dict[str, int]:
    statement = select(key, model.id).where(key.in_(bindparam("values", expanding=True)))
    return {
        value: id_
        for chunk in chunks(values)
        for value, id_ in connection.execute(statement, {"values": chunk})
    }


def _ensure_ids(
    connection: Connection, model: Any, key: Any, values: set[str], new_numbers: list[int] | None = None
) -> dict[str, int]:
    """Ids of the rows whose `key` is in `values`, inserting the missing ones (and the digit grams of new
    numbers, or with `new_numbers` listing them there)."""
    if not values:
        return {}
    ids = _ids_of(connection, model, key, values)
    missing = sorted(values - ids.keys())
    if missing:
        rows = [_new_row(model, value) for value in missing]
        insert_rows(connection, model, rows)
        added = _ids_of(connection, model, key, missing)
        if model is ClientPhone and new_numbers is not None:
            new_numbers.extend(added.values())
        elif model is ClientPhone:
            _add_grams(connection, added.values())
        ids.update(added)
    return ids


_COUNTED_NUMBERS = select(
    ClientPhone.id, ClientPhone.e164, ClientPhone.dialog_count, ClientPhone.last_completed_at
).where(ClientPhone.id.in_(bindparam("ids", expanding=True)))


def _add_grams(connection: Connection, phone_ids: Iterable[int]) -> None:
    """The digit grams of these new numbers, carrying their counts as they are now (then kept with them:
    `db.counters`). A bulk load makes them all at its end, once counted: made with its numbers and then
    given their counts, a million lines' 1.9 million grams took a third of a minute more on PostgreSQL."""
    for chunk in chunks(sorted(phone_ids)):
        grams = [
            {"gram": gram, "phone_id": id_, "e164": e164, "dialog_count": count, "last_completed_at": last}
            for id_, e164, count, last in connection.execute(_COUNTED_NUMBERS, {"ids": chunk})
            for gram in phone_grams(e164)
        ]
        if grams:
            insert_rows(connection, ClientPhoneGram, grams)


def _new_row(model: Any, value: str) -> dict[str, Any]:
    if model is ClientPhone:
        return {"e164": value, "dialog_count": 0}
    if model is ClientName:
        return {"name": value, "name_fold": fold(value), "dialog_count": 0}
    return {"name": value, "name_fold": fold(value)}


def _store_transcripts(connection: Connection, records: list[DialogRecord]) -> None:
    if not records:
        return
    dialog_ids = _ids_of(connection, Dialog, Dialog.source_id, [r.source_id for r in records])
    removal = delete(Message).where(Message.dialog_id.in_(bindparam("ids", expanding=True)))
    unindex_transcripts(connection, list(dialog_ids.values()))  # the words of the transcripts replaced
    for chunk in chunks(dialog_ids.values()):
        connection.execute(removal, {"ids": chunk})
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
        insert_rows(connection, Message, rows)
        index_transcripts(connection, list(dialog_ids.values()), [str(row["text"]) for row in rows])
