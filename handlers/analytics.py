"""Analytics for heads and admins: per employee, per channel, the busiest days and hours, the most active
clients — for a period — and the period's chart as a photo. Every numbered row opens the dialog list
filtered to it (and to the period)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from db.analytics import ChartFigures, Figures
from db.archive import Archive
from db.periods import local_today
from handlers.asking import Asking, asked_in, prompt_of, typed_text
from handlers.screens import analytics_page, replace_prompt, send, show
from keyboards.callbacks import AnalyticsAction, AnalyticsCallback, Section
from views.analytics import analytics_period, chart_of, dates_prompt_screen, typed_range
from views.charts import render_chart
from views.typed import parse_period
from views.viewer import Viewer


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="analytics")
    screen.message.register(analytics_command, Command("analytics", ignore_case=True))
    screen.callback_query.register(analytics_button, AnalyticsCallback.filter())
    screen.message.register(typed_dates, StateFilter(Asking.analytics_dates), typed_text)
    return screen


async def analytics_command(message: Message, viewer: Viewer, archive: Archive) -> None:
    """/analytics: the screen the menu's Аналитика opens, without the three taps down to it."""
    if not viewer.role.sees_analytics:
        await message.answer(viewer.texts("analytics-heads-only"))
        return
    shown, period = analytics_period(AnalyticsCallback())
    await send(message, await analytics_page(archive, shown, period, viewer))


async def analytics_button(
    callback: CallbackQuery,
    callback_data: AnalyticsCallback,
    viewer: Viewer,
    archive: Archive,
    state: FSMContext,
) -> None:
    if not viewer.role.sees_analytics:
        await callback.answer(viewer.texts("analytics-heads-only"), show_alert=True)
        return
    shown, period = analytics_period(callback_data)
    if shown.action is AnalyticsAction.ASK_DATES:
        await state.set_state(Asking.analytics_dates)
        await state.set_data({"section": int(shown.section), **asked_in(callback)})
        await show(callback, dates_prompt_screen(shown, viewer))
    elif shown.action is AnalyticsAction.CHART:
        await callback.answer(viewer.texts("chart-preparing"))
        await send_chart(callback, await archive.chart_figures(period), viewer)
    else:
        await show(callback, await analytics_page(archive, shown, period, viewer))


async def typed_dates(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    period = parse_period(message.text or "", local_today(viewer.zone))
    if period is None or period.first is None or period.last is None:
        await message.answer(viewer.texts("filters-dates-not-understood"))
        return
    data = await state.get_data()
    await state.clear()
    if not viewer.role.sees_analytics:  # the role changed while the bot waited for the dates
        await message.answer(viewer.texts("analytics-heads-only"))
        return
    shown = typed_range(Section(data.get("section", Section.EMPLOYEES)), period)
    await replace_prompt(message, prompt_of(data), await analytics_page(archive, shown, period, viewer))


async def send_chart(callback: CallbackQuery, figures: Figures[ChartFigures], viewer: Viewer) -> None:
    """The period's chart as a photo under the screen; drawn in a worker thread (a few hundred ms)."""
    texts, employees, channels, days, caption = chart_of(figures, viewer)
    png = await asyncio.to_thread(render_chart, texts, employees, channels, days)
    stamp = datetime.now(viewer.zone).strftime("%Y-%m-%d-%H%M")
    photo = BufferedInputFile(png, filename=f"analytics-{stamp}.png")
    if callback.bot is not None:
        await callback.bot.send_photo(viewer.telegram_id, photo, caption=caption)
