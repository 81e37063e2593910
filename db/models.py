"""The dialog archive as SQLAlchemy 2 typed models. Dialect-neutral: the search indexes, which differ between
engines (SQLite's FTS5 tables today, `db.sqlite.search`), are created by the migrations.

Every column the dialog list sorts by is NOT NULL and indexed together with `id`, so any sort pages by
keyset `(column, id)`. Values that may be missing are stored as '' in the sort columns and as NULL in the
display columns.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Employee(Base):
    """Someone who completes dialogs (the "Кто завершил" column)."""

    __tablename__ = "employees"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_fold: Mapped[str] = mapped_column(String(200), index=True)


class ClientName(Base):
    """A distinct client name. Name search runs over these (a few percent of the dialogs' count) and
    `dialog_count` gives the number of matching dialogs without counting them."""

    __tablename__ = "client_names"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    name_fold: Mapped[str] = mapped_column(String(200), index=True)  # every spelling of a name, together
    dialog_count: Mapped[int] = mapped_column(Integer, default=0)
    last_completed_at: Mapped[datetime | None] = mapped_column(DateTime())  # its newest dialog (UTC)


class ClientPhone(Base):
    """A distinct client phone number in E.164; digit search runs over these."""

    __tablename__ = "client_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    e164: Mapped[str] = mapped_column(String(20), unique=True)
    # indexed: the most active clients of a period are looked for among the most active of all time
    dialog_count: Mapped[int] = mapped_column(Integer, default=0, index=True)
    last_completed_at: Mapped[datetime | None] = mapped_column(DateTime())  # its newest dialog (UTC)


class ClientPhoneGram(Base):
    """Every four consecutive digits of each distinct number, as an integer: a search for four or more
    digits ("4567") reads the numbers that hold its last four, ~200 index entries (db/sqlite/search.py).

    Each entry carries its number and the number's `dialog_count` and `last_completed_at` (kept with the
    number's, `db.counters`), so that the search reads the grams alone, in key order (SQLite's table is
    its key; PostgreSQL's key INCLUDEs them), not ~200 numbers scattered over `client_phones`: on
    PostgreSQL those reads were most of the search's time (benchmarks/README.md)."""

    __tablename__ = "client_phone_grams"

    gram: Mapped[int] = mapped_column(Integer)
    phone_id: Mapped[int] = mapped_column(ForeignKey("client_phones.id"))
    e164: Mapped[str] = mapped_column(String(20))
    dialog_count: Mapped[int] = mapped_column(Integer, default=0)
    last_completed_at: Mapped[datetime | None] = mapped_column(DateTime())

    __table_args__ = (
        PrimaryKeyConstraint(
            "gram", "phone_id", postgresql_include=["e164", "dialog_count", "last_completed_at"]
        ),
        {"sqlite_with_rowid": False},
    )


class Dialog(Base):
    """A completed conversation with a client: the six columns of the seed's table and where it came from."""

    __tablename__ = "dialogs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[str] = mapped_column(String(100), unique=True)
    client_name: Mapped[str | None] = mapped_column(String(200))
    client_phone: Mapped[str] = mapped_column(String(20))  # E.164, '' when unknown
    # what "Клиент" sorts by (`db.importer.client_sort_keys`): the folded name, or for a client without
    # one the number behind a mark that puts it below every name (client_sort, Я→А) or above (А→Я), so
    # that the nameless come last both ways
    client_sort: Mapped[str] = mapped_column(String(200))
    client_sort_up: Mapped[str] = mapped_column(String(200))
    name_id: Mapped[int | None] = mapped_column(ForeignKey("client_names.id"))
    phone_id: Mapped[int | None] = mapped_column(ForeignKey("client_phones.id"))
    channel: Mapped[str] = mapped_column(String(32))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))
    employee_sort: Mapped[str] = mapped_column(String(200))  # folded employee name, '' when unknown
    started_at: Mapped[datetime | None] = mapped_column(DateTime())  # UTC
    completed_at: Mapped[datetime] = mapped_column(DateTime())  # UTC
    message_count: Mapped[int] = mapped_column(Integer)
    # response times from the transcript (`db.responses`): seconds or a state, as the keys of the sort
    # slowest first (descending) and fastest first (`_up`), which both put the dialogs without one last
    first_response: Mapped[int] = mapped_column(Integer, server_default="-2")
    first_response_up: Mapped[int] = mapped_column(Integer, server_default="2000000002")
    longest_wait: Mapped[int] = mapped_column(Integer, server_default="-2")
    longest_wait_up: Mapped[int] = mapped_column(Integer, server_default="2000000002")

    __table_args__ = (
        Index("ix_dialogs_client_sort", "client_sort", "id"),
        Index("ix_dialogs_client_sort_up", "client_sort_up", "id"),
        Index("ix_dialogs_channel", "channel", "id"),
        Index("ix_dialogs_client_phone", "client_phone", "id"),
        Index("ix_dialogs_employee_sort", "employee_sort", "id"),
        # the names and numbers too: a search walking the list in time order tests dialogs in the index
        Index("ix_dialogs_completed_at", "completed_at", "id", "client_sort", "client_phone"),
        Index("ix_dialogs_message_count", "message_count", "id"),
        Index("ix_dialogs_first_response", "first_response", "id"),
        Index("ix_dialogs_first_response_up", "first_response_up", "id"),
        Index("ix_dialogs_longest_wait", "longest_wait", "id"),
        Index("ix_dialogs_longest_wait_up", "longest_wait_up", "id"),
        # a search's few dialogs, found by name or phone, sorted by time without reading their rows: with
        # their ids, which SQLite's indexes hold anyway (the rowid) and PostgreSQL's only when included
        Index("ix_dialogs_name_id", "name_id", "completed_at", postgresql_include=["id"]),
        Index("ix_dialogs_phone_id", "phone_id", "completed_at", postgresql_include=["id"]),
        # a channel's or an employee's dialogs in time order: the list's filters, alone or with a period
        Index("ix_dialogs_channel_time", "channel", "completed_at"),
        Index("ix_dialogs_employee_time", "employee_id", "completed_at"),
    )


class Message(Base):
    """One line of a dialog's transcript."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dialog_id: Mapped[int] = mapped_column(ForeignKey("dialogs.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(DateTime())  # UTC
    sender: Mapped[str] = mapped_column(String(10))  # client | employee | bot
    author: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("dialog_id", "position", name="uq_messages_dialog_position"),)


class Counter(Base):
    """Totals kept up to date by the import, so that showing "N dialogs" never counts a million rows."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class BotUser(Base):
    """A Telegram user allowed to use the bot."""

    __tablename__ = "bot_users"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    role: Mapped[str] = mapped_column(String(10))  # admin | head | manager
    name: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(DateTime())  # UTC
    # a manager's own name in the archive: with MANAGER_SCOPE=own they see this employee's dialogs only
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"))


class UserLanguage(Base):
    """The language a person chose for the bot (/language), which wins over their Telegram app's. Kept apart
    from `bot_users`: the admins of ADMIN_IDS have no row there, and choose too."""

    __tablename__ = "user_languages"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(8))  # a code of `views.texts.LANGUAGES`: ru | en


class IngestToken(Base):
    """A token of the ingestion API and the Chatwoot hook: only its SHA-256 is kept (the token is printed
    once, when made). A revoked token stays listed, with when."""

    __tablename__ = "ingest_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime())  # UTC
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime())  # UTC
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime())  # UTC


class ChatwootJob(Base):
    """A Chatwoot conversation to fetch and store (`db.chatwoot_queue`): queued by a webhook event, a
    re-poll or a backfill, kept until it is stored, so that a restart or an outage loses none."""

    __tablename__ = "chatwoot_jobs"

    conversation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    queued_at: Mapped[datetime] = mapped_column(DateTime())  # UTC: the latest event that queued it
    due_at: Mapped[datetime | None] = mapped_column(DateTime(), index=True)  # UTC; None: stored, done
    # failed fetches since it was last queued
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(500))
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime())  # UTC: last stored


class ListView(Base):
    """A search and filters of the dialog list, stored once. Buttons carry its id: the text and the filters
    would not fit in callback data. Empty text, channel and period and employee 0 mean "not filtered"."""

    __tablename__ = "list_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    search_text: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(32), default="")
    employee_id: Mapped[int] = mapped_column(Integer, default=0)
    period: Mapped[str] = mapped_column(String(32), default="")  # see `db.periods.Period.code`
    # the review marks: "" every dialog, "unmarked" those without a mark, "low" those marked 1 or 2
    review: Mapped[str] = mapped_column(String(8), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime())  # UTC
    # how many dialogs the view found, and for which archive revision and days: paging on reads it
    total: Mapped[int | None] = mapped_column(Integer)
    total_key: Mapped[str] = mapped_column(String(64), default="", server_default="")

    __table_args__ = (
        UniqueConstraint("search_text", "channel", "employee_id", "period", "review", name="uq_list_views"),
    )


class AuditEntry(Base):
    """Who opened or exported what, and when."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(), index=True)  # UTC
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    action: Mapped[str] = mapped_column(String(30))
    dialog_id: Mapped[int | None] = mapped_column(ForeignKey("dialogs.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(String(500))


class ReviewMark(Base):
    """A head's mark of a dialog, 1–5, with an optional short comment: one current mark a dialog (marking
    it again replaces it; the audit log keeps every mark and comment given). Keyed by the dialog's own id,
    which an import of the same dialog again keeps, so the mark stays."""

    __tablename__ = "review_marks"

    dialog_id: Mapped[int] = mapped_column(
        ForeignKey("dialogs.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    mark: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(String(500))
    reviewer_id: Mapped[int] = mapped_column(BigInteger)  # the Telegram id of who marked it
    reviewer_name: Mapped[str | None] = mapped_column(String(200))  # their name then, as shown on the card
    marked_at: Mapped[datetime] = mapped_column(DateTime())  # UTC

    # «оценка ≤ 2»: the few low marks, read from the index alone
    __table_args__ = (Index("ix_review_marks_mark", "mark", "dialog_id"),)


class ReviewWeek(Base):
    """A week's review queue made (`db.review_queue`): the week whose dialogs it samples, by its Monday
    (yyyymmdd), and the random seed the sample was drawn with, so that it can be drawn again."""

    __tablename__ = "review_weeks"

    week: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seed: Mapped[int] = mapped_column(BigInteger)
    sample_size: Mapped[int] = mapped_column(Integer)  # REVIEW_SAMPLE when it was made
    made_at: Mapped[datetime] = mapped_column(DateTime())  # UTC


class ReviewQueueEntry(Base):
    """A dialog chosen for a week's review queue, in the order the queue is walked. No foreign key to the
    dialog: a dialog removed from the archive since is skipped when the queue is read, and the week keeps
    what was chosen."""

    __tablename__ = "review_queue"

    week: Mapped[int] = mapped_column(
        ForeignKey("review_weeks.week", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    dialog_id: Mapped[int] = mapped_column(Integer)
    employee_id: Mapped[int] = mapped_column(Integer)


class KeywordSearch(Base):
    """A keyword search inside conversations (`db.keywords`): the words, within the filters of a stored
    list view, under an id that the result pages' buttons carry (the words never fit in a button)."""

    __tablename__ = "keyword_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    words: Mapped[str] = mapped_column(String(100))  # `db.keywords.words_text_of` the words typed
    view_id: Mapped[int] = mapped_column(Integer)  # the list view (`list_views.id`); 0: the whole archive
    created_at: Mapped[datetime] = mapped_column(DateTime())  # UTC: made, or made again, last

    __table_args__ = (UniqueConstraint("words", "view_id", name="uq_keyword_searches"),)


class DailyStats(Base):
    """Dialogs completed per local day (in the zone of `StatsZone`), channel and employee: what the filters'
    totals and the analytics add up instead of counting dialogs. Kept by the import."""

    __tablename__ = "daily_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    employee_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0: nobody recorded
    dialogs: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(BigInteger)
    duration_s: Mapped[int] = mapped_column(BigInteger)  # the sum over the dialogs with a start time
    timed: Mapped[int] = mapped_column(Integer)  # how many dialogs have a start time

    # covering: the list's filter totals are sums read from these indexes alone
    __table_args__ = (
        Index("ix_daily_stats_channel", "channel", "day", "dialogs"),
        Index("ix_daily_stats_employee", "employee_id", "day", "dialogs"),
        Index("ix_daily_stats_channel_employee", "channel", "employee_id", "day", "dialogs"),
    )


class HourlyStats(Base):
    """Dialogs completed per local day and hour of the day: the busiest hours."""

    __tablename__ = "hourly_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)
    dialogs: Mapped[int] = mapped_column(Integer)


class DurationStats(Base):
    """How many dialogs of an employee lasted how long (in buckets, see `db.stats`), per local day: the
    median duration of any period without reading its dialogs."""

    __tablename__ = "duration_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    employee_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    dialogs: Mapped[int] = mapped_column(Integer)

    # a long period's buckets summed per employee in the index's order, without sorting (`db.analytics`)
    __table_args__ = (Index("ix_duration_stats_employee", "employee_id", "bucket", "day", "dialogs"),)


class ResponseStats(Base):
    """How many dialogs of an employee had their first response how fast (in the duration buckets of
    `db.stats`), per local day: the median and 90th percentile of any period without reading its dialogs.
    Only answered dialogs count (`db.responses.is_figure`)."""

    __tablename__ = "response_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    employee_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    dialogs: Mapped[int] = mapped_column(Integer)

    # a long period's buckets summed per employee in the index's order, without sorting (`db.analytics`)
    __table_args__ = (Index("ix_response_stats_employee", "employee_id", "bucket", "day", "dialogs"),)


class StatsZone(Base):
    """The time zone the statistics' days and hours are counted in (one row); another zone in the settings
    means counting them again."""

    __tablename__ = "stats_zone"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)


class DigestSubscription(Base):
    """A head's or an admin's morning digest (`db.digest`): on or off, at which local minute of the day (of
    TIMEZONE), in which language, and the local day whose digest they last got. A process that sends a
    day's digest claims it first (`claimed_day`, until `claimed_until`, UTC), so that two replicas never
    both send it and one that died while sending leaves it to be sent again once the claim runs out."""

    __tablename__ = "digest_subscriptions"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    enabled: Mapped[bool] = mapped_column(Boolean)
    minute: Mapped[int] = mapped_column(Integer)  # local minute of the day: 9 * 60 is 09:00
    language: Mapped[str] = mapped_column(String(8))  # the language of the person when they set it
    sent_day: Mapped[date | None] = mapped_column(Date)
    claimed_day: Mapped[date | None] = mapped_column(Date)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime())  # UTC


class ChannelSilence(Base):
    """A silence of a channel the digest's readers were told of, once: known by the channel's last dialog
    before it (a new dialog ends it; the next silence has another last dialog)."""

    __tablename__ = "channel_silences"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_dialog_at: Mapped[datetime] = mapped_column(DateTime(), primary_key=True)  # UTC
    told_at: Mapped[datetime] = mapped_column(DateTime())  # UTC
