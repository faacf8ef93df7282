"""The `tka` command: one settings file, steward commands that never create a warehouse, filters that say when a
value is unknown, one JSON object with --json, integers in `tka runs`, one screen per failure."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from tka.cli import _int, alert_outcome, app
from tka.warehouse import make_engine, upgrade

ENV = {"COLUMNS": "200"}


@pytest.fixture
def cli() -> CliRunner:
    return CliRunner()


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_a_steward_command_on_a_missing_warehouse_says_so_in_one_line(cli, tmp_path):
    db = tmp_path / "none.db"
    result = cli.invoke(app, ["review", "list", "--period", "2025-08", "--warehouse", f"sqlite:///{db}"], env=ENV)
    assert result.exit_code == 2
    assert _lines(result.output) == [(f"Gagal: Gudang data {db} belum ada. Periksa --warehouse / warehouse_url di "
                                      "tka.toml / TKA_WAREHOUSE_URL, atau jalankan `tka ingest --period P` dulu.")]
    assert not db.exists()


def test_every_command_reads_the_settings_file(cli, tmp_path, monkeypatch):
    db = tmp_path / "dari-toml.db"
    (tmp_path / "tka.toml").write_text(f'warehouse_url = "sqlite:///{db}"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TKA_WAREHOUSE_URL", f"sqlite:///{tmp_path / 'dari-env.db'}")
    for args in (["runs"], ["compliance", "--period", "2025-08"], ["review", "list", "--period", "2025-08"]):
        result = cli.invoke(app, args, env=ENV)
        assert result.exit_code == 2 and f"Gudang data {db} belum ada" in result.output, (args, result.output)
    other = tmp_path / "lain.toml"
    other.write_text('drive_url = "/x"\n', encoding="utf-8")
    monkeypatch.setenv("TKA_SETTINGS_FILE", str(other))
    result = cli.invoke(app, ["runs"], env=ENV)
    assert f"Gudang data {tmp_path / 'dari-env.db'} belum ada" in result.output


def test_a_broken_settings_file_is_one_line(cli, tmp_path, monkeypatch):
    (tmp_path / "tka.toml").write_text('io_retries = "banyak"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli.invoke(app, ["runs"], env=ENV)
    assert result.exit_code == 2
    assert _lines(result.output)[0].startswith("Gagal: Pengaturan 'io_retries' tidak valid (")


def test_unknown_filter_values_are_refused_with_the_valid_ones(cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    result = cli.invoke(app, ["review", "list", "--period", "2025-08", "--source", "imigrasii", "--warehouse", url],
                        env=ENV)
    assert result.exit_code == 2
    assert _lines(result.output) == [("Gagal: Sumber 'imigrasii' tidak dikenal. Pilihan: disnakertrans, imigrasi, "
                                      "kecamatan, perusahaan, registri (atau jenisnya: company, disnakertrans, "
                                      "imigrasi, kecamatan, registry).")]
    result = cli.invoke(app, ["review", "list", "--period", "2025-08", "--rule", "paspor", "--warehouse", url],
                        env=ENV)
    assert result.exit_code == 2 and "Aturan 'paspor' tidak dikenal. Pilihan: " in result.output
    result = cli.invoke(app, ["review", "list", "--period", "2025-08", "--status", "tutup", "--warehouse", url],
                        env=ENV)
    assert result.exit_code == 2 and "Status 'tutup' tidak dikenal." in result.output
    for source in ("perusahaan", "registri", "company"):
        result = cli.invoke(app, ["review", "list", "--period", "2025-08", "--source", source, "--status",
                                  "terbuka", "--warehouse", url], env=ENV)
        assert result.exit_code == 0 and "Masalah validasi 2025-08 — 0 terbuka" in result.output, result.output


def test_a_missing_drive_fails_before_prefect_with_one_json_object(cli, tmp_path):
    started = time.monotonic()
    result = cli.invoke(app, ["ingest", "--period", "2025-08", "--drive", str(tmp_path / "kesbangpol"),
                              "--warehouse", f"sqlite:///{tmp_path / 'w.db'}", "--json"], env=ENV)
    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    assert json.loads(result.stdout) == {
        "period": "2025-08", "status": "failed", "log": None,
        "error": f"Drive {tmp_path / 'kesbangpol'} tidak ditemukan. Periksa apakah drive sudah terpasang, atau "
                 "perbaiki --drive / drive_url di tka.toml / TKA_DRIVE_URL. Tidak ada yang ditulis."}
    assert len(result.stdout.splitlines()) == 1
    assert not (tmp_path / "w.db").exists()


def test_a_warehouse_typo_fails_in_seconds_with_one_line(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("TKA_WAREHOUSE_PASSWORD", raising=False)  # the command sets it for its process
    (tmp_path / "drive" / "2025-08").mkdir(parents=True)
    started = time.monotonic()
    result = cli.invoke(app, ["ingest", "--period", "2025-08", "--drive", str(tmp_path / "drive"), "--warehouse",
                              "postgresql+psycopg://tka:rahasia@127.0.0.1:1/tka"], env=ENV)
    assert time.monotonic() - started < 5
    assert result.exit_code == 2
    lines = _lines(result.output)
    assert lines[0].startswith("Gagal: run periode 2025-08: Gudang data postgresql+psycopg://tka@127.0.0.1:1/tka "
                               "tidak dapat dihubungi:")
    assert lines[-1].startswith("Langkah berikutnya: perbaiki penyebabnya")
    assert len(lines) <= 4 and "rahasia" not in result.output


def test_an_unexpected_failure_prints_one_screen_and_logs_the_traceback(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("TKA_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr("tka.warehouse.list_issues", lambda *a, **k: 1 / 0)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    result = cli.invoke(app, ["review", "list", "--period", "2025-08", "--warehouse", url], env=ENV)
    assert result.exit_code == 1
    lines = _lines(result.output)
    assert lines[0] == "Gagal: ZeroDivisionError: division by zero"
    assert lines[1] == f"Rincian lengkap (traceback) ada di log: {tmp_path / 'logs' / 'tka.log'}"
    assert len(lines) <= 4 and "Traceback" not in result.output
    log = (tmp_path / "logs" / "tka.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in log and "ZeroDivisionError" in log


def test_counts_are_integers_and_alert_outcomes():
    assert [_int(858.0), _int(float("nan")), _int(None), _int(12345)] == ["858", "", "", "12.345"]
    assert alert_outcome([]) == "none"
    assert alert_outcome([{"channel": "a", "dry_run": True}]) == "dry_run"
    assert alert_outcome([{"channel": "a", "dry_run": False}, {"channel": "b", "dry_run": False,
                                                               "failed": True}]) == "partial"
