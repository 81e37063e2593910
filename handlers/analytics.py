"""Analytics for heads and admins: per employee, per channel, the busiest days and hours, the most active
clients — for a period — and the period's chart as a photo. Every numbered row opens the dialog list
filtered to it (and to the period)."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message

from db.archive import Archive
from db.periods import Period, PeriodKind, local_today, parse_period, period_from_code, previous_days
from db.views import SavedView
from handlers.asking import Asking, typed_text
from handlers.screens import show
from keyboards.analytics import AnalyticsPage, analytics_keyboard, dates_prompt_keyboard
from keyboards.callbacks import (
    ANALYTICS_PERIODS,
    RANGE_PERIOD,
    AnalyticsAction,
    AnalyticsCallback,
    Section,
)
from views import reports
from views.charts import DAY_BARS_UP_TO, ChartTexts, render_chart
from views.rendering import channel_name, days_label, period_label, short
from views.viewer import Viewer

log = logging.getLogger(__name__)

MAX_CHART_NAME = 40  # characters of an employee's name on the chart


def router() -> Router:
    """A new router of this screen: one per dispatcher, so a process may build several."""
    screen = Router(name="analytics")
    screen.callback_query.register(analytics_button, AnalyticsCallback.filter())
    screen.message.register(typed_dates, StateFilter(Asking.analytics_dates), typed_text)
    return screen


async def analytics_button(
    callback: CallbackQuery,
    callback_data: AnalyticsCallback,
    viewer: Viewer,
    archive: Archive,
    state: FSMContext,
) -> None:
    t = viewer.texts
    if not viewer.analytics:
        await callback.answer(t("analytics-heads-only"), show_alert=True)
        return
    period = period_of(callback_data)
    if period is None:  # a forged range: the default period
        callback_data = AnalyticsCallback(section=callback_data.section)
        period = period_of(callback_data)
        assert period is not None
    if callback_data.action is AnalyticsAction.ASK_DATES:
        await state.set_state(Asking.analytics_dates)
        await state.set_data({"section": int(callback_data.section)})
        text = reports.header(t, t("button-typed-dates"), SECTION_TITLES[callback_data.section])
        await show(callback, f"{text}\n\n{t('filters-type-dates')}", dates_prompt_keyboard(callback_data, t))
        return
    if callback_data.action is AnalyticsAction.CHART:
        await callback.answer(t("chart-preparing"))
        await send_chart(callback, period, viewer, archive)
        return
    text, markup = await analytics_screen(callback_data, period, viewer, archive)
    await show(callback, text, markup)


async def typed_dates(message: Message, viewer: Viewer, archive: Archive, state: FSMContext) -> None:
    period = parse_period(message.text or "", local_today(viewer.zone))
    if period is None or period.first is None or period.last is None:
        await message.answer(viewer.texts("filters-dates-not-understood"))
        return
    data = await state.get_data()
    await state.clear()
    if not viewer.analytics:  # the role changed while the bot waited for the dates
        await message.answer(viewer.texts("analytics-heads-only"))
        return
    shown = AnalyticsCallback(
        section=Section(data.get("section", Section.EMPLOYEES)),
        period=RANGE_PERIOD,
        first=_number(period.first),
        last=_number(period.last),
    )
    text, markup = await analytics_screen(shown, period, viewer, archive)
    await message.answer(text, reply_markup=markup)


def period_of(state: AnalyticsCallback) -> Period | None:
    if state.period == RANGE_PERIOD:
        return period_from_code(f"r{state.first:08d}-{state.last:08d}")
    return period_from_code(ANALYTICS_PERIODS[state.period])


SECTION_TITLES = {
    Section.EMPLOYEES: "analytics-employees",
    Section.CHANNELS: "analytics-channels",
    Section.TIME: "analytics-time",
    Section.CLIENTS: "analytics-clients",
}


async def analytics_screen(
    state: AnalyticsCallback, period: Period, viewer: Viewer, archive: Archive
) -> tuple[str, InlineKeyboardMarkup]:
    """One section for one period, with the stored list views its rows open."""
    t = viewer.texts
    today = local_today(viewer.zone)
    first, last = period.days(today)
    title = period_label(period, t, today)
    views: list[SavedView]
    if state.section is Section.EMPLOYEES:
        employees = await archive.employee_stats(first, last)
        text, shown = reports.employees_text(t, title, employees)
        people = [row for row in employees if row.employee_id][:shown]
        views = [SavedView(employee_id=row.employee_id, period=period.code) for row in people]
        has_data = bool(employees)
    elif state.section is Section.CHANNELS:
        channels = await archive.channel_stats(first, last)
        text, shown = reports.channels_text(t, title, previous_days(first, last), channels)
        active = [row for row in channels if row.dialogs][:shown]
        views = [SavedView(channel=row.channel, period=period.code) for row in active]
        has_data = bool(views)
    elif state.section is Section.TIME:
        days = await archive.daily_counts(first, last)
        text = reports.time_text(t, title, days, await archive.hourly_counts(first, last))
        views = [SavedView(period=_day_code(day)) for day, _ in reports.busiest_days(days)]
        has_data = bool(views)
    else:
        clients = await archive.top_clients(first, last, viewer.zone)
        text = reports.clients_text(t, title, clients)
        views = [SavedView(search_text=row.phone, period=period.code) for row in clients]
        has_data = bool(clients)
    drill = await archive.save_views(views) if views else []
    range_label = days_label(first, last) if period.kind is PeriodKind.RANGE else None
    page = AnalyticsPage(state=state, drill=drill, has_data=has_data, range_label=range_label)
    return text, analytics_keyboard(page, t)


async def send_chart(callback: CallbackQuery, period: Period, viewer: Viewer, archive: Archive) -> None:
    """The period's chart as a photo under the screen; drawn in a worker thread (a few hundred ms)."""
    t = viewer.texts
    today = local_today(viewer.zone)
    first, last = period.days(today)
    employees = await archive.employee_stats(first, last)
    channels = await archive.channel_stats(first, last)
    days = await archive.daily_counts(first, last)
    title = period_label(period, t, today)
    texts = ChartTexts(
        title=t("chart-title", period=title),
        employees_title=t("chart-employees"),
        channels_title=t("chart-channels"),
        # a long period is drawn as a line with its 7-day mean in bold
        days_title=t("chart-days" if len(days) <= DAY_BARS_UP_TO else "chart-days-mean"),
        empty=t("chart-empty"),
        others_label=t("chart-others"),
    )
    png = await asyncio.to_thread(
        render_chart,
        texts,
        [
            (
                short(row.name or t("analytics-nobody"), MAX_CHART_NAME)
                if row.employee_id
                else t("analytics-nobody"),
                row.dialogs,
            )
            for row in employees
        ],
        [(channel_name(row.channel, t), row.dialogs) for row in channels if row.dialogs],
        days,
    )
    total = sum(row.dialogs for row in employees)
    caption = t("chart-caption", period=title, dialogs=total)
    stamp = datetime.now(viewer.zone).strftime("%Y-%m-%d-%H%M")
    photo = BufferedInputFile(png, filename=f"analytics-{stamp}.png")
    if callback.bot is not None:
        await callback.bot.send_photo(viewer.telegram_id, photo, caption=caption)


def _number(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _day_code(day: date) -> str:
    return Period(PeriodKind.RANGE, day, day).code
