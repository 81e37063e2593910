"""The dialog list on the phone: the request a list button makes, and the page as text and buttons.

Each dialog takes at most three short lines; the header says where the list is, what it searches and
filters, how it is sorted and how many it found.
"""

from __future__ import annotations

from datetime import tzinfo

from db.dialogs import DialogRow, PagePosition
from db.listing import ListRequest, ListResult, ViewChange
from db.search import SearchKind, parse_search
from keyboards.callbacks import ListCallback, Position, Reset, ResetCallback, SearchCallback
from keyboards.columns import COLUMNS, Column
from keyboards.dialogs import ListPage, list_keyboard, search_prompt_keyboard
from keyboards.menu import LIST_PATH
from views.formatting import (
    MAX_SEARCH_SHOWN,
    breadcrumb,
    channel_label,
    client_label,
    filters_line,
    format_phone,
    format_time,
    h,
    short,
    shown_search,
)
from views.screen import Screen
from views.texts import Texts
from views.viewer import Viewer

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


def shown_page(result: ListResult, sort: Column, descending: bool) -> ListCallback:
    """The button data of the page `result` is: what its buttons carry, and where a card goes back to."""
    return ListCallback(
        sort=sort,
        desc=descending,
        pos=Position[result.position.name],
        anchor=result.anchor,
        page=result.page_number,
        view_id=result.view_id,
    )


def lone_number_match(result: ListResult, region: str) -> DialogRow | None:
    """The dialog a whole number typed found, when it found only one: its card is what the person wants
    (the list stays one tap away)."""
    view = result.view.view if result.view is not None else None
    typed = parse_search(view.search_text, region) if view is not None else None
    if typed is None or typed.kind is not SearchKind.PHONE or result.view_gone or result.page.total != 1:
        return None
    return result.page.rows[0] if len(result.page.rows) == 1 else None


def list_screen(result: ListResult, sort: Column, descending: bool, viewer: Viewer) -> Screen:
    """The page as the person reads it, and its buttons (which carry the page, its sort and its view)."""
    t = viewer.texts
    shown = shown_page(result, sort, descending)
    view = result.view.view if result.view is not None else None
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
    )
    text = render_list(result, sort, descending, t=t, zone=viewer.zone, mask_region=viewer.mask_region)
    notice = t("list-outdated") if result.view_gone else None
    return Screen(text, list_keyboard(keyboard, t), notice)


def search_prompt_screen(pressed: SearchCallback, viewer: Viewer) -> Screen:
    t = viewer.texts
    return Screen(f"{breadcrumb(t, *LIST_PATH)}\n\n{t('search-prompt')}", search_prompt_keyboard(pressed, t))


def render_list(
    result: ListResult, sort: Column, descending: bool, *, t: Texts, zone: tzinfo, mask_region: str | None
) -> str:
    """`mask_region`: numbers are masked (see `views.formatting.masked_text`); None: shown in full."""
    page, stored = result.page, result.view
    lines = [breadcrumb(t, *LIST_PATH)]
    search_text = shown_search(stored.view.search_text, mask_region) if stored is not None else ""
    if search_text:
        lines.append(t("list-search", text=h(short(search_text, MAX_SEARCH_SHOWN))))
    if stored is not None and stored.view.has_filters:
        lines.append(filters_line(stored, t, result.today))
    if page.total == 0:
        lines.append("")
        if search_text:
            lines.append(t("list-nothing-found", text=h(short(search_text, MAX_SEARCH_SHOWN))))
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
    for number, row in enumerate(page.rows, start=result.first_number):
        lines.append("")
        lines.append(_entry(number, row, t, zone, mask_region))
    return "\n".join(lines)


def _entry(number: int, row: DialogRow, t: Texts, zone: tzinfo, mask_region: str | None) -> str:
    """Three short lines: who and where; number and size; when and by whom."""
    first = f"<b>{number}. {client_label(row, t, mask_region)}</b> · {channel_label(row.channel, t)}"
    phone = format_phone(row.client_phone, masked=mask_region is not None) if row.client_phone else "—"
    second = f"{phone} · {t('list-messages', count=row.message_count)}"
    who = h(short(row.completed_by)) if row.completed_by else t("list-auto-closed")
    third = f"{format_time(row.completed_at, zone)} · {who}"
    return f"{first}\n{second}\n{third}"
