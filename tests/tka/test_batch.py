"""Batch reading with the parse cache: unchanged content is reused only where it lies at the same place."""

from __future__ import annotations

from pathlib import Path

import pytest

from tka.batch import ParseCache, cache_key, read_many
from tka.read import discover, load_sources_config, open_drive, reader
from tka.settings import PROJECT_ROOT

REPORT = (b"No,Nama,No. Paspor,Kewarganegaraan,Jabatan\n"
          b"1,GAO XUEFENG,E12345678,CHN,Tenaga Ahli\n"
          b"2,LI WEI,E87654321,CHN,Supervisor\n")


@pytest.fixture
def config():
    return load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")


def _write(drive: Path, rel: str, data: bytes = REPORT) -> None:
    (drive / rel).parent.mkdir(parents=True, exist_ok=True)
    (drive / rel).write_bytes(data)


def _read(drive: Path, period: str, config, cache: ParseCache, **options) -> dict:
    fs, root = open_drive(str(drive))
    options.setdefault("workers", 0)
    return read_many(fs, root, discover(fs, root, period, config), config, f"run-{period}", cache=cache, **options)


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real = reader.read_file

    def counting(fs, root, file, *args, **kwargs):
        reads.append(file.path)
        return real(fs, root, file, *args, **kwargs)

    monkeypatch.setattr(reader, "read_file", counting)
    return reads


def test_same_content_in_a_later_month_keeps_its_own_path_and_company(tmp_path, config, monkeypatch):
    drive = tmp_path / "drive"
    august, september = "2025-08/perusahaan/1234567890123 PT ALPHA.csv", "2025-09/perusahaan/1234567890123 PT ALPHA.csv"
    other = "2025-09/perusahaan/3210987654321 PT BETA.csv"  # the same bytes filed under another company
    for rel in (august, september, other):
        _write(drive, rel)
    cache = ParseCache(tmp_path / "cache", "fp")
    reads = _counting_reads(monkeypatch)

    first = _read(drive, "2025-08", config, cache)
    second = _read(drive, "2025-09", config, cache)

    assert reads == [august, september, other]  # a new place is read, not served from another place's parse
    assert set(first[august].rows["file_path"]) == {august}
    assert set(second[september].rows["file_path"]) == {september}
    assert set(second[other].rows["file_path"]) == {other}
    assert set(second[other].rows["company_nib"]) == {"3210987654321"}
    assert set(second[september].rows["run_id"]) == {"run-2025-09"}
    # Same content, so the same record keys: a re-sent file's issues keep their ids.
    assert list(second[september].rows["record_key"]) == list(first[august].rows["record_key"])


def test_unchanged_file_at_the_same_place_is_not_read_again(tmp_path, config, monkeypatch):
    drive = tmp_path / "drive"
    rel = "2025-08/perusahaan/1234567890123 PT ALPHA.csv"
    _write(drive, rel)
    cache = ParseCache(tmp_path / "cache", "fp")
    reads = _counting_reads(monkeypatch)

    first = _read(drive, "2025-08", config, cache)
    again = _read(drive, "2025-08", config, cache)
    assert reads == [rel]
    assert again[rel].rows.drop(columns="run_id").equals(first[rel].rows.drop(columns="run_id"))

    _write(drive, rel, REPORT + b"3,ZHANG SAN,E11223344,CHN,Operator\n")
    changed = _read(drive, "2025-08", config, cache)
    assert reads == [rel, rel]
    assert len(changed[rel].rows) == 3


def test_cache_key_covers_content_and_place(tmp_path, config):
    drive = tmp_path / "drive"
    _write(drive, "2025-08/perusahaan/1234567890123 PT ALPHA.csv")
    fs, root = open_drive(str(drive))
    (file,) = discover(fs, root, "2025-08", config)
    assert cache_key(file) == cache_key(file.__class__(**vars(file)))
    for change in ({"sha256": "0" * 64}, {"path": "2025-09/perusahaan/1234567890123 PT ALPHA.csv"},
                   {"defaults": {"company_nib": "3210987654321"}}, {"source_id": "company:3210987654321"}):
        assert cache_key(file.__class__(**{**vars(file), **change})) != cache_key(file)
