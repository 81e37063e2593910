"""What the statistics' counting needs of SQLite in particular."""


def duration_seconds(completed: str, started: str) -> str:
    """SQL of the whole seconds from `started` to `completed` (stored times; negative, i.e. bad data, is 0):
    julianday is exact to the millisecond and cheaper than strftime('%s')."""
    return f"MAX(0, CAST(ROUND((julianday({completed}) - julianday({started})) * 86400) AS INTEGER))"
