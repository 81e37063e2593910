"""The analytics chart: a valid PNG within Telegram's sendPhoto limits for any period and any data, with
Cyrillic and hostile names drawn without warnings, mathtext or TeX, and safe to render in threads."""

from __future__ import annotations

import gc
import io
import itertools
import random
import struct
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.figure import Figure
from PIL import Image

from views.charts import MAX_EMPLOYEES, ChartTexts, _clean, _date_ticks, _share, _top, render_chart

TEXTS = ChartTexts(
    title="Диалоги за 01.11–15.11.2026",
    employees_title="Диалоги по сотрудникам",
    channels_title="Доля каналов",
    days_title="Диалоги по дням",
    empty="Нет диалогов за этот период",
    others_label="Остальные",
)
CHANNELS = [("WhatsApp", 5400), ("Telegram", 3100), ("Instagram", 800), ("ВКонтакте", 120), ("Avito", 3)]
FIRST = date(2026, 11, 1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

Employees = Sequence[tuple[str, int]]
Days = Sequence[tuple[date, int]]


def employees(count: int, seed: int = 1) -> list[tuple[str, int]]:
    rnd = random.Random(seed)
    names = ["Анна Иванова", "Дмитрий Соколов", "Екатерина Константинопольская", "Юлия Лебедева", "Ёжик"]
    return [(f"{rnd.choice(names)} {number}", rnd.randint(0, 400)) for number in range(count)]


def days(count: int, seed: int = 1, start: date = FIRST) -> list[tuple[date, int]]:
    rnd = random.Random(seed)
    return [(start + timedelta(offset), rnd.randint(0, 300)) for offset in range(count)]


def render(
    texts: ChartTexts = TEXTS,
    staff: Employees = (),
    channels: Sequence[tuple[str, int]] = CHANNELS,
    period: Days = (),
) -> bytes:
    """`render_chart` with every warning turned into an error: a missing glyph, a deprecation, anything."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return render_chart(texts, staff or employees(8), channels, period or days(7))


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from the PNG's IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind, width, height = struct.unpack(">I4sII", png[8:24])
    assert (length, kind) == (13, b"IHDR")
    return width, height


def assert_sendable(png: bytes) -> tuple[int, int]:
    """A PNG that decodes and is well inside Telegram's sendPhoto limits, readable on a phone."""
    width, height = png_size(png)
    with Image.open(io.BytesIO(png)) as image:
        image.load()  # decodes every row: a truncated or corrupt file raises here
        assert image.format == "PNG" and image.size == (width, height)
    assert width == 1080
    assert 200 <= height <= 2000
    assert width + height <= 10_000 and max(width, height) / min(width, height) <= 20
    assert len(png) < 300_000
    return width, height


def test_glyph_warnings_are_caught_by_the_harness() -> None:
    """The no-warnings check can fail: a glyph DejaVu Sans lacks, drawn plainly, is a warning → error."""
    figure = Figure(figsize=(2, 1))
    figure.text(0.1, 0.5, "Анна 🌸", family="DejaVu Sans")
    with warnings.catch_warnings(), pytest.raises(UserWarning, match=r"Glyph .* missing"):
        warnings.simplefilter("error")
        FigureCanvasAgg(figure).draw()  # type: ignore[no-untyped-call]


def test_cyrillic_renders_without_glyph_warnings() -> None:
    png = render(staff=[("Щукина Ёлка-Жёлудева", 12), ("Ъ ы ь э ю я Ї є ґ", 3)], period=days(15))
    assert_sendable(png)


@pytest.mark.parametrize("count", [1, 2, 7, 16, 31, 62, 63, 92, 365, 730, 800])
def test_any_period_from_one_day_to_800_days(count: int) -> None:
    assert_sendable(render(staff=employees(25), channels=CHANNELS, period=days(count)))


@pytest.mark.parametrize("count", [1, 31, 365, 730, 800])
@pytest.mark.parametrize("start", [date(2026, 1, 1), date(2025, 2, 28), date(2026, 11, 17)])
def test_date_ticks_never_touch(count: int, start: date) -> None:
    period = [start + timedelta(offset) for offset in range(count)]
    for spacing in (900 / count, 1000 / max(count, 7)):
        ticks = _date_ticks(period, spacing, min_gap=86)
        assert ticks and ticks == sorted(set(ticks)) and ticks[0] >= 0 and ticks[-1] < count
        assert all((later - earlier) * spacing >= 86 for earlier, later in itertools.pairwise(ticks))
        assert len(ticks) >= min(2, count)


def test_long_periods_are_ticked_on_the_first_of_months() -> None:
    period = [date(2025, 1, 1) + timedelta(offset) for offset in range(730)]
    ticks = _date_ticks(period, 950 / 730, min_gap=86)
    assert [f"{period[i]:%d.%m}" for i in ticks][:4] == ["01.01", "01.04", "01.07", "01.10"]


def test_forty_employees_are_the_top_fourteen_and_the_others() -> None:
    staff = employees(40)
    rows = _top(staff, MAX_EMPLOYEES, "Остальные")
    ranked = sorted(staff, key=lambda row: -row[1])
    assert len(rows) == 15
    assert [count for _, count, _ in rows[:14]] == [count for _, count in ranked[:14]]
    assert rows[-1] == ("Остальные (26)", sum(count for _, count in ranked[14:]), True)
    assert not any(others for _, _, others in rows[:14])
    # as tall as fifteen people: the image does not grow with the staff
    assert png_size(render(staff=staff))[1] == png_size(render(staff=employees(15)))[1]
    assert_sendable(render(staff=staff, period=days(30)))


def test_fifteen_employees_are_all_shown() -> None:
    rows = _top(employees(15), MAX_EMPLOYEES, "Остальные")
    assert len(rows) == 15 and not any(others for _, _, others in rows)
    assert png_size(render(staff=employees(15)))[1] > png_size(render(staff=employees(14)))[1]


def test_employees_come_largest_first_whatever_the_order_given() -> None:
    staff = employees(12)
    assert render(staff=staff) == render(staff=list(reversed(staff)))
    assert [count for _, count, _ in _top(staff, 15, "x")] == sorted((c for _, c in staff), reverse=True)


@pytest.mark.parametrize(
    ("staff", "channels", "period"),
    [
        ([], [], []),
        ([], [], [(FIRST, 0)]),
        ([("Анна", 0), ("Иван", 0)], [("WhatsApp", 0)], [(FIRST + timedelta(i), 0) for i in range(31)]),
    ],
)
def test_no_dialogs_is_a_png_saying_so(
    staff: Employees, channels: Sequence[tuple[str, int]], period: Days
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = render_chart(TEXTS, staff, channels, period)
        other = render_chart(replace(TEXTS, empty="No dialogs in this period"), staff, channels, period)
    assert_sendable(png)
    assert png_size(png)[1] < 500  # the title and the note only
    assert png != other  # the caller's `empty` is what the image says


def test_a_panel_without_dialogs_says_so_inside_the_chart() -> None:
    quiet_days = [(FIRST + timedelta(i), 0) for i in range(7)]
    png = render(staff=employees(5), channels=[("WhatsApp", 0)], period=quiet_days)
    assert_sendable(png)
    assert png != render(
        replace(TEXTS, empty="—"), staff=employees(5), channels=[("WhatsApp", 0)], period=quiet_days
    )
    # with dialogs everywhere, `empty` is not drawn at all
    assert render(period=days(7)) == render(replace(TEXTS, empty="—"), period=days(7))


HOSTILE = [
    "$x^2$",
    r"$\notacommand{$",  # parsed as mathtext, this raises ValueError
    r"$\frac{a}{b}$ and $\sqrt{2}$",
    "<b>bold</b> & <i>",
    "a_b^c\\d %s {0} \\n",
    "Щ" * 200,
    "W" * 200,
    "x" * 10_000,
    "Анна 🌸‍👩‍💼 Иванова",
    "王伟",
    "line\nbreak\ttab\r\n",
    "\u200f\u202eRTL\u202c",
    "",
    "   ",
]


def test_hostile_labels_are_drawn_literally_and_without_warnings() -> None:
    staff = [(name, 100 - number) for number, name in enumerate(HOSTILE)]
    texts = ChartTexts(
        *(f"$x^2$ {name}" for name in ("title", "employees", "channels", "days", "empty", "other"))
    )
    for period in (days(1), days(31), days(730)):
        assert_sendable(
            render(texts, staff=staff, channels=[(name, 5) for name in HOSTILE[:8]], period=period)
        )


def test_tex_and_mathtext_stay_off_whatever_the_rcparams() -> None:
    """A style that someone set for the whole process (TeX, which is not installed here, would fail; a
    serif family, a huge font) changes nothing in the chart."""
    expected = render(staff=[("$\\notacommand$", 3), ("Анна", 2)], period=days(10))
    with matplotlib.rc_context(
        {"text.usetex": True, "text.parse_math": True, "font.family": "serif", "font.size": 40}
    ):
        assert render(staff=[("$\\notacommand$", 3), ("Анна", 2)], period=days(10)) == expected


def test_long_names_are_cut_to_the_same_width() -> None:
    """Two names that differ only past what fits come out as the same picture: both are cut with "…"."""
    first = render(staff=[("Константин " * 20 + "A", 5), ("Анна", 3)])
    second = render(staff=[("Константин " * 20 + "B", 5), ("Анна", 3)])
    assert first == second
    assert first != render(staff=[("Константин", 5), ("Анна", 3)])


def test_labels_are_cleaned_to_one_line_of_glyphs_the_font_has() -> None:
    assert _clean("Анна 🌸\u200d Иванова") == "Анна Иванова"
    assert _clean("王伟") == "□□"
    assert _clean("a\n\tb\r\n") == "a b"
    assert _clean("  ") == _clean("") == _clean("🌸") == "—"
    assert _clean("$x^2$ <b>") == "$x^2$ <b>"


def test_shares_are_whole_percent_and_tiny_ones_are_not_zero() -> None:
    assert [_share(value, 1000) for value in (570, 330, 99, 1, 0)] == ["57%", "33%", "10%", "<1%", "0%"]
    assert _share(999, 1000) == ">99%" and _share(5, 5) == "100%"


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        render_chart(TEXTS, [("Анна", -1)], CHANNELS, days(3))


def test_same_data_same_bytes() -> None:
    assert render(staff=employees(20), period=days(60)) == render(staff=employees(20), period=days(60))


def test_renders_in_parallel_threads_as_alone() -> None:
    cases = [
        (employees(count, seed=count), CHANNELS[: count % 6], days(length, seed=count))
        for count, length in ((0, 1), (5, 7), (25, 31), (40, 730), (3, 90), (16, 365), (1, 2), (30, 800))
    ]
    alone = [render_chart(TEXTS, *case) for case in cases]
    with ThreadPoolExecutor(max_workers=4) as pool:
        for _ in range(2):
            together = list(pool.map(lambda case: render_chart(TEXTS, *case), cases))
            assert together == alone


def test_no_renderer_outlives_the_call() -> None:
    """The 8 MB of pixels are freed on return, not at the next full garbage collection."""
    gc.collect()
    gc.disable()
    try:
        render(staff=employees(20), period=days(30))
        left = [thing for thing in gc.get_objects() if isinstance(thing, RendererAgg)]
    finally:
        gc.enable()
    assert left == []
