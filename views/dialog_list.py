"""The dialog list on the phone: the request a list button makes, and the page as text and buttons.

Each dialog takes at most three short lines; the header says where the list is, what it searches and
filters, how it is sorted and how many it found.
"""

from __future__ import annotations

from datetime import date, tzinfo

from db.choices import FilterChoices
from db.dialogs import DialogRow, PagePosition
from db.digit_parts import PartsShown
from db.listing import ListRequest, ListResult, ViewChange
from db.periods import local_today
from db.search import EXACT_NAME, DigitsPart, SearchKind, is_client_search, parse_search
from db.views import StoredView
from keyboards.callbacks import (
    DrillListCallback,
    ListCallback,
    Position,
    Reset,
    ResetCallback,
    SearchCallback,
)
from keyboards.columns import COLUMNS, RESPONSE_COLUMNS, Column
from keyboards.dialogs import ListPage, list_keyboard, search_prompt_keyboard, with_offers
from keyboards.menu import LIST_PATH
from views.drill import report_of
from views.formatting import (
    MAX_SEARCH_SHOWN,
    NARROW_LINE,
    breadcrumb,
    channel_label,
    client_label,
    filters_line,
    fit_person,
    format_phone,
    h,
    list_time,
    masked_text,
    response_time,
    short,
    shown_search,
)
from views.screen import Screen
from views.texts import Texts
from views.viewer import Viewer

MAX_OFFER_NAME = 30  # characters of an employee's name on a button
_RESETS = {Reset.SEARCH: ViewChange(drop_search=True), Reset.FILTERS: ViewChange(drop_filters=True)}


def list_request(pressed: ListCallback) -> ListRequest:
    """What a list button asks the archive for."""
    return ListRequest(
        sort=COLUMNS[pressed.sort].sort_key,
        descending=pressed.desc,
        position=PagePosition[pressed.pos.name],
        anchor=pressed.anchor,
        page=pressed.page,
        view_id=pressed.view_id,
    )


def reset_change(pressed: ResetCallback) -> ViewChange:
    """What a reset button takes away from the view it was pressed on."""
    return _RESETS[pressed.what]


def shown_page(result: ListResult, sort: Column, descending: bool, report: int = 0) -> ListCallback:
    """The button data of the page `result` is: what its buttons carry, and where a card goes back to.
    `report`: the analytics report the list was drilled down from (`views.drill`), which ⬅ Назад leads back
    to; 0: none."""
    fields = {
        "sort": sort,
        "desc": descending,
        "pos": Position[result.position.name],
        "anchor": result.anchor,
        "page": result.page_number,
        "view_id": result.view_id,
    }
    return DrillListCallback(**fields, report=report) if report else ListCallback(**fields)


def lone_number_match(result: ListResult, region: str) -> DialogRow | None:
    """The dialog a whole number typed found, when it found only one: its card is what the person wants
    (the list stays one tap away)."""
    view = result.view.view if result.view is not None else None
    typed = parse_search(view.search_text, region) if view is not None else None
    if typed is None or typed.kind is not SearchKind.PHONE or result.view_gone or result.page.total != 1:
        return None
    return result.page.rows[0] if len(result.page.rows) == 1 else None


def list_screen(
    result: ListResult, sort: Column, descending: bool, viewer: Viewer, report: int = 0
) -> Screen:
    """The page as the person reads it, and its buttons (which carry the page, its sort and its view).
    `report`: the analytics report it was drilled down from, which ⬅ Назад leads back to."""
    t = viewer.texts
    view = result.view.view if result.view is not None else None
    back = report_of(report, view) if not result.view_gone else None
    shown = shown_page(result, sort, descending, report if back is not None else 0)
    keyboard = ListPage(
        shown=shown,
        dialog_ids=[row.id for row in result.page.rows],
        first_number=result.first_number,
        pages=result.pages,
        has_previous=result.page.has_previous,
        has_next=result.page.has_next,
        can_export=viewer.role.may_export,
        has_search=view is not None and bool(view.search_text),
        has_filters=view is not None and view.has_filters,
        back=back,
    )
    text = render_list(result, sort, descending, t=t, zone=viewer.zone, mask_region=viewer.mask_region)
    notice = t("list-outdated") if result.view_gone else None
    return Screen(text, list_keyboard(keyboard, t), notice)


def search_prompt_screen(pressed: SearchCallback, stored: StoredView | None, viewer: Viewer) -> Screen:
    """Asks for the text to search; says so when the search is within the filters of the view `stored`
    (the list's header line of them)."""
    t = viewer.texts
    prompt = t("search-prompt")
    if stored is not None and stored.view.has_filters:
        prompt = t("search-prompt-within", filters=filters_line(stored, t, local_today(viewer.zone)))
    return Screen(f"{breadcrumb(t, *LIST_PATH, whole=True)}\n\n{prompt}", search_prompt_keyboard(pressed, t))


def employees_offered(
    screen: Screen, named: FilterChoices[tuple[int, str]] | None, within: ListCallback, viewer: Viewer
) -> Screen:
    """A search that found no client offers the dialogs of the employees whose name it is, a button each
    (sorted as the list was), under the list's words that nothing was found."""
    if named is None or not named.choices:
        return screen
    offers = [
        (
            f"👤 {short(choice.value[1], MAX_OFFER_NAME)}",
            ListCallback(sort=within.sort, desc=within.desc, view_id=choice.view_id),
        )
        for choice in named.choices
    ]
    text = f"{screen.text}\n\n{viewer.texts('search-employee-offer', count=len(offers))}"
    return screen._replace(text=text, markup=with_offers(screen.markup, offers))


def render_list(
    result: ListResult, sort: Column, descending: bool, *, t: Texts, zone: tzinfo, mask_region: str | None
) -> str:
    """`mask_region`: numbers are masked (see `views.formatting.masked_text`); None: shown in full."""
    page, stored = result.page, result.view
    lines = [breadcrumb(t, *LIST_PATH, whole=True)]
    search_text = shown_search(stored.view.search_text, mask_region) if stored is not None else ""
    client = _client_shown(stored, mask_region)
    if client:  # one client's dialogs (the card's «Все диалоги клиента»): whose they are
        lines.append(t("list-client", client=h(short(client, MAX_SEARCH_SHOWN))))
    elif search_text:
        lines.append(t("list-search", text=h(short(search_text, MAX_SEARCH_SHOWN))))
    if stored is not None and stored.view.has_filters:
        lines.append(filters_line(stored, t, result.today))
    if page.total == 0:
        lines.append("")
        if search_text:
            # someone who sees numbers masked may not search by their last digits: not suggested to them
            found = "list-nothing-found" if mask_region is None else "list-nothing-found-masked"
            lines.append(t(found, text=h(short(search_text, MAX_SEARCH_SHOWN))))
        elif stored is not None and stored.view.has_filters:
            lines.append(t("list-nothing-filtered"))
        else:
            lines.append(t("list-empty"))
        return "\n".join(lines)
    arrow = "↓" if descending else "↑"
    where = t("list-page", page=result.page_number, pages=result.pages)
    lines.append(
        f"{t('list-found', count=page.total)} · {where}\n"
        f"{t('list-sorted', column=t(COLUMNS[sort].name), arrow=arrow)}"
    )
    if result.parts is not None:
        lines.append(_parts_line(result.parts, t))
    for number, row in enumerate(page.rows, start=result.first_number):
        lines.append("")
        lines.append(_entry(number, row, t, zone, mask_region, result.today, sort))
    return "\n".join(lines)


def _client_shown(stored: StoredView | None, mask_region: str | None) -> str:
    """The client a view of all one client's dialogs is of (`db.search.client_search_text`), as the person
    may read it: the number in full or masked like the Номер column, or the name; "" for any other view."""
    if stored is None or stored.view.has_filters or not is_client_search(stored.view.search_text):
        return ""
    text = stored.view.search_text
    if text.startswith(EXACT_NAME):
        return masked_text(text[len(EXACT_NAME) :].strip(), mask_region)
    return format_phone(text, masked=mask_region is not None)


def _parts_line(parts: PartsShown, t: Texts) -> str:
    """Which numbers the page shows of a search by digits: those that end with them come first."""
    figures = {"digits": parts.digits, "ending": parts.ending, "inside": parts.inside}
    if parts.part is DigitsPart.ENDING:
        return t("list-parts-ending" if parts.inside else "list-parts-ending-only", **figures)
    return t("list-parts-inside" if parts.ending else "list-parts-inside-only", **figures)


def _entry_figure(row: DialogRow, t: Texts, sort: Column) -> str:
    """The entry's figure after its number: the response time the list is sorted by, else its size."""
    if sort in RESPONSE_COLUMNS:
        if sort is Column.FIRST_RESPONSE:
            return t("list-first-response", time=response_time(row.first_response, t))
        return t("list-longest-wait", time=response_time(row.longest_wait, t))
    return t("list-messages", count=row.message_count)


def _entry(
    number: int, row: DialogRow, t: Texts, zone: tzinfo, mask_region: str | None, today: date, sort: Column
) -> str:
    """Three short lines: who and where; number and size (sorted by a response time: that time instead);
    when and by whom (the time without this year, the employee in what is left of a narrow phone's
    line)."""
    first = f"<b>{number}. {client_label(row, t, mask_region)}</b> · {channel_label(row.channel, t)}"
    phone = format_phone(row.client_phone, masked=mask_region is not None) if row.client_phone else "—"
    second = f"{phone} · {_entry_figure(row, t, sort)}"
    when = list_time(row.completed_at, zone, today)
    room = NARROW_LINE - len(when) - len(" · ")
    who = h(fit_person(row.completed_by, room)) if row.completed_by else t("list-auto-closed")
    return f"{first}\n{second}\n{when} · {who}"
