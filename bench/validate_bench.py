"""Benchmark: validate a synthetic 200,000-row canonical worker frame with the real suites.

Run: ``.venv/bin/python bench/validate_bench.py [--rows 200000]``. Prints seconds and rows/s per stage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tka.contract import DATE_FIELDS, PROVENANCE_COLUMNS, WORKER_FIELDS
from tka.validate.config import ValidationConfig
from tka.validate.derive import add_helper_columns
from tka.validate.run import issues_from_result, run_suite
from tka.validate.suites import load_suites

KINDS = np.array(["disnakertrans", "imigrasi", "kecamatan", "company"], dtype=object)
# Nationality mix of Kukar mining (domain.md) with a passport prefix that fits each country's pattern.
NATS = np.array(["CHN"] * 12 + ["IND", "KOR", "MYS", "AUS", "VNM"], dtype=object)
PREFIX = {"CHN": "E", "IND": "J", "KOR": "M", "MYS": "A", "AUS": "PA", "VNM": "C"}


def _dates(rng: np.random.Generator, start: dt.date, days: int, n: int) -> np.ndarray:
    """n random ``datetime.date`` objects in [start, start + days)."""
    base = np.datetime64(start) + rng.integers(0, days, n).astype("timedelta64[D]")
    return base.astype("datetime64[D]").astype(object)


def synthetic_rows(n: int, seed: int = 7, worst: bool = False) -> pd.DataFrame:
    """A canonical worker frame of ``n`` rows over 100 files, ~5% breaking a rule (``worst``: every passport)."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in
                          (*PROVENANCE_COLUMNS, *WORKER_FIELDS, *(f"{f}_unparsed" for f in DATE_FIELDS),
                           "nationality_unknown", "kecamatan_unknown")})
    file_no = np.arange(n) // (n // 100 or 1)
    shas = np.array([f"{i:064x}" for i in range(101)], dtype=object)
    row_number = np.arange(n) % (n // 100 or 1) + 7
    frame["run_id"] = "bench"
    frame["source_kind"] = KINDS[file_no % 4]
    frame["source_id"] = frame["source_kind"]
    frame["file_path"] = pd.Series(file_no).map(lambda i: f"2025-08/src/file{i:03d}.xlsx").to_numpy(object)
    frame["file_sha256"] = shas[file_no]
    frame["sheet"] = "Agustus"
    frame["row_number"] = row_number
    frame["raw"] = "{}"
    frame["record_key"] = (pd.Series(shas[file_no]).str[:16] + ":Agustus:" + pd.Series(row_number).astype(str)
                           ).to_numpy(object)
    nat = NATS[rng.integers(0, len(NATS), n)]
    digits = pd.Series(rng.integers(10_000_000, 99_999_999, n)).astype(str)
    frame["nationality"] = nat
    prefix = pd.Series(nat).map(PREFIX)
    # IND and AUS numbers have 7 digits after the prefix.
    seven = pd.Series(nat).isin(["IND", "AUS"])
    frame["passport_no"] = (prefix + digits.where(~seven, digits.str[:7])).to_numpy(object)
    if worst:  # a template change that breaks every passport number: one warning per row
        frame["passport_no"] = ("X" + digits).to_numpy(object)
    frame["name"] = ("WORKER " + pd.Series(np.arange(n)).astype(str)).to_numpy(object)
    frame["company_name"] = "PT BENCH"
    frame["company_nib"] = "1234567890123"
    frame["position"] = "TEKNISI"
    frame["kitas_no"] = ("2D" + digits + "-B").to_numpy(object)
    frame["kecamatan_code"] = "64.02.12"
    frame["birth_date"] = _dates(rng, dt.date(1960, 1, 1), 365 * 45, n)
    frame["rptka_start"] = _dates(rng, dt.date(2024, 1, 1), 500, n)
    frame["rptka_end"] = [s + dt.timedelta(days=700) for s in frame["rptka_start"]]
    frame["kitas_start"] = frame["rptka_start"]
    frame["kitas_end"] = frame["rptka_end"]
    frame["permit_type"] = "baru"
    frame["person_kind"] = "worker"
    # Sprinkle failures: missing names, bad NIBs, unparsed dates, duplicates (~5% of rows).
    bad = rng.random(n)
    frame.loc[bad < 0.01, "name"] = None
    frame.loc[(bad >= 0.01) & (bad < 0.02), "company_nib"] = "12345"
    frame.loc[(bad >= 0.02) & (bad < 0.03), "birth_date_unparsed"] = "31-02-1980"
    frame.loc[(bad >= 0.03) & (bad < 0.04), "nationality_unknown"] = "ATLANTIS"
    dup = np.flatnonzero((bad >= 0.04) & (bad < 0.05))
    dup = dup[dup > 0]
    canon = list(WORKER_FIELDS)
    frame.loc[dup, canon] = frame.loc[dup - 1, canon].to_numpy()
    frame.loc[dup, "file_sha256"] = frame.loc[dup - 1, "file_sha256"].to_numpy()
    return frame


def main() -> None:
    """Build the frame, run the worker suite, map results to issues and print timings."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--worst", action="store_true", help="every passport number fails its format")
    args = parser.parse_args()
    config = ValidationConfig.from_dir(ROOT / "config")
    suites = load_suites(ROOT / "expectations")
    rows = synthetic_rows(args.rows, worst=args.worst)
    # Warm the GX context so its one-off start-up is not billed to validation.
    run_suite(rows.head(10), "worker", "2025-08", suites, config)
    t0 = time.perf_counter()
    add_helper_columns(rows, "worker", "2025-08", config)
    t_helpers = time.perf_counter() - t0
    t0 = time.perf_counter()
    frame, result = run_suite(rows, "worker", "2025-08", suites, config)
    t1 = time.perf_counter()
    issues = issues_from_result(frame, result)
    t2 = time.perf_counter()
    report = {
        "rows": len(rows), "issues": len(issues), "expectations": len(result.results),
        "helper_columns_seconds": round(t_helpers, 2), "suite_seconds_incl_helpers": round(t1 - t0, 2), "issues_seconds": round(t2 - t1, 2),
        "total_seconds": round(t2 - t0, 2), "rows_per_second": round(len(rows) / (t2 - t0)),
        "issues_by_rule": issues["rule"].value_counts().to_dict(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
