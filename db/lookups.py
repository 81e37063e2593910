"""Statements over many values (`WHERE key IN (…)`) with one shape whatever the number of values.

An IN list renders one parameter per value, and SQLite's driver keeps every statement text it prepared
(`db.sqlite.connection.STATEMENTS_KEPT` of them, each with a program as long as its list): an import whose
batches looked up a different number of names each time filled that cache with hundreds of programs of
thousands of parameters, ~180 MiB at a million lines. Lists of `CHUNK` values, the last one padded with
NULL (which equals nothing), keep to one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

CHUNK = 500


def chunks(values: Iterable[T]) -> Iterator[list[T | None]]:
    """`values` in lists of exactly `CHUNK`, the last one padded with None; nothing for no values."""
    chunk: list[T | None] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk + [None] * (CHUNK - len(chunk))
