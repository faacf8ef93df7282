"""Benchmark of the deduplicate-workers stage: resolve, survive and build_workers on a real sample drive.

    python bench/match_bench.py                                  # the cached national sample, 2025-08
    python bench/match_bench.py --drive DIR --truth TRUTH.json --period 2025-08
    python bench/match_bench.py --save-reference /tmp/match-ref.pkl   # keep today's outputs ...
    python bench/match_bench.py --reference /tmp/match-ref.pkl        # ... and check later code gives the same
    python bench/match_bench.py --rounds 3 --profile /tmp/match.prof  # best of 3; cProfile of one more round

The rows are read and validated the way the flow's read-files and validate-rows tasks do it (tka.batch.read_many,
tka.validate.validate_rows, apply_decisions with no waivers) and the validated worker rows are cached as a pickle
(``--cache-dir``, default /tmp/tka-match-bench), keyed by the drive's files and the reader/validator code and
config, so later runs start in seconds. The candidates are then the deduplicate-workers task's: accepted rows that
are not dependants.

Two scenarios are timed, each step of the task separately (resolve, merge = attaching the ids to the rows, survive,
build_workers): ``new`` (an empty warehouse: no known workers) and ``known`` (the same rows again with the first
scenario's workers as known workers, as a re-run or the next month sees them).
With ``--reference`` every output (assignments, worker_month, workers of both scenarios) is compared value by
value, including each value's Python type, and the run exits 1 on any difference. With ``--truth`` (the sample
generator's truth file) the pairwise precision/recall of the resolver and of the exact-passport baseline are
printed as well. ``--json OUT`` writes all figures. Wall and CPU seconds of this process are both reported: on a
shared machine the CPU seconds are the steadier figure. ``--code-root`` times another checkout's code on the
same rows (e.g. ``git archive HEAD~3 tka tasks | tar -x -C /tmp/old`` then ``--code-root /tmp/old``).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import dataclasses
import hashlib
import json
import pickle
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_DRIVE = ROOT / "bench" / ".cache" / "tmp" / "national" / "drive"
DEFAULT_TRUTH = ROOT / "bench" / ".cache" / "tmp" / "national" / "truth.json"
DEFAULT_CACHE = Path("/tmp/tka-match-bench")
OUTPUTS = ("assignments", "worker_month", "workers")


# ---- input: the validated worker rows of the period -----------------------------------------------------------

def _code_digest(*folders: Path) -> str:
    """sha256 of the .py/.yaml/.json files under ``folders`` (so a changed reader or suite invalidates the cache)."""
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".yaml", ".yml", ".json"):
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def load_worker_rows(drive: Path, period: str, cache_dir: Path, refresh: bool = False) -> pd.DataFrame:
    """The period's worker rows with ``status`` and ``flags``, as validate-rows hands them to deduplicate-workers."""
    from tka.artifacts import ArtifactStore
    from tka.batch import ReadStore, read_many
    from tka.contract import PROVENANCE_COLUMNS, WORKER_FIELDS, SourceKind
    from tka.pipeline import concat_rows
    from tka.read import discover, load_sources_config, open_drive
    from tka.warehouse import pick_current_files

    sources = load_sources_config(ROOT / "config" / "sources.yaml")
    fs, root = open_drive(str(drive))
    files = discover(fs, root, period, sources)
    key = hashlib.sha256(json.dumps([str(drive.resolve()), period, [(f.path, f.sha256) for f in files],
                                     _code_digest(ROOT / "tka" / "read", ROOT / "tka" / "validate",
                                                  ROOT / "config", ROOT / "expectations")]).encode())
    cached = cache_dir / f"worker-rows-{period}-{key.hexdigest()[:16]}.pkl"
    if cached.exists() and not refresh:
        with cached.open("rb") as fh:
            return pickle.load(fh)

    from tka.validate import ValidationConfig, apply_decisions, file_issue, load_suites, validate_rows

    winners, _ = pick_current_files([dataclasses.asdict(f) for f in files])
    active_paths = {w["path"] for w in winners}
    active = [f for f in files if f.path in active_paths]
    config_digest = _code_digest(ROOT / "config")
    parse_cache = ReadStore(ArtifactStore(cache_dir / "artifacts"), config_digest)
    start = time.perf_counter()
    results = read_many(fs, root, active, sources, "match-bench", cache=parse_cache)
    by_path = {f.path: f for f in active}
    frames = [r.rows for p, r in results.items()
              if not r.quarantine and by_path[p].source_kind != SourceKind.REGISTRY.value]
    rows = concat_rows(frames, [*PROVENANCE_COLUMNS, *WORKER_FIELDS])
    print(f"read {len(active)} files: {len(rows)} worker rows in {time.perf_counter() - start:.1f} s", flush=True)

    start = time.perf_counter()
    validation = ValidationConfig.from_dir(ROOT / "config")
    suites = load_suites(ROOT / "expectations")
    headers = {by_path[p].sha256: r.columns for p, r in results.items() if not r.quarantine}
    found = [validate_rows(rows, "worker", period, suites, validation, headers=headers)]
    found += [file_issue(p, by_path[p].sha256, r.quarantine) for p, r in sorted(results.items()) if r.quarantine]
    issues = pd.concat([f for f in found if len(f)] or found[:1], ignore_index=True)
    rows, _ = apply_decisions(rows, issues, set())
    print(f"validated in {time.perf_counter() - start:.1f} s", flush=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(rows, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cached)
    return rows


def candidates_of(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows deduplicate-workers resolves: accepted and not dependants."""
    return rows[(rows["status"] == "accepted") & (rows["person_kind"] != "dependant")]


def known_from(worker_month: pd.DataFrame, period: str) -> pd.DataFrame:
    """Known workers as ``tka.warehouse.known_workers`` returns them after ``period`` was loaded."""
    columns = ["worker_id", "passport_no", "nationality", "name", "birth_date", "sex", "kitas_no", "rptka_no",
               "notifikasi_no", "company_nib", "company_name"]
    known = worker_month[columns].copy()
    year, month = (int(p) for p in period.split("-"))
    known["first_period"] = f"{year - 1}-{month:02d}"  # first seen a year earlier
    return known.sort_values("worker_id", ignore_index=True)


# ---- the stage ------------------------------------------------------------------------------------------------

class _Clock:
    """Context manager factory: ``with clock("step"):`` adds ``step_wall`` and ``step_cpu`` seconds.

    CPU seconds (this process) are the steadier figure on a machine shared with other work.
    """

    def __init__(self, into: dict[str, float]) -> None:
        self.into = into

    @contextlib.contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.into[f"{step}_wall"] = time.perf_counter() - wall
        self.into[f"{step}_cpu"] = time.process_time() - cpu


def run_stage(candidates: pd.DataFrame, known: pd.DataFrame | None, period: str, config: Any
              ) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """deduplicate-workers' body, each step timed: (outputs, seconds per step)."""
    from tka.match import build_workers, resolve, survive

    try:
        from tasks.dedupe import _with_assignments
    except ImportError:  # older code (--code-root): the task merged

        def _with_assignments(candidates: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
            return candidates.merge(assignments, on="record_key", how="left", validate="one_to_one")

    seconds: dict[str, float] = {}
    clock = _Clock(seconds)
    with clock("resolve"):
        assignments = resolve(candidates, known, period, config)
    with clock("merge"):
        matched = _with_assignments(candidates, assignments)
    with clock("survive"):
        worker_month = survive(matched, period, config)
    with clock("build_workers"):
        workers = build_workers(worker_month, known, period)
    for kind in ("wall", "cpu"):
        seconds[f"total_{kind}"] = sum(v for k, v in seconds.items() if k.endswith(f"_{kind}") and k[:5] != "total")
    return {"assignments": assignments, "worker_month": worker_month, "workers": workers}, seconds


def run_scenarios(candidates: pd.DataFrame, period: str, config: Any
                  ) -> tuple[dict[str, dict[str, pd.DataFrame]], dict[str, dict[str, float]]]:
    """Both scenarios once: {scenario: outputs}, {scenario: seconds per step}."""
    new, t_new = run_stage(candidates, None, period, config)
    known = known_from(new["worker_month"], period)
    again, t_known = run_stage(candidates, known, period, config)
    return {"new": new, "known": again}, {"new": t_new, "known": t_known}


# ---- comparison with a reference ------------------------------------------------------------------------------

def _typed(value: Any) -> tuple[str, Any]:
    """A value with its type, NaN/None/NA spelt out so that equal missing values compare equal."""
    if value is None:
        return ("None", None)
    try:
        if pd.isna(value):
            return (type(value).__name__ + ":NA", None)
    except (TypeError, ValueError):
        pass
    return (type(value).__name__, value)


def compare_frames(name: str, got: pd.DataFrame, want: pd.DataFrame, limit: int = 5) -> list[str]:
    """Differences between two output frames (columns, dtypes, index, every value with its type)."""
    problems = []
    if list(got.columns) != list(want.columns):
        return [f"{name}: columns {list(got.columns)} != {list(want.columns)}"]
    if len(got) != len(want):
        return [f"{name}: {len(got)} rows != {len(want)}"]
    if not got.index.equals(want.index):
        problems.append(f"{name}: index differs")
    for column in got.columns:
        if got[column].dtype != want[column].dtype:
            problems.append(f"{name}.{column}: dtype {got[column].dtype} != {want[column].dtype}")
        a = [_typed(v) for v in got[column].tolist()]
        b = [_typed(v) for v in want[column].tolist()]
        bad = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if bad:
            examples = "; ".join(f"row {i}: {a[i]!r} != {b[i]!r}" for i in bad[:limit])
            problems.append(f"{name}.{column}: {len(bad)} values differ ({examples})")
    return problems


def compare(outputs: dict[str, dict[str, pd.DataFrame]], reference: dict[str, dict[str, pd.DataFrame]]
            ) -> list[str]:
    """Every difference between this run's outputs and the reference's."""
    problems = []
    for scenario, frames in reference.items():
        for name, want in frames.items():
            problems += compare_frames(f"{scenario}.{name}", outputs[scenario][name], want)
    return problems


# ---- quality --------------------------------------------------------------------------------------------------

def quality(rows: pd.DataFrame, candidates: pd.DataFrame, assignments: pd.DataFrame, truth_path: Path
            ) -> dict[str, Any]:
    """Pairwise precision/recall of the resolver and of the exact-passport baseline against the truth."""
    from tka.match import exact_passport_baseline, pairwise_scores, truth_by_record

    truth = truth_by_record(rows, json.loads(truth_path.read_text(encoding="utf-8")))
    pred = dict(zip(assignments["record_key"], assignments["worker_id"], strict=True))
    precision, recall, pairs = pairwise_scores(pred, truth)
    base_p, base_r, base_pairs = pairwise_scores(exact_passport_baseline(candidates), truth)
    return {"resolver": {"precision": precision, "recall": recall, **pairs},
            "exact_passport": {"precision": base_p, "recall": base_r, **base_pairs}}


# ---- CLI ------------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    """Load rows, time the stage, compare with a reference, print precision/recall; exit 1 on a difference."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--drive", type=Path, default=DEFAULT_DRIVE, help="sample drive (default: %(default)s)")
    parser.add_argument("--truth", type=lambda t: Path(t) if t else None, default=DEFAULT_TRUTH,
                        help="generator truth JSON for precision/recall (default: %(default)s; '' to skip)")
    parser.add_argument("--period", default="2025-08")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="validated rows cache")
    parser.add_argument("--refresh", action="store_true", help="read and validate again, ignoring the cache")
    parser.add_argument("--rows", type=Path,
                        help="use this pickle of validated worker rows (a file of --cache-dir) instead of the drive")
    parser.add_argument("--rounds", type=int, default=1, help="time both scenarios this many times")
    parser.add_argument("--save-reference", type=Path, help="pickle the outputs here")
    parser.add_argument("--reference", type=Path, help="compare the outputs with this pickle")
    parser.add_argument("--profile", type=Path, help="write a cProfile of one more round of both scenarios")
    parser.add_argument("--json", type=Path, help="write the figures as JSON")
    parser.add_argument("--code-root", type=Path,
                        help="import tka and tasks from this tree instead (e.g. `git archive` of an older commit), "
                             "to time old and new code side by side")
    args = parser.parse_args(argv)
    if args.code_root:
        sys.path.insert(0, str(args.code_root.resolve()))

    from tka.match import load_config

    config = load_config(ROOT / "config" / "survivorship.yaml")
    if args.rows:
        with args.rows.open("rb") as fh:
            rows = pickle.load(fh)
    else:
        rows = load_worker_rows(args.drive, args.period, args.cache_dir, args.refresh)
    candidates = candidates_of(rows)
    print(f"{len(rows)} worker rows, {len(candidates)} candidates (accepted, not dependants)", flush=True)

    timings: dict[str, dict[str, list[float]]] = {}
    outputs: dict[str, dict[str, pd.DataFrame]] = {}
    for _ in range(max(1, args.rounds)):
        outputs, seconds = run_scenarios(candidates, args.period, config)
        for scenario, per_step in seconds.items():
            for step, value in per_step.items():
                timings.setdefault(scenario, {}).setdefault(step, []).append(value)
    report: dict[str, Any] = {"rows": len(rows), "candidates": len(candidates),
                              "workers": {s: len(o["worker_month"]) for s, o in outputs.items()},
                              "seconds": {}, "rounds": max(1, args.rounds)}
    for scenario, per_step in timings.items():
        report["seconds"][scenario] = {s: {"best": min(v), "median": statistics.median(v)}
                                       for s, v in per_step.items()}
        for kind in ("cpu", "wall"):
            line = ", ".join(f"{s[:-len(kind) - 1]} {min(v):.2f}" for s, v in per_step.items()
                             if s.endswith(f"_{kind}"))
            print(f"{scenario:>5}: {report['workers'][scenario]} workers; best {kind} seconds: {line}")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run_scenarios(candidates, args.period, config)
        profiler.disable()
        profiler.dump_stats(args.profile)
        print(f"profile written to {args.profile}")

    status = 0
    if args.save_reference:
        with args.save_reference.open("wb") as fh:
            pickle.dump(outputs, fh, protocol=pickle.HIGHEST_PROTOCOL)
        print(f"reference written to {args.save_reference}")
    if args.reference:
        with args.reference.open("rb") as fh:
            problems = compare(outputs, pickle.load(fh))
        report["identical_to_reference"] = not problems
        if problems:
            status = 1
            print(f"DIFFERENT from {args.reference}:")
            for problem in problems:
                print("  " + problem)
        else:
            print(f"identical to {args.reference} ({', '.join(OUTPUTS)} of both scenarios)")

    if args.truth and args.truth.is_file():
        report["quality"] = quality(rows, candidates, outputs["new"]["assignments"], args.truth)
        for who, q in report["quality"].items():
            print(f"{who:>14}: pairwise precision {q['precision']:.4f}, recall {q['recall']:.4f} "
                  f"({q['true_positive']} of {q['predicted']} predicted pairs true, {q['truth']} true pairs, "
                  f"{q['records']} records)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return status


if __name__ == "__main__":
    sys.exit(main())
