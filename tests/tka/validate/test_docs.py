"""GX Data Docs for a run: index and validation pages are written, without personal values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tka.validate.docs import build_data_docs
from tka.validate.run import run_suite

from .conftest import PERIOD, make_rows


def test_build_data_docs(tmp_path: Path, suites, config) -> None:
    _, worker = run_suite(make_rows([{"name": None, "name_raw": None}, {"passport_no": "E1"}]), "worker", PERIOD,
                          suites, config)
    _, registry = run_suite(make_rows([{}], kind="registry", source_kind="registry"), "registry", PERIOD, suites,
                            config)
    index = build_data_docs(suites, {"worker": worker, "registry": registry}, tmp_path / "docs", run_name=PERIOD,
                            run_time=dt.datetime(2025, 9, 1, tzinfo=dt.UTC))
    assert index == tmp_path / "docs" / "index.html"
    pages = sorted(str(p.relative_to(tmp_path / "docs")) for p in (tmp_path / "docs").rglob("*.html"))
    assert pages == [
        "expectations/company_registry.html", "expectations/worker_rows.html", "index.html",
        "validations/company_registry/2025-08/20250901T000000.000000Z/registry.html",
        "validations/worker_rows/2025-08/20250901T000000.000000Z/worker.html",
    ]
    page = (tmp_path / "docs" / "validations/worker_rows/2025-08/20250901T000000.000000Z/worker.html").read_text()
    assert "values must never be null" in page and "Failed" in page
    assert "GAO XUEFENG" not in page and "E12345678" not in page


def test_validate_rows_collects_the_gx_result_for_data_docs(tmp_path: Path, suites, config) -> None:
    from tka.validate.run import validate_rows

    collected: dict = {}
    issues = validate_rows(make_rows([{"name": None}]), "worker", PERIOD, suites, config, collect=collected)
    assert list(collected) == ["worker"] and collected["worker"].success is False
    assert list(issues["rule"]) == ["required_field"]
    assert build_data_docs(suites, collected, tmp_path).is_file()
