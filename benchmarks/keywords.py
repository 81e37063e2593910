"""Benchmark of the keyword search inside conversations (issue 16, point 4) on SQLite.

    python -m benchmarks.keywords --dialogs N [--folder .bench] [--runs 200]

Builds once, and keeps in the folder, an archive of N demo dialogs WITH their transcripts
(`db.demo.generate_dialogs(..., transcripts=True)`, ~15.8 messages a dialog; `keywords-N.db`), migrated so
that the index of the messages' words (`messages_fts`, migration 0017) is kept by the import. Then picks
words by how many messages hold them (counted in a sample of the messages): one in ~1 % of the messages
(the issue's target), a rare one (~0.01 %), a common one (the most frequent), two words of one message, and
a prefix (the 1 % word cut short). For each, --runs times in a shuffled order after a warm-up: the first
page of results, newest first (`db.keywords.find_page`, ten dialogs, the matching line of each read too),
and its total (`db.keywords.count_dialogs`, exact or «more than 200»), each in a transaction of its own as
the bot runs them; then the same within a channel filter. Prints median and p99 of each, and the index's
size (MiB, and per million messages). Target at 1M dialogs (15M messages): p99 ≤ 50 ms for the first page
of a word in 1 % of the messages.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from benchmarks.engine import ANCHOR, ZONE, ms, percentiles
from db.demo import generate_dialogs
from db.dialogs import Filters
from db.engine import Database, run_sql
from db.importer import store_records
from db.keywords import count_dialogs, find_page, fold_words, keyword_terms
from db.migrate import upgrade

PAGE_SIZE = 10
SAMPLE = 200_000  # messages whose words are counted to pick the words
BATCH = 5_000  # dialogs a batch when the archive is built


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dialogs", type=int, required=True)
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    database = Database(f"sqlite+aiosqlite:///{archive(args.folder, args.dialogs)}")
    messages, index_bytes = database.run(sizes)
    print(f"{args.dialogs:,} dialogs, {messages:,} messages ({messages / max(args.dialogs, 1):.1f} a dialog)")
    mib = index_bytes / 2**20
    print(f"index messages_fts: {mib:.1f} MiB, {mib / max(messages, 1) * 1e6:.1f} MiB per million messages")
    queries = database.run(pick_words, messages)
    channel = database.run(busiest_channel)
    for filters, label in ((Filters(), "whole archive"), (Filters(channel=channel), f"channel {channel}")):
        print(f"\n{label}:")
        for name, (words, share) in queries.items():
            measure(database, name, words, share, filters, args.runs)


def archive(folder: Path, count: int) -> Path:
    """The archive of `count` demo dialogs with transcripts, kept in `folder`: built the first time."""
    folder.mkdir(exist_ok=True)
    path = (folder / f"keywords-{count}.db").resolve()
    if path.exists():
        return path
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    database = Database(f"sqlite+aiosqlite:///{building}")
    upgrade(database)
    started = time.monotonic()
    records = generate_dialogs(count, seed=1, anchor=ANCHOR, transcripts=True)
    for batch in _batches(records, BATCH):
        store_records(database.sync_engine, batch, zone=ZONE)
    database.run(lambda connection: run_sql(connection, "ANALYZE"))
    database.sync_engine.dispose()
    building.rename(path)
    print(f"built {path.name} in {time.monotonic() - started:.0f} s")
    return path


def _batches(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(records, size)):
        yield batch


def sizes(connection: Connection) -> tuple[int, int]:
    (messages,) = run_sql(connection, "SELECT max(id) FROM messages").fetchone()
    (index_bytes,) = run_sql(
        connection, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'messages_fts%'"
    ).fetchone()
    return int(messages or 0), int(index_bytes or 0)


def pick_words(connection: Connection, messages: int) -> dict[str, tuple[str, float]]:
    """The searches measured, each with the share of the messages that hold its words (counted)."""
    step = max(1, messages // SAMPLE)
    texts = [row[0] for row in run_sql(connection, f"SELECT text FROM messages WHERE id % {step} = 0")]
    held: Counter[str] = Counter()
    for text in texts:
        held.update({word for word in re.findall(r"[^\W_]+", fold_words(text)) if len(word) >= 4})
    share = {word: count / len(texts) for word, count in held.items()}

    def nearest(target: float) -> str:
        return min(share, key=lambda word: (abs(share[word] - target), word))

    one = nearest(0.01)
    other = next(
        word
        for text in texts
        if one in keyword_terms(text)
        for word in keyword_terms(text)
        if word != one and len(word) >= 4
    )
    wanted = {
        "1 % word": one,
        "rare word": nearest(0.0001),
        "common word": max(share, key=lambda word: share[word]),
        "two words": f"{one} {other}",
        "prefix": one[: max(4, len(one) - 3)],
    }
    return {name: (words, held_by(connection, words, messages)) for name, words in wanted.items()}


def held_by(connection: Connection, words: str, messages: int) -> float:
    query = " AND ".join(f'"{term}"*' for term in keyword_terms(words))
    sql = "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH :q"
    (count,) = run_sql(connection, sql, {"q": query}).fetchone()
    return int(count) / max(messages, 1)


def busiest_channel(connection: Connection) -> str:
    sql = "SELECT channel FROM dialogs GROUP BY channel ORDER BY count(*) DESC LIMIT 1"
    return str(run_sql(connection, sql).fetchone()[0])


def measure(database: Database, name: str, words: str, share: float, filters: Filters, runs: int) -> None:
    terms = keyword_terms(words)
    page = _timed(database, runs, lambda connection: find_page(connection, terms, filters, PAGE_SIZE))
    total = _timed(database, runs, lambda connection: count_dialogs(connection, terms, filters))
    found = database.run(count_dialogs, terms, filters)
    counted = f"more than {found.count}" if found.capped else str(found.count)
    # the first page of few matches counts them as it sorts them: its screen needs no count of its own
    alone = " (the page counted them)" if database.run(find_page, terms, filters, PAGE_SIZE).total else ""
    print(
        f"  {name:12} «{words}» in {share * 100:.3f} % of messages, {counted} dialogs:"
        f" first page median {ms(page[0])} p99 {ms(page[1])};"
        f" count median {ms(total[0])} p99 {ms(total[1])}{alone}"
    )


def _timed(database: Database, runs: int, work: Callable[[Connection], object]) -> tuple[float, float]:
    for _ in range(3):
        database.run(work)
    times = []
    order = list(range(runs))
    random.Random(1).shuffle(order)
    for _ in order:
        started = time.perf_counter()
        database.run(work)
        times.append(time.perf_counter() - started)
    return percentiles(times)


if __name__ == "__main__":
    main()
