"""Benchmark of the keyword search inside conversations (issue 16, point 4), on SQLite or PostgreSQL.

    python -m benchmarks.keywords --dialogs N [--folder .bench] [--runs 200]
                                  [--server postgresql+asyncpg://USER@/postgres?host=/SOCKET/FOLDER]

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
of a word in 1 % of the messages. `--server` builds the same archive in the database `keywords_bench_N` on
that server (its GIN index of the words, `ix_fts_messages_words`, migration 0017) and times each read as
the bot makes it there, awaited on the event loop's asyncpg connection.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from benchmarks.engine import ANCHOR, ZONE, ms, percentiles
from benchmarks.postgres import create_database, libpq
from db.demo import generate_dialogs
from db.dialect import is_postgres
from db.dialogs import Filters
from db.engine import Database, release_loop_connections, run_sql
from db.importer import store_records
from db.keywords import count_dialogs, find_page, fold_words, keyword_sql, keyword_terms
from db.migrate import upgrade
from db.postgres import keywords as postgres_keywords

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
    parser.add_argument("--server", help="a database URL on a PostgreSQL server (postgresql+asyncpg)")
    args = parser.parse_args()
    if args.server:
        database = Database(postgres_archive(args.server, args.dialogs))
    else:
        database = Database(f"sqlite+aiosqlite:///{archive(args.folder, args.dialogs)}")
    messages, index_bytes = database.run(sizes)
    print(f"{args.dialogs:,} dialogs, {messages:,} messages ({messages / max(args.dialogs, 1):.1f} a dialog)")
    mib = index_bytes / 2**20
    index = database.run(lambda connection: keyword_sql(connection).KEYWORD_INDEX)
    print(f"index {index}: {mib:.1f} MiB, {mib / max(messages, 1) * 1e6:.1f} MiB per million messages")
    queries = database.run(pick_words, messages)
    channel = database.run(busiest_channel)
    loop = asyncio.new_event_loop()  # PostgreSQL's reads are awaited on it, as the bot's are
    for filters, label in ((Filters(), "whole archive"), (Filters(channel=channel), f"channel {channel}")):
        print(f"\n{label}:")
        for name, (words, share) in queries.items():
            measure(database, loop, name, words, share, filters, args.runs)
    loop.run_until_complete(release_loop_connections())
    loop.close()


def archive(folder: Path, count: int) -> Path:
    """The archive of `count` demo dialogs with transcripts, kept in `folder`: built the first time."""
    folder.mkdir(exist_ok=True)
    path = (folder / f"keywords-{count}.db").resolve()
    if path.exists():
        return path
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    fill(f"sqlite+aiosqlite:///{building}", count)
    building.rename(path)
    return path


def postgres_archive(server: str, count: int) -> str:
    """The URL of the archive of `count` demo dialogs with transcripts on the server (the database
    `keywords_bench_N`): built the first time, under another name until it is whole."""
    url = make_url(server)
    name = f"keywords_bench_{count}"
    with psycopg.connect(libpq(url), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'DROP DATABASE IF EXISTS "{name}_building"'.encode())
            create_database(connection, f"{name}_building")
            fill(url.set(database=f"{name}_building").render_as_string(hide_password=False), count)
            connection.execute(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"'.encode())
    return url.set(database=name).render_as_string(hide_password=False)


def fill(database_url: str, count: int) -> None:
    """Migrates the database and stores `count` demo dialogs with their transcripts in it."""
    database = Database(database_url)
    upgrade(database)
    started = time.monotonic()
    records = generate_dialogs(count, seed=1, anchor=ANCHOR, transcripts=True)
    for batch in _batches(records, BATCH):
        store_records(database.sync_engine, batch, zone=ZONE)
    database.run(lambda connection: run_sql(connection, "ANALYZE"))
    database.sync_engine.dispose()
    print(f"built the archive of {count:,} dialogs in {time.monotonic() - started:.0f} s")


def _batches(records: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(records, size)):
        yield batch


def sizes(connection: Connection) -> tuple[int, int]:
    (messages,) = run_sql(connection, "SELECT max(id) FROM messages").fetchone()
    if is_postgres(connection):
        size = f"SELECT pg_relation_size('{postgres_keywords.KEYWORD_INDEX}')"
    else:
        size = "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'messages_fts%'"
    (index_bytes,) = run_sql(connection, size).fetchone()
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
    sql = keyword_sql(connection)
    query = sql.match_query(connection, keyword_terms(words))
    counted = f"SELECT count(*) FROM ({sql.MATCHING_MESSAGES}) m"
    (count,) = run_sql(connection, counted, {"q": query}).fetchone()
    return int(count) / max(messages, 1)


def busiest_channel(connection: Connection) -> str:
    sql = "SELECT channel FROM dialogs GROUP BY channel ORDER BY count(*) DESC LIMIT 1"
    return str(run_sql(connection, sql).fetchone()[0])


def measure(
    database: Database,
    loop: asyncio.AbstractEventLoop,
    name: str,
    words: str,
    share: float,
    filters: Filters,
    runs: int,
) -> None:
    terms = keyword_terms(words)
    page = _timed(database, loop, runs, lambda connection: find_page(connection, terms, filters, PAGE_SIZE))
    total = _timed(database, loop, runs, lambda connection: count_dialogs(connection, terms, filters))
    found = database.run(count_dialogs, terms, filters)
    counted = f"more than {found.count}" if found.capped else str(found.count)
    # the first page of few matches counts them as it sorts them: its screen needs no count of its own
    alone = " (the page counted them)" if database.run(find_page, terms, filters, PAGE_SIZE).total else ""
    print(
        f"  {name:12} «{words}» in {share * 100:.3f} % of messages, {counted} dialogs:"
        f" first page median {ms(page[0])} p99 {ms(page[1])};"
        f" count median {ms(total[0])} p99 {ms(total[1])}{alone}"
    )


def _timed(
    database: Database, loop: asyncio.AbstractEventLoop, runs: int, work: Callable[[Connection], object]
) -> tuple[float, float]:
    """`work` as the bot reads it: at once on SQLite, awaited on the loop's connection on PostgreSQL."""

    def read() -> object:
        return loop.run_until_complete(database.read(work)) if database.postgres else database.run(work)

    for _ in range(3):
        read()
    times = []
    order = list(range(runs))
    random.Random(1).shuffle(order)
    for _ in order:
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return percentiles(times)


if __name__ == "__main__":
    main()
