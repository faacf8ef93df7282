"""Picking the winning file version per source (pure) and the ledger rows before reading."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tka.warehouse.ledger import pick_winners, record_files, superseded_files
from tka.warehouse.schema import file_ledger

UTC = dt.UTC


def _f(path: str, sha: str, kind: str, source_id: str, day: int) -> dict:
    return {
        "path": path,
        "sha256": sha,
        "source_kind": kind,
        "source_id": source_id,
        "size": 10,
        "modified": dt.datetime(2025, 9, day, tzinfo=UTC),
    }


OLD_RULE = frozenset({"kecamatan", "disnakertrans", "imigrasi"})  # companies and the registry competed


def test_files_of_one_source_coexist_by_default() -> None:
    files = [
        _f("2025-08/perusahaan/1234567890123 PT A.xlsx", "s1", "company", "company:1234567890123", 2),
        _f("2025-08/perusahaan/1234567890123 PT A revisi.xlsx", "s2", "company", "company:1234567890123", 5),
    ]
    assert pick_winners(files) == {
        ("s1", "2025-08/perusahaan/1234567890123 PT A.xlsx"): None,
        ("s2", "2025-08/perusahaan/1234567890123 PT A revisi.xlsx"): None,
    }
    assert superseded_files(files) == []


def test_newest_file_of_a_source_wins_under_the_old_rule() -> None:
    files = [
        _f("2025-08/perusahaan/1234567890123 PT A.xlsx", "s1", "company", "company:1234567890123", 2),
        _f("2025-08/perusahaan/1234567890123 PT A revisi.xlsx", "s2", "company", "company:1234567890123", 5),
        _f("2025-08/imigrasi/kitas.xlsx", "s3", "imigrasi", "imigrasi", 1),
    ]
    assert pick_winners(files, multi_file_kinds=OLD_RULE) == {
        ("s1", "2025-08/perusahaan/1234567890123 PT A.xlsx"): "s2",
        ("s2", "2025-08/perusahaan/1234567890123 PT A revisi.xlsx"): None,
        ("s3", "2025-08/imigrasi/kitas.xlsx"): None,
    }
    assert [(f["sha256"], f["superseded_by"]) for f in superseded_files(files, multi_file_kinds=OLD_RULE)] == \
        [("s1", "s2")]


def test_equal_modified_time_falls_back_to_path() -> None:
    files = [
        _f("2025-08/imigrasi/b.xlsx", "s1", "registry", "registry", 3),
        _f("2025-08/imigrasi/a.xlsx", "s2", "registry", "registry", 3),
    ]
    assert pick_winners(files, multi_file_kinds=OLD_RULE) == {
        ("s1", "2025-08/imigrasi/b.xlsx"): None,
        ("s2", "2025-08/imigrasi/a.xlsx"): "s1",
    }


def test_kecamatan_files_coexist_but_a_new_version_of_one_path_wins() -> None:
    files = [
        _f("2025-08/kecamatan/Kec Tabang 1.xlsx", "s1", "kecamatan", "kecamatan:64.02.12", 2),
        _f("2025-08/kecamatan/Kec Tabang 2.xlsx", "s2", "kecamatan", "kecamatan:64.02.12", 3),
        _f("2025-08/kecamatan/Kec Tabang 2.xlsx", "s3", "kecamatan", "kecamatan:64.02.12", 4),
    ]
    assert pick_winners(files) == {
        ("s1", "2025-08/kecamatan/Kec Tabang 1.xlsx"): None,
        ("s2", "2025-08/kecamatan/Kec Tabang 2.xlsx"): "s3",
        ("s3", "2025-08/kecamatan/Kec Tabang 2.xlsx"): None,
    }
    # Strict mode: one file per (kind, source id), as for every other source.
    strict = pick_winners(files, multi_file_kinds=())
    assert strict[("s1", "2025-08/kecamatan/Kec Tabang 1.xlsx")] == "s3"


def test_quarantined_newer_file_does_not_hide_the_good_one() -> None:
    files = [
        {**_f("2025-08/imigrasi/a.xlsx", "s1", "registry", "registry", 1), "status": "loaded"},
        {**_f("2025-08/imigrasi/b.xlsx", "s2", "registry", "registry", 2), "status": "quarantined"},
    ]
    assert pick_winners(files) == {
        ("s1", "2025-08/imigrasi/a.xlsx"): None,
        ("s2", "2025-08/imigrasi/b.xlsx"): None,
    }


def test_same_content_at_two_paths_is_not_superseded() -> None:
    files = [
        _f("2025-08/imigrasi/a.xlsx", "s1", "registry", "registry", 1),
        _f("2025-08/imigrasi/copy of a.xlsx", "s1", "registry", "registry", 2),
    ]
    assert set(pick_winners(files).values()) == {None}


def test_record_files_adds_seen_rows_and_keeps_existing_status(engine) -> None:  # type: ignore[no-untyped-def]
    files = [_f("2025-08/imigrasi/kitas.xlsx", "a" * 64, "imigrasi", "imigrasi", 1)]
    record_files(engine, "run-1", "2025-08", files)
    with engine.begin() as conn:
        conn.execute(file_ledger.update().values(status="loaded"))
    record_files(engine, "run-2", "2025-08", files)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(file_ledger)).mappings()]
    assert len(rows) == 1
    row = rows[0]
    assert (row["path"], row["status"], row["first_seen_run"], row["last_seen_run"], row["size"]) == (
        "2025-08/imigrasi/kitas.xlsx",
        "loaded",
        "run-1",
        "run-2",
        10,
    )
