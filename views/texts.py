"""The text catalogues (Fluent, one file per language in `views/locales`) and choosing one per person."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "ru"
# A language's number on the language screen's buttons is its place here, from 1: new languages come last
LANGUAGES = ("ru", "en")


class Texts:
    """One language's catalogue: `texts("list-found", count=3)`. Arguments are not escaped here: the
    rendering escapes data before it reaches a catalogue."""

    def __init__(self, language: str) -> None:
        self.language = language
        # use_isolating=False: Unicode isolation marks would show up in Telegram clients
        self._bundle = FluentBundle([language], use_isolating=False)
        self._bundle.add_resource(FluentResource((LOCALES / f"{language}.ftl").read_text(encoding="utf-8")))
        # Fluent formats a message with numbers in ~20 µs; a list page asks for the same few a dozen times
        self._cached = lru_cache(maxsize=8192)(self._format)

    def __call__(self, key: str, /, **arguments: Any) -> str:
        return self._cached(key, tuple(sorted(arguments.items())))

    def _format(self, key: str, arguments: tuple[tuple[str, Any], ...]) -> str:
        message = self._bundle.get_message(key)
        if message.value is None:
            raise KeyError(key)
        text, errors = self._bundle.format_pattern(message.value, dict(arguments))
        if errors:
            raise ValueError(f"{self.language}/{key}: {errors}")
        return str(text)

    def has(self, key: str) -> bool:
        return self._bundle.has_message(key)


@cache
def texts_for(language_code: str | None) -> Texts:
    """English for people whose Telegram speaks English, Russian for everyone else."""
    language = (language_code or "").split("-")[0].lower()
    return Texts(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def chosen_texts(chosen: str | None, telegram: str | None) -> Texts:
    """The language a person chose in the bot (/language) wins over their Telegram app's (`texts_for`)."""
    return texts_for(chosen if chosen in LANGUAGES else telegram)
