"""The flow's guards end to end: nothing is written when the drive, the period, the channels or the warehouse
lock say no, and a month is never replaced by less than it had unless --allow-shrink. Alerts that fail after the
load mark the alert, not the load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from flows.monthly_ingest import monthly_ingest
from tka.guards import GuardError
from tka.runlock import LockOwner, WarehouseBusyError, acquire
from tka.sample import generate_drive

PERIOD = "2025-08"
pytestmark = pytest.mark.slow


def warehouse_state(url: str) -> object:
    """SQLite: the database file's bytes (and its WAL, if any); PostgreSQL: every table's rows in key order."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        db = Path(parsed.database)
        wal = db.with_name(db.name + "-wal")
        return db.read_bytes(), wal.read_bytes() if wal.exists() else None
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            tables = sorted(sa.inspect(conn).get_table_names())
            return {t: sorted(map(repr, conn.execute(sa.text(f'SELECT * FROM "{t}"')).all())) for t in tables}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def drive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("guards")
    generate_drive(PERIOD, "kukar", 5, root / "drive", root / "truth.json", size=0.2)
    return root / "drive"


@pytest.fixture(scope="module")
def loaded(drive, warehouse_url_module, prefect_harness) -> tuple[dict, str]:
    summary = monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=warehouse_url_module,
                             dry_run_alerts=True)
    return summary, warehouse_url_module


def _copy(drive: Path, tmp_path: Path) -> Path:
    target = tmp_path / "drive"
    shutil.copytree(drive, target, ignore=shutil.ignore_patterns("_review"))
    return target


def test_a_missing_drive_fails_before_anything_is_written(loaded, tmp_path):
    _, url = loaded
    before = warehouse_state(url)
    missing = tmp_path / "kesbangpol"
    with pytest.raises(GuardError, match=f"^Drive {missing} tidak ditemukan"):
        monthly_ingest(period=PERIOD, drive_url=str(missing), warehouse_url=url, dry_run_alerts=True)
    assert warehouse_state(url) == before


def test_an_empty_period_or_no_registry_fails_before_anything_is_written(loaded, tmp_path):
    _, url = loaded
    before = warehouse_state(url)
    (tmp_path / "empty" / PERIOD).mkdir(parents=True)
    with pytest.raises(GuardError, match=f"^Folder periode {PERIOD} di drive .* kosong"):
        monthly_ingest(period=PERIOD, drive_url=str(tmp_path / "empty"), warehouse_url=url, dry_run_alerts=True)
    assert warehouse_state(url) == before
    (tmp_path / "nofolder").mkdir()
    with pytest.raises(GuardError, match=f"^Folder periode {PERIOD} tidak ada di drive"):
        monthly_ingest(period=PERIOD, drive_url=str(tmp_path / "nofolder"), warehouse_url=url,
                       dry_run_alerts=True)
    assert warehouse_state(url) == before


def test_a_shrinking_load_is_refused_then_allowed(loaded, drive, tmp_path):
    summary, url = loaded
    copy = _copy(drive, tmp_path)
    gone = min((copy / PERIOD / "kecamatan").iterdir())
    gone.unlink()
    before = warehouse_state(url)
    with pytest.raises(GuardError) as info:
        monthly_ingest(period=PERIOD, drive_url=str(copy), warehouse_url=url, dry_run_alerts=True)
    n = summary["files_total"]
    assert str(info.value) == (f"Periode {PERIOD} sudah dimuat dan muatan ini lebih kecil (berkas {n} -> {n - 1}; "
                               f"berkas yang hilang: {PERIOD}/kecamatan/{gone.name}). Tidak ada yang ditulis. "
                               "Periksa drive; jika memang benar, jalankan lagi dengan --allow-shrink.")
    assert warehouse_state(url) == before
    allowed = monthly_ingest(period=PERIOD, drive_url=str(copy), warehouse_url=url, dry_run_alerts=True,
                             allow_shrink=True)
    assert allowed["files_total"] == n - 1
    # the full drive again is no shrink: the month is back as it was
    again = monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=True)
    assert (again["files_total"], again["workers"], again["rows_total"]) == \
        (n, summary["workers"], summary["rows_total"])


def test_a_busy_warehouse_fails_clearly_and_writes_nothing(loaded, drive):
    _, url = loaded
    before = warehouse_state(url)
    owner = LockOwner("run-lain", "2025-07", "2026-12-03T06:00:00+00:00", "host", 1)
    with acquire(url, "gudang", owner), \
            pytest.raises(WarehouseBusyError, match=r"sedang dipakai oleh run run-lain \(periode 2025-07"):
        monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=True, reprocess=True)
    assert warehouse_state(url) == before


def test_missing_channels_fail_before_the_load_or_warn(loaded, drive, monkeypatch):
    from tka.warehouse import make_engine
    from tka.warehouse.runstate import run_rows

    _, url = loaded
    monkeypatch.setenv("TKA_ALERT_BLOCKS", "tka-tidak-ada")
    before = warehouse_state(url)
    with pytest.raises(GuardError) as info:
        monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=False)
    assert str(info.value).startswith("Kanal peringatan tka-tidak-ada belum ada di Prefect. Tidak ada yang "
                                      "ditulis. Buat dengan `tka kanal buat-webhook NAMA --url URL`")
    assert warehouse_state(url) == before
    monkeypatch.setenv("TKA_MISSING_CHANNELS", "warn")
    summary = monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=False)
    assert summary["alerts_sent"] == [{"channel": "tka-tidak-ada", "dry_run": True}]
    engine = make_engine(url)
    row = run_rows(engine, PERIOD).iloc[0]
    engine.dispose()
    assert (row["run_id"], row["status"], row["alert_status"]) == (summary["flow_run_id"], "completed", "printed")
    assert json.loads(row["alert_detail"]) == {"tka-tidak-ada": "printed"}


def test_an_alert_that_fails_after_the_load_marks_the_alert_not_the_load(loaded, drive, monkeypatch):
    from typer.testing import CliRunner

    from tka.cli import app
    from tka.warehouse import make_engine, period_snapshot
    from tka.warehouse.runstate import run_rows

    _, url = loaded
    cli = CliRunner()
    made = cli.invoke(app, ["kanal", "buat-webhook", "tka-uji-mati", "--url", "http://127.0.0.1:9/hook",
                            "--timpa"])
    assert made.exit_code == 0, made.output
    monkeypatch.setenv("TKA_ALERT_BLOCKS", "tka-uji-mati")
    summary = monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=False)
    assert summary["alerts_sent"] == [{"channel": "tka-uji-mati", "dry_run": False, "failed": True}]
    engine = make_engine(url)
    row = run_rows(engine, PERIOD).iloc[0]
    assert period_snapshot(engine, PERIOD)["alert_ledger"] == []  # nothing recorded as delivered
    engine.dispose()
    assert (row["status"], row["alert_status"]) == ("completed", "failed")
    assert row["loaded_at"] is not None
    assert json.loads(row["alert_detail"]) == {"tka-uji-mati": "failed: ConnectError"}
    runs = cli.invoke(app, ["runs", "--period", PERIOD, "--warehouse", url], env={"COLUMNS": "200"})
    assert runs.exit_code == 0, runs.output
    line = next(x for x in runs.output.splitlines() if summary["flow_run_id"][:8] in x)
    assert "selesai" in line and "dimuat" in line and "GAGAL" in line
    assert "nan" not in runs.output and ".0 " not in runs.output
