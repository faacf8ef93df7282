"""`tka berkas ganti|pertahankan`: the steward's file decision is stored and replaces an earlier one."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
from typer.testing import CliRunner

from tka.cli import app
from tka.versions import FileChoice
from tka.warehouse import make_engine, record_files, upgrade
from tka.warehouse.files import file_choices

A = "2025-08/perusahaan/1234567890123 lokasi A.csv"
B = "2025-08/perusahaan/1234567890123 lokasi B.csv"


def _warehouse(url: str) -> sa.Engine:
    engine = make_engine(url)
    upgrade(engine)
    record_files(engine, "run-1", "2025-08", [
        {"path": p, "sha256": s * 64, "source_kind": "company", "source_id": "company:1234567890123", "size": 10}
        for p, s in ((A, "a"), (B, "b"))])
    return engine


def test_ganti_then_pertahankan(warehouse_url):
    engine = _warehouse(warehouse_url)
    runner = CliRunner()
    done = runner.invoke(app, ["berkas", "ganti", A, "--dengan", B, "--oleh", "ani", "--catatan", "revisi",
                               "--warehouse", warehouse_url])
    assert done.exit_code == 0, done.output
    assert f"{A} diganti oleh {B} (oleh ani)" in " ".join(done.output.split())
    assert file_choices(engine, "2025-08") == [FileChoice(A, "ganti", B)]
    kept = runner.invoke(app, ["berkas", "pertahankan", A, "--oleh", "ani", "--warehouse", warehouse_url])
    assert kept.exit_code == 0, kept.output
    assert file_choices(engine, "2025-08") == [FileChoice(A, "pertahankan", None)]
    with engine.connect() as conn:
        rows = pd.read_sql(sa.text("select path, period, action, replaced_by, decided_by from file_decision"), conn)
    assert rows.astype(object).where(rows.notna(), None).to_dict("records") == [
        {"path": A, "period": "2025-08", "action": "pertahankan", "replaced_by": None, "decided_by": "ani"}]


def test_an_unknown_file_is_refused_in_one_line(warehouse_url):
    _warehouse(warehouse_url)
    result = CliRunner().invoke(app, ["berkas", "ganti", A, "--dengan", "2025-08/perusahaan/tidak ada.csv",
                                      "--warehouse", warehouse_url])
    assert result.exit_code == 1
    assert "Berkas tidak ada di buku berkas periode 2025-08: 2025-08/perusahaan/tidak ada.csv" in \
        " ".join(result.output.split())
    assert "Traceback" not in result.output
    same = CliRunner().invoke(app, ["berkas", "ganti", A, "--dengan", A, "--warehouse", warehouse_url])
    assert same.exit_code == 1 and "dirinya sendiri" in same.output
