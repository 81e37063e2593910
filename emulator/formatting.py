"""Message text formatting as the Telegram Bot API parses it.

The HTML parser follows the behaviour of TDLib (which the Bot API server uses): the same
set of tags, the same nesting rules and the same error descriptions (reported after the
"Bad Request: can't parse entities: " prefix).  On top of that the emulator can be stricter
than Telegram: the Bot API documentation requires every ``<``, ``>`` and ``&`` that is not a
part of a tag or of an HTML entity to be escaped, but the real server silently accepts a bare
``>`` or ``&``.  With ``strict=True`` (the default of the emulator) those are errors too, because
a bare ``&`` followed by, say, ``lt;`` in user supplied text changes what the person sees.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EntityParseError",
    "FormattedText",
    "parse_html",
    "render_text",
    "utf16_len",
]

SUPPORTED_PARSE_MODES = ("html", "markdown", "markdownv2")

_SIMPLE_TAGS: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "text_link",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}

_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(Exception):
    """The text cannot be parsed in the requested parse mode."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def description(self) -> str:
        return f"Bad Request: can't parse entities: {self.reason}"


@dataclass
class FormattedText:
    """Visible text of a message and its entities (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int] | None:
    """Decode an HTML entity starting at ``text[index] == "&"``.

    Returns the decoded character and the index after the entity, or ``None`` when there is no
    valid entity here (TDLib knows the four named entities and numeric character references).
    """
    end = text.find(";", index + 1)
    if end == -1 or end - index > 12:
        return None
    body = text[index + 1 : end]
    if body in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[body], end + 1
    if body.startswith("#") and len(body) > 1:
        digits = body[1:]
        try:
            code = int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits, 10)
        except ValueError:
            return None
        if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
            return chr(code), end + 1
    return None


@dataclass
class _OpenTag:
    name: str
    byte_offset: int
    utf16_start: int
    attrs: dict[str, str]
    language: str | None = None
    """For ``pre``: set by a nested ``<code class="language-...">``."""


def _parse_attributes(text: str, i: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    """Parse the attributes of a start tag; ``i`` points right after the tag name.

    Returns the attributes and the index of the closing ``>``.
    """
    n = len(text)
    attrs: dict[str, str] = {}
    begin_bytes = _byte_offset(text, begin)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
        if text[i] == ">":
            return attrs, i
        name_begin = i
        while i < n and not text[i].isspace() and text[i] not in "=>":
            i += 1
        name = text[name_begin:i].lower()
        if not name:
            raise EntityParseError(f'Empty attribute name in the tag "{tag}" at byte offset {begin_bytes}')
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
        if text[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attrs[name] = ""
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                f"at byte offset {begin_bytes}"
            )
        i += 1
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
        if text[i] in "\"'":
            quote = text[i]
            i += 1
            value_chars: list[str] = []
            while i < n and text[i] != quote:
                if text[i] == "&":
                    decoded = _decode_entity(text, i)
                    if decoded is not None:
                        value_chars.append(decoded[0])
                        i = decoded[1]
                        continue
                value_chars.append(text[i])
                i += 1
            if i >= n:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
            i += 1
            value = "".join(value_chars)
        else:
            token_begin = i
            while i < n and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            value = text[token_begin:i].lower()
            if i >= n or not (text[i].isspace() or text[i] == ">"):
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {_byte_offset(text, token_begin)}"
                )
        attrs[name] = value


def parse_html(source: str, *, strict: bool = True) -> FormattedText:
    """Parse Telegram-flavoured HTML into the visible text and entities.

    Raises :class:`EntityParseError` with TDLib's wording on malformed markup.
    """
    n = len(source)
    out: list[str] = []
    utf16_pos = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    i = 0
    while i < n:
        c = source[i]
        if c == "&":
            decoded = _decode_entity(source, i)
            if decoded is not None:
                out.append(decoded[0])
                utf16_pos += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict:
                raise EntityParseError(
                    f'Character "&" at byte offset {_byte_offset(source, i)} must be escaped as "&amp;"'
                )
        if c == ">" and strict:
            raise EntityParseError(
                f'Character ">" at byte offset {_byte_offset(source, i)} must be escaped as "&gt;"'
            )
        if c != "<":
            out.append(c)
            utf16_pos += utf16_len(c)
            i += 1
            continue

        begin = i
        begin_bytes = _byte_offset(source, begin)
        i += 1
        if i < n and source[i] == "/":
            # An end tag.
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin_bytes}")
            i += 1
            name_begin = i
            while i < n and not source[i].isspace() and source[i] != ">":
                i += 1
            end_name = source[name_begin:i].lower()
            while i < n and source[i].isspace():
                i += 1
            if i >= n or source[i] != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {begin_bytes}")
            i += 1
            opened = stack.pop()
            if end_name and end_name != opened.name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin_bytes}, expected "</{opened.name}>", '
                    f'found "</{end_name}>"'
                )
            _close_entity(opened, utf16_pos, stack, entities)
            continue

        # A start tag.
        name_begin = i
        while i < n and not source[i].isspace() and source[i] != ">":
            i += 1
        if i >= n:
            raise EntityParseError(f"Unclosed start tag at byte offset {begin_bytes}")
        name = source[name_begin:i].lower()
        if name not in _SIMPLE_TAGS:
            raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {begin_bytes}')
        attrs, i = _parse_attributes(source, i, name, begin)
        i += 1  # skip ">"
        if name == "span" and attrs.get("class") != "tg-spoiler":
            raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin_bytes}')
        if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
            raise EntityParseError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {begin_bytes}'
            )
        if name == "tg-time" and not attrs.get("unix", "").isdigit():
            raise EntityParseError(f'Tag "tg-time" must have attribute "unix" at byte offset {begin_bytes}')
        stack.append(_OpenTag(name, begin_bytes, utf16_pos, attrs))

    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return FormattedText("".join(out), entities)


def _close_entity(
    opened: _OpenTag,
    utf16_end: int,
    stack: list[_OpenTag],
    entities: list[dict[str, Any]],
) -> None:
    length = utf16_end - opened.utf16_start
    if length <= 0:
        return  # Telegram silently drops empty entities
    entity: dict[str, Any] = {
        "type": _SIMPLE_TAGS[opened.name],
        "offset": opened.utf16_start,
        "length": length,
    }
    if opened.name == "a":
        url = opened.attrs.get("href")
        if url is None:
            entity["type"] = "url"  # <a> without href makes the text itself a link
        else:
            entity["url"] = url
    elif opened.name == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    elif opened.name == "tg-emoji":
        entity["custom_emoji_id"] = opened.attrs["emoji-id"]
    elif opened.name == "tg-time":
        entity["unix_time"] = int(opened.attrs["unix"])
        if "format" in opened.attrs:
            entity["date_time_format"] = opened.attrs["format"]
    elif opened.name == "code":
        language = opened.attrs.get("class", "")
        if language.startswith("language-") and stack and stack[-1].name == "pre":
            # <pre><code class="language-x"> sets the language of the enclosing pre block
            stack[-1].language = language.removeprefix("language-")
            return
    elif opened.name == "pre" and opened.language:
        entity["language"] = opened.language
    entities.append(entity)


def _strip(formatted: FormattedText) -> FormattedText:
    """Trim leading and trailing whitespace as Telegram does, keeping entities consistent."""
    text = formatted.text
    stripped = text.strip()
    if stripped == text:
        return formatted
    head = utf16_len(text[: len(text) - len(text.lstrip())])
    visible_len = utf16_len(stripped)
    entities: list[dict[str, Any]] = []
    for entity in formatted.entities:
        start = max(entity["offset"] - head, 0)
        end = min(entity["offset"] + entity["length"] - head, visible_len)
        if end > start:
            entities.append({**entity, "offset": start, "length": end - start})
    return FormattedText(stripped, entities)


def render_text(
    text: str,
    parse_mode: str | None,
    entities: Any = None,
    *,
    strict_html: bool = True,
) -> FormattedText:
    """Turn the ``text``/``parse_mode``/``entities`` parameters into what the person sees.

    Raises :class:`EntityParseError` for bad markup and :class:`ValueError` for an unknown
    parse mode.
    """
    mode = (parse_mode or "").lower()
    if mode and mode not in SUPPORTED_PARSE_MODES:
        raise ValueError(parse_mode)
    if mode == "html":
        formatted = parse_html(text, strict=strict_html)
    elif mode:
        # Markdown modes are accepted but not parsed: the text is kept verbatim.
        formatted = FormattedText(text)
    else:
        explicit: list[dict[str, Any]] = []
        if isinstance(entities, list):
            explicit = [dict(e) for e in entities if isinstance(e, dict)]
        formatted = FormattedText(text, explicit)
    return _strip(formatted)
