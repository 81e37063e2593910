"""What is kept beside the dialogs — their total, the names' and phones' counts of their dialogs (and the
phones' digit grams' copies of them), the statistics — checked against the dialogs themselves, and
repaired where it disagrees (`dialogs-bot check` reports, `dialogs-bot migrate` repairs).

An import keeps all of it in the transaction that changes the dialogs, so it agrees with them however
the import ends. An archive written before that was so (its total was counted only at an import's end:
a killed import left it wrong for good), or changed by hand, may disagree. Checking reads every dialog
about as counting the statistics again does (`db.stats.differing_days`), and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, or_, select

from db.counters import (
    CLIENT_TABLES,
    GRAM_DIFFERS,
    advance_revision,
    copy_counts_to_grams,
    count_dialog_total,
    dialog_total,
    refresh_client_counts,
)
from db.lookups import chunks
from db.models import ClientName, ClientPhone, ClientPhoneGram, Dialog
from db.stats import differing_days, is_counted_in, rebuild_stats, refresh_days

TOTAL = "the dialog total"
NAMES = "the client names' dialog counts"
PHONES = "the phone numbers' dialog counts"
GRAMS = "the phone numbers' digit grams"
STATISTICS = "the statistics"
ZONE = "the statistics' time zone"  # not counted in TIMEZONE, or left stale by an import that stopped


@dataclass(frozen=True, slots=True)
class Disagreement:
    what: str  # one of TOTAL, NAMES, PHONES, GRAMS, STATISTICS, ZONE
    detail: str


def find_disagreements(connection: Connection, zone: ZoneInfo) -> list[Disagreement]:
    """Everything kept that disagrees with the dialogs; the statistics as counted in `zone`."""
    return _survey(connection, zone, repair=False)


def repair(connection: Connection, zone: ZoneInfo) -> list[Disagreement]:
    """Counts again whatever disagrees with the dialogs; returns what did."""
    return _survey(connection, zone, repair=True)


def _survey(connection: Connection, zone: ZoneInfo, *, repair: bool) -> list[Disagreement]:
    found = []
    kept, total = dialog_total(connection), _count_dialogs(connection)
    if kept != total:
        found.append(Disagreement(TOTAL, f"{kept:,} kept, {total:,} dialogs stored"))
        if repair:
            count_dialog_total(connection)
    for model, column in CLIENT_TABLES:
        wrong = _wrong_clients(connection, model, column)
        if wrong:
            what = NAMES if model is ClientName else PHONES
            found.append(Disagreement(what, f"{len(wrong):,} counted wrong"))
            if repair:
                refresh_client_counts(connection, model, column, wrong)
    stale = _stale_grams(connection)  # after the numbers' repair, which gives their grams their counts
    if stale:
        found.append(Disagreement(GRAMS, f"numbers whose grams carry other counts: {len(stale):,}"))
        if repair:
            for chunk in chunks(stale):
                copy_counts_to_grams(connection, chunk)
    if not is_counted_in(connection, zone):
        detail = f"not counted in {zone.key} (TIMEZONE changed, or an import stopped early)"
        found.append(Disagreement(ZONE, detail))
        if repair:
            rebuild_stats(connection, zone)
    else:
        days = differing_days(connection, zone)
        if days:
            found.append(Disagreement(STATISTICS, f"{len(days):,} days counted wrong, the first {days[0]}"))
            if repair:
                refresh_days(connection, zone, days)
    if found and repair:  # totals kept and counts cached before were counted from what was wrong
        advance_revision(connection)
    return found


def _count_dialogs(connection: Connection) -> int:
    return int(connection.scalar(select(func.count()).select_from(Dialog)) or 0)


def _wrong_clients(connection: Connection, model: Any, column: str) -> list[int]:
    """The names (or phones) whose dialog_count or last_completed_at disagree with their dialogs."""
    key = getattr(Dialog, column)
    counted = (
        select(
            key.label("id"),
            func.count().label("dialogs"),
            func.max(Dialog.completed_at).label("last"),
        )
        .where(key.is_not(None))
        .group_by(key)
        .subquery()
    )
    statement = (
        select(model.id)
        .outerjoin(counted, counted.c.id == model.id)
        .where(
            or_(
                model.dialog_count.is_distinct_from(func.coalesce(counted.c.dialogs, 0)),
                model.last_completed_at.is_distinct_from(counted.c.last),
            )
        )
    )
    return list(connection.scalars(statement))


def _stale_grams(connection: Connection) -> list[int]:
    """The numbers whose grams carry other counts than theirs (`db.models.ClientPhoneGram`)."""
    statement = (
        select(ClientPhoneGram.phone_id)
        .join(ClientPhone, ClientPhone.id == ClientPhoneGram.phone_id)
        .where(GRAM_DIFFERS)
        .distinct()
    )
    return list(connection.scalars(statement))
