"""Profile tka.read.read_file over the files of one drive period (cProfile, in this process).

    python bench/read_profile.py DRIVE_DIR [--period 2025-08] [--top 40] [--only-xlsx]

Prints the total time and the functions with the most cumulative and own time; use it to see where the reader
spends its time before optimising (read_bench.py gives the comparison with openpyxl).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("drive")
    parser.add_argument("--period", default="2025-08")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--only-xlsx", action="store_true", help="only the files read_bench.py compares")
    parser.add_argument("--no-profile", action="store_true", help="just time the reads")
    args = parser.parse_args()

    from tka.read import discover, load_sources_config, open_drive, read_file

    config = load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")
    fs, root = open_drive(args.drive)
    files = [f for f in discover(fs, root, args.period, config)
             if not args.only_xlsx or f.path.casefold().endswith((".xlsx", ".xlsm"))]
    profiler = None if args.no_profile else cProfile.Profile()
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    rows = sum(len(read_file(fs, root, f, config).rows) for f in files)
    if profiler:
        profiler.disable()
    print(f"{len(files)} files, {rows} rows, {time.perf_counter() - start:.2f} s")
    if profiler:
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
