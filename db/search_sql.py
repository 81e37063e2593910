"""The search conditions both engines write alike, but for the name of the function that finds a text in
another (SQLite's `instr`, PostgreSQL's `strpos`: both `(haystack, needle)`, 0 when it is not there)."""

from __future__ import annotations

from typing import Any

from db.search import DIGIT_GRAM, DigitsPart, Search, SearchKind


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
        # named apart from the LIKE patterns of the words (`w0`…), which a statement may hold as well
        params = {f"word{i}": word for i, word in enumerate(search.terms)}
        conditions = [f"{position}(d.{key}, :{name}) > 0" for name in params]
        # for a dialog without a name the key is its number behind a mark: a word with a letter is never in
        # it, and then the condition reads only the key; "79" or "+" could be in a number
        if not any(ch.isalpha() for word in search.terms for ch in word):
            conditions.insert(0, "d.name_id IS NOT NULL")
        if walked in CLIENT_COLUMNS:
            conditions.append(_first_name_bound(walked, params, position))
        return " AND ".join(conditions), params
    if search.kind is SearchKind.DIGITS:
        condition = f"{position}(d.client_phone, :digits) > 0" + part_condition(search, "d.client_phone")
        return condition, {"digits": search.terms[0]}
    return "d.client_phone = :e164", {"e164": search.terms[0]}


def gram_matching(search: Search, select: str, position: str) -> tuple[str, dict[str, Any]]:
    """SQL selecting `select` over the numbers (`m`) holding a search's four digits or more: those holding
    its last four, read from their grams alone (`db.models.ClientPhoneGram`, which carry what a search
    needs of each number), then checked for all of them."""
    digits = search.terms[0]
    numbers = (
        "SELECT phone_id AS id, e164, dialog_count, last_completed_at FROM client_phone_grams"
        " WHERE gram = :gram"
    )
    return (
        f"SELECT {select} FROM ({numbers}) m"
        f" WHERE {position}(m.e164, :digits) > 0{part_condition(search, 'm.e164')}",
        {"gram": int(digits[-DIGIT_GRAM:]), "digits": digits},
    )


CLIENT_COLUMNS = ("client_sort", "client_sort_up")  # the Клиент sort's two (`db.dialogs.DialogQuery.column`)


def _first_name_bound(walked: str, words: dict[str, str], position: str) -> str:
    """Where the walk of a Клиент key can begin: at the first matching name in the walk's direction (up
    for client_sort_up, down for client_sort), found by walking the ~36,000 distinct names in order
    rather than the million dialogs. A named dialog's key is its folded name, so no match lies before
    it; «ова» sorted А→Я skipped the 100,084 dialogs of Latin names first: 17 ms, now 0.7 ms on
    PostgreSQL (benchmarks/README.md)."""
    tests = " AND ".join(f"{position}(m.name_fold, :{name}) > 0" for name in words)
    up = walked == "client_sort_up"
    first = (
        f"(SELECT m.name_fold FROM client_names m WHERE {tests} AND m.dialog_count > 0"
        f" ORDER BY m.name_fold{'' if up else ' DESC'} LIMIT 1)"
    )
    return f"d.{walked} >= {first}" if up else f"d.{walked} <= {first}"


def part_condition(search: Search, number: str) -> str:
    """More of a condition on the E.164 `number` that keeps the search's part (`DigitsPart`) of the numbers
    holding `:digits`."""
    if search.part is DigitsPart.ENDING:
        return f" AND {ends_with_digits(number)}"
    if search.part is DigitsPart.INSIDE:
        return f" AND NOT {ends_with_digits(number)}"
    return ""


def ends_with_digits(number: str) -> str:
    """A condition: the E.164 `number` ends with `:digits` (digits only: nothing in them is a LIKE
    wildcard)."""
    return f"{number} LIKE '%' || :digits"
