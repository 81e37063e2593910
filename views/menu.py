"""The menu path's screens: a breadcrumb and the entries onwards."""

from __future__ import annotations

from keyboards.callbacks import MenuLevel
from keyboards.menu import menu_keyboard, path
from views.formatting import breadcrumb
from views.screen import Screen
from views.texts import Texts
from views.viewer import Viewer


def menu_screen(level: MenuLevel, viewer: Viewer) -> Screen:
    analytics = viewer.role.sees_analytics
    return Screen(
        render_menu(viewer.texts, *path(level)), menu_keyboard(level, viewer.texts, analytics=analytics)
    )


def render_menu(t: Texts, *path: str) -> str:
    if not path:
        return f"<b>{t('menu-home')}</b>\n{t('menu-choose')}"
    return f"{breadcrumb(t, *path)}\n{t('menu-choose')}"
