"""What the statistics' counting needs of PostgreSQL in particular."""


def duration_seconds(completed: str, started: str) -> str:
    """SQL of the whole seconds from `started` to `completed` (negative, i.e. bad data, is 0; no start
    time, NULL), rounded as SQLite's `julianday` difference is. GREATEST skips a NULL, unlike SQLite's
    MAX: a dialog without a start time would last 0 s."""
    seconds = f"ROUND(EXTRACT(EPOCH FROM ({completed}) - ({started})))"
    return f"CASE WHEN {started} IS NULL THEN NULL ELSE CAST(GREATEST(0, {seconds}) AS INTEGER) END"
