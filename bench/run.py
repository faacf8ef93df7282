"""The month benchmark: this project's flow against the plain pandas script an analyst would write.

    python3 dev.py bench                      # everything (drives are generated once and cached)
    python3 dev.py bench --quick              # kukar and national x1/4 only: a smoke run in about a minute
    python3 dev.py bench --engines sqlite --rounds 2 --scales 1

What it does, in one run (so the figures are ratios measured side by side on the same machine):
1. generates the sample drives (kukar, national and national at other sizes) into bench/.cache, keyed by the
   generator's source hash, so later runs reuse them;
2. starts a real ``prefect server`` on a free loopback port (its start-up is reported on its own line);
3. alternates, round by round, (a) the flow as production runs it — ``tka ingest`` in a fresh process, so imports
   count, against the running server, a fresh warehouse and an empty parse cache — and (b) bench/plain_script.py,
   on the same files into the same kind of warehouse, on SQLite and on PostgreSQL;
4. reports the median wall time, rows/s, peak RSS of the process tree, dedupe precision/recall against the
   generator's truth (pairwise over source rows), rows rejected and rows silently lost; for the flow the time per
   stage (from the Prefect API) and the orchestration overhead;
5. runs the flow on national x1/4, x1/2, x1 and x2 for the growth of cost, and a re-run with no changed files.

Results go to bench/results/<timestamp>.json and are printed as tables.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from bench.procs import Measured, PrefectServer, measure
from tka.match.names import clean_passport

CACHE = ROOT / "bench" / ".cache"
RESULTS = ROOT / "bench" / "results"
PERIOD = "2025-08"
SEED = 7
BIN = Path(sys.executable).parent
POSTGRES_ENV = "TKA_TEST_POSTGRES_URL"
POSTGRES_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# Task name prefix -> the stage it belongs to (the flow's table of contents, tasks grouped as the issue asks).
STAGES: dict[str, str] = {
    "resolve-run": "prepare", "load-config": "prepare", "load-rules": "prepare", "migrate-warehouse": "prepare",
    "discover-files": "discover", "register-files": "discover", "fingerprint-inputs": "discover",
    "find-unchanged-load": "discover", "report-unchanged": "discover", "plan-reads": "read", "read-files": "read",
    "gather-reads": "read",
    "fetch-waivers": "validate", "validate-rows": "validate",
    "fetch-known-workers": "dedupe", "deduplicate-workers": "dedupe",
    "fetch-company-history": "compliance", "check-company-reports": "compliance",
    "send-missing-report-alerts": "compliance", "load-warehouse": "load", "mark-complete": "load",
}
console = Console(width=None if sys.stdout.isatty() else 150)


# ---- drives -------------------------------------------------------------------------------------------------

def _generator_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted([*(ROOT / "tka" / "sample").glob("*.py"), *(ROOT / "config").glob("*.yaml")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def ensure_drive(scale: str, factor: float) -> dict[str, Any]:
    """The cached sample drive of ``scale`` x ``factor``: generated once per generator version."""
    name = scale if factor == 1 else f"{scale}-x{factor:g}"
    folder = CACHE / "drives" / f"{name}-seed{SEED}-{_generator_hash()}"
    truth = folder / "truth.json"
    generated = None
    if not truth.exists():
        shutil.rmtree(folder, ignore_errors=True)
        console.print(f"[bold]Generating the {name} sample drive[/] into {folder.relative_to(ROOT)} (cached)…")
        cmd = [str(BIN / "tka"), "sample", "--period", PERIOD, "--scale", scale, "--size", str(factor),
               "--seed", str(SEED), "--out", str(folder / "drive"), "--truth", str(folder / "tmp-truth.json")]
        run = measure(cmd)
        if run.returncode:
            raise SystemExit(f"generating {name} failed:\n{run.stderr[-2000:]}")
        (folder / "tmp-truth.json").rename(truth)
        generated = {"seconds": round(run.seconds, 1), "peak_mib": round(run.peak_mib)}
    return {"name": name, "factor": factor, "drive": folder / "drive", "truth": truth, "generated": generated}


def truth_rows(truth: dict[str, Any]) -> dict[tuple[str, str, int], str]:
    """(file, sheet, row) -> person id of every worker row the generator wrote (registry rows excluded)."""
    return {(f["path"], str(r["sheet"]), int(r["row"])): r["person_id"] for f in truth["files"]
            if f["source_kind"] != "registry" for r in f["rows"] if r.get("person_id")}


# ---- warehouses ---------------------------------------------------------------------------------------------

class Warehouse:
    """A fresh, empty warehouse: a SQLite file or a new PostgreSQL database (dropped afterwards)."""

    def __init__(self, engine: str, tmp: Path) -> None:
        self.engine, self.name = engine, f"tka_bench_{uuid.uuid4().hex[:10]}"
        if engine == "sqlite":
            self.url = f"sqlite:///{tmp / (self.name + '.db')}"
        else:
            admin = sa.make_url(os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT))
            self.url = admin.set(database=self.name).render_as_string(hide_password=False)
            self._admin("create")

    def _admin(self, verb: str) -> None:
        admin = sa.create_engine(os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            suffix = " with (force)" if verb == "drop" else ""
            conn.execute(sa.text(f'{verb} database {"if exists " if verb == "drop" else ""}"{self.name}"{suffix}'))
        admin.dispose()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Rows of one query."""
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(sql))]
        finally:
            engine.dispose()

    def drop(self) -> None:
        """Remove the warehouse."""
        if self.engine == "postgresql":
            self._admin("drop")
        else:
            Path(sa.make_url(self.url).database or "").unlink(missing_ok=True)


def postgres_reason() -> str | None:
    """None if the PostgreSQL server answers, else why not."""
    engine = sa.create_engine(os.environ.get(POSTGRES_ENV, POSTGRES_DEFAULT), connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


# ---- quality ------------------------------------------------------------------------------------------------

def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(pred: dict[Any, Any], truth: dict[Any, str]) -> tuple[float, float]:
    """Pairwise precision and recall over all truth rows; a row without a prediction is its own cluster."""
    labels = {k: pred.get(k, ("alone", k)) for k in truth}
    both = Counter((labels[k], truth[k]) for k in truth)
    tp = sum(_pairs(n) for n in both.values())
    predicted = sum(_pairs(n) for n in Counter(labels.values()).values())
    actual = sum(_pairs(n) for n in Counter(truth.values()).values())
    return (tp / predicted if predicted else 1.0), (tp / actual if actual else 1.0)


def flow_quality(wh: Warehouse, truth: dict[str, Any]) -> dict[str, Any]:
    """Dedupe precision/recall, rejected and silently lost rows of a flow run, from its warehouse."""
    rows = truth_rows(truth)
    records = wh.query(f"select file_path, sheet, row_number, worker_id, status, nationality, passport_no "
                       f"from source_record where period = '{PERIOD}'")
    seen = {(p, str(s), int(r)): (w, st) for p, s, r, w, st, _, _ in records}
    pred = {k: w for k, (w, _) in seen.items() if w is not None}
    precision, recall = pairwise(pred, rows)
    # the naive matcher on the same normalised rows: one worker iff nationality and passport are equal
    naive = {(p, str(s), int(r)): (nat, clean_passport(pp)) for p, s, r, _, _, nat, pp in records
             if clean_passport(pp)}
    naive_precision, naive_recall = pairwise(naive, rows)
    workers = wh.query(f"select count(*) from worker_month where period = '{PERIOD}'")[0][0]
    return {"precision": precision, "recall": recall, "rows_in": len(seen),
            "rejected": sum(st == "rejected" for _, st in seen.values()),
            "lost": sum(k not in seen for k in rows), "workers": workers,
            "workers_true": truth["expected"]["workers"],
            "exact_passport": {"precision": naive_precision, "recall": naive_recall}}


def plain_quality(evaluation: Path, truth: dict[str, Any]) -> dict[str, Any]:
    """The same figures for the plain script: drop_duplicates on the passport column is its clustering."""
    rows = truth_rows(truth)
    kept = json.loads(evaluation.read_text())["rows"]
    seen = {(f, str(s), int(r)): p for f, s, r, p in kept}
    pred = {k: ("passport", p) for k, p in seen.items()}  # drop_duplicates treats every blank as one value
    precision, recall = pairwise(pred, rows)
    return {"precision": precision, "recall": recall, "rows_in": len(seen), "rejected": 0,
            "lost": sum(k not in seen for k in rows), "not_worker_rows": sum(k not in rows for k in seen),
            "workers": len(set(seen.values())), "workers_true": truth["expected"]["workers"]}


# ---- runs ---------------------------------------------------------------------------------------------------

def _json_tail(stdout: str) -> dict[str, Any]:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    raise ValueError(f"no JSON summary in the output:\n{stdout[-2000:]}")


async def _stage_times(flow_run_id: str) -> dict[str, float]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async with get_client() as client:
        flow_run = await client.read_flow_run(uuid.UUID(flow_run_id))
        tasks = await client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[uuid.UUID(flow_run_id)])), limit=200)
    stages: dict[str, float] = {}
    for task in tasks:
        prefix = task.name.rsplit("-", 1)[0]
        stage = STAGES.get(prefix, "review")
        stages[stage] = stages.get(stage, 0.0) + task.total_run_time.total_seconds()
    flow_seconds = flow_run.total_run_time.total_seconds()
    stages["orchestration"] = flow_seconds - sum(stages.values())
    stages["flow_run"] = flow_seconds
    return stages


def run_flow(drive: dict[str, Any], wh: Warehouse, server: PrefectServer, cache_dir: Path,
             *, first_run: bool = True) -> dict[str, Any]:
    """The flow in a fresh process (imports count), as a worker would start it.

    A first run starts without the review folder an earlier run left on the cached drive: its feedback-workbook
    manifest would otherwise let the run skip writing them.
    """
    if first_run:
        shutil.rmtree(Path(drive["drive"]) / "_review", ignore_errors=True)
    env = {**server.env(), "TKA_CACHE_DIR": str(cache_dir), "TKA_ALERT_BLOCKS": ""}
    cmd = [str(BIN / "tka"), "ingest", "--period", PERIOD, "--drive", str(drive["drive"]), "--warehouse", wh.url,
           "--dry-run-alerts", "--json"]
    run = measure(cmd, env=env, cwd=ROOT)
    if run.returncode:
        raise SystemExit(f"the flow failed on {drive['name']} ({wh.engine}):\n{run.stderr[-3000:]}")
    summary = _json_tail(run.stdout)
    stages = asyncio.run(_stage_times(summary["flow_run_id"]))
    stages["startup"] = run.seconds - stages["flow_run"]
    return {"seconds": run.seconds, "peak_mib": run.peak_mib, "rows": summary["rows_total"], "stages": stages,
            "summary": {k: summary[k] for k in ("rows_total", "rows_rejected", "workers", "files_total",
                                                 "files_quarantined")}}


def run_plain(drive: dict[str, Any], wh: Warehouse, evaluation: Path) -> dict[str, Any]:
    """The analyst's script in a fresh process."""
    cmd = [sys.executable, str(ROOT / "bench" / "plain_script.py"), str(drive["drive"]), PERIOD, wh.url,
           "--evaluate", str(evaluation)]
    run: Measured = measure(cmd, cwd=ROOT)
    if run.returncode:
        raise SystemExit(f"the plain script failed on {drive['name']} ({wh.engine}):\n{run.stderr[-3000:]}")
    rows = len(json.loads(evaluation.read_text())["rows"])
    return {"seconds": run.seconds, "peak_mib": run.peak_mib, "rows": rows}


# ---- report -------------------------------------------------------------------------------------------------

def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    from importlib.metadata import version

    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem = next((int(line.split()[1]) // 1024 for line in meminfo if line.startswith("MemTotal")), 0)
    return {"cpus": os.cpu_count(), "memory_mib": mem, "python": platform.python_version(),
            "platform": platform.platform(), "prefect": version("prefect"), "pandas": version("pandas"),
            "load_average": os.getloadavg()}


def print_comparison(results: dict[str, Any]) -> None:
    table = Table(title=f"National month ({results['rows_true']:,} rows): median of {results['rounds']} rounds on SQLite, "
                        f"{results['postgres_rounds']} on PostgreSQL")
    for col in ("engine", "runner", "wall s", "rows/s", "peak MiB", "precision", "recall", "rejected", "lost",
                "workers (true)"):
        table.add_column(col, justify="right" if col not in ("engine", "runner") else "left")
    for engine, by_runner in results["compare"].items():
        for runner, r in by_runner.items():
            q = r["quality"]
            table.add_row(engine, runner, f"{r['seconds']:.1f}", f"{r['rows_per_s']:,.0f}", f"{r['peak_mib']:,.0f}",
                          f"{q['precision']:.4f}", f"{q['recall']:.4f}", f"{q['rejected']:,}", f"{q['lost']:,}",
                          f"{q['workers']:,} ({q['workers_true']:,})")
        if {"flow", "plain"} <= by_runner.keys():
            table.add_row(engine, "[bold]speed-up[/]", f"[bold]{by_runner['plain']['seconds'] / by_runner['flow']['seconds']:.2f}x[/]",
                          "", "", "", "", "", "", "")
    console.print(table)


def print_stages(stages: dict[str, float], wall: float) -> None:
    table = Table(title="Flow time per stage (median, national x1, SQLite)")
    table.add_column("stage")
    table.add_column("seconds", justify="right")
    table.add_column("share", justify="right")
    for name in ("startup", "prepare", "discover", "read", "validate", "dedupe", "compliance", "load", "review",
                 "orchestration"):
        if name in stages:
            table.add_row(name, f"{stages[name]:.2f}", f"{stages[name] / wall:.0%}")
    table.add_row("[bold]process wall[/]", f"{wall:.2f}", "100%")
    console.print(table)


def print_scaling(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Growth of cost (flow, SQLite, one run each)")
    for col in ("drive", "rows", "wall s", "rows/s", "peak MiB", "time vs previous", "rows vs previous"):
        table.add_column(col, justify="left" if col == "drive" else "right")
    prev = None
    for r in rows:
        table.add_row(r["drive"], f"{r['rows']:,}", f"{r['seconds']:.1f}", f"{r['rows'] / r['seconds']:,.0f}",
                      f"{r['peak_mib']:,.0f}", f"{r['seconds'] / prev['seconds']:.2f}x" if prev else "",
                      f"{r['rows'] / prev['rows']:.2f}x" if prev else "")
        prev = r
    console.print(table)


# ---- main ---------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds on SQLite (default 2)")
    parser.add_argument("--postgres-rounds", type=int, default=1, help="rounds on PostgreSQL (default 1)")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--scales", default="0.25,0.5,1,2", help="national size factors for the growth table")
    parser.add_argument("--quick", action="store_true", help="kukar and national x1/4 only, one round")
    args = parser.parse_args()
    started = time.perf_counter()
    engines = [e for e in args.engines.split(",") if e]
    if "postgresql" in engines and (reason := postgres_reason()):
        console.print(f"[bold red]PostgreSQL NOT REACHABLE ({reason}): PostgreSQL figures are SKIPPED.[/] "
                      f"Set {POSTGRES_ENV} to a server URL to include them.")
        engines.remove("postgresql")
    factors = [float(f) for f in args.scales.split(",") if f]
    main_factor = 0.25 if args.quick else 1.0
    if args.quick:
        args.rounds, args.postgres_rounds, factors = 1, 1, [0.25]

    results: dict[str, Any] = {"machine": machine(), "started": dt.datetime.now(dt.UTC).isoformat(),
                               "command": " ".join(["python3 dev.py bench", *sys.argv[1:]]), "drives": {}}
    # Drives are generated in two processes, biggest first (each generator is single-threaded).
    wanted: list[tuple[Any, str, float]] = [("kukar", "kukar", 1.0),
                                            *((f, "national", f) for f in sorted({*factors, main_factor}))]
    generating = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(ensure_drive, scale, factor)
                   for key, scale, factor in sorted(wanted, key=lambda w: -w[2] * (w[1] == "national"))}
        drives = {key: futures[key].result() for key, _, _ in wanted}
    results["drives"] = {d["name"]: {"generated": d["generated"]} for d in drives.values()}
    results["drive_generation_s"] = time.perf_counter() - generating
    main_drive = drives[main_factor]
    truth = json.loads(main_drive["truth"].read_text())
    results["rows_true"] = truth["expected"]["rows_total"]

    with tempfile.TemporaryDirectory(prefix="tka-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with PrefectServer(tmp / "prefect", str(BIN / "prefect")) as server:
            console.print(f"Prefect server started in {server.startup_seconds:.1f} s (reported apart, not in "
                          f"the flow's time).")
            os.environ.update(PREFECT_API_URL=server.url, PREFECT_HOME=str(server.home))  # before prefect loads
            results["prefect_server_startup_s"] = server.startup_seconds

            # warm-up: the kukar month once, so first-import disk caching does not favour either runner
            wh = Warehouse("sqlite", tmp)
            kukar = run_flow(drives["kukar"], wh, server, tmp / "cache-kukar")
            results["kukar"] = {"flow": {k: kukar[k] for k in ("seconds", "peak_mib", "rows")},
                                "quality": flow_quality(wh, json.loads(drives["kukar"]["truth"].read_text()))}
            wh.drop()

            results["rounds"], results["postgres_rounds"] = args.rounds, args.postgres_rounds
            results["compare"] = {}
            stage_runs: list[dict[str, float]] = []
            rerun_ratio = None
            for engine in engines:
                rounds = args.rounds if engine == "sqlite" else args.postgres_rounds
                runs: dict[str, list[dict[str, Any]]] = {"flow": [], "plain": []}
                quality: dict[str, dict[str, Any]] = {}
                for index in range(rounds):
                    order = ("flow", "plain") if index % 2 == 0 else ("plain", "flow")
                    for runner in order:
                        console.print(f"  {engine} round {index + 1}/{rounds}: {runner}…")
                        wh = Warehouse(engine, tmp)
                        try:
                            if runner == "flow":
                                cache = tmp / f"cache-{uuid.uuid4().hex[:6]}"
                                r = run_flow(main_drive, wh, server, cache)
                                if engine == "sqlite":
                                    stage_runs.append(r["stages"])
                                quality.setdefault("flow", flow_quality(wh, truth))
                                if engine == "sqlite" and rerun_ratio is None:
                                    again = run_flow(main_drive, wh, server, cache, first_run=False)
                                    rerun_ratio = {"first_s": r["seconds"], "rerun_s": again["seconds"],
                                                   "ratio": again["seconds"] / r["seconds"],
                                                   "rerun_stages": again["stages"]}
                                shutil.rmtree(cache, ignore_errors=True)
                            else:
                                evaluation = tmp / "plain-eval.json"
                                r = run_plain(main_drive, wh, evaluation)
                                quality.setdefault("plain", plain_quality(evaluation, truth))
                            runs[runner].append(r)
                        finally:
                            wh.drop()
                results["compare"][engine] = {
                    runner: {"seconds": _median([r["seconds"] for r in rs]),
                             "all_seconds": [round(r["seconds"], 2) for r in rs],
                             "peak_mib": max(r["peak_mib"] for r in rs),
                             "rows_per_s": truth["expected"]["rows_total"] / _median([r["seconds"] for r in rs]),
                             "quality": quality[runner]}
                    for runner, rs in runs.items() if rs}
            if stage_runs:
                results["stages"] = {k: _median([s.get(k, 0.0) for s in stage_runs]) for k in stage_runs[0]}
            results["rerun"] = rerun_ratio

            scaling = []
            for factor in sorted(factors):
                if factor == main_factor and "sqlite" in results["compare"]:
                    flow = results["compare"]["sqlite"]["flow"]  # the comparison's runs are this point
                    scaling.append({"drive": main_drive["name"], "factor": factor, "rows": results["rows_true"],
                                    "seconds": flow["seconds"], "peak_mib": flow["peak_mib"]})
                    continue
                wh = Warehouse("sqlite", tmp)
                try:
                    console.print(f"  growth: national x{factor:g}…")
                    r = run_flow(drives[factor], wh, server, tmp / f"cache-x{factor:g}")
                finally:
                    wh.drop()
                scaling.append({"drive": drives[factor]["name"], "factor": factor, "rows": r["rows"],
                                "seconds": r["seconds"], "peak_mib": r["peak_mib"]})
            results["scaling"] = scaling

    results["total_seconds"] = time.perf_counter() - started
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))

    console.rule("Results")
    print_comparison(results)
    if "stages" in results:
        sqlite_flow = results["compare"].get("sqlite", {}).get("flow", {})
        print_stages(results["stages"], sqlite_flow.get("seconds", float("nan")))
    if results["rerun"]:
        rr = results["rerun"]
        console.print(f"No-change re-run: {rr['rerun_s']:.1f} s after a first run of {rr['first_s']:.1f} s "
                      f"= [bold]{rr['ratio']:.1%}[/] of the first run.")
    for engine, by_runner in results["compare"].items():
        if "flow" in by_runner:
            ep = by_runner["flow"]["quality"]["exact_passport"]
            console.print(f"Exact passport + nationality matching on the flow's normalised rows ({engine}): "
                          f"precision {ep['precision']:.4f}, recall {ep['recall']:.4f}.")
            break
    print_scaling(results["scaling"])
    console.print(f"Kukar month: {results['kukar']['flow']['seconds']:.1f} s, precision "
                  f"{results['kukar']['quality']['precision']:.4f}, recall {results['kukar']['quality']['recall']:.4f}.")
    generated = [n for n, d in results["drives"].items() if d["generated"]]
    console.print(f"Sample drives: {results['drive_generation_s']:.1f} s"
                  + (f" (generated {', '.join(generated)})." if generated else " (all cached)."))
    console.print(f"Prefect server start-up: {results['prefect_server_startup_s']:.1f} s. Machine: "
                  f"{results['machine']['cpus']} CPUs, {results['machine']['memory_mib']:,} MiB. "
                  f"Benchmark total {results['total_seconds'] / 60:.1f} min. Saved to {out.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
