"""What the person reads: the list, the card, the menu — as Telegram HTML, every piece of data escaped.

Made for a phone: each dialog takes at most three short lines, numbers are in one international format,
each channel has its emoji, times are in the configured time zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from functools import lru_cache
from html import escape

import phonenumbers

from db.cards import TranscriptLine
from db.dialogs import DialogPage, DialogRow
from db.periods import Period, PeriodKind
from db.phones import parse_e164
from db.views import SavedView
from views.texts import Texts

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
MAX_MESSAGE_LENGTH = 320  # characters of one message shown in the card: 8 of them stay under 4096
MAX_NAME_LENGTH = 60  # characters of a name shown in the list and the card
MAX_SEARCH_SHOWN = 100
SEPARATOR = " → "


def h(text: str) -> str:
    """Data made safe for Telegram's HTML: client names may hold `<`, `>` and `&`."""
    return escape(text, quote=False)


def format_phone(e164: str, *, masked: bool) -> str:
    """`+79161234567` → `+7 916 123-45-67`; masked `+7 916 ***-**-67`: the country and area codes and the
    last two digits stay, the rest is hidden."""
    if len(e164) == 12 and e164.startswith("+79"):  # Russian mobiles, most of the archive: no parsing
        middle = "***-**" if masked else f"{e164[5:8]}-{e164[8:10]}"
        return f"+7 {e164[2:5]} {middle}-{e164[10:]}"
    return _format_other_phone(e164, masked)


@lru_cache(maxsize=16384)
def _format_other_phone(e164: str, masked: bool) -> str:
    try:
        number = parse_e164(e164)
    except phonenumbers.NumberParseException:
        return _mask_digits(e164, keep_first=1, keep_last=2) if masked else e164
    formatted = str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))
    if not masked:
        return formatted
    country_digits = len(str(number.country_code))
    area_digits = phonenumbers.length_of_national_destination_code(number)
    return _mask_digits(formatted, keep_first=country_digits + area_digits, keep_last=2)


def _mask_digits(text: str, *, keep_first: int, keep_last: int) -> str:
    total = sum(ch.isdigit() for ch in text)
    result, seen = [], 0
    for ch in text:
        if ch.isdigit():
            hidden = keep_first <= seen < total - keep_last
            result.append("*" if hidden else ch)
            seen += 1
        else:
            result.append(ch)
    return "".join(result)


def mask_numbers_in(text: str, region: str) -> str:
    """Phone numbers a client typed into the conversation, masked like the Номер column."""
    matches = list(phonenumbers.PhoneNumberMatcher(text, region))
    for match in reversed(matches):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        text = text[: match.start] + format_phone(str(e164), masked=True) + text[match.end :]
    return text


def short(text: str, limit: int = MAX_NAME_LENGTH) -> str:
    """Names are up to 200 characters in the archive; on a phone, and within 4096, they get a line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_time(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def channel_name(channel: str, t: Texts) -> str:
    """The catalogue's name of a channel; a channel the catalogue does not know keeps its own."""
    key = f"channel-{channel}"
    return t(key) if t.has(key) else channel.capitalize()


@lru_cache(maxsize=256)
def channel_label(channel: str, t: Texts) -> str:
    """The channel with its emoji, as HTML (made once per channel and language: every list entry has one)."""
    return h(channel_button_label(channel, t))


def channel_button_label(channel: str, t: Texts) -> str:
    """The channel with its emoji, as plain text (button labels are not HTML)."""
    return f"{channel_emoji(channel)} {channel_name(channel, t)}"


def channel_emoji(channel: str) -> str:
    return CHANNEL_EMOJI.get(channel, OTHER_CHANNEL_EMOJI)


def client_label_plain(row: DialogRow, t: Texts) -> str:
    """The "Клиент" column: the name, or the masked number when there is no name (as the seed has it)."""
    if row.client_name:
        return short(row.client_name)
    if row.client_phone:
        return format_phone(row.client_phone, masked=True)
    return t("list-no-name")


def client_label(row: DialogRow, t: Texts) -> str:
    return h(client_label_plain(row, t))


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
    view: SavedView | None,
    today: date | None = None,
) -> str:
    lines = [breadcrumb(t, *LIST_PATH)]
    search_text = view.search_text if view else ""
    if search_text:
        lines.append(t("list-search", text=h(short(search_text, MAX_SEARCH_SHOWN))))
    if view and view.has_filters:
        lines.append(filters_line(view, t, today))
    if page.total == 0:
        lines.append("")
        if search_text:
            lines.append(t("list-nothing-found", text=h(short(search_text, MAX_SEARCH_SHOWN))))
        else:
            lines.append(t("list-nothing-filtered") if view and view.has_filters else t("list-empty"))
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


def filters_line(view: SavedView, t: Texts, today: date | None = None) -> str:
    """The active filters in one line: `📡 WhatsApp · 👤 Анна Смирнова · 📅 7 дней (19.11–25.11)`."""
    parts = []
    if view.channel:
        parts.append(channel_label(view.channel, t))
    if view.employee_id:
        parts.append(f"👤 {h(short(view.employee_name or t('filter-unknown-employee')))}")
    period = view.period_value()
    if period is not None:
        parts.append(f"📅 {period_label(period, t, today)}")
    return " · ".join(parts)


def period_label(period: Period | None, t: Texts, today: date | None = None) -> str:
    """`за всё время`, `сегодня`, `7 дней (19.11–25.11)`, `01.11–15.11.2026`. With `today`, a named period
    of several days shows its dates too."""
    if period is None:
        return t("period-all")
    if period.kind is PeriodKind.RANGE:
        assert period.first is not None and period.last is not None
        return days_label(period.first, period.last)
    label = t(f"period-{period.kind.value}")
    if today is not None and period.kind not in (PeriodKind.TODAY, PeriodKind.YESTERDAY):
        first, last = period.days(today)
        label += f" ({first:%d.%m}–{last:%d.%m})"
    return label


def days_label(first: date, last: date) -> str:
    if first == last:
        return f"{first:%d.%m.%Y}"
    if first.year == last.year:
        return f"{first:%d.%m}–{last:%d.%m.%Y}"
    return f"{first:%d.%m.%Y}–{last:%d.%m.%Y}"


def _entry(number: int, row: DialogRow, t: Texts, zone: tzinfo, full_phones: bool) -> str:
    """Three short lines: who and where; number and size; when and by whom."""
    first = f"<b>{number}. {client_label(row, t)}</b> · {channel_label(row.channel, t)}"
    phone = format_phone(row.client_phone, masked=not full_phones) if row.client_phone else "—"
    second = f"{phone} · {t('list-messages', count=row.message_count)}"
    who = h(short(row.completed_by)) if row.completed_by else t("list-auto-closed")
    third = f"{format_time(row.completed_at, zone)} · {who}"
    return f"{first}\n{second}\n{third}"


def render_card(
    dialog: DialogRow,
    transcript: Sequence[TranscriptLine],
    *,
    t: Texts,
    zone: tzinfo,
    full_phones: bool,
    phone_region: str,
    first_index: int,
    transcript_total: int,
) -> str:
    lines = [breadcrumb(t, *LIST_PATH, "menu-dialog"), f"<b>{client_label(dialog, t)}</b>"]
    lines.append(f"{t('card-channel')}: {channel_label(dialog.channel, t)}")
    if dialog.client_phone:
        lines.append(f"{t('card-phone')}: {format_phone(dialog.client_phone, masked=not full_phones)}")
    who = h(short(dialog.completed_by)) if dialog.completed_by else t("list-auto-closed")
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
        lines.append(_transcript_line(line, t, zone, None if full_phones else phone_region))
    return "\n".join(lines)


def _transcript_line(line: TranscriptLine, t: Texts, zone: tzinfo, mask_region: str | None) -> str:
    author = h(short(line.author)) if line.author else t(f"sender-{line.sender}")
    # masked before shortening, so that no cut-off number escapes the matcher
    text = short(mask_numbers_in(line.text, mask_region) if mask_region else line.text, MAX_MESSAGE_LENGTH)
    when = line.sent_at.astimezone(zone).strftime("%H:%M")
    marker = {"client": "👤", "employee": "💼", "bot": "🤖"}.get(line.sender, "•")
    return f"{marker} <b>{author}</b> <i>{when}</i>\n{h(text)}"


def render_menu(t: Texts, *path: str) -> str:
    if not path:
        return f"<b>{t('menu-home')}</b>\n{t('menu-choose')}"
    return f"{breadcrumb(t, *path)}\n{t('menu-choose')}"
