"""The dialog card: the columns in full, start time and duration, the review mark, then the conversation a
part at a time (who wrote, when, what); numbers a client typed are masked for those who see numbers
masked."""

from __future__ import annotations

from datetime import tzinfo

from db.cards import Card, TranscriptLine
from db.reviews import MAX_COMMENT_LENGTH, Review
from keyboards.callbacks import CardCallback, QueueCardCallback
from keyboards.dialogs import card_keyboard, comment_prompt_keyboard
from keyboards.menu import LIST_PATH, REVIEW_QUEUE_PATH
from views.formatting import (
    breadcrumb,
    channel_label,
    client_label,
    format_phone,
    format_time,
    h,
    masked_text,
    response_time,
    short,
)
from views.screen import Screen
from views.texts import Texts
from views.viewer import Viewer

TRANSCRIPT_PART = 8  # messages a part of the card
MAX_MESSAGE_LENGTH = 320  # characters of one message shown in the card: 8 of them stay under 4096


def card_screen(card: Card, opened: CardCallback, viewer: Viewer) -> Screen:
    """The card as `opened` asked for it (at the part shown: the last one when it asked for one beyond)."""
    shown = opened.model_copy(update={"part": card.part}) if card.part != opened.part else opened
    text = render_card(
        card, t=viewer.texts, zone=viewer.zone, mask_region=viewer.mask_region, path=_path_of(opened)
    )
    transcript_file = viewer.role.may_export and card.total > 0
    review = card.review
    keyboard = card_keyboard(
        shown,
        card.parts,
        viewer.texts,
        transcript_file=transcript_file,
        client_dialogs=card.client_dialogs,
        client_list=_offers_client_list(card, viewer),
        reviewing=viewer.role.may_review,
        mark=review.mark if review is not None else 0,
        commented=review is not None and bool(review.comment),
    )
    return Screen(text, keyboard)


def comment_prompt_screen(card: Card, pressed: CardCallback, viewer: Viewer) -> Screen:
    """Asks for the comment of the dialog's mark, on the card's message; back returns to the card."""
    t = viewer.texts
    lines = [breadcrumb(t, *_path_of(pressed), "menu-dialog"), f"<b>{client_label(card.dialog, t, None)}</b>"]
    if card.review is not None:
        lines.append(review_line(card.review, t, viewer.zone))
        if card.review.comment:
            lines.append(f"{t('card-review-comment')}: <i>{h(card.review.comment)}</i>")
    lines += ["", t("review-comment-prompt", limit=MAX_COMMENT_LENGTH)]
    commented = card.review is not None and bool(card.review.comment)
    return Screen("\n".join(lines), comment_prompt_keyboard(pressed, t, commented=commented))


def _path_of(card: CardCallback) -> tuple[str, ...]:
    """The breadcrumb's way to the card: the list, or the review queue it was opened from."""
    return REVIEW_QUEUE_PATH if isinstance(card, QueueCardCallback) else LIST_PATH


def review_line(review: Review, t: Texts, zone: tzinfo) -> str:
    """«⭐ Оценка: 4/5 — Игорь, 06.12 14:05»."""
    who = h(short(review.reviewer_name)) if review.reviewer_name else t("review-by-id", id=review.reviewer_id)
    when = review.marked_at.astimezone(zone).strftime("%d.%m %H:%M")
    return t("card-review", mark=review.mark, who=who, when=when)


def _offers_client_list(card: Card, viewer: Viewer) -> bool:
    """Whether the card offers the list of the client's dialogs: not to someone who sees numbers masked
    when it searches a name holding digits, which they may not search by (the list would refuse)."""
    view = card.client_view
    if view is None or card.client_dialogs < 2:
        return False
    return viewer.mask_region is None or not view.reads_hidden_digits(viewer.mask_region)


def render_card(
    card: Card, *, t: Texts, zone: tzinfo, mask_region: str | None, path: tuple[str, ...] = LIST_PATH
) -> str:
    """`mask_region`: numbers are masked (see `views.formatting.masked_text`); None: shown in full.
    `path`: the breadcrumb's way to the card."""
    dialog, transcript = card.dialog, card.lines
    full_phones = mask_region is None
    lines = [breadcrumb(t, *path, "menu-dialog"), f"<b>{client_label(dialog, t, mask_region)}</b>"]
    lines.append(f"{t('card-channel')}: {channel_label(dialog.channel, t)}")
    if dialog.client_phone:
        lines.append(f"{t('card-phone')}: {format_phone(dialog.client_phone, masked=not full_phones)}")
    who = h(short(dialog.completed_by)) if dialog.completed_by else t("card-auto-closed")
    lines.append(f"{t('card-completed-by')}: {who}")
    if dialog.started_at:
        lines.append(f"{t('card-started')}: {format_time(dialog.started_at, zone)}")
    minutes = ""
    if dialog.started_at:
        duration = int((dialog.completed_at - dialog.started_at).total_seconds() // 60)
        minutes = f" ({t('card-duration', minutes=duration)})"
    lines.append(f"{t('card-completed')}: {format_time(dialog.completed_at, zone)}{minutes}")
    source = f"{t('card-source')}: <code>{h(dialog.source_id)}</code>"
    lines.append(f"{t('card-messages')}: {dialog.message_count} · {source}")
    lines.append(f"{t('card-first-response')}: {response_time(dialog.first_response, t)}")
    lines.append(f"{t('card-longest-wait')}: {response_time(dialog.longest_wait, t)}")
    if card.review is not None:
        lines.append(review_line(card.review, t, zone))
        if card.review.comment:  # a head's words, shown as they typed them (numbers in them masked too)
            comment = short(masked_text(card.review.comment, mask_region), MAX_MESSAGE_LENGTH)
            lines.append(f"{t('card-review-comment')}: <i>{h(comment)}</i>")
    lines.append("")
    if not transcript:
        lines.append(t("card-no-transcript"))
        return "\n".join(lines)
    first, last = card.first_index, card.first_index + len(transcript) - 1
    shown = (
        t("card-transcript-one", first=first, total=card.total)
        if first == last
        else t("card-transcript", first=first, last=last, total=card.total)
    )
    lines.append(f"<b>{shown}</b>")
    began = (dialog.started_at or transcript[0].sent_at).astimezone(zone).date()
    # a dialog of one day shows the hour alone; one over several days, the day of each message too
    moment = "%H:%M" if began == dialog.completed_at.astimezone(zone).date() else "%d.%m %H:%M"
    for line in transcript:
        lines.append(_transcript_line(line, t, zone, mask_region, moment))
    return "\n".join(lines)


def _transcript_line(
    line: TranscriptLine, t: Texts, zone: tzinfo, mask_region: str | None, moment: str
) -> str:
    # masked before shortening, so that no cut-off number escapes the matcher
    author = h(short(masked_text(line.author, mask_region))) if line.author else t(f"sender-{line.sender}")
    text = short(masked_text(line.text, mask_region), MAX_MESSAGE_LENGTH)
    when = line.sent_at.astimezone(zone).strftime(moment)
    marker = {"client": "👤", "employee": "💼", "bot": "🤖"}.get(line.sender, "•")
    return f"{marker} <b>{author}</b> <i>{when}</i>\n{h(text)}"
