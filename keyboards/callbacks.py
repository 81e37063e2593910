"""Callback data: the whole view state travels in the button, so any button works after a restart.

Compact by design (Telegram allows 64 bytes): one-letter prefixes, small integers, no text. A search and
the filters travel as the id of a stored list view (`db.views`). Every button's data is made by a factory's
`pack()`, which refuses a separator inside a value and data over 64 bytes; `tests/test_callback_data.py`
packs the worst case of every factory of this module.

A factory's fields are packed in the order they are declared, and aiogram unpacks exactly as many as are
declared: a changed factory would make the buttons of every message already sent outdated, so a new kind
of button gets a factory of its own.
"""

from __future__ import annotations

from enum import IntEnum

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from keyboards.columns import COLUMNS, DEFAULT_DESCENDING, DEFAULT_SORT, Column

MAX_ID = 2**31 - 1  # dialog and view ids; anything larger is forged
MAX_PAGE = 99_999_999


class MenuLevel(IntEnum):
    """The levels of the menu path (`keyboards.menu`)."""

    HOME = 0
    SALES = 1
    HEAD = 2
    RECORDS = 3


class Position(IntEnum):
    """Where a page of the list starts (`db.dialogs.PagePosition` of the same name)."""

    FIRST = 0
    LAST = 1
    AFTER = 2  # after the dialog `anchor`
    BEFORE = 3  # before the dialog `anchor`


class MenuCallback(CallbackData, prefix="m"):
    level: MenuLevel


MAX_LANGUAGE = 99  # the widest language number a button carries; a larger one is forged


class LanguageCallback(CallbackData, prefix="g"):
    """The language screen (`choose` 0), or choosing the language numbered `choose`: its place in
    `views.texts.LANGUAGES`, from 1 (a language keeps its number, new ones come last)."""

    choose: int = Field(default=0, ge=0, le=MAX_LANGUAGE)


class ListCallback(CallbackData, prefix="l"):
    """One page of the dialog list: sort, direction, where the page starts, its number, the search and
    filters."""

    sort: Column = DEFAULT_SORT
    desc: bool = DEFAULT_DESCENDING
    pos: Position = Position.FIRST
    anchor: int = Field(default=0, ge=0, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    view_id: int = Field(default=0, ge=0, le=MAX_ID)  # the stored view (search, filters); 0: none

    def came_from(self) -> int:
        """The analytics report this page was drilled down from (`DrillListCallback`); 0: none."""
        return 0


class Reset(IntEnum):
    SEARCH = 0
    FILTERS = 1


class ResetCallback(CallbackData, prefix="r"):
    """The first page of the list view `view_id` without its search, or without its filters."""

    what: Reset
    sort: Column = DEFAULT_SORT
    desc: bool = DEFAULT_DESCENDING
    view_id: int = Field(default=0, ge=0, le=MAX_ID)

    def list_page(self) -> ListCallback:
        """The list page the reset is pressed on (its first page)."""
        return ListCallback(sort=self.sort, desc=self.desc, view_id=self.view_id)


class SearchCallback(CallbackData, prefix="s"):
    """Asks for search text within a list view's filters; remembers the view to come back to."""

    sort: Column = DEFAULT_SORT
    desc: bool = DEFAULT_DESCENDING
    view_id: int = Field(default=0, ge=0, le=MAX_ID)


class FilterKind(IntEnum):
    NONE = 0  # the filters screen itself
    CHANNEL = 1
    EMPLOYEE = 2
    PERIOD = 3
    DATES = 4  # asks for a typed range
    REVIEW = 5  # the review marks: «без оценки», «оценка ≤ 2» (heads and admins)


class FilterCallback(CallbackData, prefix="f"):
    """The filters of a list view, or the choices of one of them (employees come in pages)."""

    kind: FilterKind = FilterKind.NONE
    part: int = Field(default=0, ge=0, le=999)
    sort: Column = DEFAULT_SORT
    desc: bool = DEFAULT_DESCENDING
    view_id: int = Field(default=0, ge=0, le=MAX_ID)


class ExportFormat(IntEnum):
    CSV = 0
    XLSX = 1


class ExportCallback(CallbackData, prefix="x"):
    """The whole list view — its search, filters and sort — as a file."""

    format: ExportFormat
    sort: Column = DEFAULT_SORT
    desc: bool = DEFAULT_DESCENDING
    view_id: int = Field(default=0, ge=0, le=MAX_ID)


class TranscriptCallback(CallbackData, prefix="t"):
    """One dialog's whole conversation as a file."""

    dialog: int = Field(ge=1, le=MAX_ID)


class ClientListCallback(CallbackData, prefix="o"):
    """Every dialog of the client of one dialog (its card's button), newest first. The data carries the
    dialog alone, nothing of the number or the name; the list's view is found, or stored, when pressed."""

    dialog: int = Field(ge=1, le=MAX_ID)


class CardCallback(CallbackData, prefix="c"):
    """A dialog's card at one page of its transcript, and the list page to return to."""

    dialog: int = Field(ge=1, le=MAX_ID)
    part: int = Field(default=0, ge=0, le=99_999)  # transcript page, from 0
    turn: bool = False  # a page turn inside the card, not an opening from the list
    sort: Column = DEFAULT_SORT
    desc: bool = DEFAULT_DESCENDING
    pos: Position = Position.FIRST
    anchor: int = Field(default=0, ge=0, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    view_id: int = Field(default=0, ge=0, le=MAX_ID)

    @classmethod
    def opening(cls, dialog: int, back: ListCallback) -> CardCallback:
        """The card of `dialog` opened from the list page `back` (a drilled-down page's card goes back to it
        with its way back to the analytics)."""
        fields = {
            "dialog": dialog,
            "sort": back.sort,
            "desc": back.desc,
            "pos": back.pos,
            "anchor": back.anchor,
            "page": back.page,
            "view_id": back.view_id,
        }
        if isinstance(back, DrillListCallback) and back.page <= MAX_DRILL_PAGE:
            return DrillCardCallback(**fields, report=back.report)
        return cls(**fields)  # a card of a drilled page past MAX_DRILL_PAGE: back to its list, then the menu

    def back(self) -> CallbackData:
        """Where the card's ⬅ К списку leads: the list page it was opened from."""
        return self.list_page()

    def list_page(self) -> ListCallback:
        """The list page the card returns to."""
        return ListCallback(
            sort=self.sort,
            desc=self.desc,
            pos=self.pos,
            anchor=self.anchor,
            page=self.page,
            view_id=self.view_id,
        )


# The widest `report` of a drilled-down list page, and the furthest page of it whose cards know their way
# back: a drilled card's data (`DrillCardCallback`) fits 64 bytes, with a byte to spare for a forged value
MAX_REPORT = 999_999
MAX_DRILL_PAGE = 9_999_999


class DrillListCallback(ListCallback, prefix="d"):
    """A page of the list opened from a numbered row of an analytics report: a `ListCallback` whose ⬅ Назад
    leads back to that report. `report` says which report and period (`views.drill`); its sort and page
    buttons, and its cards, keep it."""

    report: int = Field(default=0, ge=0, le=MAX_REPORT)

    def came_from(self) -> int:
        return self.report


class DrillCardCallback(CardCallback, prefix="k"):
    """A card opened from a drilled-down list page (`DrillListCallback`): ⬅ К списку returns to that page,
    which still leads back to the report."""

    page: int = Field(default=1, ge=1, le=MAX_DRILL_PAGE)
    report: int = Field(default=0, ge=0, le=MAX_REPORT)

    def list_page(self) -> ListCallback:
        page = super().list_page()
        fields = {name: getattr(page, name) for name in ListCallback.model_fields}
        return DrillListCallback(**fields, report=self.report)


MAX_WEEK = 99_991_231  # a week as a button carries it: yyyymmdd of its Monday


class QueueCallback(CallbackData, prefix="q"):
    """The review queue of a week (`week` 0: this week's): its screen, or (`walk`) the card of its next
    dialog not yet marked after the dialog `after` (0: from the start)."""

    week: int = Field(default=0, ge=0, le=MAX_WEEK)
    walk: bool = False
    after: int = Field(default=0, ge=0, le=MAX_ID)


class QueueCardCallback(CardCallback, prefix="qc"):
    """A card opened from a week's review queue: instead of ⬅ К списку, «Следующий ▶» and «К очереди». The
    list's place of a card is none here (its fields stay at their defaults, so the data stays short)."""

    anchor: int = Field(default=0, ge=0, le=0)
    page: int = Field(default=1, ge=1, le=1)
    view_id: int = Field(default=0, ge=0, le=0)
    week: int = Field(default=0, ge=0, le=MAX_WEEK)

    def queue(self) -> QueueCallback:
        """The queue the card was opened from."""
        return QueueCallback(week=self.week)


class FindCallback(CallbackData, prefix="y"):
    """Asks for words to find in the conversations within a list view's filters (a button of the search's
    question); remembers the view to come back to."""

    sort: Column = DEFAULT_SORT
    desc: bool = DEFAULT_DESCENDING
    view_id: int = Field(default=0, ge=0, le=MAX_ID)


class KeywordsCallback(CallbackData, prefix="w"):
    """A page of the dialogs whose conversations hold a stored search's words (`db.keywords`), newest
    first: the first, or the one after (before) the dialog `anchor`."""

    search: int = Field(ge=1, le=MAX_ID)
    pos: Position = Position.FIRST
    anchor: int = Field(default=0, ge=0, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)


class KeywordCardCallback(CardCallback, prefix="z"):
    """A card opened from the results of a keyword search (`KeywordsCallback`), at the part of its
    transcript that holds the words: `pos`, `anchor` and `page` are the results page's, `view_id` the
    stored keyword search's id (the fields of a card, so that every button of the card keeps it).
    ⬅ К списку returns to that results page."""

    @classmethod
    def from_results(cls, dialog: int, part: int, results: KeywordsCallback) -> KeywordCardCallback:
        return cls(
            dialog=dialog,
            part=part,
            pos=results.pos,
            anchor=results.anchor,
            page=results.page,
            view_id=results.search,
        )

    def results(self) -> KeywordsCallback:
        return KeywordsCallback(search=max(1, self.view_id), pos=self.pos, anchor=self.anchor, page=self.page)

    def back(self) -> CallbackData:
        return self.results()

    def list_page(self) -> ListCallback:
        """Not a list's page: the whole list (what a card gone, or a mark given, falls back to)."""
        return ListCallback(sort=self.sort, desc=self.desc)


MAX_MARK = 5
REMOVE_COMMENT = MAX_MARK + 1  # `ReviewCallback.mark` of the button that removes the mark's comment
MAX_REVIEW_PART = 9_999  # a card's part a mark button comes back to (80,000 messages): one byte to spare


class ReviewCallback(CallbackData, prefix="v"):
    """A head's mark of a dialog from its card (`mark` 1–5), the question for its comment (`mark` 0), or
    the comment removed (`REMOVE_COMMENT`), with the card's place (the transcript's part, the list page to
    return to, and the report that page was drilled down from: `report` 0, none) to show it again after."""

    dialog: int = Field(ge=1, le=MAX_ID)
    mark: int = Field(default=0, ge=0, le=REMOVE_COMMENT)
    part: int = Field(default=0, ge=0, le=MAX_REVIEW_PART)
    sort: Column = DEFAULT_SORT
    desc: bool = DEFAULT_DESCENDING
    pos: Position = Position.FIRST
    anchor: int = Field(default=0, ge=0, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    view_id: int = Field(default=0, ge=0, le=MAX_ID)
    report: int = Field(default=0, ge=0, le=MAX_REPORT)

    @classmethod
    def on(cls, card: CardCallback, mark: int) -> ReviewCallback:
        """The button on the card `card` that marks it `mark` (0: asks for the comment; `REMOVE_COMMENT`:
        removes it)."""
        if isinstance(card, QueueCardCallback):
            return QueueReviewCallback(
                dialog=card.dialog, mark=mark, part=min(card.part, MAX_REVIEW_PART), week=card.week
            )
        report = card.report if isinstance(card, DrillCardCallback) else 0
        part = min(card.part, MAX_REVIEW_PART)
        if isinstance(card, KeywordCardCallback):  # its place is a page of a keyword search's results
            fields = {name: getattr(card, name) for name in ("dialog", "pos", "anchor", "page", "view_id")}
            return KeywordReviewCallback(**fields, mark=mark, part=part)
        fields = {name: getattr(card, name) for name in ("dialog", "sort", "desc", "pos", "anchor", "page")}
        return cls(**fields, mark=mark, part=part, view_id=card.view_id, report=report)

    def card(self) -> CardCallback:
        """The card the button was pressed on, at the same part (a page turn: not another opening)."""
        fields = {
            name: getattr(self, name)
            for name in ("dialog", "part", "sort", "desc", "pos", "anchor", "page", "view_id")
        }
        if self.report and self.page <= MAX_DRILL_PAGE:
            return DrillCardCallback(**fields, turn=True, report=self.report)
        return CardCallback(**fields, turn=True)


class QueueReviewCallback(ReviewCallback, prefix="qv"):
    """A mark (or the comment's question, or its removal) on a card of the review queue
    (`QueueCardCallback`), which it shows again after."""

    anchor: int = Field(default=0, ge=0, le=0)
    page: int = Field(default=1, ge=1, le=1)
    view_id: int = Field(default=0, ge=0, le=0)
    report: int = Field(default=0, ge=0, le=0)
    week: int = Field(default=0, ge=0, le=MAX_WEEK)

    def card(self) -> CardCallback:
        return QueueCardCallback(dialog=self.dialog, part=self.part, turn=True, week=self.week)


class KeywordReviewCallback(ReviewCallback, prefix="u"):
    """A `ReviewCallback` on a card opened from a keyword search's results (`KeywordCardCallback`): `pos`,
    `anchor`, `page` and `view_id` are that card's (the results page, the stored search), so the card
    shown again after a mark still leads back to the results."""

    def card(self) -> CardCallback:
        return KeywordCardCallback(
            dialog=self.dialog,
            part=self.part,
            turn=True,
            pos=self.pos,
            anchor=self.anchor,
            page=self.page,
            view_id=self.view_id,
        )


class Section(IntEnum):
    """The analytics screens."""

    EMPLOYEES = 0
    CHANNELS = 1
    TIME = 2  # the busiest days and hours
    CLIENTS = 3


class AnalyticsAction(IntEnum):
    SHOW = 0
    CHART = 1  # send the period's chart as a photo
    ASK_DATES = 2  # ask for a typed range


# The periods of the analytics, as `db.periods` codes, by the number a button carries: a number never
# changes meaning (buttons already sent keep working), so new periods come last. "r" is the range
# `first`..`last`. The order they are offered in is `db.periods.NAMED_PERIODS`' (`ANALYTICS_PERIODS_SHOWN`).
ANALYTICS_PERIODS = ("today", "yesterday", "7d", "30d", "month", "r", "thisweek", "lastweek", "lastmonth")
RANGE_PERIOD = ANALYTICS_PERIODS.index("r")
DEFAULT_ANALYTICS_PERIOD = 2  # the last 7 days
ANALYTICS_PERIODS_SHOWN = tuple(
    ANALYTICS_PERIODS.index(code)
    for code in ("today", "yesterday", "thisweek", "lastweek", "month", "lastmonth", "7d", "30d")
)


MAX_ANALYTICS_PAGE = 99  # ten employees a page: a thousand of them


class AnalyticsCallback(CallbackData, prefix="a"):
    """One analytics screen for one period; a typed range travels as two yyyymmdd numbers."""

    section: Section = Section.EMPLOYEES
    period: int = Field(default=DEFAULT_ANALYTICS_PERIOD, ge=0, le=len(ANALYTICS_PERIODS) - 1)
    first: int = Field(default=0, ge=0, le=99_991_231)
    last: int = Field(default=0, ge=0, le=99_991_231)
    action: AnalyticsAction = AnalyticsAction.SHOW
    page: int = Field(default=0, ge=0, le=MAX_ANALYTICS_PAGE)  # of a report told a page at a time, from 0


class DigestAction(IntEnum):
    SHOW = 0  # the /digest screen
    ON = 1
    OFF = 2
    AT = 3  # at the local minute `minute` (turns it on)
    ASK_TIME = 4  # asks for a time typed


MINUTES_A_DAY = 24 * 60


class DigestCallback(CallbackData, prefix="j"):
    """The morning digest's settings (/digest): on, off, at a time."""

    action: DigestAction = DigestAction.SHOW
    minute: int = Field(default=0, ge=0, le=MINUTES_A_DAY - 1)


class DigestRowCallback(CallbackData, prefix="h"):
    """A row of a digest: the dialog list of its stored view (an employee's or a channel's dialogs of the
    digest's day), sent as a new message under the digest, which stays."""

    view_id: int = Field(ge=1, le=MAX_ID)


class DigestMoreCallback(CallbackData, prefix="i"):
    """A digest's «ещё …»: the analytics section of the digest's day (`day`: yyyymmdd) in full, sent as a
    new message under the digest."""

    section: Section
    day: int = Field(ge=19_000_101, le=99_991_231)

    def analytics(self) -> AnalyticsCallback:
        return AnalyticsCallback(section=self.section, period=RANGE_PERIOD, first=self.day, last=self.day)


# The slowest first responses of a digest, and the «все» list: the day sorted by first response, slowest
# first (the way a first tap on the column sorts it)
SLOWEST_SORT = Column.FIRST_RESPONSE
SLOWEST_DESC = COLUMNS[SLOWEST_SORT].descending_first


class DigestDialogCallback(CallbackData, prefix="b"):
    """A row of a digest's slowest first responses: the dialog's card, sent as a new message under the
    digest; its ⬅ К списку leads to the digest's day (the stored view `view_id`) sorted slowest first."""

    dialog: int = Field(ge=1, le=MAX_ID)
    view_id: int = Field(ge=1, le=MAX_ID)

    def card(self) -> CardCallback:
        return CardCallback(dialog=self.dialog, sort=SLOWEST_SORT, desc=SLOWEST_DESC, view_id=self.view_id)


class DigestSlowestCallback(CallbackData, prefix="e"):
    """A digest's «все за день по времени ответа»: the dialogs of its day (the stored view `view_id`)
    sorted by first response, slowest first, as a new message under the digest."""

    view_id: int = Field(ge=1, le=MAX_ID)

    def list_page(self) -> ListCallback:
        return ListCallback(sort=SLOWEST_SORT, desc=SLOWEST_DESC, view_id=self.view_id)


class DigestQueueCallback(CallbackData, prefix="n"):
    """A digest's reviews due: the review queue of the week `week` (yyyymmdd of its Monday), as a new
    message under the digest."""

    week: int = Field(ge=0, le=MAX_WEEK)
