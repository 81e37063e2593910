"""What the person reads: the list, the card, the menu — as Telegram HTML, every piece of data escaped.

Made for a phone: each dialog takes at most three short lines, numbers are in one international format,
each channel has its emoji, times are in the configured time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from functools import lru_cache
from html import escape

import phonenumbers

from bot.i18n import Texts
from db.cards import TranscriptLine
from db.dialogs import DialogPage, DialogRow

CHANNEL_EMOJI = {
    "whatsapp": "🟢",
    "telegram": "✈️",
    "instagram": "📸",
    "vk": "🔵",
    "viber": "🟣",
    "avito": "🏷",
    "email": "✉️",
    "webchat": "💬",
}
OTHER_CHANNEL_EMOJI = "💬"
COLUMN_NAMES = (
    "column-client",
    "column-channel",
    "column-phone",
    "column-completed-by",
    "column-completed-at",
    "column-messages",
)
TRANSCRIPT_PAGE = 8  # messages per card page
MAX_MESSAGE_LENGTH = 350  # characters of one message shown in the card; 8 × 350 stays well under 4096
SEPARATOR = " → "


def h(text: str) -> str:
    """Data made safe for Telegram's HTML: client names may hold `<`, `>` and `&`."""
    return escape(text, quote=False)


@lru_cache(maxsize=4096)
def format_phone(e164: str, *, masked: bool) -> str:
    """`+79161234567` → `+7 916 123-45-67`, masked: `+7 916 ***-**-67` (country and area code, last two
    digits). Numbers phonenumbers cannot format keep their E.164 form, masked the same way."""
    try:
        formatted = phonenumbers.format_number(
            phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
    except phonenumbers.NumberParseException:
        formatted = e164
    if not masked:
        return str(formatted)
    parts = str(formatted).split(" ")
    kept = parts[:2] if len(parts) > 2 else parts[:1]  # the country code, and the area code when grouped
    rest = " ".join(parts[len(kept) :])
    hidden = sum(ch.isdigit() for ch in rest) - 2
    masked_rest = []
    for ch in rest:
        if ch.isdigit() and hidden > 0:
            masked_rest.append("*")
            hidden -= 1
        else:
            masked_rest.append(ch)
    return " ".join([*kept, "".join(masked_rest)])


def format_time(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def channel_label(channel: str, t: Texts) -> str:
    key = f"channel-{channel}"
    name = t(key) if t.has(key) else channel.capitalize()
    return f"{CHANNEL_EMOJI.get(channel, OTHER_CHANNEL_EMOJI)} {h(name)}"


def client_label(row: DialogRow, t: Texts) -> str:
    if row.client_name:
        return h(row.client_name)
    if row.client_phone:
        return format_phone(row.client_phone, masked=True)  # no name: the seed shows a masked number
    return t("list-no-name")


def breadcrumb(t: Texts, *keys: str) -> str:
    return f"<i>{SEPARATOR.join(t(key) for key in keys)}</i>"


LIST_PATH = ("menu-sales", "menu-head", "menu-records", "menu-dialogs")


def render_list(
    page: DialogPage,
    *,
    t: Texts,
    zone: tzinfo,
    full_phones: bool,
    sort: int,
    descending: bool,
    page_number: int,
    pages: int,
    first_number: int,
    search_text: str | None,
) -> str:
    lines = [breadcrumb(t, *LIST_PATH)]
    if search_text:
        lines.append(t("list-search", text=h(search_text)))
    if page.total == 0:
        lines.append("")
        lines.append(t("list-nothing-found", text=h(search_text)) if search_text else t("list-empty"))
        return "\n".join(lines)
    arrow = "↓" if descending else "↑"
    lines.append(
        f"{t('list-found', count=page.total)} · {t('list-page', page=page_number, pages=pages)}\n"
        f"{t('list-sorted', column=t(COLUMN_NAMES[sort]), arrow=arrow)}"
    )
    for number, row in enumerate(page.rows, start=first_number):
        lines.append("")
        lines.append(_entry(number, row, t, zone, full_phones))
    return "\n".join(lines)


def _entry(number: int, row: DialogRow, t: Texts, zone: tzinfo, full_phones: bool) -> str:
    """Three short lines: who and where; number and size; when and by whom."""
    first = f"<b>{number}. {client_label(row, t)}</b> · {channel_label(row.channel, t)}"
    phone = format_phone(row.client_phone, masked=not full_phones) if row.client_phone else "—"
    second = f"{phone} · {t('list-messages', count=row.message_count)}"
    who = h(row.completed_by) if row.completed_by else t("list-auto-closed")
    third = f"{format_time(row.completed_at, zone)} · {who}"
    return f"{first}\n{second}\n{third}"


def render_card(
    dialog: DialogRow,
    transcript: Sequence[TranscriptLine],
    *,
    t: Texts,
    zone: tzinfo,
    full_phones: bool,
    first_index: int,
    transcript_total: int,
) -> str:
    lines = [breadcrumb(t, *LIST_PATH, "menu-dialog"), f"<b>{client_label(dialog, t)}</b>"]
    lines.append(f"{t('card-channel')}: {channel_label(dialog.channel, t)}")
    if dialog.client_phone:
        lines.append(f"{t('card-phone')}: {format_phone(dialog.client_phone, masked=not full_phones)}")
    who = h(dialog.completed_by) if dialog.completed_by else t("list-auto-closed")
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
    lines.append("")
    if not transcript:
        lines.append(t("card-no-transcript"))
        return "\n".join(lines)
    last_index = first_index + len(transcript) - 1
    lines.append(f"<b>{t('card-transcript', first=first_index, last=last_index, total=transcript_total)}</b>")
    for line in transcript:
        lines.append(_transcript_line(line, t, zone))
    return "\n".join(lines)


def _transcript_line(line: TranscriptLine, t: Texts, zone: tzinfo) -> str:
    author = h(line.author) if line.author else t(f"sender-{line.sender}")
    text = line.text if len(line.text) <= MAX_MESSAGE_LENGTH else line.text[: MAX_MESSAGE_LENGTH - 1] + "…"
    when = line.sent_at.astimezone(zone).strftime("%H:%M")
    marker = {"client": "👤", "employee": "💼", "bot": "🤖"}.get(line.sender, "•")
    return f"{marker} <b>{author}</b> <i>{when}</i>\n{h(text)}"


def render_menu(t: Texts, *path: str) -> str:
    if not path:
        return f"<b>{t('menu-home')}</b>\n{t('menu-choose')}"
    return f"{breadcrumb(t, *path)}\n{t('menu-choose')}"
