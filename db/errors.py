"""What the archive tells its callers when it cannot do what they asked, in its own words: a caller never
needs to know the database's exceptions."""


class ArchiveBusy(Exception):
    """Another writer (a long import) held the archive longer than a write may wait: try again later."""


class SearchRefused(Exception):
    """A search that would tell someone who sees numbers masked some of the digits the mask hides."""


class ArchiveUnwritable(Exception):
    """The archive cannot be written: the disk is full, or the file read-only or failing."""


class ArchiveReplaced(Exception):
    """The database file was replaced or removed under the running process: going on would write into a
    file nobody will read again, or damage the new one."""
