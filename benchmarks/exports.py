"""Benchmark of exports: the whole list of 100,000 dialogs as Excel and as CSV.

    python -m benchmarks.exports [--dialogs 100000] [--folder .bench]

Builds the demo archive once (as `benchmarks.engine` does), then runs each export in a child process, so
that its peak memory is the export's own, and prints the time and peak memory of each. Targets: 100k
dialogs in ≤ 30 s and ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.engine import archive_path
from db.dialogs import DialogQuery, iter_dialogs
from db.engine import Database
from keyboards.callbacks import ExportFormat
from views.exports import write_list
from views.texts import texts_for


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dialogs", type=int, default=100_000)
    parser.add_argument("--folder", type=Path, default=Path(".bench"))
    parser.add_argument("--child", choices=[kind.name for kind in ExportFormat], help=argparse.SUPPRESS)
    args = parser.parse_args()

    db_path = archive_path(args.folder, args.dialogs)
    if args.child:
        export_once(db_path, ExportFormat[args.child], args.folder)
        return
    print("| export | dialogs | time | peak memory | file |")
    print("|---|---:|---:|---:|---:|")
    for kind in ExportFormat:
        command = [sys.executable, "-m", "benchmarks.exports", "--dialogs", str(args.dialogs)]
        command += ["--folder", str(args.folder), "--child", kind.name]
        result = subprocess.run(command, check=True, capture_output=True, text=True)
        count, seconds, peak, size = result.stdout.split()
        print(f"| {kind.name} | {int(count):,} | {float(seconds):.1f} s | {peak} MiB | {size} MiB |")


def export_once(db_path: Path, kind: ExportFormat, folder: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{db_path}")
    path = folder / f"export.{kind.name.lower()}"
    started = time.monotonic()
    count = database.run(
        lambda connection: write_list(
            path,
            kind,
            (rows for _, rows in iter_dialogs(connection, DialogQuery())),
            texts_for("ru"),
            ZoneInfo("Europe/Moscow"),
        )
    )
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(count, f"{seconds:.2f}", peak, f"{path.stat().st_size / 2**20:.1f}")
    path.unlink()


if __name__ == "__main__":
    main()
