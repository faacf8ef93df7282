"""Precision/recall of the flow on an independently written "field" month (tka.fieldsample).

    python bench/field_quality.py --scale kukar|national [--seed 11]

1. generates the field month once into bench/.cache/field-<scale>-<seed>-<hash of tka/fieldsample sources>;
2. runs ``tka ingest --period 2025-08 --drive D --warehouse sqlite:///<tmp>/w.db --json`` in a fresh process
   (``TKA_CACHE_DIR`` in a temporary folder, alerts printed, not sent);
3. scores it as bench/run.py does (pairwise precision and recall over the truth's worker rows; a row without a
   worker_id in ``source_record`` is its own cluster; rows of files the truth marks superseded are left out),
   says why truth rows got no worker (file quarantined with reason, row rejected with rule, file superseded by
   the pipeline, row never read), and gives the "exact normalised passport" baseline on the same rows;
4. prints a table and writes bench/results/field-<scale>-<seed>-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench.procs import PrefectServer
from bench.run import pairwise
from tka.match.names import clean_name, clean_passport, name_key
from tka.match.resolve import company_key

PERIOD = "2025-08"
CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
BIN = Path(sys.executable).parent
console = Console(width=None if sys.stdout.isatty() else 150)


def source_hash() -> str:
    """Hash of the field generator's sources: a new version regenerates the cached month."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "tka" / "fieldsample").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ensure_month(scale: str, seed: int) -> tuple[Path, Path, float | None]:
    """(drive, truth, seconds it took to generate or None if cached)."""
    folder = CACHE / f"field-{scale}-{seed}-{source_hash()}"
    truth = folder / "truth.json"
    if truth.exists():
        return folder / "drive", truth, None
    shutil.rmtree(folder, ignore_errors=True)
    console.print(f"Generating the field month {scale} (seed {seed}) into {folder.relative_to(ROOT)}…")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tka.fieldsample", "--period", PERIOD, "--scale", scale, "--seed",
                    str(seed), "--out", str(folder / "drive"), "--truth", str(folder / "tmp-truth.json")],
                   check=True, cwd=ROOT)
    (folder / "tmp-truth.json").rename(truth)
    return folder / "drive", truth, time.perf_counter() - start


def run_ingest(drive: Path, tmp: Path, server: PrefectServer) -> tuple[str, dict[str, Any], float]:
    """Run the flow in a fresh process against ``server``; (warehouse url, its JSON summary, seconds)."""
    shutil.rmtree(drive / "_review", ignore_errors=True)
    url = f"sqlite:///{tmp / 'w.db'}"
    env = {**server.env(), "TKA_CACHE_DIR": str(tmp / "cache"), "TKA_ALERT_BLOCKS": ""}
    cmd = [str(BIN / "tka"), "ingest", "--period", PERIOD, "--drive", str(drive), "--warehouse", url,
           "--dry-run-alerts", "--json"]
    start = time.perf_counter()
    run = subprocess.run(cmd, check=False, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if run.returncode:
        raise SystemExit(f"tka ingest failed:\n{run.stderr[-3000:]}")
    summary = next((json.loads(line) for line in reversed(run.stdout.strip().splitlines())
                    if line.startswith("{")), {})
    return url, summary, seconds


def _query(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), {"p": PERIOD})]
    finally:
        engine.dispose()


def _key(path: str, sheet: Any, row: Any, csv_paths: set[str]) -> tuple[str, str, int]:
    # CSV rows are identified by their line; whatever sheet label the reader gives them is not the writer's
    return path, "" if path in csv_paths else str(sheet), int(row)


def undocumented_namesakes(url: str, worker_rows: dict[tuple[str, str, int], str], csv_paths: set[str]
                   ) -> tuple[float, int]:
    """The recall an honest matcher can reach on this month: every row joined to its person, except rows that
    carry neither a document number nor a birth date and whose name letters are borne by two or more people at
    their company (or in the month, for a row naming no company): a matcher can place those only by where
    the person lives, if at all; here they stay apart. An estimate, not a bound. Returns (that recall, the
    number of such rows)."""
    records = _query(url, "select file_path, sheet, row_number, name, company_name, company_nib, passport_no, "
                          "kitas_no, notifikasi_no, birth_date from source_record "
                          "where period = :p and status = 'accepted'")
    names = dict(_query(url, "select company_nib, name from company"))
    person_of, facts = {}, {}
    for path, sheet, row, name, company, nib, *ids in records:
        k = _key(path, sheet, row, csv_paths)
        if k in worker_rows and name:
            person_of[k] = worker_rows[k]
            facts[k] = (name_key(clean_name(name)), company_key(company or names.get(nib)), any(ids))
    at_company: dict[tuple[str, str | None], set[str]] = {}
    in_month: dict[str, set[str]] = {}
    for k, (name, company, _) in facts.items():
        at_company.setdefault((name, company), set()).add(person_of[k])
        in_month.setdefault(name, set()).add(person_of[k])
    ideal = {}
    for k, person in worker_rows.items():
        if k not in facts:
            continue
        name, company, identified = facts[k]
        shared = at_company[(name, company)] if company else in_month[name]
        ideal[k] = person if identified or len(shared) < 2 else ("apart", k)
    return pairwise(ideal, worker_rows)[1], sum(1 for v in ideal.values() if isinstance(v, tuple))


def score(url: str, truth: dict[str, Any]) -> dict[str, Any]:
    """Figures of one run against the field truth."""
    csv_paths = {f["path"] for f in truth["files"] if f["format"] == "csv"}
    worker_rows = {_key(f["path"], r["sheet"], r["row"], csv_paths): r["person_id"] for f in truth["files"]
                   if f["source_kind"] != "registry" and not f.get("superseded_by")
                   for r in f["rows"] if r["kind"] == "worker"}
    dependant_rows = {_key(f["path"], r["sheet"], r["row"], csv_paths) for f in truth["files"]
                      if not f.get("superseded_by") for r in f["rows"] if r["kind"] == "dependant"}
    records = _query(url, "select file_path, sheet, row_number, worker_id, status, nationality, passport_no, "
                          "record_key from source_record where period = :p")
    seen = {_key(p, s, r, csv_paths): (w, st, nat, pp, rk) for p, s, r, w, st, nat, pp, rk in records}
    pred = {k: v[0] for k, v in seen.items() if v[0] is not None}
    precision, recall = pairwise(pred, worker_rows)
    naive = {k: (v[2], clean_passport(v[3])) for k, v in seen.items() if clean_passport(v[3])}
    naive_p, naive_r = pairwise(naive, worker_rows)
    ledger = _query(url, "select path, status, quarantine_reason from file_ledger where period = :p")
    file_status = {p: (st, q) for p, st, q in ledger}
    issues = _query(url, "select record_key, rule from validation_issue where period = :p and severity = 'error'")
    rules_of: dict[str, list[str]] = {}
    for rk, rule in issues:
        rules_of.setdefault(rk, []).append(rule)
    why: Counter[str] = Counter()
    for k in worker_rows:
        if k in pred:
            continue
        status, reason = file_status.get(k[0], (None, None))
        if status == "quarantined":
            why[f"file quarantined: {reason}"] += 1
        elif status == "superseded":
            why["file superseded by the pipeline"] += 1
        elif k not in seen:
            why["file not in ledger" if status is None else "row not read"] += 1
        elif seen[k][1] == "rejected":
            why["rejected: " + "+".join(sorted(set(rules_of.get(seen[k][4], ["?"]))))] += 1
        else:
            why[f"{seen[k][1]} without worker_id"] += 1
    quarantined = {p for p, (st, _) in file_status.items() if st == "quarantined"}
    expected_q = {f["path"] for f in truth["files"] if f["quarantine"]}
    workers = _query(url, "select count(*) from worker_month where period = :p")[0][0]
    return {"precision": round(precision, 4), "recall": round(recall, 4),
            **dict(zip(("recall_if_namesakes_apart", "undocumented_namesake_rows"),
                       undocumented_namesakes(url, worker_rows, csv_paths), strict=True)),
            "exact_passport": {"precision": round(naive_p, 4), "recall": round(naive_r, 4)},
            "truth_worker_rows": len(worker_rows), "rows_without_worker": sum(why.values()),
            "rows_without_worker_by_reason": dict(why.most_common()),
            "dependant_rows_given_a_worker": sum(1 for k in dependant_rows if k in pred),
            "records_not_in_truth": sum(1 for k in seen if k not in worker_rows and k not in dependant_rows
                                        and k[0].split("/")[1] != "registri"),
            "workers_found": workers, "workers_true": truth["expected"]["workers"],
            "files_quarantined": len(quarantined), "files_quarantined_expected": len(expected_q),
            "quarantined_unexpectedly": sorted(quarantined - expected_q),
            "expected_but_not_quarantined": sorted(expected_q - quarantined)}


def show(scale: str, result: dict[str, Any]) -> None:
    """The table for a person."""
    table = Table(title=f"Field month {scale} (seed {result['seed']}): the flow against the independent truth")
    table.add_column("figure")
    table.add_column("value", justify="right")
    q = result["quality"]
    for label, value in (("precision (pairwise)", q["precision"]), ("recall (pairwise)", q["recall"]),
                         ("truth rows without document or birth date whose name 2+ people bear at their company",
                          q.get("undocumented_namesake_rows", "-")),
                         ("  recall if all those stay apart (estimate)",
                          round(q.get("recall_if_namesakes_apart", 0), 4)),
                         ("exact normalised passport: precision", q["exact_passport"]["precision"]),
                         ("exact normalised passport: recall", q["exact_passport"]["recall"]),
                         ("truth worker rows", q["truth_worker_rows"]),
                         ("truth rows without a worker", q["rows_without_worker"]),
                         *((f"  {reason}", n) for reason, n in q["rows_without_worker_by_reason"].items()),
                         ("dependant rows given a worker", q["dependant_rows_given_a_worker"]),
                         ("records not in the truth", q["records_not_in_truth"]),
                         ("workers found / true", f"{q['workers_found']} / {q['workers_true']}"),
                         ("files quarantined / expected",
                          f"{q['files_quarantined']} / {q['files_quarantined_expected']}"),
                         ("flow wall time (s)", round(result["ingest_seconds"], 1))):
        table.add_row(label, str(value))
    console.print(table)


def main() -> None:
    """Generate (cached), ingest, score, print, save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("kukar", "national"), default="kukar")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="copy the run's warehouse (w.db) here, for a closer look")
    args = parser.parse_args()
    drive, truth_path, gen_seconds = ensure_month(args.scale, args.seed)
    truth = json.loads(truth_path.read_text())
    with tempfile.TemporaryDirectory(prefix="tka-field-") as tmp:
        # a real server, as bench/run.py uses: the ephemeral one may not start in time on a busy machine
        with PrefectServer(Path(tmp) / "prefect", str(BIN / "prefect")) as server:
            url, summary, seconds = run_ingest(drive, Path(tmp), server)
        quality = score(url, truth)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            shutil.copy2(Path(tmp) / "w.db", args.keep / "w.db")
    result = {"scale": args.scale, "seed": args.seed, "generator_hash": source_hash(),
              "generated_seconds": gen_seconds, "ingest_seconds": seconds, "summary": summary,
              "quality": quality, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    show(args.scale, result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"field-{args.scale}-{args.seed}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    console.print(f"Saved {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
