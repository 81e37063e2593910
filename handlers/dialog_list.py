"""The dialog list: /dialogs, and every sort, page, search and filter button of the list."""

from __future__ import annotations

from dataclasses import replace

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from db.archive import Archive
from db.dialogs import DialogQuery, Filters, PagePosition, SortColumn
from db.periods import local_today
from db.views import SavedView
from handlers.screens import show
from keyboards.callbacks import ListCallback, Position
from keyboards.dialogs import ListPage, list_keyboard
from views.rendering import render_list
from views.viewer import Viewer

POSITIONS = {
    Position.FIRST: PagePosition.FIRST,
    Position.LAST: PagePosition.LAST,
    Position.AFTER: PagePosition.AFTER,
    Position.BEFORE: PagePosition.BEFORE,
}


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="dialog_list")
    screen.message.register(dialogs_command, Command("dialogs"))
    screen.callback_query.register(list_button, ListCallback.filter())
    return screen


async def dialogs_command(message: Message, viewer: Viewer, archive: Archive) -> None:
    text, markup, _ = await list_screen(ListCallback(), viewer, archive)
    await message.answer(text, reply_markup=markup)


async def list_button(
    callback: CallbackQuery, callback_data: ListCallback, viewer: Viewer, archive: Archive
) -> None:
    text, markup, notice = await list_screen(callback_data, viewer, archive)
    await show(callback, text, markup, notice)


async def list_screen(
    view: ListCallback, viewer: Viewer, archive: Archive, typed: SavedView | None = None
) -> tuple[str, InlineKeyboardMarkup, str | None]:
    """The list page a view describes, and a notice when the view had to be corrected (a stored view that
    is gone sends the person back to the whole list). `typed`: a search just typed, in place of
    `view.saved`: looked up by what it holds, and stored with what its first page counted if it is new."""
    today = local_today(viewer.zone)
    size = viewer.page_size

    def query_of(saved: SavedView | None) -> DialogQuery:
        shown = view if saved is not None or not view.saved else ListCallback(sort=view.sort, desc=view.desc)
        filters = saved.filters(viewer.zone, today) if saved else Filters()
        # a search's total is counted once, then kept with its stored view when counting it was costly
        # (filters alone are cheap to count)
        known = saved.known_total(filters) if saved is not None and saved.search_text else None
        return DialogQuery(
            search=saved.search(viewer.phone_region) if saved else None,
            filters=filters,
            sort=SortColumn(shown.sort),
            descending=shown.desc,
            position=POSITIONS[shown.pos],
            anchor_id=shown.anchor or None,
            page_size=size,
            known_total=known,
        )

    notice = None
    saved: SavedView | None = None
    if typed is not None or view.saved:
        saved, page = await archive.view_page(typed or view.saved, query_of)
        if saved is None:
            view = ListCallback(sort=view.sort, desc=view.desc)
            notice = viewer.texts("list-outdated")
    else:
        page = await archive.page(query_of(None))
    if saved is not None:
        filters = saved.filters(viewer.zone, today)
        costly = page.total if page.total_costly else None
        if not saved.id and not saved.is_empty:
            saved = await archive.store(saved, costly, saved.total_key(filters))
        elif costly is not None and saved.search_text and saved.known_total(filters) is None:
            await archive.remember_total(saved.id, costly, saved.total_key(filters))
        if view.saved != saved.id:  # a search just typed: its buttons carry the id it was stored under
            view = view.model_copy(update={"saved": saved.id})
    pages = max(1, -(-page.total // size))
    number = pages if view.pos is Position.LAST else 1 if view.pos is Position.FIRST else view.page
    if not page.has_previous:
        number = 1  # whatever the button said, this is the first page
    number = min(max(number, 1), pages)
    first_number = (number - 1) * size + 1
    text = render_list(
        page,
        t=viewer.texts,
        zone=viewer.zone,
        full_phones=viewer.full_phones,
        sort=view.sort,
        descending=view.desc,
        page_number=number,
        pages=pages,
        first_number=first_number,
        view=saved,
        today=today,
    )
    shown = view.model_copy(update={"page": number})
    without_search, without_filters = await _resets(saved, archive)
    keyboard = ListPage(
        view=shown,
        dialog_ids=[row.id for row in page.rows],
        first_number=first_number,
        pages=pages,
        has_previous=page.has_previous,
        has_next=page.has_next,
        can_export=viewer.role.may_export,
        without_search=without_search,
        without_filters=without_filters,
    )
    return text, list_keyboard(keyboard, viewer.texts), notice


async def _resets(saved: SavedView | None, archive: Archive) -> tuple[int | None, int | None]:
    """The views the two reset buttons lead to: the filters alone and the search alone."""
    if saved is None:
        return None, None
    if not saved.has_filters:
        return (0 if saved.search_text else None), None
    if not saved.search_text:
        return None, 0
    alone = await archive.save_views(
        [replace(saved, search_text=""), SavedView(search_text=saved.search_text)]
    )
    return alone[0], alone[1]
