"""SQLite, the default storage engine: everything in `db` that only SQLite understands lives here.

- `connection`: the pragmas a connection is opened with (WAL, busy timeout, cache, memory map), how a
  transaction begins, the statements of a tap run straight on the `sqlite3` driver, how times are stored
  (text in time order), what "the database is locked" looks like, and the write-ahead log's checkpoints;
- `search`: the name and phone indexes (FTS5 trigram tables, the numbers' four-digit grams) and the
  statements that read them (`MATCH`, `json_each`, `instr`, `group_concat`);
- `pages`: the statement of a page of the list, with SQLite's index hints (`+column` keeps the planner off
  an index) and the keyset bound written as two index ranges (and PostgreSQL's, whose hints are the
  statement's shape);
- `stats`: the duration of a dialog in whole seconds (`julianday`), as the statistics count it.

The rest of `db` is written against these names and SQLAlchemy; the models are dialect-neutral and the
upserts are `INSERT … ON CONFLICT … DO UPDATE`, which SQLite (3.24+) and PostgreSQL both speak.
PostgreSQL's package, `db.postgres`, has the same names; `db.dialect` picks one per connection.
"""
