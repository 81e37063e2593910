"""The statement of a page of the dialog list on SQLite, and on PostgreSQL, where the index hints are
written as the shape of the statement instead (`_keys_first`, `_matches_first`).

Paging is by keyset `(sort column, id)`: a page starts after (or ends before) a dialog given by its id,
whose sort value is looked up in the same statement, so a cursor is one integer whatever the column.
SQLite bounds only the first column of a row-value comparison `(col, id) < (?, ?)`, which makes
low-cardinality columns (channel, message count) slow; the bound is written as `col = v AND id < i`
UNION ALL `col < v` instead, each branch an exact index range. SQLite is told which index to use: a `+`
before a column in a condition keeps it from using that column's index.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any


def row_columns(alias: str) -> str:
    """What a dialog's row holds, in `db.dialogs.dialog_row`'s order: of the dialogs as `alias`, with the
    employee's name of `employees e`. The pages, the card and the keyword search all read it."""
    a = alias
    return (
        f"{a}.id, {a}.source_id, {a}.client_name, {a}.client_phone, {a}.channel, e.name,"
        f" {a}.started_at, {a}.completed_at, {a}.message_count, {a}.first_response, {a}.longest_wait"
    )


ROW_COLUMNS = row_columns("p")  # a page's rows, read from its inner statement `p`
ROW_WIDTH = ROW_COLUMNS.count(",") + 1  # a statement's own columns start here, after the row's
_INNER_COLUMNS = (
    "d.id, d.source_id, d.client_name, d.client_phone, d.channel, d.employee_id,"
    " d.started_at, d.completed_at, d.message_count, d.client_sort, d.client_sort_up, d.employee_sort,"
    " d.first_response, d.first_response_up, d.longest_wait, d.longest_wait_up"
)


def filter_conditions(
    bounds: tuple[datetime, datetime] | None,
    channel: str | None,
    employee_id: int | None,
    *,
    indexed: set[str],
    hints: bool = True,
) -> tuple[str, dict[str, Any]]:
    """The list's filters (a period as naive UTC [start, end), a channel, an employee (0: nobody); None: not
    filtered by that) as a condition on a `dialogs d` row. Only the filters named in `indexed` ("period",
    "channel", "employee"; "employee_sort": the employee through the sort index of employees' names) may
    use an index; `hints`: tell SQLite which (PostgreSQL plans by itself and has no such hints)."""
    keep_off = "+" if hints else ""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if bounds is not None:
        plus = "" if "period" in indexed else keep_off
        conditions.append(f"{plus}d.completed_at >= :since AND {plus}d.completed_at < :until")
        params["since"], params["until"] = bounds
    if channel is not None:
        conditions.append(f"{'' if 'channel' in indexed else keep_off}d.channel = :channel")
        params["channel"] = channel
    if employee_id == 0:  # nobody completed them: no employee, and '' as the employee's sort name
        if "employee_sort" in indexed:
            conditions.append(f"d.employee_sort = '' AND {keep_off}d.employee_id IS NULL")
        else:
            conditions.append(f"{'' if 'employee' in indexed else keep_off}d.employee_id IS NULL")
    elif employee_id is not None:
        if "employee_sort" in indexed:  # the employee_sort index, narrowed to the one employee
            conditions.append(
                "d.employee_sort = (SELECT name_fold FROM employees WHERE id = :employee)"
                f" AND {keep_off}d.employee_id = :employee"
            )
        else:
            conditions.append(f"{'' if 'employee' in indexed else keep_off}d.employee_id = :employee")
        params["employee"] = employee_id
    return " AND ".join(conditions), params


_statements: dict[tuple[Any, ...], str] = {}


def page_statement(
    sort_key: str,
    descending: bool,
    kind: str,
    condition: str,
    anchored: bool,
    *,
    hints: bool = True,
    limit: int | None = None,
    along: str = "",
) -> str:
    """The SQL of one page, built once per shape and then reused (SQLite keeps it prepared). `kind`:
    "sparse" fetches the few matches of `condition` by their own index and sorts them; "all" and "dense"
    walk the sort index, testing each row; "names" (sorted by client) takes the matching names of
    `condition` (`db.sqlite.search.name_folds`) in order, as many as a page needs. `sort_key` is one of
    `db.dialogs.SORT_KEYS`. `hints`: SQLite's index hints (PostgreSQL has none: there a `+` would be an
    error). `limit`: written into the statement; None: the parameter `:limit`. `along`: a column each row
    carries after the dialog's (at `ROW_WIDTH`), of a statement that reads something else along the page
    (`db.dialogs._page_counted_along`)."""
    key = (sort_key, descending, kind, condition, anchored, hints, limit, along)
    statement = _statements.get(key)
    if statement is None:
        statement = _build(sort_key, descending, kind, condition, anchored, hints)
        if limit is not None:
            statement = statement.replace(":limit", str(int(limit)))
        if along:  # every shape selects the page's rows first
            statement = statement.replace(f"SELECT {ROW_COLUMNS} ", f"SELECT {ROW_COLUMNS}, {along} ", 1)
        _statements[key] = statement
    return statement


def _build(sort_column: str, descending: bool, kind: str, condition: str, anchored: bool, hints: bool) -> str:
    order = "DESC" if descending else "ASC"
    beyond = "<" if descending else ">"
    where = f" AND {condition}" if condition else ""
    anchor_value = f"(SELECT {sort_column} FROM dialogs WHERE id = :anchor)"
    if kind == "names":
        return _names_page(order, beyond, condition, anchored, hints)
    if not hints:  # PostgreSQL
        shape = _matches_first if kind == "sparse" else _keys_first
        return shape(sort_column, order, beyond, where, anchor_value, anchored)
    if kind == "sparse":
        # `+` keeps SQLite from walking the sort index: the few matches are fetched by id and sorted
        keyset = _beyond_anchor(f"+d.{sort_column}", beyond, anchor_value) if anchored else ""
        # only ids and sort keys are sorted (for completion time straight from the name or phone index);
        # the page's own rows are read afterwards
        return (
            f"SELECT {ROW_COLUMNS} FROM (SELECT d.id AS id, d.{sort_column} AS k FROM dialogs d"
            f" WHERE 1 = 1{where}{keyset} ORDER BY +d.{sort_column} {order}, d.id {order} LIMIT :limit) s"
            " JOIN dialogs p ON p.id = s.id LEFT JOIN employees e ON e.id = p.employee_id"
            f" ORDER BY s.k {order}, s.id {order}"
        )
    if anchored:
        inner = (
            f"SELECT * FROM (SELECT {_INNER_COLUMNS} FROM dialogs d"
            f" WHERE d.{sort_column} = {anchor_value} AND d.id {beyond} :anchor{where}"
            f" ORDER BY d.{sort_column} {order}, d.id {order} LIMIT :limit)"
            f" UNION ALL SELECT * FROM (SELECT {_INNER_COLUMNS} FROM dialogs d"
            f" WHERE d.{sort_column} {beyond} {anchor_value}{where}"
            f" ORDER BY d.{sort_column} {order}, d.id {order} LIMIT :limit)"
        )
    else:
        inner = (
            f"SELECT {_INNER_COLUMNS} FROM dialogs d WHERE 1 = 1{where}"
            f" ORDER BY d.{sort_column} {order}, d.id {order} LIMIT :limit"
        )
    return (
        f"SELECT {ROW_COLUMNS} FROM ({inner}) p LEFT JOIN employees e ON e.id = p.employee_id"
        f" ORDER BY p.{sort_column} {order}, p.id {order} LIMIT :limit"
    )


def _keys_first(
    sort_column: str, order: str, beyond: str, where: str, anchor_value: str, anchored: bool
) -> str:
    """A walk of the sort index on PostgreSQL: the page's ids and keys first, then their rows. PostgreSQL
    tests a condition on an index entry without reading its row only in an index-only scan, which a walk
    selecting the rows' columns is not: a common name sorted by client read ~100,000 rows for a page
    (140 ms at 1M), the index alone ~3 ms. The keyset bound is a row comparison, which PostgreSQL bounds
    on both columns of the index."""
    keyset = f" AND (d.{sort_column}, d.id) {beyond} ({anchor_value}, :anchor)" if anchored else ""
    return (
        f"SELECT {ROW_COLUMNS} FROM (SELECT d.id AS id, d.{sort_column} AS k FROM dialogs d"
        f" WHERE 1 = 1{where}{keyset} ORDER BY d.{sort_column} {order}, d.id {order} LIMIT :limit) s"
        " JOIN dialogs p ON p.id = s.id LEFT JOIN employees e ON e.id = p.employee_id"
        f" ORDER BY s.k {order}, s.id {order}"
    )


def _matches_first(
    sort_column: str, order: str, beyond: str, where: str, anchor_value: str, anchored: bool
) -> str:
    """A page of a few matches on PostgreSQL: they are all found first, by their own index, then sorted
    (a materialized CTE, which the planner does not merge, does what SQLite's `+` does). Left to itself,
    PostgreSQL walked the sort index for them, taking the matches for spread evenly: «петров» sorted by
    client read ~100,000 rows (136 ms at 1M) for the first eleven of 2,931."""
    keyset = f" WHERE (f.k, f.id) {beyond} ({anchor_value}, :anchor)" if anchored else ""
    return (
        f"WITH f AS MATERIALIZED (SELECT d.id AS id, d.{sort_column} AS k FROM dialogs d WHERE 1 = 1{where})"
        f" SELECT {ROW_COLUMNS} FROM (SELECT f.id, f.k FROM f{keyset} ORDER BY f.k {order}, f.id {order}"
        " LIMIT :limit) s JOIN dialogs p ON p.id = s.id LEFT JOIN employees e ON e.id = p.employee_id"
        f" ORDER BY s.k {order}, s.id {order}"
    )


def _names_page(order: str, beyond: str, names: str, anchored: bool, hints: bool) -> str:
    """A page sorted by client of a name search with many matches. A name's dialogs lie together in that
    order, so walking the sort index for a rare name's can pass most of the archive (~130 ms at 1M for
    «анна», 14,537 dialogs under 527 names, sorted Я→А); instead the matching names are summed up and
    ordered (~2 ms), and only the first few whose dialogs fill the page (counting from the anchor's name,
    whose own dialogs do not count: some of them came before) are read through the sort index."""
    anchor_value = "(SELECT client_sort FROM dialogs WHERE id = :anchor)"
    near = f" WHERE fold {beyond}= {anchor_value}" if anchored else ""
    own = f"CASE WHEN fold = {anchor_value} THEN 0 ELSE dialogs END" if anchored else "dialogs"
    keyset = _beyond_anchor("d.client_sort", beyond, anchor_value) if anchored else ""
    # a nameless dialog's client_sort is its number, which a name could equal: `name_id` tells them apart.
    # PostgreSQL is given the names as an array (an index lookup each): it took `IN (SELECT …)` for a few
    # hundred names and merged it with the whole sort index («анна» Я→А: 494,334 entries, 565 ms)
    chosen = "IN (SELECT fold FROM k)" if hints else "= ANY(ARRAY(SELECT fold FROM k))"
    keep_off = "+" if hints else ""
    return (
        f"WITH n AS (SELECT fold, SUM(dialogs) AS dialogs FROM ({names}) m GROUP BY fold),"
        f" k AS (SELECT fold FROM (SELECT fold, SUM({own}) OVER (ORDER BY fold {order}"
        f" ROWS UNBOUNDED PRECEDING) - {own} AS before FROM n{near}) b WHERE before < :limit)"
        f" SELECT {ROW_COLUMNS} FROM (SELECT d.id AS id, d.client_sort AS k FROM dialogs d"
        f" WHERE d.client_sort {chosen} AND {keep_off}d.name_id IS NOT NULL{keyset}"
        f" ORDER BY d.client_sort {order}, d.id {order} LIMIT :limit) s"
        " JOIN dialogs p ON p.id = s.id LEFT JOIN employees e ON e.id = p.employee_id"
        f" ORDER BY s.k {order}, s.id {order}"
    )


def _beyond_anchor(column: str, beyond: str, anchor_value: str) -> str:
    """The keyset bound of a page that sorts its rows itself: the rows after (or before) the anchor."""
    return f" AND ({column} {beyond} {anchor_value} OR ({column} = {anchor_value} AND d.id {beyond} :anchor))"
