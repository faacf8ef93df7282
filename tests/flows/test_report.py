"""End to end: the findings and the laporan of a generated kukar month, against the generator's ground truth."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from flows.monthly_ingest import monthly_ingest
from tka.report import compute_findings
from tka.sample import generate_drive
from tka.warehouse import finding_inputs, list_findings, make_engine, replace_findings
from tka.warehouse.report_queries import month_workers

PERIOD = "2025-08"
COMPANY_KINDS = {"employer_not_in_registry", "employer_not_obliged"}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("kukar-report")
    truth_path = root / "truth.json"
    generate_drive(PERIOD, "kukar", 11, root / "drive", truth_path)
    return root / "drive", json.loads(truth_path.read_text())


@pytest.fixture(scope="module")
def loaded(sample, warehouse_url_module, prefect_harness) -> str:
    drive, _ = sample
    monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=warehouse_url_module, dry_run_alerts=True)
    return warehouse_url_module


def _found(url: str, truth: dict) -> dict[str, list[str]]:
    """Findings per kind as the truth names them: person ids (through each record's row) or company ids."""
    person = {(f["path"], str(r["sheet"]), int(r["row"])): r["person_id"] for f in truth["files"] for r in f["rows"]}
    engine = make_engine(url)
    try:
        findings = list_findings(engine, PERIOD)
        with engine.connect() as conn:
            records = pd.read_sql(sa.text("select worker_id, file_path, sheet, row_number from source_record "
                                          f"where period = '{PERIOD}' and worker_id is not null"), conn)
    finally:
        engine.dispose()
    persons: dict[str, set[str]] = {}
    for r in records.itertuples():
        persons.setdefault(r.worker_id, set()).add(person[(r.file_path, str(r.sheet), int(r.row_number))])
    assert all(len(p) == 1 for p in persons.values())  # the matcher is exact on this drive
    out: dict[str, list[str]] = {k: [] for k in truth["expected"]["findings"]}
    for f in findings.itertuples():
        if f.kind in COMPANY_KINDS:
            out[f.kind].append(f.company_nib if f.kind == "employer_not_obliged" else f.company_name)
        else:
            out[f.kind].append(next(iter(persons[f.worker_id])))
    return {k: sorted(v) for k, v in out.items()}


def test_every_planted_finding_is_found_and_nothing_else(loaded, sample) -> None:
    truth = sample[1]
    expected = truth["expected"]["findings"]
    assert all(expected.values()), "the sample must plant every kind"
    assert _found(loaded, truth) == expected


def test_each_finding_names_file_sheet_and_row_of_its_evidence(loaded, sample) -> None:
    rows = {(f["path"], str(r["sheet"]), int(r["row"])) for f in sample[1]["files"] for r in f["rows"]}
    engine = make_engine(loaded)
    try:
        findings = list_findings(engine, PERIOD)
    finally:
        engine.dispose()
    for f in findings.itertuples():
        evidence = json.loads(f.evidence)
        assert evidence, f.finding_id
        assert {(e["file_path"], str(e["sheet"]), e["row_number"]) for e in evidence} <= rows


def test_recomputing_replaces_the_period_with_the_same_rows(loaded) -> None:
    engine = make_engine(loaded)
    try:
        before = list_findings(engine, PERIOD).drop(columns=["run_id"])
        records, registry = finding_inputs(engine, PERIOD)
        replace_findings(engine, PERIOD, "again", compute_findings(PERIOD, records, registry))
        after = list_findings(engine, PERIOD).drop(columns=["run_id"])
    finally:
        engine.dispose()
    pd.testing.assert_frame_equal(before, after)


def _page_numbers(html: str) -> dict[str, int]:
    return {k: int(v.replace(".", "")) for k, v in re.findall(r'data-key="(\w+)">([\d.]+)<', html)}


def test_the_laporan_is_self_contained_and_its_numbers_are_the_warehouse(loaded, sample) -> None:
    drive, truth = sample
    html = (drive / "_review" / PERIOD / f"laporan_{PERIOD}.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert not re.search(r"""(src|href)=["']?https?:""", html)
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    assert html.count("<svg") == 6  # five breakdowns and the trend
    engine = make_engine(loaded)
    try:
        workers = month_workers(engine, PERIOD)
        findings = list_findings(engine, PERIOD)
    finally:
        engine.dispose()
    numbers = _page_numbers(html)
    assert numbers["workers"] == len(workers) == truth["expected"]["workers"]
    assert numbers["findings"] == len(findings) == sum(len(v) for v in truth["expected"]["findings"].values())
    assert numbers["dependants"] == sum(1 for f in truth["files"] for r in f["rows"]
                                        if r["kind"] == "dependant" and not r["rejected"])
    assert numbers["quarantined"] == truth["expected"]["files_quarantined"]
    assert numbers["files"] == truth["expected"]["files_total"]
    assert "Tabang" in html and "64.02.12" not in html.split('id="temuan"')[0]
    assert "Tiongkok" in html
