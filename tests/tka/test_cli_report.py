"""`tka temuan`: lists findings in Indonesian, masks passports, and refuses unknown kinds and missing warehouses."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from tka.cli import app
from tka.report.findings import FINDING_COLUMNS
from tka.warehouse import make_engine, replace_findings, upgrade

runner = CliRunner()


def _warehouse(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    upgrade(engine)
    evidence = json.dumps([{"record_key": "k:7", "source_kind": "registry", "file_path": "2025-08/x/Registri.xlsx",
                            "sheet": "Registri", "row_number": 7}])
    replace_findings(engine, "2025-08", "r1", pd.DataFrame(
        [{"period": "2025-08", "finding_id": "a" * 16, "kind": "employer_not_obliged", "worker_id": None,
          "company_nib": "8100000000001", "company_name": "PT ALFA", "detail": "{}", "evidence": evidence}],
        columns=list(FINDING_COLUMNS)))
    engine.dispose()
    return url


def test_lists_the_findings_with_their_evidence(tmp_path: Path) -> None:
    url = _warehouse(tmp_path)
    result = runner.invoke(app, ["temuan", "--period", "2025-08", "--warehouse", url], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "1 temuan untuk 2025-08: employer_not_obliged 1"
    assert "Pemberi kerja TKA di registri tanpa tanda Wajib Lapor (employer_not_obliged: 1)" in result.output
    assert "PT ALFA (NIB 8100000000001)" in result.output
    assert "registry: Registri.xlsx, Registri, baris 7" in result.output


def test_an_empty_kind_and_an_unknown_kind(tmp_path: Path) -> None:
    url = _warehouse(tmp_path)
    result = runner.invoke(app, ["temuan", "-p", "2025-08", "--jenis", "kecamatan_only", "--warehouse", url])
    assert result.exit_code == 0 and result.output == "Tidak ada temuan untuk 2025-08 jenis kecamatan_only.\n"
    result = runner.invoke(app, ["temuan", "-p", "2025-08", "--jenis", "kitas", "--warehouse", url],
                           env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert "Galat: Jenis temuan 'kitas' tidak dikenal. Pilihan: kitas_not_listed_by_employer" in result.output


def test_a_missing_warehouse_is_one_line_and_is_not_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    result = runner.invoke(app, ["temuan", "-p", "2025-08", "--warehouse", url], env={"COLUMNS": "400"})
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Galat: warehouse tidak ditemukan: {url}. Periksa --warehouse atau TKA_WAREHOUSE_URL."]
    assert not (tmp_path / "none.db").exists()
