"""Several files of one source: revisions by name or shared workers, duplicates, ambiguous pairs, carried waivers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from tka.versions import (
    AmbiguousPair,
    FileChoice,
    Replacement,
    carry_decisions,
    decide_revisions,
    normalise_file_name,
    overlap_ratio,
)

NIB = "1234567890123"
DIR = "2025-08/perusahaan"


def _file(name: str, sha: str, day: int, source_id: str = f"company:{NIB}") -> dict:
    return {"path": f"{DIR}/{name}", "sha256": sha, "source_kind": "company", "source_id": source_id,
            "source": "perusahaan", "modified": dt.datetime(2025, 9, day, tzinfo=dt.UTC)}


def _rows(path: str, passports: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"file_path": path, "passport_no": passports, "kitas_no": None,
                         "name": [f"NAMA {p}" for p in passports], "birth_date": dt.date(1980, 1, 1)})


def _passports(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:07d}" for i in range(n)]


@pytest.mark.parametrize(("name", "normal"), [
    (f"{DIR}/{NIB} PT Alpha Agustus 2025.xlsx", f"{NIB} pt alpha"),
    (f"{DIR}/{NIB} PT Alpha Agustus 2025 revisi (1).xlsx", f"{NIB} pt alpha"),
    (f"{DIR}/Copy of {NIB}_PT_Alpha_2025-08_final_v2.XLSX", f"{NIB} pt alpha"),
    (f"{DIR}/{NIB} PT Alpha - Copy - salinan perbaikan terbaru.xls", f"{NIB} pt alpha"),
    (f"{DIR}/{NIB} PT Alpha koreksi update 31.08.2025.csv", f"{NIB} pt alpha"),
    (f"{DIR}/{NIB} PT Alpha site Muara Badak.xlsx", f"{NIB} pt alpha site muara badak"),
])
def test_file_names_are_normalised(name, normal):
    assert normalise_file_name(name) == normal


def test_overlap_is_a_share_of_the_smaller_file():
    a = [{"P:1"}, {"P:2"}, {"P:3"}, {"P:4"}]
    b = [{"P:1", "N:X|1980-01-01"}, {"P:9"}]
    assert overlap_ratio(a, b) == 0.5
    assert overlap_ratio(a, []) is None


def test_a_revision_by_name_replaces_the_older_file_and_different_workers_are_both_kept():
    files = [_file(f"{NIB} PT Alpha Agustus.xlsx", "s1", 2), _file(f"{NIB} PT Alpha Agustus revisi.xlsx", "s2", 5),
             _file(f"{NIB} PT Alpha site B.xlsx", "s3", 6)]
    rows = {files[0]["path"]: _rows(files[0]["path"], _passports("E", 10)),
            files[1]["path"]: _rows(files[1]["path"], _passports("E", 9)),
            files[2]["path"]: _rows(files[2]["path"], _passports("G", 12))}
    decision = decide_revisions(files, rows)
    assert decision.replaced == {files[0]["path"]: Replacement(files[0]["path"], files[1]["path"], "name", 1.0)}
    assert (decision.duplicates, decision.ambiguous) == ({}, [])
    assert decision.dropped == {files[0]["path"]}


def test_most_workers_shared_is_a_revision_whatever_the_name():
    files = [_file("laporan.xlsx", "s1", 2), _file("data tka terkini.xlsx", "s2", 3)]
    rows = {files[0]["path"]: _rows(files[0]["path"], _passports("E", 10)),
            files[1]["path"]: _rows(files[1]["path"], [*_passports("E", 8), "X0000001", "X0000002"])}
    decision = decide_revisions(files, rows)
    assert decision.replaced == {files[0]["path"]: Replacement(files[0]["path"], files[1]["path"], "overlap", 0.8)}
    assert decision.replaced[files[0]["path"]].describe() == \
        f"revisi: sebagian besar TKA sama, 80% TKA sama; diganti oleh {files[1]['path']}"


def test_the_same_workers_with_other_facts_are_no_revision():
    files = [_file("rptka.xlsx", "s1", 2, "disnakertrans"), _file("notifikasi.xlsx", "s2", 3, "disnakertrans")]
    rptka = _rows(files[0]["path"], _passports("E", 10)).assign(rptka_no="RPTKA-1")
    notifikasi = _rows(files[1]["path"], _passports("E", 10)).assign(notifikasi_no="N-1")
    decision = decide_revisions(files, {files[0]["path"]: rptka, files[1]["path"]: notifikasi})
    assert decision.replaced == {}
    assert decision.ambiguous == [AmbiguousPair(files[0]["path"], files[1]["path"], "overlap", 1.0)]


def test_some_shared_workers_or_a_same_name_with_other_workers_is_ambiguous_and_both_stay():
    files = [_file("laporan.xlsx", "s1", 2), _file("data lain.xlsx", "s2", 3),
             _file(f"{NIB} Agustus.xlsx", "s3", 4), _file(f"{NIB} Agustus revisi.xlsx", "s4", 5)]
    rows = {files[0]["path"]: _rows(files[0]["path"], _passports("E", 10)),
            files[1]["path"]: _rows(files[1]["path"], [*_passports("E", 5), *_passports("F", 5)]),
            files[2]["path"]: _rows(files[2]["path"], _passports("G", 10)),
            files[3]["path"]: _rows(files[3]["path"], _passports("H", 10))}
    decision = decide_revisions(files, rows)
    assert decision.replaced == {}
    assert decision.ambiguous == [AmbiguousPair(files[0]["path"], files[1]["path"], "overlap", 0.5),
                                  AmbiguousPair(files[2]["path"], files[3]["path"], "name", 0.0)]
    assert decision.ambiguous[0].as_dict() == {"older": files[0]["path"], "newer": files[1]["path"],
                                               "reason": "overlap", "ratio": 0.5}


def test_the_stewards_choice_decides_an_ambiguous_pair():
    files = [_file("laporan.xlsx", "s1", 2), _file("data lain.xlsx", "s2", 3)]
    rows = {files[0]["path"]: _rows(files[0]["path"], _passports("E", 10)),
            files[1]["path"]: _rows(files[1]["path"], [*_passports("E", 5), *_passports("F", 5)])}
    replace = decide_revisions(files, rows, [FileChoice(files[0]["path"], "ganti", files[1]["path"])])
    assert replace.replaced == {files[0]["path"]: Replacement(files[0]["path"], files[1]["path"], "steward")}
    assert replace.ambiguous == []
    keep = decide_revisions(files, rows, [FileChoice(files[0]["path"], "pertahankan")])
    assert (keep.replaced, keep.ambiguous) == ({}, [])


def test_arrival_order_alone_never_drops_a_file_and_other_sources_never_compete():
    files = [_file("a.xlsx", "s1", 2), _file("b.xlsx", "s2", 3), _file(f"{NIB} x.xlsx", "s3", 4, "company:999")]
    rows = {f["path"]: _rows(f["path"], _passports(p, 5)) for f, p in zip(files, "EFE", strict=True)}
    assert decide_revisions(files, rows).dropped == set()


def test_byte_identical_files_in_two_places_read_once():
    files = [_file("b.xlsx", "same", 2), _file("a.xlsx", "same", 3, "company:999")]
    rows = {f["path"]: _rows(f["path"], _passports("E", 5)) for f in files}
    decision = decide_revisions(files, rows)
    assert decision.duplicates == {f"{DIR}/b.xlsx": f"{DIR}/a.xlsx"}
    assert decision.replaced == {}


def test_a_waiver_follows_the_same_value_of_the_same_worker_into_the_revision():
    old, new = f"{DIR}/a.xlsx", f"{DIR}/a revisi.xlsx"
    previous = pd.DataFrame([
        {"issue_id": "old1", "file_path": old, "file_sha256": "s1", "record_key": "s1:S:7", "rule": "permit_expired",
         "column": "kitas_end", "raw_value": "01-01-2025", "status": "waived", "decided_by": "ani",
         "decided_at": dt.datetime(2025, 9, 3, tzinfo=dt.UTC), "decision_note": "sudah diperpanjang",
         "passport_no": "E0000001", "kitas_no": None, "name": "GAO", "birth_date": dt.date(1980, 1, 1)},
        {"issue_id": "old2", "file_path": old, "file_sha256": "s1", "record_key": "s1:S:8", "rule": "passport_format",
         "column": "passport_no", "raw_value": "E1", "status": "open", "decided_by": None, "decided_at": None,
         "decision_note": None, "passport_no": "E1", "kitas_no": None, "name": "LI", "birth_date": None},
        {"issue_id": "old3", "file_path": old, "file_sha256": "s1", "record_key": "s1:S:9", "rule": "permit_expired",
         "column": "kitas_end", "raw_value": "01-01-2025", "status": "waived", "decided_by": "ani",
         "decided_at": None, "decision_note": "x", "passport_no": "E0000009", "kitas_no": None, "name": "WU",
         "birth_date": None},
    ])
    issues = pd.DataFrame([
        {"issue_id": "new1", "file_path": new, "record_key": "s2:S:6", "rule": "permit_expired",
         "column": "kitas_end", "raw_value": "01-01-2025"},
        {"issue_id": "new2", "file_path": new, "record_key": "s2:S:7", "rule": "passport_format",
         "column": "passport_no", "raw_value": "E1"},
        {"issue_id": "new3", "file_path": new, "record_key": "s2:S:8", "rule": "permit_expired",
         "column": "kitas_end", "raw_value": "01-01-2025"},
    ])
    rows = pd.DataFrame([
        {"record_key": "s2:S:6", "file_path": new, "passport_no": None, "kitas_no": None, "name": "GAO",
         "birth_date": dt.date(1980, 1, 1)},  # the same worker: name + birth date
        {"record_key": "s2:S:7", "file_path": new, "passport_no": "E1", "kitas_no": None, "name": "LI",
         "birth_date": None},
        {"record_key": "s2:S:8", "file_path": new, "passport_no": "E0000008", "kitas_no": None, "name": "ZHU",
         "birth_date": None},  # same value, another worker: nothing carried
    ])
    carry = carry_decisions(previous, {(old, "s1"): new}, issues, rows)
    assert carry.carried_from == {"new1": "old1", "new2": "old2"}
    assert carry.waived == {"new1": {"decided_by": "ani", "decided_at": dt.datetime(2025, 9, 3, tzinfo=dt.UTC),
                                     "decision_note": "sudah diperpanjang — dibawa dari old1 (carried from old1)"}}
