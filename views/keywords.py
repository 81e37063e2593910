"""The keyword search inside conversations on the phone: its question, and its results in the list's
style — what was searched and how many dialogs were found, newest first, each entry with the line of the
conversation that holds the words (numbers in it masked for those who see numbers masked, as on the card)."""

from __future__ import annotations

import re

from db.keywords import KeywordHit, KeywordResult, fold_words, keyword_terms
from db.periods import local_today
from db.views import StoredView
from keyboards.callbacks import FindCallback, KeywordsCallback
from keyboards.keywords import KeywordPage, keywords_keyboard, keywords_prompt_keyboard
from keyboards.menu import LIST_PATH
from views.card import TRANSCRIPT_PART
from views.formatting import (
    MAX_SEARCH_SHOWN,
    NARROW_LINE,
    breadcrumb,
    channel_label,
    client_label,
    filters_line,
    fit_person,
    h,
    list_time,
    masked_text,
    short,
)
from views.screen import Screen
from views.viewer import Viewer

EXCERPT = 90  # characters of the matching line shown under an entry
EXCERPT_BEFORE = 25  # of them, before the first word found


def keywords_prompt_screen(asked: FindCallback, within: StoredView | None, viewer: Viewer) -> Screen:
    """Asks for the words to find; says which filters the search is within, when any."""
    t = viewer.texts
    prompt = t("keywords-prompt")
    if within is not None and within.view.has_filters:
        filters = filters_line(within, t, local_today(viewer.zone))
        prompt = t("keywords-prompt-within", filters=filters)
    text = f"{breadcrumb(t, *LIST_PATH, whole=True)}\n\n{prompt}"
    return Screen(text, keywords_prompt_keyboard(asked, t))


def keywords_screen(result: KeywordResult, shown: KeywordsCallback, viewer: Viewer, size: int) -> Screen:
    """A page of the results as the person reads it, and its buttons."""
    t = viewer.texts
    rows = result.rows
    terms = keyword_terms(result.search.words)
    number = result.page_number
    shown = shown.model_copy(update={"page": number}) if shown.page != number else shown
    first_number = (number - 1) * size + 1
    lines = [breadcrumb(t, *LIST_PATH, whole=True)]
    lines.append(t("keywords-searched", words=h(short(result.search.words, MAX_SEARCH_SHOWN))))
    if result.within is not None and result.within.view.has_filters:
        lines.append(filters_line(result.within, t, result.today))
    if not rows.hits:
        lines += ["", t("keywords-nothing-found")]
    else:
        total = result.total
        if total.capped:
            found = t("keywords-found-more", count=total.count, page=number)
        else:
            pages = max(1, -(-total.count // size))
            found = t("keywords-found", count=total.count, page=number, pages=pages)
        lines.append(f"{found}\n{t('keywords-newest-first')}")
        for index, hit in enumerate(rows.hits):
            lines += ["", _entry(first_number + index, hit, terms, viewer)]
    page = KeywordPage(
        shown=shown,
        opened=[(hit.dialog.id, (hit.position - 1) // TRANSCRIPT_PART) for hit in rows.hits],
        first_number=first_number,
        has_previous=rows.has_previous,
        has_next=rows.has_next,
        within=result.search.view_id if result.within is not None else 0,
    )
    return Screen("\n".join(lines), keywords_keyboard(page, t))


def _entry(number: int, hit: KeywordHit, terms: list[str], viewer: Viewer) -> str:
    """Who and where, when and by whom; then who wrote the words, and the words in their line."""
    t, row, mask_region = viewer.texts, hit.dialog, viewer.mask_region
    first = f"<b>{number}. {client_label(row, t, mask_region)}</b> · {channel_label(row.channel, t)}"
    when = list_time(row.completed_at, viewer.zone, local_today(viewer.zone))
    room = NARROW_LINE - len(when) - len(" · ")
    who = h(fit_person(row.completed_by, room)) if row.completed_by else t("list-auto-closed")
    author = h(short(masked_text(hit.author, mask_region))) if hit.author else t(f"sender-{hit.sender}")
    marker = {"client": "👤", "employee": "💼", "bot": "🤖"}.get(hit.sender, "•")
    said = h(excerpt(masked_text(hit.text, mask_region), terms))
    return f"{first}\n{when} · {who}\n{marker} {author}: <i>{said}</i>"


def excerpt(text: str, terms: list[str], width: int = EXCERPT) -> str:
    """The part of a message around the first word that starts with one of `terms` (the text masked
    already, so that no cut-off number escapes the mask), on one line, «…» where it is cut."""
    text = " ".join(text.split())
    folded = fold_words(text)
    start = 0
    if len(folded) == len(text):  # a fold that changes the length (rare letters) loses the place: the start
        found = [
            match.start()
            for term in terms
            if (match := re.search(rf"(?<![^\W_]){re.escape(term)}", folded)) is not None
        ]
        start = max(0, min(found, default=0) - EXCERPT_BEFORE)
        if start:  # from the start of a word
            space = text.find(" ", start)
            start = space + 1 if 0 <= space < start + EXCERPT_BEFORE else start
    end = start + width
    piece = text[start:end]
    return ("…" if start else "") + piece + ("…" if end < len(text) else "")
