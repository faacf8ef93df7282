"""Benchmark of the country index: building it in a fresh process, and resolving distinct nationality texts.

    python bench/countries_bench.py              # 5 fresh-process builds, then 2,000 distinct texts resolved
    python bench/countries_bench.py --rounds 9

A build is timed in a new interpreter each round (pycountry and the CLDR data of Babel load cold, as in a reader
process) and the median is reported; the target is under one second. Resolving is then timed on distinct texts
(exact, prefixed, bracketed, misspelt and unknown), as the reader memoises each distinct cell text.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The module import (pydantic models of tka.read) is not the index: only load_country_index is timed.
_BUILD = ("import time; from tka.read.countries import load_country_index; t = time.perf_counter(); "
          "load_country_index(); print(time.perf_counter() - t)")


def build_seconds(rounds: int) -> list[float]:
    """Seconds to build the project's index (pycountry and CLDR loaded cold), each in a fresh interpreter."""
    return [float(subprocess.run([sys.executable, "-c", _BUILD], cwd=ROOT, check=True, capture_output=True,
                                 text=True).stdout) for _ in range(rounds)]


def sample_texts(count: int) -> list[str]:
    """``count`` distinct nationality texts of the kinds offices write."""
    base = ["Tiongkok", "RRT", "Korsel", "Jepang", "Philipina", "GER", "MAS", "Tiongkock", "Phillipines",
            "Warga Negara Tiongkok", "Tiongkok (RRT)", "CHINA / TIONGKOK", "belum ada", "Wakanda", "Austrlia"]
    return [f"{text} {'x' * (i // len(base))}".strip() if i >= len(base) else text
            for i, text in zip(range(count), base * (count // len(base) + 1), strict=False)]


def main() -> None:
    """Print build and resolve timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--texts", type=int, default=2000)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tka.read.countries import load_country_index, resolve_country

    builds = build_seconds(args.rounds)
    print(f"build (fresh process, cold pycountry + CLDR): median {statistics.median(builds):.3f} s, "
          f"max {max(builds):.3f} s over {args.rounds}")
    index = load_country_index()
    texts = sample_texts(args.texts)
    start = time.perf_counter()
    resolved = sum(resolve_country(text, index) is not None for text in texts)
    elapsed = time.perf_counter() - start
    print(f"resolve: {len(texts)} distinct texts in {elapsed:.3f} s ({elapsed / len(texts) * 1e6:.0f} µs each), "
          f"{resolved} resolved")


if __name__ == "__main__":
    main()
