"""PostgreSQL, the second storage engine: everything in `db` that only PostgreSQL understands lives here,
under the names `db.sqlite` gives SQLite's.

- `connection`: the settings a session is opened with, what a lock held too long, a full disk or a
  read-only server look like, and the check `migrate` makes of the database (UTF-8 character classes,
  `pg_trgm`);
- `search`: the name and phone indexes (`pg_trgm` GIN indexes on the folded names and the numbers'
  digits, the numbers' four-digit grams) and the statements that read them (`LIKE`, `strpos`,
  `array_agg`, `ANY`);
- `stats`: the duration of a dialog in whole seconds (`EXTRACT(EPOCH …)`), as the statistics count it.

The page statements are built beside SQLite's (`db.sqlite.pages`): where SQLite is given index hints,
PostgreSQL is given the statement's shape (ids and keys first, a few matches found first).
"""
