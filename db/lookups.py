"""Statements over many values (`WHERE key IN (…)`) with one shape whatever the number of values.

An IN list renders one parameter per value, and SQLite's driver keeps every statement text it prepared
(`db.sqlite.connection.STATEMENTS_KEPT` of them, each with a program as long as its list): an import whose
batches looked up a different number of names each time filled that cache with hundreds of programs of
thousands of parameters, ~180 MiB at a million lines. Lists of `CHUNK` values, the last one padded with
NULL (which equals nothing) to the smallest of `SIZES` that holds it, keep to four statements: a list of a
few values (a dialog posted alone) is not rendered and bound as five hundred.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

CHUNK = 500
SIZES = (1, 10, 100, CHUNK)


def chunks(values: Iterable[T]) -> Iterator[list[T | None]]:
    """`values` in lists of `CHUNK`, the last one padded with None to one of `SIZES`; nothing for none."""
    chunk: list[T | None] = []
    for value in values:
        chunk.append(value)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        size = next(size for size in SIZES if size >= len(chunk))
        yield chunk + [None] * (size - len(chunk))
