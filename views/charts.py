"""The analytics chart: one tall PNG (1080 px wide) with dialogs per employee, channel shares and dialogs
per day, made to be sent with sendPhoto and read on a phone.

Drawn with matplotlib's object API (`Figure` + `FigureCanvasAgg`, never `pyplot`), so every call owns its
figure and nothing global is read back or changed: `render_chart` is safe to run in several threads at once
(the bot calls it through `asyncio.to_thread`). rcParams are never modified; everything that matters
(fonts, mathtext off, TeX off) is set on each artist, so a caller's style settings cannot break the image.

The layout is computed in pixels: label widths are measured with the Agg renderer before the axes are
placed, so long names are shortened with "…" to the space they have, values are put inside a bar when they
fit there and beside it otherwise, and date ticks are spaced so that their labels never touch.

Every text uses the DejaVu Sans that ships with matplotlib (it has Cyrillic), whatever the rcParams say;
characters it lacks are dropped (emoji) or shown as "□" (CJK) before drawing, so no "Glyph … missing"
warning is raised, and names are never read as mathtext or TeX (`$x^2$` stays `$x^2$`).
"""

from __future__ import annotations

import io
import itertools
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font
from matplotlib.patches import Polygon
from matplotlib.text import Text
from PIL import Image

__all__ = ["ChartTexts", "render_chart"]


@dataclass(frozen=True, slots=True)
class ChartTexts:
    """Every word on the image, from the caller's (translated) catalogue."""

    title: str  # "Диалоги за 01.11–15.11.2026"
    employees_title: str  # "Диалоги по сотрудникам"
    channels_title: str  # "Доля каналов"
    days_title: str  # "Диалоги по дням"
    empty: str  # "Нет диалогов за этот период"
    others_label: str  # "Остальные": the bar that sums everyone past the top ones; "(26)" is appended


# --- geometry (pixels; the figure is drawn at 100 dpi, so 1 inch = 100 px and 1 pt = 100/72 px) ---
DPI = 100
WIDTH = 1080
MARGIN = 28  # left and right edge of the image
HEADER = 96  # the image title
PANEL_HEAD = 76  # a panel's title above its axes
PANEL_FOOT = 28  # space under a bar panel
ROW = 48  # one bar of the employee and channel panels
BAR = 0.72  # bar thickness, as a share of ROW
DAYS_AXES = 380  # the plot area of the days panel
DAYS_FOOT = 64  # date labels under it
DATE_PAD = 18  # between the days' axis and the date labels: clear of the "0" of the counts
EMPTY_PANEL = 2 * ROW  # a panel with nothing to show
EMPTY_IMAGE = 4 * ROW  # under the title, when there is nothing to show at all
NAME_SHARE = 0.42  # the widest a name column may get, as a share of WIDTH
GAP = 10  # between a bar and its value, between a name and its bar

# --- limits ---
MAX_EMPLOYEES = 15  # more than this: the top ones plus one "others" bar, MAX_EMPLOYEES bars in all
MAX_CHANNELS = 8
MAX_LABEL_CHARS = 300  # longer input is cut before it is measured
DAY_BARS_UP_TO = 62  # days: bars for up to this many days, a line beyond
MIN_DAY_SLOTS = 7  # days: the panel is at least this many bars wide
DAY_VALUES_UP_TO = 16  # days: every bar gets its value up to this many days, only the peak beyond

# --- type (points) ---
TITLE_SIZE = 24
PANEL_TITLE_SIZE = 20
LABEL_SIZE = 17
VALUE_SIZE = 16
TICK_SIZE = 15
EMPTY_SIZE = 20

# --- colours ---
INK = "#1f2328"
MUTED = "#57606a"
GRID = "#d8dee4"
ACCENT = "#2f6fdb"
ACCENT_DARK = "#1c4aa0"
OTHERS = "#9aa4b1"
CHANNEL_COLOURS = ("#2f6fdb", "#1a9e5b", "#e8871e", "#8a4fd1", "#d6404c", "#1b9aaa", "#b5892a", "#6d7a88")

_FONTS = Path(matplotlib.get_data_path(), "fonts", "ttf")
_REGULAR = _FONTS / "DejaVuSans.ttf"
_BOLD = _FONTS / "DejaVuSans-Bold.ttf"
# glyphs present in both faces: a label drawn with either never falls back to a missing glyph
_GLYPHS = frozenset(FT2Font(str(_REGULAR)).get_charmap()) & frozenset(FT2Font(str(_BOLD)).get_charmap())
_MISSING = "\u25a1"  # □
_THIN_SPACE = "\u202f"  # narrow no-break space, the thousands separator
_ELLIPSIS = "…"


def render_chart(
    texts: ChartTexts,
    employees: Sequence[tuple[str, int]],
    channels: Sequence[tuple[str, int]],
    days: Sequence[tuple[date, int]],
) -> bytes:
    """The chart as PNG bytes, 1080 px wide and at most ~1950 px tall.

    `employees` and `channels` come in any order (they are shown largest first; beyond 15 employees or 8
    channels the smallest are summed into one `texts.others_label` bar); `days` should hold every day of
    the period, zeros included, and are shown in date order. When every count is zero the image only
    says `texts.empty`; a panel whose own counts are all zero says it inside that panel.
    """
    for _, count in (*employees, *channels, *days):
        if count < 0:
            raise ValueError(f"negative count: {count}")
    employee_rows = _top(employees, MAX_EMPLOYEES, texts.others_label)
    channel_rows = _top(channels, MAX_CHANNELS, texts.others_label)
    day_rows = sorted(days)
    nothing = not any(count for _, count, _ in (*employee_rows, *channel_rows)) and not any(
        count for _, count in day_rows
    )

    heights = [_bar_panel_height(rows) for rows in (employee_rows, channel_rows)]
    height = HEADER + (EMPTY_IMAGE if nothing else sum(heights) + PANEL_HEAD + DAYS_AXES + DAYS_FOOT)

    figure = Figure(figsize=(WIDTH / DPI, height / DPI), dpi=DPI, facecolor="white")
    canvas = FigureCanvasAgg(figure)
    chart = _Chart(figure, canvas.get_renderer(), height)  # type: ignore[no-untyped-call]
    chart.text(
        WIDTH / 2,
        HEADER / 2,
        chart.fit(texts.title, WIDTH - 2 * MARGIN, TITLE_SIZE, bold=True),
        size=TITLE_SIZE,
        bold=True,
        ha="center",
    )
    if nothing:
        chart.text(
            WIDTH / 2,
            HEADER + EMPTY_IMAGE / 2 - ROW / 2,
            chart.fit(texts.empty, WIDTH - 2 * MARGIN, EMPTY_SIZE),
            size=EMPTY_SIZE,
            colour=MUTED,
            ha="center",
        )
    else:
        top = HEADER
        # one name column for both bar panels, so that their bars start at the same place
        names = [label for label, _, _ in (*employee_rows, *channel_rows)]
        name_width = chart.name_column(names)
        for title, rows, panel_height, colours, shares in (
            (texts.employees_title, employee_rows, heights[0], (ACCENT,), False),
            (texts.channels_title, channel_rows, heights[1], CHANNEL_COLOURS, True),
        ):
            chart.bar_panel(top, panel_height, title, rows, name_width, colours, texts.empty, shares=shares)
            top += panel_height
        chart.days_panel(top, texts.days_title, day_rows, texts.empty)

    canvas.draw()  # type: ignore[no-untyped-call]
    png = _png(np.asarray(canvas.buffer_rgba()))  # type: ignore[no-untyped-call]
    # A figure is a web of reference cycles, freed only by a full garbage collection (~0.2 s in the bot,
    # all threads stopped), and the canvas and every drawn text keep the renderer, whose pixels are 8 MB:
    # letting go of it here frees them now, rather than letting a dozen pile up until that collection.
    for text in figure.findobj(Text):
        vars(text)["_renderer"] = None  # matplotlib's own cache of the last renderer (pickling drops it too)
    del canvas.renderer
    return png


def _png(rgba: np.ndarray[Any, np.dtype[np.uint8]]) -> bytes:
    """The picture as a palette PNG: a chart has a few flat colours and their anti-aliased edges, which 256
    colours keep; a third of the size of an RGB PNG, and faster to write."""
    image = Image.fromarray(rgba[:, :, :3]).quantize(256, method=Image.Quantize.FASTOCTREE)
    # the octree rounds white to 254: put the background back to pure white
    palette = image.getpalette() or []
    background = image.getpixel((0, 0))
    if isinstance(background, int) and len(palette) >= 3 * (background + 1):
        palette[3 * background : 3 * background + 3] = [255, 255, 255]
        image.putpalette(palette)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


# --- data ---


def _top(rows: Sequence[tuple[str, int]], limit: int, others_label: str) -> list[tuple[str, int, bool]]:
    """(label, count, is_others), largest first; past `limit` rows the smallest are summed in one row."""
    ordered = sorted(rows, key=lambda row: (-row[1], row[0].casefold(), row[0]))
    if len(ordered) <= limit:
        return [(label, count, False) for label, count in ordered]
    kept, rest = ordered[: limit - 1], ordered[limit - 1 :]
    summed = (f"{_clean(others_label)} ({len(rest)})", sum(count for _, count in rest), True)
    return [*((label, count, False) for label, count in kept), summed]


def _bar_panel_height(rows: Sequence[tuple[str, int, bool]]) -> int:
    shown = len(rows) if any(count for _, count, _ in rows) else 0  # no dialogs: a note, not empty rows
    return PANEL_HEAD + max(shown * ROW, EMPTY_PANEL) + PANEL_FOOT


def _count(value: int) -> str:
    return f"{value:,}".replace(",", _THIN_SPACE)


def _share(value: int, total: int) -> str:
    percent = round(100 * value / total)
    if percent == 0 and value:
        return "<1%"
    if percent == 100 and value < total:
        return ">99%"
    return f"{percent}%"


def _clean(text: str) -> str:
    """One line of characters the font has: whitespace runs become one space; characters it lacks are
    dropped when they are invisible (zero-width joiners, direction marks, variation selectors) or symbols
    (emoji), and become □ otherwise (a name in a script the font lacks still shows that it is there)."""
    kept: list[str] = []
    for char in text[:MAX_LABEL_CHARS]:
        category = unicodedata.category(char)
        if char.isspace():
            if kept and kept[-1] != " ":
                kept.append(" ")
        elif category in ("Cc", "Cf"):  # controls, and invisible format marks even where the font has them
            continue
        elif ord(char) in _GLYPHS:
            kept.append(char)
        elif category[0] not in "CMS":  # other, mark, symbol
            kept.append(_MISSING)
    return "".join(kept).strip() or "—"


# --- drawing ---


class _Chart:
    """Places texts and axes in pixels measured from the top left corner of the image."""

    def __init__(self, figure: Figure, renderer: RendererAgg, height: int) -> None:
        self.figure = figure
        self.renderer = renderer
        self.height = height
        self._fonts: dict[tuple[float, bool], FontProperties] = {}
        self._widths: dict[tuple[str, float, bool], float] = {}

    def font(self, size: float, bold: bool = False) -> FontProperties:
        key = (size, bold)
        if key not in self._fonts:
            self._fonts[key] = FontProperties(fname=_BOLD if bold else _REGULAR, size=size)
        return self._fonts[key]

    def width(self, text: str, size: float, bold: bool = False) -> float:
        """`text`'s width in pixels, as drawn."""
        key = (text, size, bold)
        if key not in self._widths:
            font = self.font(size, bold)
            width, _, _ = self.renderer.get_text_width_height_descent(text, font, ismath=False)  # type: ignore[no-untyped-call]
            self._widths[key] = float(width)
        return self._widths[key]

    def fit(self, text: str, room: float, size: float, bold: bool = False) -> str:
        """`text` cleaned and, if wider than `room` pixels, shortened to fit with a trailing "…"."""
        text = _clean(text)
        if self.width(text, size, bold) <= room:
            return text
        low, high = 0, len(text)  # the longest prefix that fits with the ellipsis: binary search
        while low < high:
            middle = (low + high + 1) // 2
            if self.width(text[:middle].rstrip() + _ELLIPSIS, size, bold) <= room:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + _ELLIPSIS

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        colour: str = INK,
        ha: str = "left",
    ) -> None:
        """A text whose vertical centre is `y` pixels below the top of the image."""
        self.figure.text(
            x / WIDTH,
            1 - y / self.height,
            text,
            fontproperties=self.font(size, bold),
            color=colour,
            ha=ha,
            va="center",
            parse_math=False,
            usetex=False,
        )

    def axes(self, left: float, top: float, width: float, height: float) -> Axes:
        axes = self.figure.add_axes(
            (left / WIDTH, 1 - (top + height) / self.height, width / WIDTH, height / self.height)
        )
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        axes.tick_params(colors=MUTED, length=0, labelsize=TICK_SIZE)
        return axes

    def name_column(self, names: Sequence[str]) -> float:
        widest = max((self.width(_clean(name), LABEL_SIZE) for name in names), default=0.0)
        return min(widest, NAME_SHARE * WIDTH)

    def panel_title(self, top: float, title: str) -> None:
        self.text(
            MARGIN,
            top + PANEL_HEAD / 2,
            self.fit(title, WIDTH - 2 * MARGIN, PANEL_TITLE_SIZE, True),
            size=PANEL_TITLE_SIZE,
            bold=True,
        )

    def empty_note(self, top: float, height: float, empty: str) -> None:
        self.text(
            WIDTH / 2,
            top + height / 2,
            self.fit(empty, WIDTH - 2 * MARGIN, EMPTY_SIZE),
            size=EMPTY_SIZE,
            colour=MUTED,
            ha="center",
        )

    def bar_panel(
        self,
        top: float,
        height: float,
        title: str,
        rows: Sequence[tuple[str, int, bool]],
        name_width: float,
        colours: Sequence[str],
        empty: str,
        *,
        shares: bool,
    ) -> None:
        """Horizontal bars, largest on top, each with its name on the left and its value (and share of
        the total, for `shares`) inside the bar's end when it fits there, beside the bar otherwise."""
        self.panel_title(top, title)
        body_top, body_height = top + PANEL_HEAD, height - PANEL_HEAD - PANEL_FOOT
        total = sum(count for _, count, _ in rows)
        if not total:
            self.empty_note(body_top, body_height, empty)
            return
        left = MARGIN + name_width + GAP
        room = WIDTH - MARGIN - left  # the axes' width in pixels
        axes = self.axes(left, body_top, room, body_height)
        axes.set_xticks([])
        axes.set_yticks([])
        axes.spines["bottom"].set_visible(False)
        axes.spines["left"].set_color(GRID)
        counts = [count for _, count, _ in rows]
        values = [
            f"{_count(count)} ({_share(count, total)})" if shares else _count(count) for count in counts
        ]
        widths = [self.width(value, VALUE_SIZE) for value in values]
        # the "others" bar sums many people: longer than the top person's, it is cut (and marked so)
        named = max((count for _, count, others in rows if not others), default=0)
        lengths = [min(count, named) if others and named else count for _, count, others in rows]
        limit, inside = _bar_scale(lengths, widths, room)
        pixel = limit / room  # one pixel in data units

        positions = range(len(rows))
        axes.barh(
            positions,
            lengths,
            height=BAR,
            color=[OTHERS if others else colours[i % len(colours)] for i, (_, _, others) in enumerate(rows)],
        )
        axes.set_xlim(0, limit)
        axes.set_ylim(len(rows) - 0.5, -0.5)  # first row on top
        for i, (label, count, _) in enumerate(rows):
            # names are plain texts rather than tick labels: ticks are slow to make
            self.text(
                left - GAP,
                body_top + body_height * (i + 0.5) / len(rows),
                self.fit(label, name_width, LABEL_SIZE),
                size=LABEL_SIZE,
                ha="right",
            )
            length, width, within = lengths[i], widths[i], inside[i]
            axes.text(
                length - GAP * pixel if within else length + GAP * pixel,
                i,
                values[i],
                fontproperties=self.font(VALUE_SIZE),
                color="white" if within else INK,
                ha="right" if within else "left",
                va="center",
                parse_math=False,
                usetex=False,
            )
            if length < count:
                free = length - (width + 2 * GAP) * pixel if within else length
                axes.add_patch(_break_mark(free / 2, i, pixel))

    def days_panel(self, top: float, title: str, days: Sequence[tuple[date, int]], empty: str) -> None:
        """Dialogs per day: bars up to two months, a filled line beyond; dd.mm date ticks spaced so that
        their labels never touch; values over the bars of short periods, otherwise over the peak only."""
        self.panel_title(top, title)
        body_top = top + PANEL_HEAD
        counts = [count for _, count in days]
        if not any(counts):
            self.empty_note(body_top, DAYS_AXES, empty)
            return
        peak = max(counts)
        value_height = VALUE_SIZE * DPI / 72 * 1.4
        # headroom over the highest bar for its value
        y_limit = peak * DAYS_AXES / (DAYS_AXES - value_height - GAP)
        y_ticks = _y_ticks(peak)
        y_labels = [_count(tick) for tick in y_ticks]
        label_width = max(self.width(label, TICK_SIZE) for label in y_labels)
        date_width = self.width("00.00", TICK_SIZE)
        left = MARGIN + max(label_width, date_width / 2) + GAP
        room = WIDTH - max(MARGIN, date_width / 2 + GAP) - left
        axes = self.axes(left, body_top, room, DAYS_AXES)

        positions = np.arange(len(days))
        if len(days) <= DAY_BARS_UP_TO:
            axes.bar(positions, counts, width=0.8, color=ACCENT)
            # a day or two get bars as wide as a week's, centred, not one bar the width of the panel
            half = max(len(days), MIN_DAY_SLOTS) / 2
            axes.set_xlim((len(days) - 1) / 2 - half, (len(days) - 1) / 2 + half)
        else:
            # every day thin and light, the week around it (a 7-day mean) bold: weekends would turn a
            # line of daily counts alone into a comb
            axes.fill_between(positions, counts, color=ACCENT, alpha=0.15, linewidth=0)
            axes.plot(positions, counts, color=ACCENT, alpha=0.45, linewidth=1)
            axes.plot(positions, _weekly_mean(counts), color=ACCENT_DARK, linewidth=3)
            axes.set_xlim(0, len(days) - 1)
        axes.set_ylim(0, y_limit)
        axes.set_yticks(
            y_ticks, y_labels, fontproperties=self.font(TICK_SIZE), parse_math=False, usetex=False
        )
        axes.grid(axis="y", color=GRID, linewidth=1)
        axes.set_axisbelow(True)
        axes.spines["left"].set_visible(False)
        axes.spines["bottom"].set_color(GRID)

        low, high = axes.get_xlim()
        spacing = room / (high - low)  # pixels per day
        ticks = _date_ticks([day for day, _ in days], spacing, date_width + 2 * GAP)
        axes.set_xticks(
            ticks,
            [f"{days[i][0]:%d.%m}" for i in ticks],
            fontproperties=self.font(TICK_SIZE),
            parse_math=False,
            usetex=False,
        )
        # tick pads are in points
        axes.tick_params(axis="x", pad=DATE_PAD * 72 / DPI)
        axes.tick_params(axis="y", pad=GAP * 72 / DPI)

        values = [_count(count) for count in counts]
        labelled: list[int]
        if len(days) <= DAY_VALUES_UP_TO and max(self.width(v, VALUE_SIZE) for v in values) < 0.9 * spacing:
            labelled = list(range(len(days)))
        else:
            labelled = [counts.index(peak)]
        pad = GAP * y_limit / DAYS_AXES
        for i in labelled:
            # near an edge, the peak's value is aligned so that it stays inside the panel
            x_pixels = (i - low) * spacing
            half = self.width(values[i], VALUE_SIZE) / 2
            ha = "left" if x_pixels < half else "right" if room - x_pixels < half else "center"
            axes.text(
                i,
                counts[i] + pad,
                values[i],
                fontproperties=self.font(VALUE_SIZE),
                color=INK,
                ha=ha,
                va="bottom",
                parse_math=False,
                usetex=False,
            )


def _break_mark(x: float, y: float, pixel: float) -> Polygon:
    """A white slanted gap across a bar at (x, y): the bar is cut short."""
    half, slant, over = 4 * pixel, 6 * pixel, BAR / 2 + 0.05
    return Polygon(
        [
            (x - half - slant, y + over),
            (x + half - slant, y + over),
            (x + half + slant, y - over),
            (x - half + slant, y - over),
        ],
        closed=True,
        facecolor="white",
        linewidth=0,
    )


def _bar_scale(counts: Sequence[int], widths: Sequence[float], room: float) -> tuple[float, list[bool]]:
    """The x limit of a bar panel and, for each bar, whether its value goes inside it.

    A value goes inside when the bar is wider than the value; otherwise beside the bar, and the limit is
    raised until that value ends within the axes. Raising it shortens every bar, so values can only move
    out, and this settles within a few rounds.
    """
    limit = float(max(max(counts), 1))
    while True:
        inside = [
            count / limit * room >= width + 2 * GAP for count, width in zip(counts, widths, strict=True)
        ]
        needed = max(
            (
                count * room / (room - width - 2 * GAP)
                for count, width, within in zip(counts, widths, inside, strict=True)
                if not within
            ),
            default=limit,
        )
        if needed <= limit * (1 + 1e-9):
            return limit, inside
        limit = needed


def _weekly_mean(counts: Sequence[int]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """For each day the mean of the 7 days centred on it (fewer at the ends of the period)."""
    sums = np.concatenate(([0], np.cumsum(counts, dtype=np.float64)))
    days = np.arange(len(counts))
    start, stop = np.maximum(days - 3, 0), np.minimum(days + 4, len(counts))
    result: np.ndarray[Any, np.dtype[np.float64]] = (sums[stop] - sums[start]) / (stop - start)
    return result


def _y_ticks(peak: int) -> list[int]:
    """0 and up to four round steps (1, 2, 2.5 or 5 times a power of ten, whole numbers) to `peak`."""
    raw = peak / 4
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(
        int(multiple * magnitude)
        for multiple in (1, 2, 2.5, 5, 10)
        if multiple * magnitude >= raw and float(multiple * magnitude).is_integer()
    )
    return list(range(0, peak + 1, step))


def _date_ticks(days: Sequence[date], spacing: float, min_gap: float) -> list[int]:
    """Indexes of `days` to label: every day, every 2nd or 3rd, Mondays, every other Monday, then the
    first of every 1, 2, 3, 6 or 12 months, whichever is the densest whose labels are `min_gap` pixels
    apart (days are `spacing` pixels apart)."""
    everything = list(range(len(days)))
    candidates: list[list[int]] = [everything[::step] for step in (1, 2, 3)]
    mondays = [i for i, day in enumerate(days) if day.weekday() == 0]
    candidates += [mondays, mondays[::2]]
    for months in (1, 2, 3, 6, 12):
        candidates.append([i for i, day in enumerate(days) if day.day == 1 and (day.month - 1) % months == 0])
    for ticks in candidates:
        if len(ticks) >= min(2, len(days)) and all(
            (b - a) * spacing >= min_gap for a, b in itertools.pairwise(ticks)
        ):
            return ticks
    # beyond a decade: evenly spaced
    step = max(1, math.ceil(min_gap / spacing))
    return everything[::step]
