"""The per-file read stage: chunks, stored parses behind typed handles, and the month gathered from the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tka.test_batch import REPORT, _counting_reads, _ods_bomb, _write
from tka.batch import read_many
from tka.read import discover, load_sources_config, open_drive
from tka.read.isolate import IsolationLimits
from tka.settings import PROJECT_ROOT
from tka.stages import FileRead, ReaderSetup, chunk_files, chunk_size, gather_batch, read_chunk

PERIOD = "2025-08"
ALPHA = "2025-08/perusahaan/1234567890123 PT ALPHA.csv"
BETA = "2025-08/perusahaan/1234567890124 PT BETA.csv"
BOMB = "2025-08/perusahaan/1234567890125 PT GAMMA.ods"
UNKNOWN = "2025-08/lainnya/catatan.csv"


@pytest.fixture
def config():
    return load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")


@pytest.fixture
def drive(tmp_path: Path) -> Path:
    drive = tmp_path / "drive"
    _write(drive, ALPHA)
    _write(drive, BETA, REPORT + b"3,ZHANG SAN,E11223344,CHN,Operator\n")
    _write(drive, UNKNOWN)
    return drive


def test_chunks_cover_the_files_in_order():
    assert chunk_files(list("abcde"), 2) == [["a", "b"], ["c", "d"], ["e"]]
    assert chunk_files([], 3) == []
    assert chunk_files(list("ab"), 0) == [["a"], ["b"]]
    assert chunk_size(100, 2, 7) == 7  # the setting wins
    assert chunk_size(100, 2, 0) == 13  # four chunks per worker
    assert chunk_size(10_000, 4, 0) == 16  # at most 16 files a task
    assert chunk_size(3, 4, 0) == 1


def test_read_chunk_stores_each_parse_and_a_second_run_reuses_them(tmp_path, drive, config, monkeypatch):
    fs, root = open_drive(str(drive))
    files = discover(fs, root, PERIOD, config)
    setup = ReaderSetup(config, "cfg", tmp_path / "store")
    reads = _counting_reads(monkeypatch)

    first = read_chunk(fs, root, files, setup, "run-1", workers=0)
    assert reads == [UNKNOWN, ALPHA, BETA]
    by_sha = {f.path: f.sha256 for f in files}
    assert [(h.path, h.sha256, h.source_kind, h.n_rows, h.quarantine, h.reused, h.artifact is not None, h.kept)
            for h in first] == [
        (UNKNOWN, by_sha[UNKNOWN], None, 0, "unknown_source", False, True, None),
        (ALPHA, by_sha[ALPHA], "company", 2, None, False, True, None),
        (BETA, by_sha[BETA], "company", 3, None, False, True, None),
    ]
    again = read_chunk(fs, root, files, setup, "run-2", workers=0)
    assert reads == [UNKNOWN, ALPHA, BETA]  # nothing read again
    assert [h.reused for h in again] == [True, True, True]
    assert [h.artifact for h in again] == [h.artifact for h in first]

    fresh = read_chunk(fs, root, files, ReaderSetup(config, "cfg", tmp_path / "store", reuse=False), "run-3",
                       workers=0)
    assert reads == [UNKNOWN, ALPHA, BETA] * 2  # --reprocess reads again
    assert [h.artifact for h in fresh] == [h.artifact for h in first]
    other_config = read_chunk(fs, root, files, ReaderSetup(config, "cfg-2", tmp_path / "store"), "run-4",
                              workers=0)
    assert reads == [UNKNOWN, ALPHA, BETA] * 3  # another layout config is another key
    assert not {h.artifact for h in other_config} & {h.artifact for h in first}


def test_gathered_month_equals_reading_the_files_directly(tmp_path, drive, config):
    fs, root = open_drive(str(drive))
    files = discover(fs, root, PERIOD, config)
    setup = ReaderSetup(config, "cfg", tmp_path / "store")
    handles = [h for chunk in chunk_files(files, 2) for h in read_chunk(fs, root, chunk, setup, "run-1", workers=0)]
    read_chunk(fs, root, files, setup, "run-2", workers=0)  # the store is reused below, under another run id

    batch = gather_batch(files, handles, setup, "run-9", reread=lambda lost: pytest.fail(f"re-read {lost}"))
    direct = read_many(fs, root, files, config, "run-9", cache=None, workers=0)
    assert list(batch.results) == [f.path for f in files]
    for path, result in direct.items():
        got = batch.results[path]
        assert (got.quarantine, got.detail, got.format, got.sheets, got.columns, got.drift) == (
            result.quarantine, result.detail, result.format, result.sheets, result.columns, result.drift)
        assert got.rows.equals(result.rows)
        assert got.rows.dtypes.equals(result.rows.dtypes)
    assert list(batch.worker_rows["file_path"]) == [ALPHA] * 2 + [BETA] * 3
    assert set(batch.worker_rows["run_id"]) == {"run-9"}
    assert list(batch.worker_rows["passport_no"]) == ["E12345678", "E87654321", "E12345678", "E87654321",
                                                      "E11223344"]
    assert batch.registry_rows.empty and list(batch.quarantined) == [UNKNOWN]


def test_hostile_file_is_quarantined_by_name_and_never_stored(tmp_path, drive, config):
    _write(drive, BOMB, _ods_bomb())
    fs, root = open_drive(str(drive))
    files = [f for f in discover(fs, root, PERIOD, config) if f.path in {ALPHA, BOMB}]
    setup = ReaderSetup(config, "cfg", tmp_path / "store", memory_mb=300)
    for run in ("run-1", "run-2"):
        alpha, bomb = read_chunk(fs, root, files, setup, run, workers=1, tmp_dir=tmp_path / "tmp")
        assert (alpha.path, alpha.quarantine, alpha.n_rows, alpha.reused) == (ALPHA, None, 2, run == "run-2")
        assert bomb.path == BOMB and bomb.quarantine in {"memory_limit", "reader_crashed"}
        assert bomb.artifact is None and not bomb.reused and BOMB in bomb.detail  # a verdict about the run
        assert bomb.kept is not None and bomb.kept.rows.empty
    batch = gather_batch(files, [alpha, bomb], setup, "run-2", reread=lambda lost: pytest.fail("re-read"))
    assert set(batch.quarantined) == {BOMB} and len(batch.worker_rows) == 2


def test_a_vanished_artifact_is_read_again(tmp_path, drive, config):
    fs, root = open_drive(str(drive))
    files = discover(fs, root, PERIOD, config)
    setup = ReaderSetup(config, "cfg", tmp_path / "store")
    handles = read_chunk(fs, root, files, setup, "run-1", workers=0)
    for entry in (tmp_path / "store").rglob(f"{handles[2].artifact}.*"):
        entry.unlink()
    asked: list[list[str]] = []

    def reread(lost):
        asked.append([f.path for f in lost])
        return read_many(fs, root, lost, config, "run-1", cache=None, workers=0)

    batch = gather_batch(files, handles, setup, "run-1", reread)
    assert asked == [[BETA]]
    assert list(batch.worker_rows["file_path"]) == [ALPHA] * 2 + [BETA] * 3


def test_unwritable_store_keeps_the_parse_in_the_handle(tmp_path, drive, config, caplog):
    blocked = tmp_path / "store"
    blocked.write_text("a file where the store should be")
    fs, root = open_drive(str(drive))
    files = discover(fs, root, PERIOD, config)
    setup = ReaderSetup(config, "cfg", blocked)
    handles = read_chunk(fs, root, files, setup, "run-1", workers=0)
    assert all(isinstance(h, FileRead) and h.artifact is None and h.kept is not None for h in handles)
    batch = gather_batch(files, handles, setup, "run-1", reread=lambda lost: pytest.fail("re-read"))
    assert len(batch.worker_rows) == 5
    assert "Artifact store" in caplog.text


def test_read_tasks_reuse_idle_reader_processes(tmp_path, drive, config):
    from tka.stages import READER_POOLS

    fs, root = open_drive(str(drive))
    files = discover(fs, root, PERIOD, config)
    setup = ReaderSetup(config, "cfg", tmp_path / "store", reuse=False)
    first = read_chunk(fs, root, files[:2], setup, "run-1", tmp_dir=tmp_path / "tmp")
    with READER_POOLS.borrow(IsolationLimits(setup.timeout_s, setup.memory_mb), tmp_path / "tmp") as pool:
        pids = pool.start()
    second = read_chunk(fs, root, files[2:], setup, "run-1", tmp_dir=tmp_path / "tmp")
    with READER_POOLS.borrow(IsolationLimits(setup.timeout_s, setup.memory_mb), tmp_path / "tmp") as pool:
        assert pool.start() == pids  # the same reader process read both chunks
    READER_POOLS.close()
    assert [h.quarantine for h in first + second] == ["unknown_source", None, None]
    assert [h.n_rows for h in first + second] == [0, 2, 3]
