"""`tka`: the command line of the pipeline, for the operator and the data steward (messages in Indonesian)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.table import Table

from tka.cli_channels import channels_app
from tka.cli_errors import friendly, log_path, one_line, quiet_console_logging, umask_private, write_log
from tka.cli_files import files_app
from tka.cli_layout import layout_app
from tka.cli_reference import reference_app
from tka.cli_report import temuan
from tka.guards import GuardError
from tka.settings import PROJECT_ROOT, Settings, settings_file, validate_period

if TYPE_CHECKING:
    from sqlalchemy import Engine

app = typer.Typer(
    help="Pipeline TKA: data bulanan tenaga kerja asing untuk Kesbangpol kabupaten.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
review_app = typer.Typer(help="Steward: periksa masalah validasi, kecualikan, ekspor bulan.", no_args_is_help=True)
app.add_typer(review_app, name="review")
app.add_typer(layout_app, name="layout")
app.add_typer(reference_app, name="negara")
app.add_typer(files_app, name="berkas")
app.command(name="temuan")(temuan)
app.command(name="findings", help="Alias of `temuan` (cross-source findings).")(temuan)
app.add_typer(channels_app, name="kanal")

console = Console()
err = Console(stderr=True)
WITA = ZoneInfo("Asia/Makassar")

PeriodOpt = Annotated[str, typer.Option("--period", "-p", help="Bulan laporan, YYYY-MM (mis. 2025-08).")]
DriveOpt = Annotated[str | None, typer.Option(
    "--drive", help="URL atau folder drive bersama [tka.toml drive_url / env TKA_DRIVE_URL].")]
WarehouseOpt = Annotated[str | None, typer.Option(
    "--warehouse", help="URL SQLAlchemy gudang data, mis. sqlite:///w.db atau postgresql+psycopg://u@h/db "
                        "[tka.toml warehouse_url / env TKA_WAREHOUSE_URL]; kata sandi lewat "
                        "TKA_WAREHOUSE_PASSWORD.")]
AllowShrinkOpt = Annotated[bool, typer.Option(
    "--allow-shrink", help="Izinkan muatan dengan berkas, baris atau pekerja lebih sedikit dari yang sudah "
                           "dimuat untuk periode itu.")]


def _period(value: str) -> str:
    try:
        return validate_period(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _settings(drive: str | None = None, warehouse: str | None = None) -> Settings:
    """Options, then tka.toml, then TKA_* variables; a password in the warehouse URL moves to this process's
    TKA_WAREHOUSE_PASSWORD so it never reaches a flow parameter."""
    from pydantic import ValidationError

    from tka.credentials import PASSWORD_ENV, split_password
    from tka.guards import parse_warehouse_url

    overrides: dict[str, Any] = {}
    if drive:
        overrides["drive_url"] = drive
    if warehouse:
        overrides["warehouse_url"] = warehouse
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "?"
        raise GuardError(f"Pengaturan '{where}' tidak valid ({first.get('msg')}); periksa {settings_file()} dan "
                         "variabel TKA_*.") from None
    except ValueError as exc:  # a TOML syntax error
        raise GuardError(f"Berkas pengaturan {settings_file()} tidak dapat dibaca: {str(exc).splitlines()[0]}."
                         ) from None
    parse_warehouse_url(settings.warehouse_url)
    url, password = split_password(settings.warehouse_url)
    if password is not None:
        os.environ.setdefault(PASSWORD_ENV, password)
        settings = settings.model_copy(update={"warehouse_url": url})
    return settings


def _steward_engine(settings: Settings) -> Engine:
    """The warehouse of a steward command; one line and no new empty database when it does not exist."""
    from tka.credentials import connectable_url
    from tka.guards import check_warehouse
    from tka.warehouse import make_engine

    url = connectable_url(settings.warehouse_url, settings.warehouse_password_secret)
    check_warehouse(settings.warehouse_url, must_exist=True, connect_url=url)
    return make_engine(url)


def _fail(message: str, hint: str) -> typer.Exit:
    err.print(f"[bold red]Gagal:[/] {message}\n[yellow]Langkah berikutnya:[/] {hint}")
    return typer.Exit(code=1)


def _missing(value: Any) -> bool:
    """None, NaN or NaT."""
    import pandas as pd

    return value is None or bool(pd.isna(value)) if not isinstance(value, list | dict) else False


def _int(value: Any) -> str:
    """A count as an integer text ("" when missing): never nan, never 858.0."""
    try:
        if _missing(value):
            return ""
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return str(value)


def _when(value: Any) -> str:
    """A timestamp in WITA, to the minute ("" when missing)."""
    if _missing(value):
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return f"{value.astimezone(WITA):%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------------------------------------
@app.command()
@friendly
def sample(
    period: PeriodOpt = "2025-08",
    scale: Annotated[str, typer.Option(help="kukar (~45 berkas, ~3.000 baris) atau national (~1.000 berkas, "
                                            "~200.000 baris, untuk benchmark).")] = "kukar",
    seed: Annotated[int, typer.Option(help="Benih acak; benih yang sama menulis berkas yang identik (berkas "
                                           "bersandi: identik setelah dibuka).")] = 7,
    size: Annotated[float, typer.Option(help="Kalikan jumlah perusahaan dan pekerja (mis. 0.25 atau 2; "
                                             "benchmark memakainya untuk mengukur pertumbuhan).", min=0.01,
                                        max=8)] = 1.0,
    out: Annotated[Path, typer.Option(help="Folder tujuan drive contoh.")] = Path("data/drive"),
    truth: Annotated[Path, typer.Option(help="Tujuan JSON kebenaran dasar (simpan di luar drive).")]
    = Path("data/truth.json"),
) -> None:
    """Buat drive bersama contoh yang realistis untuk satu bulan, beserta kebenaran dasarnya."""
    from rich.progress import Progress

    from tka.sample import generate_drive

    period = _period(period)
    if scale not in {"kukar", "national"}:
        raise typer.BadParameter("scale harus 'kukar' atau 'national'")
    with Progress(console=err, transient=True) as bar:
        job = bar.add_task(f"Menulis contoh {scale} untuk {period}", total=None)
        expected = generate_drive(period, scale, seed, out, truth,
                                  progress=lambda done, total: bar.update(job, completed=done, total=total),
                                  size=size)
    table = Table(title=f"Drive contoh {out} ({scale}, benih {seed})")
    table.add_column("diharapkan")
    table.add_column("nilai", justify="right")
    for key, value in expected.items():
        table.add_row(key, str(len(value)) if isinstance(value, list) else str(value))
    console.print(table)
    console.print(f"Kebenaran dasar: {truth}")


# --------------------------------------------------------------------------------------------------------
SUMMARY_LABELS = {
    "files_total": "Berkas ditemukan",
    "files_read": "Berkas dibaca",
    "files_quarantined": "Berkas dikarantina",
    "files_superseded": "Berkas digantikan versi lebih baru",
    "rows_total": "Baris dibaca",
    "rows_accepted": "Baris diterima",
    "rows_rejected": "Baris ditolak",
    "rows_flagged": "Baris dimuat dengan peringatan",
    "dependants": "Tanggungan (tidak dihitung sebagai pekerja)",
    "workers": "Pekerja berbeda yang dimuat",
    "companies_missing": "Perusahaan yang tidak melapor",
    "issues_open": "Masalah validasi terbuka",
    "headers_guessed": "Judul kolom ditebak dari kata-katanya (konfirmasi: tka layout daftar)",
    "columns_missing": "Kolom yang diharapkan tidak ada",
    "columns_unexpected": "Judul kolom tidak dikenal (tidak dibaca)",
}
ALERT_LABELS = {"sent": "terkirim", "dry_run": "uji coba (dicetak)", "printed": "dicetak (kanal belum ada)",
                "none": "tidak ada", "failed": "GAGAL", "partial": "sebagian GAGAL"}
RUN_LABELS = {"running": "berjalan", "loaded": "dimuat", "completed": "selesai", "unchanged": "tidak berubah",
              "failed": "GAGAL"}
LEDGER_LABELS = {"loaded": "dimuat", "quarantined": "dikarantina", "superseded": "digantikan", "seen": "terlihat"}


def alert_outcome(alerts: list[dict[str, Any]] | None) -> str:
    """The run's alert status from its summary's ``alerts_sent`` (none, sent, dry_run, failed, partial)."""
    if not alerts:
        return "none"
    failed = sum(1 for a in alerts if a.get("failed"))
    if failed:
        return "failed" if failed == len(alerts) else "partial"
    return "dry_run" if all(a.get("dry_run") for a in alerts) else "sent"


def print_summary(summary: dict[str, Any]) -> None:
    """Print a run summary as a readable table, then where the steward's material is."""
    title = f"Ingest bulanan TKA — periode {summary.get('period')}"
    if summary.get("unchanged"):
        title += " (tidak ada yang berubah; muatan sebelumnya dikonfirmasi)"
    table = Table(title=title)
    table.add_column("")
    table.add_column("jumlah", justify="right")
    for key, label in SUMMARY_LABELS.items():
        if key in summary:
            table.add_row(label, _int(summary[key]))
    console.print(table)
    if summary.get("quarantined"):
        q = Table(title="Berkas dikarantina (tidak ada isinya yang dimuat)")
        q.add_column("berkas")
        q.add_column("alasan")
        for item in summary["quarantined"]:
            q.add_row(item["path"], f"{item['reason']}: {item['message']}")
        console.print(q)
    if summary.get("revision_candidates"):
        r = Table(title="Mungkin revisi satu sama lain (keduanya dimuat; putuskan dengan `tka berkas`)")
        r.add_column("berkas lama")
        r.add_column("berkas baru")
        r.add_column("TKA sama", justify="right")
        for pair in summary["revision_candidates"][:10]:
            ratio = "" if pair["ratio"] is None else f"{round(pair['ratio'] * 100)}%"
            r.add_row(pair["older"], pair["newer"], ratio)
        console.print(r)
        console.print("[bold]tka berkas ganti <berkas lama> --dengan <berkas baru>[/] atau "
                      "[bold]tka berkas pertahankan <berkas>[/]")
    if summary.get("missing_companies"):
        console.print("Perusahaan wajib lapor yang tidak melapor: "
                      + ", ".join(summary["missing_companies"][:10])
                      + (" …" if len(summary["missing_companies"]) > 10 else ""))
    status = alert_outcome(summary.get("alerts_sent"))
    console.print(f"Peringatan laporan: {ALERT_LABELS[status]}"
                  + (" — muatan tetap tersimpan; lihat `tka runs` dan log" if status in {"failed", "partial"}
                     else ""))
    if summary.get("review_dir"):
        console.print(f"Bahan pemeriksaan steward: [bold]{summary.get('review_dir')}[/]")
    console.print(f"Flow run: {summary.get('flow_run_id')}")


def preflight(settings: Settings, period: str) -> None:
    """Before Prefect starts: the warehouse answers and the drive has the period's folder (seconds)."""
    from tka.credentials import connectable_url
    from tka.guards import check_drive, check_warehouse
    from tka.read import load_sources_config, open_drive

    check_warehouse(settings.warehouse_url, must_exist=False,
                    connect_url=connectable_url(settings.warehouse_url, settings.warehouse_password_secret))
    try:
        fs, root = open_drive(settings.drive_url)
    except (ImportError, ValueError) as exc:
        raise GuardError(f"URL drive {settings.drive_url} tidak dapat dipakai: {str(exc).splitlines()[0]}. "
                         "Perbaiki --drive / drive_url di tka.toml / TKA_DRIVE_URL.") from None
    layout = load_sources_config(settings.config_dir / "sources.yaml").layout
    check_drive(fs, root, period, layout, settings.drive_url)


def run_ingest(period: str, settings: Settings, *, dry_run_alerts: bool | None, reprocess: bool = False,
               show_progress: bool = True, allow_shrink: bool = False) -> dict[str, Any]:
    """Run the monthly flow in this process (Prefect starts a local server if none is configured)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.monthly_ingest import monthly_ingest
    from tka import progress

    params: dict[str, Any] = {"period": period, "drive_url": settings.drive_url, "warehouse_url": settings.warehouse_url,
              "dry_run_alerts": dry_run_alerts, "reprocess": reprocess, "allow_shrink": allow_shrink}
    if not show_progress:
        return monthly_ingest(**params)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        jobs: dict[str, Any] = {}

        def listener(stage: str, done: int, total: int) -> None:
            if stage not in jobs:
                jobs[stage] = bar.add_task(stage, total=total)
            bar.update(jobs[stage], completed=done, total=total)

        with progress.listening(listener):
            return monthly_ingest(**params)


def _failure(exc: BaseException, settings: Settings | None) -> tuple[str, int, Path | None]:
    """(one line for the screen, exit code, log file) of a failed run; the traceback goes to the log."""
    if isinstance(exc, GuardError):
        return str(exc), exc.exit_code, None
    path = write_log(f"run failed: {type(exc).__name__}", exc, settings)
    return one_line(exc), 1, path


@app.command()
@friendly
def ingest(
    period: PeriodOpt,
    drive: DriveOpt = None,
    warehouse: WarehouseOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Cetak tepat satu objek JSON (untuk skrip) di stdout, "
                                                          "bukan tabel.")] = False,
    dry_run_alerts: Annotated[bool, typer.Option("--dry-run-alerts", help="Cetak peringatan, jangan "
                                                                           "kirim.")] = False,
    reprocess: Annotated[bool, typer.Option(help="Abaikan pekerjaan tersimpan dan baca ulang semua berkas.")]
    = False,
    allow_shrink: AllowShrinkOpt = False,
) -> None:
    """Jalankan flow ingest bulanan untuk satu periode. Data buruk tidak menggagalkan run; kode keluar bukan 0
    berarti run gagal (2: pemeriksaan awal, 3: gudang data sedang dipakai)."""
    period = _period(period)
    umask_private()
    settings: Settings | None = None
    stdout = sys.stdout
    # --json: stdout carries the one JSON object; panels, progress and library output go to stderr.
    redirect = contextlib.redirect_stdout(sys.stderr) if as_json else contextlib.nullcontext()
    try:
        with redirect:
            settings = _settings(drive, warehouse)
            preflight(settings, period)
            with quiet_console_logging(settings):
                summary = run_ingest(period, settings, dry_run_alerts=dry_run_alerts or None,
                                     reprocess=reprocess, show_progress=not as_json, allow_shrink=allow_shrink)
    except Exception as exc:  # noqa: BLE001 - the run failed: one line, the traceback in the log
        line, code, path = _failure(exc, settings)
        if as_json:
            stdout.write(json.dumps({"period": period, "status": "failed", "error": line,
                                     "log": str(path) if path else None}, ensure_ascii=False) + "\n")
            raise typer.Exit(code=code) from None
        err.print(f"[bold red]Gagal:[/] run periode {period}: {line}", soft_wrap=True)
        if path:
            err.print(f"Rincian lengkap (traceback) ada di log: {path}", soft_wrap=True)
        err.print("[yellow]Langkah berikutnya:[/] perbaiki penyebabnya, lalu jalankan perintah yang sama lagi; "
                  "menjalankan ulang aman dan mengganti periode secara utuh.", soft_wrap=True)
        raise typer.Exit(code=code) from None
    if as_json:
        stdout.write(json.dumps(summary, default=str, sort_keys=True, ensure_ascii=False) + "\n")
    else:
        print_summary(summary)


@app.command()
@friendly
def demo(
    period: PeriodOpt = "2025-08",
    folder: Annotated[Path, typer.Option(help="Tujuan drive, kebenaran dasar dan gudang data demo.")]
    = PROJECT_ROOT / "data" / "demo",
    seed: Annotated[int, typer.Option(help="Benih contoh.")] = 7,
) -> None:
    """Buat drive contoh untuk satu bulan dan jalankan seluruh pipeline padanya."""
    from tka.sample import generate_drive

    period = _period(period)
    umask_private()
    drive, truth, db = folder / "drive", folder / "truth.json", folder / "warehouse.db"
    folder.mkdir(parents=True, exist_ok=True)
    console.rule(f"1/2 Drive bersama contoh untuk {period} → {drive}")
    generate_drive(period, "kukar", seed, drive, truth)
    console.rule("2/2 Ingest bulanan (flow Prefect, gudang data SQLite)")
    settings = _settings(str(drive), f"sqlite:///{db}")
    preflight(settings, period)
    with quiet_console_logging(settings):
        summary = run_ingest(period, settings, dry_run_alerts=True)
    print_summary(summary)
    console.print(f"\nGudang data: {db}  (tabel worker_month)\nKebenaran dasar contoh: {truth}\n"
                  f"Berikutnya: [bold]tka review list --period {period} --warehouse sqlite:///{db}[/]")


# --------------------------------------------------------------------------------------------------------
def _source_folders(settings: Settings) -> dict[str, str]:
    """Folder -> source kind, from config/sources.yaml."""
    from tka.read import load_sources_config

    config = load_sources_config(settings.config_dir / "sources.yaml")
    return {spec.folder: str(spec.kind or name) for name, spec in config.sources.items()}


def _rule_ids() -> list[str]:
    from tka.contract import QUARANTINE_REASONS, RULES

    return [*RULES, *(f"file:{reason}" for reason in QUARANTINE_REASONS)]


@review_app.command("list")
@friendly
def review_list(
    period: PeriodOpt,
    source: Annotated[str | None, typer.Option(help="Hanya sumber ini: folder (disnakertrans, imigrasi, "
                                                    "kecamatan, perusahaan, registri) atau jenisnya.")] = None,
    rule: Annotated[str | None, typer.Option(help="Hanya aturan ini (lihat `tka rules`).")] = None,
    status: Annotated[str | None, typer.Option(help="terbuka (open), dikecualikan (waived), diperbaiki (fixed), "
                                                    "diganti (replaced) atau semua.")] = "open",
    limit: Annotated[int, typer.Option(help="Tampilkan paling banyak sekian baris.")] = 50,
    warehouse: WarehouseOpt = None,
    drive: DriveOpt = None,
) -> None:
    """Daftar masalah validasi suatu periode (nilai data pribadi disamarkan)."""
    from tka.filters import STATUS_LABELS, resolve_rule, resolve_source, resolve_status
    from tka.privacy import mask_issue_value
    from tka.warehouse import list_issues

    period = _period(period)
    settings = _settings(drive, warehouse)
    kind = resolve_source(source, _source_folders(settings))
    rule_id = resolve_rule(rule, _rule_ids())
    wanted = resolve_status(status)
    issues = list_issues(_steward_engine(settings), period, source=kind, rule=rule_id, status=wanted)
    label = STATUS_LABELS.get(wanted, wanted) if wanted else "semua status"
    table = Table(title=f"Masalah validasi {period} — {len(issues):,} {label}".replace(",", ".")
                        + (f", menampilkan {limit}" if len(issues) > limit else ""))
    for col in ("id", "berkas", "lembar", "baris", "kolom", "nilai", "aturan", "tingkat", "status"):
        table.add_column(col)
    for rec in issues.head(limit).to_dict("records"):
        table.add_row(rec["issue_id"], rec["file_path"], str(rec["sheet"] or ""), _int(rec["row_number"]),
                      str(rec["column"] or ""), mask_issue_value(rec["column"], rec["raw_value"]), rec["rule"],
                      rec["severity"], STATUS_LABELS.get(rec["status"], rec["status"]))
    console.print(table)
    if len(issues):
        console.print("Kecualikan nilai yang benar: [bold]tka review waive ID … --note 'alasan'[/]; "
                      f"kirim koreksi dengan buku kerja di {settings.drive_url}/_review/{period}/")


@review_app.command("show")
@friendly
def review_show(issue_id: Annotated[str, typer.Argument(help="Id masalah dari `tka review list`.")],
                warehouse: WarehouseOpt = None) -> None:
    """Tampilkan satu masalah lengkap: letaknya, nilai yang diketik, aturannya, dan riwayat keputusannya."""
    from tka.contract import RULES
    from tka.warehouse import get_issue

    issue = get_issue(_steward_engine(_settings(warehouse=warehouse)), issue_id)
    if issue is None:
        raise _fail(f"tidak ada masalah dengan id {issue_id}", "salin id dari `tka review list --period P`.")
    table = Table(show_header=False, title=f"Masalah {issue_id}")
    for key, value in issue.items():
        table.add_row(key, "" if value is None else str(value))
    rule = RULES.get(str(issue.get("rule")))
    if rule:
        table.add_row("pesan (untuk instansi)", rule.message_id)
    console.print(table)


@review_app.command("waive")
@friendly
def review_waive(
    issue_ids: Annotated[list[str], typer.Argument(help="Satu atau beberapa id masalah.")],
    note: Annotated[str, typer.Option(help="Mengapa nilainya benar (disimpan bersama keputusan).")],
    who: Annotated[str, typer.Option(help="Siapa yang memutuskan [bawaan: $USER].")] = "",
    warehouse: WarehouseOpt = None,
) -> None:
    """Terima nilai yang ditandai sebagai benar: run berikutnya memuat baris itu."""
    from tka.warehouse import waive

    who = who or os.environ.get("USER") or os.environ.get("USERNAME") or "steward"
    try:
        count = waive(_steward_engine(_settings(warehouse=warehouse)), issue_ids, note=note, who=who)
    except KeyError as exc:
        raise _fail(str(exc).strip("'\""), "periksa id dengan `tka review list`.") from None
    console.print(f"{count} masalah dikecualikan oleh {who}. Jalankan [bold]tka ingest --period P[/] lagi untuk "
                  "memuat barisnya.")


@review_app.command("export")
@friendly
def review_export(
    period: PeriodOpt,
    out: Annotated[Path | None, typer.Option(help="Berkas .xlsx tujuan [bawaan: <drive>/_review/<periode>/"
                                                  "rekap_<periode>.xlsx].")] = None,
    drive: DriveOpt = None,
    warehouse: WarehouseOpt = None,
) -> None:
    """Tulis satu buku kerja untuk bulan itu: ringkasan, setiap masalah dengan keputusannya, kepatuhan."""
    from tka.guards import drive_is_local
    from tka.validate import write_month_export
    from tka.warehouse import company_periods, list_issues

    umask_private()
    settings = _settings(drive, warehouse)
    period = _period(period)
    engine = _steward_engine(settings)
    if out is None:
        root = Path(settings.drive_url.removeprefix("file://"))
        if not drive_is_local(settings.drive_url) or not root.is_dir():
            raise GuardError(f"Drive {settings.drive_url} tidak ditemukan, jadi rekap tidak ditulis. Periksa "
                             "--drive / drive_url di tka.toml / TKA_DRIVE_URL, atau beri --out.")
        out = root / "_review" / period / f"rekap_{period}.xlsx"
    issues = list_issues(engine, period, status=None)
    compliance = company_periods(engine, period)
    data = write_month_export(issues, None, compliance)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    console.print(f"Ditulis {out} ({_int(len(issues))} masalah, {_int(len(compliance))} perusahaan).")


# --------------------------------------------------------------------------------------------------------
@app.command()
@friendly
def compliance(period: PeriodOpt, warehouse: WarehouseOpt = None) -> None:
    """Perusahaan mana yang melapor untuk suatu periode, mana yang terlambat atau tidak melapor, dan eskalasi."""
    from tka.compliance import render_table
    from tka.warehouse import company_periods

    period = _period(period)
    frame = company_periods(_steward_engine(_settings(warehouse=warehouse)), period)
    if frame.empty:
        raise _fail(f"belum ada data kepatuhan untuk {period}", f"jalankan `tka ingest --period {period}` dulu.")
    console.print(render_table(frame))


@app.command()
@friendly
def rules() -> None:
    """Daftar aturan validasi, tingkatnya, dan pesan yang diterima instansi."""
    from tka.contract import RULES

    table = Table(title="Aturan validasi")
    for col in ("aturan", "tingkat", "pesan untuk instansi"):
        table.add_column(col)
    for rule in RULES.values():
        table.add_row(rule.id, rule.severity.value, rule.message_id)
    console.print(table)


def _load_label(rec: dict[str, Any]) -> str:
    if not _missing(rec.get("loaded_at")):
        return "dimuat"
    return "tidak berubah" if rec["status"] == "unchanged" else "tidak dimuat"


@app.command()
@friendly
def runs(period: Annotated[str | None, typer.Option("--period", "-p", help="Hanya periode ini.")] = None,
         warehouse: WarehouseOpt = None) -> None:
    """Operator: run terakhir (status run, muatan, peringatan) dan buku berkas suatu periode."""
    from tka.frames import frame_records
    from tka.warehouse import file_ledger
    from tka.warehouse.runstate import run_rows

    period = _period(period) if period else None
    engine = _steward_engine(_settings(warehouse=warehouse))
    table = Table(title="Run terakhir (waktu WITA)")
    for col in ("run", "periode", "status run", "muatan", "peringatan", "mulai", "selesai"):
        table.add_column(col)
    for rec in frame_records(run_rows(engine, period)):
        alert = rec.get("alert_status")
        table.add_row(str(rec["run_id"]), rec["period"], RUN_LABELS.get(rec["status"], rec["status"]),
                      _load_label(rec), ALERT_LABELS.get(alert, "-") if isinstance(alert, str) else "-",
                      _when(rec["started_at"]), _when(rec["finished_at"]))
    console.print(table)
    if period:
        ledger = file_ledger(engine, period)
        t2 = Table(title=f"Buku berkas {period}")
        for col in ("berkas", "sha256", "status", "alasan", "baris"):
            t2.add_column(col)
        for rec in frame_records(ledger):
            reason = rec["quarantine_reason"]
            t2.add_row(rec["path"], rec["file_sha256"][:12], LEDGER_LABELS.get(rec["status"], rec["status"]),
                       reason if isinstance(reason, str) else "", _int(rec["rows_read"]))
        console.print(t2)


@app.command()
@friendly
def backfill(
    start: Annotated[str, typer.Option("--from", help="Periode pertama, YYYY-MM.")],
    end: Annotated[str, typer.Option("--to", help="Periode terakhir, YYYY-MM (ikut).")],
    drive: DriveOpt = None,
    warehouse: WarehouseOpt = None,
    stop_on_error: Annotated[bool, typer.Option("--stop-on-error", help="Berhenti pada bulan pertama yang gagal "
                                                                        "(bawaan: lanjut ke bulan berikutnya).")]
    = False,
    dry_run_alerts: Annotated[bool, typer.Option("--dry-run-alerts", help="Cetak peringatan, jangan "
                                                                           "kirim.")] = False,
    allow_shrink: AllowShrinkOpt = False,
) -> None:
    """Operator: ingest rentang periode berurutan (tiap bulan satu run tersendiri) dan laporkan per bulan."""
    from flows.backfill import period_range

    umask_private()
    settings = _settings(drive, warehouse)
    try:
        periods = period_range(_period(start), _period(end))
    except ValueError as exc:
        raise GuardError(str(exc)) from None
    results: list[tuple[str, str, dict[str, Any], str]] = []
    with quiet_console_logging(settings):
        for period in periods:
            err.print(f"Periode {period} …")
            try:
                preflight(settings, period)
                summary = run_ingest(period, settings, dry_run_alerts=dry_run_alerts or None,
                                     allow_shrink=allow_shrink)
            except Exception as exc:  # noqa: BLE001 - one month's failure is reported in the table
                line, _, path = _failure(exc, settings)
                results.append((period, "GAGAL", {}, line + (f" (log: {path})" if path else "")))
                if stop_on_error:
                    break
                continue
            outcome = "tidak berubah" if summary.get("unchanged") else "dimuat"
            results.append((period, outcome, summary, ""))
    table = Table(title=f"Backfill {start} s.d. {end}")
    for col in ("periode", "hasil", "pekerja", "baris", "dikarantina", "peringatan", "keterangan"):
        table.add_column(col, justify="right" if col in {"pekerja", "baris", "dikarantina"} else "left")
    for period, outcome, summary, note in results:
        alert = ALERT_LABELS[alert_outcome(summary.get("alerts_sent"))] if summary else "-"
        table.add_row(period, outcome, _int(summary.get("workers")), _int(summary.get("rows_total")),
                      _int(summary.get("files_quarantined")), alert, note)
    skipped = periods[len(results):]
    for period in skipped:
        table.add_row(period, "dilewati", "", "", "", "-", "berhenti karena --stop-on-error")
    Console().print(table)  # this invocation's terminal width (a module-level console keeps the first one)
    failed = [r[0] for r in results if r[1] == "GAGAL"]
    if failed:
        err.print(f"{len(failed)} bulan gagal: {', '.join(failed)}. Perbaiki penyebabnya lalu jalankan "
                  f"`tka ingest --period P` untuk bulan itu (log: {log_path(settings)}).", soft_wrap=True)
        raise typer.Exit(code=1)


def main() -> None:  # pragma: no cover - console entry point
    """Entry point used by ``python -m tka``."""
    app(prog_name="tka")


if __name__ == "__main__":  # pragma: no cover
    main()

