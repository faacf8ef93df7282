"""The laporan from a small hand-made warehouse: month-on-month change, trend, names, masks and the artifact."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert

from tka.report.laporan import (
    bar_chart,
    build_report,
    headline_markdown,
    kecamatan_name,
    mask_passport,
    nationality_name,
    render_html,
    sector_name,
)
from tka.warehouse import make_engine, upgrade
from tka.warehouse.schema import company, company_period, period_load, worker, worker_month

NIB = "8100000000001"


def _month(period: str, worker_id: str, kitas: str, **extra: object) -> dict[str, object]:
    return {"period": period, "worker_id": worker_id, "company_nib": NIB, "company_name": "PT ALFA",
            "kecamatan_code": "64.02.12", "position": "Teknisi", "nationality": "CHN", "passport_no": "E12345678",
            "name": f"NAMA {worker_id}", "kitas_no": kitas, "sources": "imigrasi", "source_count": 1, **extra}


@pytest.fixture
def engine(warehouse_url):  # type: ignore[no-untyped-def]
    eng = make_engine(warehouse_url)
    upgrade(eng)
    with eng.begin() as conn:
        conn.execute(insert(worker), [{"worker_id": w, "first_period": "2025-07", "last_period": "2025-08"}
                                      for w in ("W1", "W2", "W3", "W4")])
        conn.execute(insert(company), [{"company_nib": NIB, "name": "PT ALFA", "kbli": "05100", "must_report": True,
                                        "first_period": "2025-07", "last_period": "2025-08"}])
        conn.execute(insert(company_period), [
            {"period": p, "company_nib": NIB, "in_registry": True, "must_report": True, "status": s, "files": 0,
             "rows": 0, "rows_accepted": 0, "consecutive_missed": m, "escalation_level": m - 1 if m > 1 else 0}
            for p, s, m in (("2025-07", "missing", 1), ("2025-08", "missing", 2))])
        conn.execute(insert(worker_month), [
            _month("2025-07", "W1", "K1"), _month("2025-07", "W2", "K2"), _month("2025-07", "W3", "K3"),
            _month("2025-08", "W1", "K1"), _month("2025-08", "W2", "K2-NEW", nationality="KOR"),
            _month("2025-08", "W4", "K4", kecamatan_code="64.02.06")])
        conn.execute(insert(period_load), [{"period": p, "file_shas": "[]"} for p in ("2025-07", "2025-08")])
    yield eng
    eng.dispose()


def test_change_against_the_previous_month_and_the_trend(engine) -> None:  # type: ignore[no-untyped-def]
    report = build_report(engine, "2025-08")
    assert report.previous == "2025-07"
    assert report.change == {"arrivals": 1, "departures": 1, "renewals": 1, "stayed": 2}
    assert report.trend == [("2025-07", 3), ("2025-08", 3)]
    assert report.headline == {"workers": 3, "dependants": 0, "companies": 1, "kecamatan": 2, "nationalities": 2,
                               "findings": 0}
    assert report.breakdowns["kecamatan"] == [("Tabang", 2), ("Tenggarong", 1)]
    assert report.breakdowns["nationality"] == [("Tiongkok", 2), ("Korea Selatan", 1)]
    assert report.breakdowns["sector"] == [("05100 Pertambangan Batu Bara", 3)]
    assert report.compliance_counts["missing"] == 1 and report.compliance_counts["escalated"] == 1
    first = build_report(engine, "2025-07")
    assert first.previous is None and first.change["arrivals"] == 3


def test_html_is_one_printable_file_and_the_artifact_links_it(engine) -> None:  # type: ignore[no-untyped-def]
    report = build_report(engine, "2025-08")
    page = render_html(report)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="id">' in page
    assert "@page{size:A4" in page and "page-break-before:always" in page
    assert re.findall(r'data-key="workers">(\d+)<', page) == ["3"]
    assert "Belum lapor" in page and "missing" not in page.split("<body>")[1].replace('data-key', '')
    md = headline_markdown(report, "/drive/_review/2025-08/laporan_2025-08.html", "/drive/_review/2025-08")
    assert "| TKA (tanpa keluarga) | 3 |" in md
    assert "[/drive/_review/2025-08/laporan_2025-08.html](file:///drive/_review/2025-08/laporan_2025-08.html)" in md
    assert "Folder tinjauan: [/drive/_review/2025-08](file:///drive/_review/2025-08)" in md


def test_names_and_masks() -> None:
    assert mask_passport("E12345678") == "******678"
    assert mask_passport("AB1") == "***" and mask_passport("AB12") == "***B12" and mask_passport(None) == "-"
    assert kecamatan_name("64.02.20") == "Samboja Barat" and kecamatan_name(None) == "(tidak diketahui)"
    assert nationality_name("CHN") == "Tiongkok" and nationality_name("FRA") == "France"
    assert sector_name("01262") == "01262 Perkebunan Buah Kelapa Sawit"


def test_charts_are_inline_svg_without_links_out() -> None:
    svg = bar_chart([("Tabang", 3), ("Tenggarong", 1)], "TKA per kecamatan")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "http://purl.org" not in svg and "<image" not in svg
    assert bar_chart([("Tabang", 3)], "x") == bar_chart([("Tabang", 3)], "x")  # reproducible
