"""The menu path's screens: a breadcrumb and the entries onwards; and the choice of language."""

from __future__ import annotations

from keyboards.callbacks import MenuLevel
from keyboards.menu import language_keyboard, menu_keyboard, path
from views.formatting import breadcrumb
from views.screen import Screen
from views.texts import LANGUAGES, Texts, texts_for
from views.viewer import Viewer


def menu_screen(level: MenuLevel, viewer: Viewer) -> Screen:
    role = viewer.role
    keyboard = menu_keyboard(level, viewer.texts, analytics=role.sees_analytics, reviewing=role.may_review)
    return Screen(render_menu(viewer.texts, *path(level)), keyboard)


def render_menu(t: Texts, *path: str) -> str:
    if not path:
        return f"<b>{t('menu-home')}</b>\n{t('menu-choose')}"
    return f"{breadcrumb(t, *path)}\n{t('menu-choose')}"


def numbered_language(number: int) -> str | None:
    """The language a button's number stands for (`keyboards.callbacks.LanguageCallback`); None: no such."""
    return LANGUAGES[number - 1] if 1 <= number <= len(LANGUAGES) else None


def language_screen(viewer: Viewer, *, chosen: bool = False) -> Screen:
    """The languages, each named in its own, the one the bot speaks to `viewer` marked. `chosen`: it was
    chosen just now, which the button's answer says."""
    t = viewer.texts
    names = [texts_for(language)("language-name") for language in LANGUAGES]
    current = LANGUAGES.index(t.language) + 1
    return Screen(
        f"<b>{t('language-title')}</b>\n{t('language-choose')}",
        language_keyboard(names, current, t),
        t("language-chosen") if chosen else None,
    )
