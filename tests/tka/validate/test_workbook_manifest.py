"""A month's feedback workbooks: parallel writes, the manifest that skips unchanged ones, stale ones removed."""

from __future__ import annotations

import io
import json
from pathlib import Path

import fsspec
import pandas as pd
import pytest
from openpyxl import load_workbook

from tka.contract import RULES
from tka.validate import feedback
from tka.validate.feedback import FeedbackFile, content_key, feedback_files, write_feedback_workbooks
from tka.validate.run import validate_rows
from tka.validate.workbook import WARNING_RGB, FileMeta, feedback_path

from .conftest import PERIOD, SHA_A, SHA_B, make_rows
from .test_workbook import rows_and_issues

PATH_A = "2025-08/disnakertrans/tka.xlsx"
PATH_B = "2025-08/disnakertrans/tka_tambahan.xlsx"
TARGET_A = "_review/2025-08/disnakertrans/tka__umpan_balik.xlsx"
TARGET_B = "_review/2025-08/disnakertrans/tka_tambahan__umpan_balik.xlsx"


def _file(path: str, rows: pd.DataFrame, issues: pd.DataFrame, sha: str = SHA_A) -> FeedbackFile:
    return FeedbackFile(meta=FileMeta.coerce({"path": path, "period": PERIOD}),
                        target=feedback_path(PERIOD, "disnakertrans", path), sha256=sha, rows=rows, issues=issues)


@pytest.fixture
def two_files(suites, config) -> list[FeedbackFile]:
    rows_a, issues_a = rows_and_issues(suites, config)
    issues_a["status"] = "open"
    rows_b = make_rows([{"name": None, "raw": {"Nama TKA": "", "No. Paspor": "E12345678"}}], sha=SHA_B,
                       file_path=PATH_B)
    issues_b = validate_rows(rows_b, "worker", PERIOD, suites, config,
                             headers={SHA_B: {"Agustus": {"name": "Nama TKA", "passport_no": "No. Paspor"}}})
    issues_b["status"] = "open"
    return [_file(PATH_A, rows_a, issues_a), _file(PATH_B, rows_b, issues_b, SHA_B)]


def _local(tmp_path: Path) -> tuple[fsspec.AbstractFileSystem, str]:
    return fsspec.filesystem("file"), str(tmp_path / "drive")


def _data(path: Path) -> list[list[object]]:
    ws = load_workbook(path)["Data"]
    return [[(c.value, c.fill.fgColor.rgb if c.fill.fill_type else None, c.comment.text if c.comment else None)
             for c in row] for row in ws.iter_rows()]


def _manifest(root: str) -> dict:
    return json.loads((Path(root) / "_review" / PERIOD / ".manifest.json").read_text())


def test_second_write_keeps_unchanged_workbooks(tmp_path, two_files) -> None:
    fs, root = _local(tmp_path)
    first = write_feedback_workbooks(fs, root, PERIOD, two_files)
    assert (first.written, first.unchanged, first.removed, first.workbooks) == ([TARGET_A, TARGET_B], [], [], 2)
    paths = {t: Path(root) / t for t in (TARGET_A, TARGET_B)}
    assert _manifest(root) == {"writer": feedback.WRITER_VERSION, "workbooks": {
        "disnakertrans/tka__umpan_balik.xlsx": {"file": PATH_A, "key": content_key(two_files[0]),
                                                "bytes": paths[TARGET_A].stat().st_size},
        "disnakertrans/tka_tambahan__umpan_balik.xlsx": {"file": PATH_B, "key": content_key(two_files[1]),
                                                         "bytes": paths[TARGET_B].stat().st_size}}}
    stamps = {t: p.stat().st_mtime_ns for t, p in paths.items()}

    second = write_feedback_workbooks(fs, root, PERIOD, two_files)
    assert (second.written, second.unchanged, second.removed, second.workbooks) == ([], [TARGET_A, TARGET_B], [], 2)
    assert {t: p.stat().st_mtime_ns for t, p in paths.items()} == stamps
    assert sorted(p.name for p in (Path(root) / "_review" / PERIOD / "disnakertrans").iterdir()) == [
        "tka__umpan_balik.xlsx", "tka_tambahan__umpan_balik.xlsx"]  # no partial files left behind


def test_a_changed_issue_or_status_rewrites_only_that_workbook(tmp_path, two_files) -> None:
    fs, root = _local(tmp_path)
    write_feedback_workbooks(fs, root, PERIOD, two_files)
    waived = two_files[1].issues.assign(status="waived")
    changed = [two_files[0], _file(PATH_B, two_files[1].rows, waived, SHA_B)]
    report = write_feedback_workbooks(fs, root, PERIOD, changed)
    assert (report.written, report.unchanged) == ([TARGET_B], [TARGET_A])

    # the NIB error of file A is fixed: its workbook is rewritten without it
    fewer = two_files[0].issues[two_files[0].issues["rule"] != "nib_format"].reset_index(drop=True)
    report = write_feedback_workbooks(fs, root, PERIOD, [_file(PATH_A, two_files[0].rows, fewer), changed[1]])
    assert (report.written, report.unchanged) == ([TARGET_A], [TARGET_B])
    passport = f"Peringatan: {RULES['passport_format'].message_id} Nilai tertulis: 'E1'."
    assert _data(Path(root) / TARGET_A)[2] == [
        ("Agustus", None, None), (8, None, None), ("@SUM(A1)", None, None), ("E1", WARNING_RGB, passport),
        ('=HYPERLINK("http://x")', None, None), (passport, None, None)]


def test_workbooks_of_files_without_issues_are_removed(tmp_path, two_files) -> None:
    fs, root = _local(tmp_path)
    write_feedback_workbooks(fs, root, PERIOD, two_files)
    notes = Path(root) / "_review" / PERIOD / "disnakertrans" / "catatan steward.xlsx"
    notes.write_bytes(b"steward's own file")
    report = write_feedback_workbooks(fs, root, PERIOD, two_files[:1])
    assert (report.written, report.unchanged, report.removed) == ([], [TARGET_A], [TARGET_B])
    assert not (Path(root) / TARGET_B).exists() and notes.read_bytes() == b"steward's own file"
    assert list(_manifest(root)["workbooks"]) == ["disnakertrans/tka__umpan_balik.xlsx"]
    report = write_feedback_workbooks(fs, root, PERIOD, [])
    assert (report.written, report.removed, _manifest(root)["workbooks"]) == ([], [TARGET_A], {})


def test_a_damaged_or_missing_workbook_or_new_writer_is_rewritten(tmp_path, two_files, monkeypatch) -> None:
    fs, root = _local(tmp_path)
    write_feedback_workbooks(fs, root, PERIOD, two_files)
    expected = _data(Path(root) / TARGET_A)
    (Path(root) / TARGET_A).write_bytes(b"PK torn")
    (Path(root) / TARGET_B).unlink()
    partial = Path(root) / "_review" / PERIOD / "disnakertrans" / ".tka__umpan_balik.xlsx.123.part"
    partial.write_bytes(b"PK")
    report = write_feedback_workbooks(fs, root, PERIOD, two_files)
    assert (report.written, report.unchanged) == ([TARGET_A, TARGET_B], [])
    assert _data(Path(root) / TARGET_A) == expected and not partial.exists()

    monkeypatch.setattr(feedback, "WRITER_VERSION", "next")
    report = write_feedback_workbooks(fs, root, PERIOD, two_files)
    assert (report.written, report.unchanged) == ([TARGET_A, TARGET_B], [])
    assert _manifest(root)["writer"] == "next"


def test_parallel_workers_write_what_one_process_writes(tmp_path, two_files, monkeypatch) -> None:
    fs, root = _local(tmp_path)
    serial = write_feedback_workbooks(fs, root, PERIOD, two_files, workers=1)
    expected = {t: _data(Path(root) / t) for t in serial.written}
    monkeypatch.setattr(feedback, "MIN_PARALLEL", 1)
    monkeypatch.setattr(feedback, "WRITER_VERSION", "parallel")  # a new writer: everything is written again
    seen: list[tuple[int, int]] = []
    parallel = write_feedback_workbooks(fs, root, PERIOD, two_files, workers=2,
                                        progress=lambda done, total: seen.append((done, total)))
    assert parallel.written == serial.written == [TARGET_A, TARGET_B]
    assert {t: _data(Path(root) / t) for t in parallel.written} == expected
    assert seen == [(0, 2), (1, 2), (2, 2)]


def test_a_drive_that_is_not_local_is_written_in_process(two_files) -> None:
    fs = fsspec.filesystem("memory")
    root = "/feedback-test-drive"
    try:
        first = write_feedback_workbooks(fs, root, PERIOD, two_files, workers=2)
        second = write_feedback_workbooks(fs, root, PERIOD, two_files, workers=2)
        assert (first.written, second.unchanged) == ([TARGET_A, TARGET_B], [TARGET_A, TARGET_B])
        ws = load_workbook(io.BytesIO(fs.cat_file(f"{root}/{TARGET_B}")))["Data"]
        required = f"Peringatan: {RULES['required_field'].message_id} Nilai tertulis: ''."
        assert [[c.value for c in row] for row in ws.iter_rows()] == [
            ["Lembar", "Baris Excel", "Nama TKA", "No. Paspor", "Masalah"],
            ["Agustus", 7, None, "E12345678", required]]
        assert (ws["C2"].fill.fgColor.rgb, ws["C2"].comment.text) == (WARNING_RGB, required)
    finally:
        fs.rm(root, recursive=True)


def test_two_files_with_one_workbook_name_are_always_written_last_one_wins(tmp_path, two_files) -> None:
    fs, root = _local(tmp_path)
    csv_twin = _file("2025-08/disnakertrans/tka.csv", two_files[1].rows, two_files[1].issues, SHA_B)
    assert csv_twin.target == TARGET_A
    for _ in range(2):
        report = write_feedback_workbooks(fs, root, PERIOD, [two_files[0], csv_twin])
        assert (report.written, report.unchanged, report.workbooks) == ([TARGET_A, TARGET_A], [], 2)
    # sorted by path, 'tka.xlsx' is written last
    assert load_workbook(Path(root) / TARGET_A)["Petunjuk"]["A3"].value == f"Berkas: {PATH_A}"
    assert _manifest(root)["workbooks"] == {}


def test_content_key_follows_what_the_workbook_shows(two_files) -> None:
    file = two_files[0]
    key = content_key(file)
    same = file.rows.assign(run_id="run-2", status="accepted", flags="x")  # not shown in the workbook
    assert content_key(_file(PATH_A, same, file.issues)) == key
    assert content_key(_file(PATH_A, file.rows, file.issues, SHA_B)) != key
    assert content_key(_file(PATH_A, file.rows, file.issues.assign(status="waived"))) != key
    retyped = file.rows.assign(raw=[*file.rows["raw"][:2], {"Nama TKA": "+62 812"}])
    assert content_key(_file(PATH_A, retyped, file.issues)) != key


def test_feedback_files_groups_rows_and_issues_by_file_once(two_files) -> None:
    class Result:
        def __init__(self, rows: pd.DataFrame, quarantine: str | None = None) -> None:
            self.rows, self.quarantine = rows, quarantine

    class Discovered:
        def __init__(self, sha: str) -> None:
            self.source_kind, self.sha256 = "disnakertrans", sha

    quarantined = "2025-08/disnakertrans/rusak.xlsx"
    issues = pd.concat([two_files[1].issues, two_files[0].issues,
                        pd.DataFrame([{"file_path": quarantined, "rule": "file:corrupt", "severity": "error"}])],
                       ignore_index=True)
    rows = pd.concat([two_files[0].rows, two_files[1].rows], ignore_index=True)
    results = {PATH_A: Result(two_files[0].rows.iloc[0:0]), PATH_B: Result(two_files[1].rows),
               quarantined: Result(rows.iloc[0:0], "corrupt")}
    files = feedback_files(PERIOD, {PATH_A: Discovered(SHA_A), PATH_B: Discovered(SHA_B)}, results, issues, rows)
    assert [(f.meta, f.target, f.sha256, len(f.rows), len(f.issues)) for f in files] == [
        (FileMeta(file_path=PATH_A, source_kind="disnakertrans", period=PERIOD), TARGET_A, SHA_A, 3, 3),
        (FileMeta(file_path=PATH_B, source_kind="disnakertrans", period=PERIOD), TARGET_B, SHA_B, 1, 1)]
    assert files[0].rows["file_path"].tolist() == [PATH_A] * 3  # from all rows, for a result that kept none
    assert files[0].issues["rule"].tolist() == two_files[0].issues["rule"].tolist()


def test_frame_digest_of_some_columns_is_the_digest_of_a_frame_of_them(two_files) -> None:
    """content_key digests the shown columns in place: the same digest (and manifest keys) as of a copy of them."""
    rows = two_files[0].rows
    columns = ["raw", "sheet", "row_number"]
    assert feedback._frame_digest(rows, columns) == feedback._frame_digest(rows[columns])
    assert feedback._frame_digest(rows) == feedback._frame_digest(rows, list(rows.columns))
    assert feedback._frame_digest(rows, columns) != feedback._frame_digest(rows, columns[:2])
