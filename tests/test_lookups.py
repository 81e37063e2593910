"""IN lists keep to a few shapes (`db.lookups`): SQLite's driver keeps a program per statement text, and an
import whose lists had every length filled memory with them; a lone dialog is not padded to hundreds."""

from __future__ import annotations

from db.lookups import CHUNK, SIZES, chunks


def test_lists_take_the_smallest_of_the_few_sizes_that_holds_them() -> None:
    assert list(chunks([])) == []
    assert list(chunks(["a"])) == [["a"]]
    assert list(chunks(["a", "b"])) == [["a", "b", *[None] * 8]]
    assert [len(chunk) for chunk in chunks(range(11))] == [100]
    assert [len(chunk) for chunk in chunks(range(CHUNK))] == [CHUNK]
    assert [len(chunk) for chunk in chunks(range(CHUNK + 2))] == [CHUNK, 10]


def test_every_value_is_kept_in_order_and_only_none_is_added() -> None:
    for count in (1, 9, 10, 57, 100, 499, 1234):
        lists = list(chunks(range(count)))
        assert {len(chunk) for chunk in lists} <= set(SIZES)
        values = [value for chunk in lists for value in chunk]
        assert [value for value in values if value is not None] == list(range(count))
