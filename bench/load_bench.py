"""Bulk-load throughput of the warehouse: source_record rows/s on SQLite and PostgreSQL, COPY vs executemany.

Usage: .venv/bin/python bench/load_bench.py [--rows 200000] [--postgres URL] [--match-persons 20000]
The PostgreSQL run uses a fresh temporary database on the server at URL (default: TKA_TEST_POSTGRES_URL or
postgresql+psycopg://postgres@127.0.0.1:5432/postgres) and drops it afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
import uuid
from pathlib import Path

import pandas as pd
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tka.warehouse import load_period, make_engine, upgrade

KINDS = ("imigrasi", "disnakertrans", "kecamatan", "company")


def make_records(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` realistic-looking accepted source rows spread over 40 files (no personal data of real people)."""
    rng = random.Random(seed)
    shas = [f"{i:064x}" for i in range(40)]
    rows = []
    for i in range(n):
        sha = shas[i % len(shas)]
        kind = KINDS[i % len(KINDS)]
        rows.append(
            {
                "record_key": f"{sha[:16]}:Data:{i + 7}",
                "source_kind": kind,
                "source_id": kind,
                "file_path": f"2025-08/{kind}/file{i % 40}.xlsx",
                "file_sha256": sha,
                "sheet": "Data",
                "row_number": i + 7,
                "raw": '{"Nama": "X"}',
                "name": f"WORKER {rng.randrange(10**6):06d}",
                "passport_no": f"E{rng.randrange(10**8):08d}",
                "nationality": "CHN",
                "sex": "L",
                "birth_date": dt.date(1970, 1, 1) + dt.timedelta(days=rng.randrange(12000)),
                "position": "MEKANIK",
                "company_name": "PT ALPHA",
                "company_nib": "1234567890123",
                "kecamatan_code": "64.02.12",
                "kitas_no": f"2D{rng.randrange(10**9):09d}",
                "kitas_start": dt.date(2025, 1, 1),
                "kitas_end": dt.date(2025, 12, 31),
                "person_kind": "worker",
                "status": "accepted",
                "flags": None,
                "worker_id": None,
                "match_reason": None,
            }
        )
    return pd.DataFrame(rows)


def bench(url: str, records: pd.DataFrame, use_copy: bool) -> float:
    """Seconds for one full load_period of ``records`` (best of two runs: the second replaces the first)."""
    engine = make_engine(url)
    upgrade(engine)
    files = [
        {"path": p, "sha256": s, "source_kind": k, "source_id": k, "size": 1}
        for p, s, k in records[["file_path", "file_sha256", "source_kind"]]
        .drop_duplicates()
        .itertuples(index=False)
    ]
    timings = []
    for run in range(2):
        start = time.perf_counter()
        load_period(
            engine,
            "2025-08",
            f"bench-{run}",
            files=files,
            source_records=records,
            issues=None,
            worker_month=None,
            use_copy=use_copy,
        )
        timings.append(time.perf_counter() - start)
    engine.dispose()
    return min(timings)


def make_match_rows(persons: int, seed: int = 1) -> tuple[pd.DataFrame, dict[str, str]]:
    """Rows of ``persons`` workers seen by 1-4 sources: kecamatan rows without passport (half without birth
    date, half with swapped name order), 5% passport typos elsewhere; plus the truth record_key -> person."""
    rng = random.Random(seed)
    families = ["GAO", "LI", "WANG", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU"]
    rows, truth = [], {}
    for i in range(persons):
        name = f"{rng.choice(families)} " + "".join(
            rng.choice("AEIOUXYZHNGFLMW") for _ in range(rng.randint(3, 7))
        )
        passport = f"E{rng.randrange(10**8):08d}"
        dob = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000))
        company, kitas = f"PT C{rng.randrange(300)}", f"2D{rng.randrange(10**9):09d}"
        for kind in rng.sample(KINDS, rng.randint(1, 4)):
            key = f"{kind}:{i}:{len(rows)}"
            row_passport, row_name, row_dob = passport, name, dob
            if kind == "kecamatan":
                row_passport = None
                row_dob = None if rng.random() < 0.5 else dob
                if rng.random() < 0.5:
                    row_name = " ".join(name.split()[::-1])
            elif rng.random() < 0.05:
                row_passport = passport[:-1] + str((int(passport[-1]) + 1) % 10)
            rows.append(
                {
                    "record_key": key,
                    "source_kind": kind,
                    "passport_no": row_passport,
                    "nationality": "CHN",
                    "name": row_name,
                    "birth_date": row_dob,
                    "company_name": company,
                    "kitas_no": kitas if kind == "imigrasi" else None,
                }
            )
            truth[key] = f"P{i}"
    return pd.DataFrame(rows), truth


def bench_match(persons: int) -> None:
    """Time resolve() and survive() and print pairwise precision/recall against the exact-passport baseline."""
    from tka.match import exact_passport_baseline, load_config, pairwise_scores, resolve, survive

    config = load_config()
    rows, truth = make_match_rows(persons)
    start = time.perf_counter()
    ids = resolve(rows, None, "2025-08", config)
    resolved = time.perf_counter() - start
    start = time.perf_counter()
    survive(rows.merge(ids, on="record_key"), "2025-08", config)
    survived = time.perf_counter() - start
    precision, recall, _ = pairwise_scores(dict(zip(ids["record_key"], ids["worker_id"], strict=True)), truth)
    base_p, base_r, _ = pairwise_scores(exact_passport_baseline(rows), truth)
    print(
        f"match: {len(rows)} rows of {persons} persons: resolve {resolved:.2f} s, survive {survived:.2f} s; "
        f"pairwise P={precision:.4f} R={recall:.4f} (exact passport only: P={base_p:.4f} R={base_r:.4f})"
    )


def main() -> None:
    """Run the benchmark and print rows/s per engine and insert method."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "TKA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--match-persons", type=int, default=0, help="also time resolve/survive on N persons")
    args = parser.parse_args()
    if args.match_persons:
        bench_match(args.match_persons)
    records = make_records(args.rows)
    print(f"{args.rows} source_record rows per load (load_period end to end, best of 2)")
    with tempfile.TemporaryDirectory() as tmp:
        seconds = bench(f"sqlite:///{Path(tmp) / 'bench.db'}", records, use_copy=False)
        print(f"sqlite      executemany  {seconds:7.2f} s  {args.rows / seconds:10,.0f} rows/s")
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"tka_bench_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - report and skip the PostgreSQL half
        print(f"postgresql  skipped: {args.postgres} not reachable ({type(exc).__name__})")
        return
    url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
    try:
        for use_copy, label in ((False, "executemany"), (True, "COPY       ")):
            seconds = bench(url, records, use_copy=use_copy)
            print(f"postgresql  {label}  {seconds:7.2f} s  {args.rows / seconds:10,.0f} rows/s")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
