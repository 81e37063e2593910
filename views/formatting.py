"""Formatting shared by every screen: data made safe for Telegram's HTML, phone numbers in full or masked,
times in the configured zone, channels with their emoji, periods, breadcrumbs.

Made for a phone: numbers are in one international format, each channel has its emoji, times are in the
configured time zone.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, tzinfo
from functools import lru_cache
from html import escape

import phonenumbers

from db.dialogs import DialogRow
from db.periods import Period, PeriodKind
from db.phones import parse_e164
from db.responses import NO_CLIENT, NO_TRANSCRIPT, UNANSWERED
from db.search import EXACT_NAME, SearchKind, parse_search
from db.views import NOBODY, StoredView
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
MAX_NAME_LENGTH = 60  # characters of a name shown in the list and the card
MAX_SEARCH_SHOWN = 100
SEPARATOR = " → "
# characters a line holds on a narrow phone (360 dp) before it wraps: lines of 35 and 36 wrapped
NARROW_LINE = 32
ELIDED = "…"


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


# Ten digits or more in a row, spaces, hyphens and brackets between them allowed: a number the matcher did
# not take for one (a misprint, an unknown numbering plan) is masked all the same. Prices and order numbers
# are shorter, and dates are written with dots.
_LONG_DIGITS = re.compile(r"\d(?:[ \-()\u00a0]*\d){9,}")
MIN_MASKED_DIGITS = 7  # text with fewer digits holds no phone number: nothing to look for


def mask_numbers_in(text: str, region: str) -> str:
    """Phone numbers in text (a conversation, a name, an author), masked like the Номер column, whatever
    digits they are written in (full-width `９１６` too); any other run of ten digits or more keeps only its
    last two. For those who see numbers masked: they learn no hidden digit from what they read."""
    if sum(ch.isdigit() for ch in text) < MIN_MASKED_DIGITS:
        return text
    # the matcher reads ASCII digits: a copy with every digit in ASCII, of the same length, finds the spans
    readable = "".join(_ascii_digit(ch) for ch in text)
    for match in reversed(list(phonenumbers.PhoneNumberMatcher(readable, region))):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        text = text[: match.start] + format_phone(str(e164), masked=True) + text[match.end :]
    return _LONG_DIGITS.sub(lambda found: _mask_digits(found.group(), keep_first=0, keep_last=2), text)


def _ascii_digit(ch: str) -> str:
    if ch.isascii() or not ch.isdigit():
        return ch
    value = unicodedata.digit(ch, None)
    return str(value) if value is not None else ch


def short(text: str, limit: int = MAX_NAME_LENGTH) -> str:
    """Names are up to 200 characters in the archive; on a phone, and within 4096, they get a line."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_time(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def list_time(moment: datetime, zone: tzinfo, today: date) -> str:
    """A time in a list entry: without the year when it is this year's (`05.12 09:17`), which every
    row would otherwise repeat on a line a phone has little room on."""
    local = moment.astimezone(zone)
    return local.strftime("%d.%m %H:%M" if local.year == today.year else "%d.%m.%Y %H:%M")


def fit_person(name: str, room: int) -> str:
    """A person's name in `room` characters: whole when it fits, else the first names as initials
    (`А. Константинова`) when they are words, else cut short."""
    words = name.split()
    if len(name) <= room or not all(word.replace("-", "").isalpha() for word in words[:-1]):
        return short(name, room)
    initials = " ".join([*(f"{word[0]}." for word in words[:-1]), words[-1]])
    return short(initials, room)


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


def client_label_plain(row: DialogRow, t: Texts, mask_region: str | None = None) -> str:
    """The "Клиент" column: the name, or «Без имени» (the number has a line of its own, in full or
    masked as the person may see it: a masked number in the name's place read as the name, and hid from a
    head what the line below showed). `mask_region`: for someone who sees numbers masked, numbers inside
    the name are masked too (CRMs name unknown contacts by their number)."""
    if row.client_name:
        return short(masked_text(row.client_name, mask_region))
    return t("list-no-name")


def client_label(row: DialogRow, t: Texts, mask_region: str | None = None) -> str:
    return h(client_label_plain(row, t, mask_region))


def shown_search(text: str, mask_region: str | None) -> str:
    """A list's search as its header shows it: a whole number searched is shown masked like the Номер
    column to those who see numbers masked (whoever stored the search); a whole name searched (a client's
    dialogs, `db.search.client_search_text`) is shown as the name."""
    if text.startswith(EXACT_NAME) and text[len(EXACT_NAME) :].strip():
        text = text[len(EXACT_NAME) :].strip()
        return masked_text(text, mask_region)
    if mask_region is None:
        return text
    search = parse_search(text, mask_region)
    if search is not None and search.kind is SearchKind.PHONE:
        return format_phone(search.terms[0], masked=True)
    return masked_text(text, mask_region)


def masked_text(text: str, mask_region: str | None) -> str:
    """Text as someone reads it who sees numbers masked (`mask_region`: the region of numbers written
    without a country code) or in full (None)."""
    return mask_numbers_in(text, mask_region) if mask_region else text


def breadcrumb(t: Texts, *keys: str, whole: bool = False) -> str:
    """The line at the top of a screen: where it is on the menu path (`keyboards.menu`). A path too long
    for one line of a narrow phone keeps the levels nearest the screen that fit, after `… →`; `whole`:
    shown whole however long (the dialog list's own, the seed's path, DESIGN §2)."""
    names = [t(key) for key in keys]
    text = SEPARATOR.join(names)
    while not whole and len(names) > 1 and len(text) > NARROW_LINE:
        names = names[1:]
        text = SEPARATOR.join([ELIDED, *names])
    return f"<i>{text}</i>"


def filters_line(stored: StoredView, t: Texts, today: date | None = None) -> str:
    """The active filters in one line: `📡 WhatsApp · 👤 Анна Смирнова · 📅 7 дней (19.11–25.11)`."""
    view = stored.view
    parts = []
    if view.channel:
        parts.append(channel_label(view.channel, t))
    if view.employee_id == NOBODY:
        parts.append(t("filter-nobody"))
    elif view.employee_id:
        parts.append(f"👤 {h(short(stored.employee_name or t('filter-unknown-employee')))}")
    period = view.period_value()
    if period is not None:
        parts.append(f"📅 {period_label(period, t, today)}")
    if view.review:
        parts.append(f"⭐ {review_label(view.review, t)}")
    return " · ".join(parts)


def review_label(review: str, t: Texts) -> str:
    """The review filter: «все», «без оценки», «оценка ≤ 2» (`db.reviews`)."""
    return t(f"filter-review-{review or 'all'}")


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


_RESPONSE_STATES = {
    UNANSWERED: "response-unanswered",
    NO_CLIENT: "response-no-client",
    NO_TRANSCRIPT: "response-no-transcript",
}


def response_time(value: int, t: Texts) -> str:
    """A response time (`db.responses`: seconds, or a state) as a person reads it: «40 с», «4 мин»,
    «1 ч 05 мин», «2 д 3 ч»; «без ответа», «клиент не писал», «нет переписки» — never a zero for those."""
    state = _RESPONSE_STATES.get(value)
    if state is not None:
        return t(state)
    if value < 60:
        return t("response-seconds", seconds=value)
    minutes = value // 60
    if minutes < 60:
        return t("response-minutes", minutes=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return t("response-hours", hours=hours, minutes=f"{minutes:02d}")
    days, hours = divmod(hours, 24)
    return t("response-days", days=days, hours=hours)
