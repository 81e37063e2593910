"""What the archive tells its callers when it cannot do what they asked, in its own words: a caller never
needs to know the database's exceptions."""


class ArchiveBusy(Exception):
    """Another writer (a long import) held the archive longer than a write may wait: try again later."""


class SearchRefused(Exception):
    """A search that would tell someone who sees numbers masked some of the digits the mask hides."""
