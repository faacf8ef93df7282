"""`tka`: the command line of the pipeline, for the operator and the data steward."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tka.settings import PROJECT_ROOT, Settings, validate_period

app = typer.Typer(
    help="TKA pipeline: monthly foreign-worker data for a regency's Kesbangpol office.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
review_app = typer.Typer(help="Steward: review validation failures, waive them, export the month.",
                         no_args_is_help=True)
app.add_typer(review_app, name="review")

console = Console()
err = Console(stderr=True)

PeriodOpt = Annotated[str, typer.Option("--period", "-p", help="Report month, YYYY-MM (e.g. 2025-08).")]
DriveOpt = Annotated[str | None, typer.Option("--drive", help="Shared drive URL or folder [env TKA_DRIVE_URL].")]
WarehouseOpt = Annotated[str | None, typer.Option(
    "--warehouse", help="Warehouse SQLAlchemy URL, e.g. sqlite:///w.db or postgresql+psycopg://u@h/db "
                        "[env TKA_WAREHOUSE_URL].")]


def _period(value: str) -> str:
    try:
        return validate_period(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _settings(drive: str | None = None, warehouse: str | None = None) -> Settings:
    overrides: dict[str, Any] = {}
    if drive:
        overrides["drive_url"] = drive
    if warehouse:
        overrides["warehouse_url"] = warehouse
    return Settings(**overrides)


def _fail(message: str, hint: str) -> typer.Exit:
    err.print(f"[bold red]Error:[/] {message}\n[yellow]What to do:[/] {hint}")
    return typer.Exit(code=1)


# --------------------------------------------------------------------------------------------------------
@app.command()
def sample(
    period: PeriodOpt = "2025-08",
    scale: Annotated[str, typer.Option(help="kukar (~45 files, ~3,000 rows) or national (~1,000 files, "
                                            "~200,000 rows, for benchmarks).")] = "kukar",
    seed: Annotated[int, typer.Option(help="Random seed; the same seed writes byte-identical files.")] = 7,
    size: Annotated[float, typer.Option(help="Multiply the scale's companies and workers (e.g. 0.25 or 2; "
                                             "benchmarks use it to measure growth).", min=0.01, max=8)] = 1.0,
    out: Annotated[Path, typer.Option(help="Folder to write the sample shared drive into.")] = Path("data/drive"),
    truth: Annotated[Path, typer.Option(help="Where to write the ground truth JSON (keep it outside the drive).")]
    = Path("data/truth.json"),
) -> None:
    """Generate a realistic sample shared drive for one month, with its ground truth."""
    from rich.progress import Progress

    from tka.sample import generate_drive

    period = _period(period)
    if scale not in {"kukar", "national"}:
        raise typer.BadParameter("scale must be 'kukar' or 'national'")
    with Progress(console=err, transient=True) as bar:
        job = bar.add_task(f"Writing {scale} sample for {period}", total=None)
        expected = generate_drive(period, scale, seed, out, truth,
                                  progress=lambda done, total: bar.update(job, completed=done, total=total),
                                  size=size)
    table = Table(title=f"Sample drive {out} ({scale}, seed {seed})")
    table.add_column("expected")
    table.add_column("value", justify="right")
    for key, value in expected.items():
        table.add_row(key, str(len(value)) if isinstance(value, list) else str(value))
    console.print(table)
    console.print(f"Ground truth: {truth}")


# --------------------------------------------------------------------------------------------------------
SUMMARY_LABELS = {
    "files_total": "Files found",
    "files_read": "Files read",
    "files_quarantined": "Files quarantined",
    "files_superseded": "Files superseded by a newer version",
    "rows_total": "Rows read",
    "rows_accepted": "Rows accepted",
    "rows_rejected": "Rows rejected",
    "rows_flagged": "Rows loaded with warnings",
    "dependants": "Dependants (not counted as workers)",
    "workers": "Distinct workers loaded",
    "companies_missing": "Companies that did not report",
    "issues_open": "Open validation issues",
}


def print_summary(summary: dict[str, Any]) -> None:
    """Print a run summary as a readable table, then where the steward's material is."""
    table = Table(title=f"TKA monthly ingest — period {summary.get('period')}")
    table.add_column("")
    table.add_column("count", justify="right")
    for key, label in SUMMARY_LABELS.items():
        if key in summary:
            table.add_row(label, f"{summary[key]:,}")
    console.print(table)
    if summary.get("quarantined"):
        q = Table(title="Quarantined files (nothing from them was loaded)")
        q.add_column("file")
        q.add_column("reason")
        for item in summary["quarantined"]:
            q.add_row(item["path"], f"{item['reason']}: {item['message']}")
        console.print(q)
    if summary.get("missing_companies"):
        console.print("Companies that must report and did not: "
                      + ", ".join(summary["missing_companies"][:10])
                      + (" …" if len(summary["missing_companies"]) > 10 else ""))
    console.print(f"Steward's review material: [bold]{summary.get('review_dir')}[/]")
    console.print(f"Flow run: {summary.get('flow_run_id')}")


def run_ingest(period: str, settings: Settings, *, dry_run_alerts: bool | None, reprocess: bool = False,
               show_progress: bool = True) -> dict[str, Any]:
    """Run the monthly flow in this process (Prefect starts a local server if none is configured)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.monthly_ingest import monthly_ingest
    from tka import progress

    if not show_progress:
        return monthly_ingest(period=period, drive_url=settings.drive_url, warehouse_url=settings.warehouse_url,
                              dry_run_alerts=dry_run_alerts, reprocess=reprocess)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        jobs: dict[str, Any] = {}

        def listener(stage: str, done: int, total: int) -> None:
            if stage not in jobs:
                jobs[stage] = bar.add_task(stage, total=total)
            bar.update(jobs[stage], completed=done, total=total)

        with progress.listening(listener):
            return monthly_ingest(period=period, drive_url=settings.drive_url,
                                  warehouse_url=settings.warehouse_url, dry_run_alerts=dry_run_alerts,
                                  reprocess=reprocess)


@app.command()
def ingest(
    period: PeriodOpt,
    drive: DriveOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (for scripts) instead of "
                                                          "tables.")] = False,
    dry_run_alerts: Annotated[bool, typer.Option("--dry-run-alerts", help="Print alerts instead of sending "
                                                                           "them.")] = False,
    reprocess: Annotated[bool, typer.Option(help="Ignore cached work and read every file again.")] = False,
) -> None:
    """Run the monthly ingest flow for one period. Bad data never fails the run; exit 1 means the run failed."""
    period = _period(period)
    settings = _settings(drive, warehouse)
    try:
        summary = run_ingest(period, settings, dry_run_alerts=dry_run_alerts or None, reprocess=reprocess,
                             show_progress=not as_json)
    except Exception as exc:  # noqa: BLE001 - the flow failed: the operator needs the reason and the next step
        if as_json:
            print(json.dumps({"period": period, "status": "failed", "error": str(exc)}))
            raise typer.Exit(code=1) from None
        raise _fail(f"the run for {period} failed: {exc}",
                    "fix the cause (see the log above and the Prefect UI), then run the same command again; "
                    "a re-run is safe and replaces the period as a whole.") from None
    if as_json:
        print(json.dumps(summary, default=str, sort_keys=True))
    else:
        print_summary(summary)


@app.command()
def demo(
    period: PeriodOpt = "2025-08",
    folder: Annotated[Path, typer.Option(help="Where the demo drive, truth and warehouse go.")]
    = PROJECT_ROOT / "data" / "demo",
    seed: Annotated[int, typer.Option(help="Sample seed.")] = 7,
) -> None:
    """Generate a sample drive for one month and run the whole pipeline on it with the embedded defaults."""
    from tka.sample import generate_drive

    period = _period(period)
    drive, truth, db = folder / "drive", folder / "truth.json", folder / "warehouse.db"
    folder.mkdir(parents=True, exist_ok=True)
    console.rule(f"1/2 Sample shared drive for {period} → {drive}")
    generate_drive(period, "kukar", seed, drive, truth)
    console.rule("2/2 Monthly ingest (Prefect flow, SQLite warehouse)")
    settings = _settings(str(drive), f"sqlite:///{db}")
    summary = run_ingest(period, settings, dry_run_alerts=True)
    print_summary(summary)
    console.print(f"\nWarehouse: {db}  (table worker_month)\nGround truth of the sample: {truth}\n"
                  f"Next: [bold]tka review list --period {period} --warehouse sqlite:///{db}[/]")


# --------------------------------------------------------------------------------------------------------
@review_app.command("list")
def review_list(
    period: PeriodOpt,
    source: Annotated[str | None, typer.Option(help="Only this source kind (disnakertrans, imigrasi, "
                                                    "kecamatan, company, registry).")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule id (see `tka rules`).")] = None,
    status: Annotated[str | None, typer.Option(help="open, waived, fixed or replaced.")] = "open",
    limit: Annotated[int, typer.Option(help="Show at most this many rows.")] = 50,
    warehouse: WarehouseOpt = None,
) -> None:
    """List validation issues of a period (values masked where they are personal data)."""
    from tka.privacy import mask_issue_value
    from tka.warehouse import list_issues, make_engine

    engine = make_engine(_settings(warehouse=warehouse).warehouse_url)
    issues = list_issues(engine, _period(period), source=source, rule=rule, status=status)
    table = Table(title=f"Validation issues {period} — {len(issues):,} "
                        f"{status or 'any status'}" + (f", showing {limit}" if len(issues) > limit else ""))
    for col in ("id", "file", "sheet", "row", "column", "value", "rule", "severity", "status"):
        table.add_column(col)
    for rec in issues.head(limit).to_dict("records"):
        table.add_row(rec["issue_id"], rec["file_path"], str(rec["sheet"] or ""),
                      str(rec["row_number"] or ""), str(rec["column"] or ""),
                      mask_issue_value(rec["column"], rec["raw_value"]), rec["rule"], rec["severity"],
                      rec["status"])
    console.print(table)
    if len(issues):
        console.print("Waive a value that is correct: [bold]tka review waive ID … --note 'why'[/]; "
                      f"send corrections back with the workbooks in {_settings().drive_url}/_review/{period}/")


@review_app.command("show")
def review_show(issue_id: Annotated[str, typer.Argument(help="Issue id from `tka review list`.")],
                warehouse: WarehouseOpt = None) -> None:
    """Show one issue in full: where it is, what was typed, which rule, and its decision history."""
    from tka.contract import RULES
    from tka.warehouse import get_issue, make_engine

    issue = get_issue(make_engine(_settings(warehouse=warehouse).warehouse_url), issue_id)
    if issue is None:
        raise _fail(f"no issue with id {issue_id}", "copy the id from `tka review list --period P`.")
    table = Table(show_header=False, title=f"Issue {issue_id}")
    for key, value in issue.items():
        table.add_row(key, "" if value is None else str(value))
    rule = RULES.get(str(issue.get("rule")))
    if rule:
        table.add_row("pesan (untuk instansi)", rule.message_id)
    console.print(table)


@review_app.command("waive")
def review_waive(
    issue_ids: Annotated[list[str], typer.Argument(help="One or more issue ids.")],
    note: Annotated[str, typer.Option(help="Why the value is correct (kept with the decision).")],
    who: Annotated[str, typer.Option(help="Who decides [default: $USER].")] = "",
    warehouse: WarehouseOpt = None,
) -> None:
    """Accept the flagged values as correct: the next run of the period loads those rows."""
    from tka.warehouse import make_engine, waive

    who = who or os.environ.get("USER") or os.environ.get("USERNAME") or "steward"
    try:
        count = waive(make_engine(_settings(warehouse=warehouse).warehouse_url), issue_ids, note=note, who=who)
    except KeyError as exc:
        raise _fail(str(exc), "check the ids with `tka review list`.") from None
    console.print(f"{count} issue(s) waived by {who}. Run [bold]tka ingest --period P[/] again to load the rows.")


@review_app.command("export")
def review_export(
    period: PeriodOpt,
    out: Annotated[Path | None, typer.Option(help="Output .xlsx [default: <drive>/_review/<period>/"
                                                  "rekap_<period>.xlsx].")] = None,
    drive: DriveOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Write one workbook for the month: summary, every issue with its decision, company compliance."""
    from tka.validate import write_month_export
    from tka.warehouse import company_periods, list_issues, make_engine

    settings = _settings(drive, warehouse)
    period = _period(period)
    engine = make_engine(settings.warehouse_url)
    issues = list_issues(engine, period, status=None)
    compliance = company_periods(engine, period)
    data = write_month_export(issues, None, compliance)
    target = out or Path(settings.drive_url) / "_review" / period / f"rekap_{period}.xlsx"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    console.print(f"Wrote {target} ({len(issues):,} issues, {len(compliance):,} companies).")


# --------------------------------------------------------------------------------------------------------
@app.command()
def compliance(period: PeriodOpt, warehouse: WarehouseOpt = None) -> None:
    """Print which companies reported for a period, which are late or missing, and escalations."""
    from tka.compliance import render_table
    from tka.warehouse import company_periods, make_engine

    frame = company_periods(make_engine(_settings(warehouse=warehouse).warehouse_url), _period(period))
    if frame.empty:
        raise _fail(f"no compliance data for {period}", f"run `tka ingest --period {period}` first.")
    console.print(render_table(frame))


@app.command()
def rules() -> None:
    """List the validation rules, their severity and the message agencies receive."""
    from tka.contract import RULES

    table = Table(title="Validation rules")
    for col in ("rule", "severity", "pesan untuk instansi"):
        table.add_column(col)
    for rule in RULES.values():
        table.add_row(rule.id, rule.severity.value, rule.message_id)
    console.print(table)


@app.command()
def runs(period: Annotated[str | None, typer.Option("--period", "-p", help="Only this period.")] = None,
         warehouse: WarehouseOpt = None) -> None:
    """Operator: recent runs and the file ledger of a period (which file versions were loaded)."""
    from tka.warehouse import file_ledger, make_engine, recent_runs

    engine = make_engine(_settings(warehouse=warehouse).warehouse_url)
    table = Table(title="Recent runs")
    for col in ("run", "period", "status", "started", "finished"):
        table.add_column(col)
    for rec in recent_runs(engine, period).to_dict("records"):
        table.add_row(str(rec["run_id"]), rec["period"], rec["status"], str(rec["started_at"]),
                      str(rec["finished_at"] or ""))
    console.print(table)
    if period:
        ledger = file_ledger(engine, _period(period))
        t2 = Table(title=f"File ledger {period}")
        for col in ("path", "sha256", "status", "reason", "rows"):
            t2.add_column(col)
        for rec in ledger.to_dict("records"):
            t2.add_row(rec["path"], rec["file_sha256"][:12], rec["status"], str(rec["quarantine_reason"] or ""),
                       str(rec["rows_read"] or ""))
        console.print(t2)


@app.command()
def backfill(
    start: Annotated[str, typer.Option("--from", help="First period, YYYY-MM.")],
    end: Annotated[str, typer.Option("--to", help="Last period, YYYY-MM (inclusive).")],
    drive: DriveOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Operator: ingest a range of periods in order (each one is a separate, idempotent run)."""
    from flows.backfill import period_range

    settings = _settings(drive, warehouse)
    for period in period_range(_period(start), _period(end)):
        console.rule(period)
        print_summary(run_ingest(period, settings, dry_run_alerts=None))


def main() -> None:  # pragma: no cover - console entry point
    """Entry point used by ``python -m tka``."""
    app(prog_name="tka")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


from tka.cli_report import temuan

app.command(name="temuan")(temuan)
