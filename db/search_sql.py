"""The search conditions both engines write alike, but for the name of the function that finds a text in
another (SQLite's `instr`, PostgreSQL's `strpos`: both `(haystack, needle)`, 0 when it is not there)."""

from __future__ import annotations

from db.search import DigitsPart, Search, SearchKind


def dense_filter(search: Search, walked: str, position: str) -> tuple[str, dict[str, str]]:
    """A condition on a `dialogs d` row equivalent to the search, cheap enough to test row by row while
    walking a sort index (`walked`, its sort column): used when matches are so common that the walk finds
    a page in a few steps."""
    # a named dialog's client_sort and client_sort_up both hold its folded name: the name is tested in the
    # one the walked index holds (the Клиент sort going up walks client_sort_up; the time index covers
    # client_sort), so the walk skips the rows that do not match without reading them («ова» sorted
    # А→Я, 227,763 matches: 155 ms testing client_sort on SQLite, benchmarks/README.md)
    key = "client_sort_up" if walked == "client_sort_up" else "client_sort"
    if search.kind is SearchKind.NAME and search.exact:
        return f"d.name_id IS NOT NULL AND d.{key} = :fold", {"fold": search.terms[0]}
    if search.kind is SearchKind.NAME:
        params = {f"w{i}": word for i, word in enumerate(search.terms)}
        conditions = [f"{position}(d.{key}, :{name}) > 0" for name in params]
        # for a dialog without a name the key is its number behind a mark: a word with a letter is never in
        # it, and then the condition reads only the key; "79" or "+" could be in a number
        if not any(ch.isalpha() for word in search.terms for ch in word):
            conditions.insert(0, "d.name_id IS NOT NULL")
        return " AND ".join(conditions), params
    if search.kind is SearchKind.DIGITS:
        condition = f"{position}(d.client_phone, :digits) > 0" + part_condition(search, "d.client_phone")
        return condition, {"digits": search.terms[0]}
    return "d.client_phone = :e164", {"e164": search.terms[0]}


def part_condition(search: Search, number: str) -> str:
    """More of a condition on the E.164 `number` that keeps the search's part (`DigitsPart`) of the numbers
    holding `:digits` (digits only: nothing in them is a LIKE wildcard)."""
    if search.part is DigitsPart.ENDING:
        return f" AND {number} LIKE '%' || :digits"
    if search.part is DigitsPart.INSIDE:
        return f" AND {number} NOT LIKE '%' || :digits"
    return ""
