"""Benchmark of the analytics chart: `views.charts.render_chart` for 7, 30 and 730 days.

    python -m benchmarks.charts [--runs 100] [--employees 25] [--channels 8]

First the time `import views.charts` takes in a fresh interpreter (matplotlib, numpy and Pillow are loaded
then), then, after five warm-up renders, p50/p99 of `render_chart` for each period and the PNG's size and
height. Data is random but the same from run to run; the period's days take turns with one another so
that none of them is measured with only its own data in the caches.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta

from views.charts import ChartTexts, render_chart

TEXTS = ChartTexts(
    title="Диалоги за период",
    employees_title="Диалоги по сотрудникам",
    channels_title="Доля каналов",
    days_title="Диалоги по дням",
    empty="Нет диалогов за этот период",
    others_label="Остальные",
)
PERIODS = (7, 30, 730)
CHANNEL_NAMES = ("WhatsApp", "Telegram", "Instagram", "ВКонтакте", "Avito", "Email", "Сайт", "Viber", "SMS")
FIRST_NAMES = ("Анна", "Мария", "Екатерина", "Дмитрий", "Александр", "Ольга", "Сергей", "Константин")
LAST_NAMES = ("Иванова", "Петров", "Смирнова", "Кузнецов", "Соколова", "Лебедев", "Константинопольская")

Case = tuple[list[tuple[str, int]], list[tuple[str, int]], list[tuple[date, int]]]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--employees", type=int, default=25)
    parser.add_argument("--channels", type=int, default=8)
    args = parser.parse_args()

    print(f"import views.charts: {import_seconds() * 1000:.0f} ms (fresh interpreter, median of 3)")
    rnd = random.Random(2026)
    cases = {days: make_case(rnd, days, args.employees, args.channels) for days in PERIODS}
    for case in list(cases.values()) + list(cases.values())[:2]:
        render_chart(TEXTS, *case)  # warm-up: fonts loaded, caches filled

    timings: dict[int, list[float]] = {days: [] for days in PERIODS}
    sizes: dict[int, tuple[int, int]] = {}
    for _ in range(args.runs):
        for days, case in cases.items():
            started = time.perf_counter()
            png = render_chart(TEXTS, *case)
            timings[days].append(time.perf_counter() - started)
            sizes[days] = (len(png), int.from_bytes(png[20:24], "big"))

    print(f"{args.runs} runs, {args.employees} employees, {args.channels} channels")
    print("| days | p50 | p99 | PNG | height |")
    print("|---:|---:|---:|---:|---:|")
    for days in PERIODS:
        p50, p99 = percentile(timings[days], 50), percentile(timings[days], 99)
        size, height = sizes[days]
        print(f"| {days} | {p50 * 1000:.0f} ms | {p99 * 1000:.0f} ms | {size / 1024:.0f} KB | {height} px |")


def make_case(rnd: random.Random, days: int, employees: int, channels: int) -> Case:
    staff = [
        (f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)} {number}", rnd.randint(0, 40 * days))
        for number in range(employees)
    ]
    names = [CHANNEL_NAMES[i] if i < len(CHANNEL_NAMES) else f"Канал {i + 1}" for i in range(channels)]
    shares = [rnd.paretovariate(1.2) for _ in names]
    channel_rows = [(name, int(share * 50 * days)) for name, share in zip(names, shares, strict=True)]
    first = date(2026, 11, 25) - timedelta(days - 1)
    period = [(first + timedelta(offset), 0) for offset in range(days)]
    # weekdays busy, weekends quiet
    period = [(day, rnd.randint(0, 60) if day.weekday() >= 5 else rnd.randint(100, 400)) for day, _ in period]
    return staff, channel_rows, period


def percentile(values: list[float], percent: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import views.charts; print(time.perf_counter() - t)"
    runs = [
        float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)
        for _ in range(3)
    ]
    return statistics.median(runs)


if __name__ == "__main__":
    main()
