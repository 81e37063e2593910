"""Callback data: the whole view state travels in the button, so any button works after a restart.

Compact by design (Telegram allows 64 bytes): one-letter prefixes, small integers, no text. A search and
the filters travel as the id of a stored list view (`db.views`). `tests/test_keyboards.py` packs the
worst case.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

MAX_ID = 2**31 - 1  # dialog and view ids; anything larger is forged
MAX_PAGE = 99_999_999
COLUMNS = 6  # the dialog list's columns, numbered as `db.dialogs.SortColumn`
DEFAULT_SORT = 4  # completion time
DEFAULT_DESCENDING = True


class Screen(IntEnum):
    """The menu path of the seed: Отдел продаж → Для руководителя → Записи → Список диалогов (and
    Аналитика beside Записи)."""

    HOME = 0
    SALES = 1
    HEAD = 2
    RECORDS = 3


class Position(IntEnum):
    """Where a page of the list starts (see `db.dialogs.PagePosition`)."""

    FIRST = 0
    LAST = 1
    AFTER = 2  # after the dialog `anchor`
    BEFORE = 3  # before the dialog `anchor`


class MenuCallback(CallbackData, prefix="m"):
    screen: Screen


class ListCallback(CallbackData, prefix="l"):
    """One page of the dialog list: sort, direction, where the page starts, its number, the search and
    filters."""

    sort: int = Field(default=DEFAULT_SORT, ge=0, lt=COLUMNS)
    desc: bool = DEFAULT_DESCENDING
    pos: Position = Position.FIRST
    anchor: int = Field(default=0, ge=0, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    saved: int = Field(default=0, ge=0, le=MAX_ID)  # the stored view (search, filters); 0: none


def list_data(
    sort: int, desc: bool, pos: Position = Position.FIRST, anchor: int = 0, page: int = 1, saved: int = 0
) -> str:
    """`ListCallback(...).pack()` without building a model: a list page has some fifteen such buttons.
    The values come from a validated view; a test holds the two equal."""
    return f"l:{sort}:{int(desc)}:{int(pos)}:{anchor}:{page}:{saved}"


class SearchCallback(CallbackData, prefix="s"):
    """Asks for search text within a list view's filters; remembers the view to come back to."""

    sort: int = Field(default=DEFAULT_SORT, ge=0, lt=COLUMNS)
    desc: bool = DEFAULT_DESCENDING
    saved: int = Field(default=0, ge=0, le=MAX_ID)


class FilterKind(IntEnum):
    NONE = 0  # the filters screen itself
    CHANNEL = 1
    EMPLOYEE = 2
    PERIOD = 3
    DATES = 4  # asks for a typed range


class FilterCallback(CallbackData, prefix="f"):
    """The filters of a list view, or the choices of one of them (employees come in pages)."""

    kind: FilterKind = FilterKind.NONE
    part: int = Field(default=0, ge=0, le=999)
    sort: int = Field(default=DEFAULT_SORT, ge=0, lt=COLUMNS)
    desc: bool = DEFAULT_DESCENDING
    saved: int = Field(default=0, ge=0, le=MAX_ID)


class ExportFormat(IntEnum):
    CSV = 0
    XLSX = 1


class ExportCallback(CallbackData, prefix="x"):
    """The whole list view — its search, filters and sort — as a file."""

    format: ExportFormat
    sort: int = Field(default=DEFAULT_SORT, ge=0, lt=COLUMNS)
    desc: bool = DEFAULT_DESCENDING
    saved: int = Field(default=0, ge=0, le=MAX_ID)


class TranscriptCallback(CallbackData, prefix="t"):
    """One dialog's whole conversation as a file."""

    dialog: int = Field(ge=1, le=MAX_ID)


class CardCallback(CallbackData, prefix="c"):
    """A dialog's card at one page of its transcript, and the list page to return to."""

    dialog: int = Field(ge=1, le=MAX_ID)
    part: int = Field(default=0, ge=0, le=99_999)  # transcript page, from 0
    turn: bool = False  # a page turn inside the card, not an opening from the list
    sort: int = Field(default=DEFAULT_SORT, ge=0, lt=COLUMNS)
    desc: bool = DEFAULT_DESCENDING
    pos: Position = Position.FIRST
    anchor: int = Field(default=0, ge=0, le=MAX_ID)
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    saved: int = Field(default=0, ge=0, le=MAX_ID)

    @classmethod
    def of(cls, dialog: int, view: ListCallback, part: int = 0) -> CardCallback:
        return cls(dialog=dialog, part=part, **view.model_dump())

    @staticmethod
    def openings(view: ListCallback) -> Callable[[int], str]:
        """Packs the number buttons of a list page: the same bytes as `CardCallback.of(dialog, view).pack()`
        (a test holds them equal) without validating a model per button, ten times a page."""
        rest = view.pack().split(":", 1)[1]
        return lambda dialog: f"c:{dialog}:0:0:{rest}"

    def list_view(self) -> ListCallback:
        return ListCallback(
            sort=self.sort,
            desc=self.desc,
            pos=self.pos,
            anchor=self.anchor,
            page=self.page,
            saved=self.saved,
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


# The periods of the analytics, as `db.periods` codes; the last one is the range `first`..`last`.
ANALYTICS_PERIODS = ("today", "yesterday", "7d", "30d", "month", "r")
RANGE_PERIOD = len(ANALYTICS_PERIODS) - 1
DEFAULT_ANALYTICS_PERIOD = 2  # the last 7 days


class AnalyticsCallback(CallbackData, prefix="a"):
    """One analytics screen for one period; a typed range travels as two yyyymmdd numbers."""

    section: Section = Section.EMPLOYEES
    period: int = Field(default=DEFAULT_ANALYTICS_PERIOD, ge=0, le=RANGE_PERIOD)
    first: int = Field(default=0, ge=0, le=99_991_231)
    last: int = Field(default=0, ge=0, le=99_991_231)
    action: AnalyticsAction = AnalyticsAction.SHOW
