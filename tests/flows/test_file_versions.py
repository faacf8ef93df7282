"""End to end on a small hand-written drive: several files of one company, a revision, a byte-identical copy in
two places, identical empty files, odd file names and an unknown folder; and a waiver that survives a resend."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from flows.monthly_ingest import monthly_ingest
from tka.warehouse import make_engine, waive
from tka.warehouse.files import decide_file

PERIOD = "2025-08"
NIB, NIB2 = "1234567890123", "9876543210987"
pytestmark = pytest.mark.slow
HEADER = ["No", "Nama", "No. Paspor", "Kebangsaan", "Jabatan", "Perusahaan", "Tgl Lahir"]


def _csv(rows: list[list[str]]) -> bytes:
    return "\r\n".join(";".join(r) for r in [HEADER, *rows]).encode("utf-8")


def _workers(prefix: str, n: int) -> list[list[str]]:
    given = ["WEI", "FANG", "JUN", "LEI", "MING", "QIANG"]
    return [[str(i + 1), f"{prefix}{prefix} {given[i]}", f"E{ord(prefix)}{i:06d}", "RRT", "Mekanik", "PT Bumi",
             f"{i + 2:02d}-03-1985"] for i in range(n)]


def _write(root: Path, rel: str | bytes, data: bytes, day: int) -> None:
    path = os.path.join(os.fsencode(root), os.fsencode(PERIOD), os.fsencode(rel))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    stamp = 1_756_684_800 + day * 86_400  # 2025-09-01 + day
    os.utime(path, (stamp, stamp))


def _registry() -> bytes:
    lines = ["NIB;Nama Perusahaan;KBLI;Kecamatan;Wajib Lapor",
             f"{NIB};PT Bumi;05100;Tenggarong;Ya", f"{NIB2};PT Lain;05100;Tenggarong;Ya"]
    return "\r\n".join(lines).encode("utf-8")


def _table(url: str, sql: str) -> pd.DataFrame:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            frame = pd.read_sql(sa.text(sql), conn)
            return frame.astype(object).where(frame.notna(), None)
    finally:
        engine.dispose()


def _ingest(drive: Path, url: str) -> dict:
    return monthly_ingest(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=True)


ODD_NON_UTF8 = b"perusahaan/" + NIB.encode() + b" PT Bumi \xff\xfe laporan.csv"
ODD_NEWLINE = f"perusahaan/{NIB} PT Bumi\nbaris baru.csv"
ODD_LONG = f"perusahaan/{NIB} " + "panjang " * 29 + "x.csv"  # 251 bytes: the file system's limit is 255


def test_several_files_revisions_duplicates_and_odd_names(tmp_path, warehouse_url, prefect_harness):
    drive = tmp_path / "drive"
    _write(drive, "registri/registri.csv", _registry(), 1)
    _write(drive, f"perusahaan/{NIB} PT Bumi Agustus.csv", _csv(_workers("A", 5)), 2)
    _write(drive, f"perusahaan/{NIB} PT Bumi Agustus revisi.csv", _csv(_workers("A", 4)), 3)  # a revision by name
    _write(drive, f"perusahaan/{NIB} site Muara.csv", _csv(_workers("B", 3)), 4)  # other workers: kept
    _write(drive, f"perusahaan/{NIB2} PT Lain.csv", _csv(_workers("B", 3)), 5)  # same bytes, another NIB
    _write(drive, "kecamatan/Laporan Kec. Tabang Agustus 2025.xlsx", b"", 2)  # identical empty files
    _write(drive, "imigrasi/kosong.xlsx", b"", 2)
    _write(drive, ODD_NON_UTF8, _csv(_workers("C", 2)), 6)
    _write(drive, ODD_NEWLINE.encode(), _csv(_workers("D", 2)), 6)
    _write(drive, ODD_LONG.encode(), _csv(_workers("E", 1)), 6)
    _write(drive, "lainnya/catatan.csv", _csv(_workers("F", 1)), 6)  # a folder no source uses

    summary = _ingest(drive, warehouse_url)

    p = f"{PERIOD}/perusahaan"
    non_utf8 = f"{p}/{NIB} PT Bumi \\xff\\xfe laporan.csv"
    newline = f"{p}/{NIB} PT Bumi\\nbaris baru.csv"
    assert summary["superseded"] == [{
        "path": f"{p}/{NIB} PT Bumi Agustus.csv", "replaced_by": f"{p}/{NIB} PT Bumi Agustus revisi.csv",
        "reason": f"revisi: nama berkas sama, 100% TKA sama; diganti oleh {p}/{NIB} PT Bumi Agustus revisi.csv"}]
    assert summary["files_superseded"] == 1
    assert {q["path"]: q["reason"] for q in summary["quarantined"]} == {
        f"{p}/{NIB2} PT Lain.csv": "duplicate_file",  # the first place in path order is read
        f"{PERIOD}/kecamatan/Laporan Kec. Tabang Agustus 2025.xlsx": "empty",
        f"{PERIOD}/imigrasi/kosong.xlsx": "empty",
        f"{PERIOD}/lainnya/catatan.csv": "unknown_source",
    }
    # 4 (revision) + 3 (one place of the identical file) + 2 + 2 + 1 (odd names) workers, none twice
    assert (summary["rows_total"] - 2, summary["workers"]) == (12, 12)  # minus the two registry rows
    assert summary["revision_candidates"] == []

    ledger = _table(warehouse_url, "select path, status, superseded_reason from file_ledger order by path")
    assert sorted(ledger[ledger["path"].str.contains("perusahaan")].to_dict("records"),
                  key=lambda r: r["path"]) == [
        {"path": f"{p}/{NIB} PT Bumi Agustus revisi.csv", "status": "loaded", "superseded_reason": None},
        {"path": f"{p}/{NIB} PT Bumi Agustus.csv", "status": "superseded",
         "superseded_reason": summary["superseded"][0]["reason"]},
        {"path": non_utf8, "status": "loaded", "superseded_reason": None},
        {"path": f"{p}/{NIB} PT Bumi\\nbaris baru.csv", "status": "loaded", "superseded_reason": None},
        {"path": f"{p}/{ODD_LONG.split('/', 1)[1]}", "status": "loaded", "superseded_reason": None},
        {"path": f"{p}/{NIB} site Muara.csv", "status": "loaded", "superseded_reason": None},
        {"path": f"{p}/{NIB2} PT Lain.csv", "status": "quarantined", "superseded_reason": None},
    ]
    issues = _table(warehouse_url, "select file_path, rule, raw_value from validation_issue "
                                   "where rule like 'file:%'")
    assert sorted(issues.to_dict("records"), key=lambda r: r["file_path"]) == [
        {"file_path": f"{PERIOD}/imigrasi/kosong.xlsx", "rule": "file:empty", "raw_value": None},
        {"file_path": f"{PERIOD}/kecamatan/Laporan Kec. Tabang Agustus 2025.xlsx", "rule": "file:empty",
         "raw_value": None},
        {"file_path": f"{PERIOD}/lainnya/catatan.csv", "rule": "file:unknown_source", "raw_value": None},
        {"file_path": f"{p}/{NIB2} PT Lain.csv", "rule": "file:duplicate_file",
         "raw_value": f"{p}/{NIB} site Muara.csv"},
    ]
    assert newline in set(_table(warehouse_url, "select file_path from source_record")["file_path"])
    # feedback workbook names stay printable and short
    review = drive / "_review" / PERIOD
    names = [os.fsencode(n) for _, _, files in os.walk(os.fsencode(review)) for n in files]
    assert names and all(len(n) <= 120 and n.decode("utf-8").isprintable() for n in names)

    again = _ingest(drive, warehouse_url)  # an unchanged re-run confirms the same load
    assert again["files_superseded"] == 1


def test_a_waiver_follows_the_worker_into_the_corrected_file(tmp_path, warehouse_url, prefect_harness):
    drive = tmp_path / "drive"
    _write(drive, "registri/registri.csv", _registry(), 1)
    rows = _workers("A", 4)
    rows[1][6] = "02-03-2015"  # a 10-year-old: age_out_of_range (a warning that empties it), waived
    rows[2][6] = "31-02-1985"  # not a date: fixed in the revision
    _write(drive, f"perusahaan/{NIB} PT Bumi.csv", _csv(rows), 2)
    first = _ingest(drive, warehouse_url)
    assert (first["rows_rejected"], first["workers"]) == (0, 4)  # bad birth dates lose no worker
    old = _table(warehouse_url, "select issue_id, rule, row_number from validation_issue order by row_number")
    assert old[["rule", "row_number"]].values.tolist() == [["age_out_of_range", 3], ["date_unparsed", 4]]
    age_id, date_id = old["issue_id"].tolist()
    engine = make_engine(warehouse_url)
    waive(engine, [age_id], "umur benar, data paspor", "ani")

    corrected = [rows[1], [*rows[2][:6], "28-02-1985"], rows[0], rows[3]]  # new order, one fix
    _write(drive, f"perusahaan/{NIB} PT Bumi revisi.csv", _csv(corrected), 3)
    second = _ingest(drive, warehouse_url)
    assert (second["rows_rejected"], second["workers"], second["files_superseded"]) == (0, 4, 1)
    issues = _table(warehouse_url, "select issue_id, file_path, rule, row_number, status, decided_by, "
                                   "decision_note from validation_issue order by file_path, row_number")
    new_path = f"{PERIOD}/perusahaan/{NIB} PT Bumi revisi.csv"
    (new_id,) = issues.loc[issues["file_path"] == new_path, "issue_id"]
    assert issues.to_dict("records") == [
        {"issue_id": new_id, "file_path": new_path, "rule": "age_out_of_range", "row_number": 2,
         "status": "waived", "decided_by": "ani",
         "decision_note": f"umur benar, data paspor — dibawa dari {age_id} (carried from {age_id})"},
        {"issue_id": age_id, "file_path": f"{PERIOD}/perusahaan/{NIB} PT Bumi.csv", "rule": "age_out_of_range",
         "row_number": 3, "status": "waived", "decided_by": "ani", "decision_note": "umur benar, data paspor"},
        {"issue_id": date_id, "file_path": f"{PERIOD}/perusahaan/{NIB} PT Bumi.csv", "rule": "date_unparsed",
         "row_number": 4, "status": "fixed", "decided_by": None, "decision_note": None},
    ]
    third = _ingest(drive, warehouse_url)  # settled: the same on a re-run
    assert (third["rows_rejected"], third["workers"]) == (0, 4)
    assert _table(warehouse_url, "select issue_id, status, decision_note from validation_issue "
                                 "order by issue_id").equals(
        issues[["issue_id", "status", "decision_note"]].sort_values("issue_id").reset_index(drop=True))


def test_the_steward_decides_an_ambiguous_pair(tmp_path, warehouse_url, prefect_harness):
    drive = tmp_path / "drive"
    _write(drive, "registri/registri.csv", _registry(), 1)
    _write(drive, f"perusahaan/{NIB} lokasi A.csv", _csv(_workers("A", 4)), 2)
    _write(drive, f"perusahaan/{NIB} lokasi B.csv", _csv([*_workers("A", 2), *_workers("B", 2)[::-1]]), 3)
    first = _ingest(drive, warehouse_url)
    a, b = f"{PERIOD}/perusahaan/{NIB} lokasi A.csv", f"{PERIOD}/perusahaan/{NIB} lokasi B.csv"
    assert first["revision_candidates"] == [{"older": a, "newer": b, "reason": "overlap", "ratio": 0.5}]
    assert (first["files_superseded"], first["workers"]) == (0, 6)
    decide_file(make_engine(warehouse_url), a, "ganti", replaced_by=b, who="ani")
    second = _ingest(drive, warehouse_url)
    assert (second["files_superseded"], second["workers"], second["revision_candidates"]) == (1, 4, [])
    assert second["superseded"][0]["reason"] == f"diganti atas keputusan pengelola data; diganti oleh {b}"

