"""Batch reading with stored parses: unchanged content is reused only where it lies at the same place."""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tka.artifacts import ArtifactStore
from tka.batch import ReadStore, cache_key, read_many, reader_code_files, reader_fingerprint, run_temp_dir
from tka.read import DiscoveredFile, discover, load_sources_config, open_drive, reader
from tka.settings import PROJECT_ROOT

REPORT = (b"No,Nama,No. Paspor,Kewarganegaraan,Jabatan\n"
          b"1,GAO XUEFENG,E12345678,CHN,Tenaga Ahli\n"
          b"2,LI WEI,E87654321,CHN,Supervisor\n")


@pytest.fixture
def config():
    return load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")


def _store(folder: Path) -> ReadStore:
    return ReadStore(ArtifactStore(folder), "fp")


def _write(drive: Path, rel: str, data: bytes = REPORT) -> None:
    (drive / rel).parent.mkdir(parents=True, exist_ok=True)
    (drive / rel).write_bytes(data)


def _read(drive: Path, period: str, config, cache: ReadStore, **options) -> dict:
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
    cache = _store(tmp_path / "cache")
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
    cache = _store(tmp_path / "cache")
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


# --- isolation: one bad file never costs the others ---------------------------------------------------------
def _ods_bomb() -> bytes:
    """A 1 KB ODS whose one row of 256 cells is repeated 100,000 times: inside the row/column limits, but
    expanding it takes gigabytes."""
    from tests.tka.read.corpus.make import ods

    cells = ('<table:table-cell table:number-columns-repeated="256" office:value-type="string">'
             '<text:p>x</text:p></table:table-cell>')
    return ods(f'<table:table-row table:number-rows-repeated="100000">{cells}</table:table-row>')


def test_memory_bomb_is_quarantined_while_the_other_files_load(tmp_path, config):
    drive = tmp_path / "drive"
    good = "2025-08/perusahaan/1234567890123 PT ALPHA.csv"
    bomb = "2025-08/perusahaan/1234567890124 PT BETA.ods"
    _write(drive, good)
    _write(drive, bomb, _ods_bomb())
    fs, root = open_drive(str(drive))
    files = discover(fs, root, "2025-08", config)
    cache = _store(tmp_path / "cache")
    for run in ("run-1", "run-2"):  # the re-run reaches the same verdict: it is not cached as a parse
        results = read_many(fs, root, files, config, run, cache=cache, workers=2, memory_mb=300)
        # How the child dies when it hits its address-space limit (MemoryError, a native allocation abort) depends
        # on where the allocation fails; either way the file is quarantined by name and the other file loads.
        assert results[good].quarantine is None
        assert results[bomb].quarantine in {"memory_limit", "reader_crashed"} and bomb in results[bomb].detail
        assert list(results[good].rows["passport_no"]) == ["E12345678", "E87654321"]
        assert set(results[good].rows["run_id"]) == {run}
        assert bomb in results[bomb].detail and results[bomb].rows.empty
    assert len(list(cache.store.folder.rglob("*.json"))) == 1  # only the good file's parse


def test_hanging_read_is_quarantined_while_the_other_files_load(tmp_path, config):
    drive = tmp_path / "drive"
    good = "2025-08/perusahaan/1234567890123 PT ALPHA.csv"
    hang = "2025-08/perusahaan/1234567890125 PT GAMMA.csv"
    _write(drive, good)
    fs, root = open_drive(str(drive))
    files = discover(fs, root, "2025-08", config)
    os.mkfifo(drive / hang)  # reading a FIFO nobody writes to blocks forever: a reader that hangs
    files.append(DiscoveredFile(hang, "company", "company:1234567890125", {"company_nib": "1234567890125"},
                                size=10, sha256="0" * 64))
    results = read_many(fs, root, files, config, "run", cache=None, workers=1, timeout_s=2)
    assert {path: r.quarantine for path, r in results.items()} == {good: None, hang: "time_limit"}
    assert list(results[good].rows["passport_no"]) == ["E12345678", "E87654321"]
    assert hang in results[hang].detail and results[hang].rows.empty


def test_isolated_and_in_process_reads_agree(tmp_path, config):
    from tests.tka.read.corpus.make import CASES

    drive = tmp_path / "drive"
    for case in CASES:
        _write(drive, f"2025-08/{case.name}", case.build())
    fs, root = open_drive(str(drive))
    files = discover(fs, root, "2025-08", config)
    isolated = read_many(fs, root, files, config, "run", cache=None, workers=2)
    local = read_many(fs, root, files, config, "run", cache=None, workers=0)
    assert {p: r.quarantine for p, r in isolated.items()} == {p: r.quarantine for p, r in local.items()} == {
        f"2025-08/{c.name}": c.reason for c in CASES}
    for path, result in local.items():
        assert isolated[path].rows.equals(result.rows), path


def test_reader_children_die_with_their_parent(tmp_path):
    script = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from tka.read.isolate import IsolationLimits, ReaderPool\n"
        f"pool = ReaderPool(2, IsolationLimits(60, 500), Path({str(tmp_path)!r}), 'tka.batch:read_in_child')\n"
        "print(' '.join(map(str, pool.start())), flush=True)\n"
        "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    children = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(children) == 2
    parent.kill()
    parent.wait()
    for _ in range(100):  # the watchdog looks every half second
        if not any(_alive(pid) for pid in children):
            break
        time.sleep(0.1)
    assert [pid for pid in children if _alive(pid)] == []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def test_file_changed_after_listing_is_quarantined_not_loaded_under_the_old_hash(tmp_path, config):
    drive = tmp_path / "drive"
    rel = "2025-08/perusahaan/1234567890123 PT ALPHA.csv"
    _write(drive, rel)
    fs, root = open_drive(str(drive))
    files = discover(fs, root, "2025-08", config)
    _write(drive, rel, REPORT + b"3,ZHANG SAN,E11223344,CHN,Operator\n")  # overwritten after it was hashed
    cache = _store(tmp_path / "cache")
    for workers in (0, 1):
        result = read_many(fs, root, files, config, "run", cache=cache, workers=workers)[rel]
        assert (result.quarantine, result.rows.empty) == ("changed_during_run", True)
        assert rel in result.detail
    assert list(cache.store.folder.rglob("*.json")) == []


# --- stored parses: safe format, private files, tampering is a miss -----------------------------------------
def test_stored_parse_is_private_parquet_and_json_and_a_tampered_entry_is_a_miss(tmp_path, config, monkeypatch):
    drive = tmp_path / "drive"
    rel = "2025-08/perusahaan/1234567890123 PT ALPHA.csv"
    _write(drive, rel)
    cache = _store(tmp_path / "cache")
    first = _read(drive, "2025-08", config, cache)
    (entry,) = cache.store.folder.rglob("*.parquet")
    sidecar = entry.with_suffix(".json")
    for folder in (tmp_path / "cache", entry.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(entry.stat().st_mode) == stat.S_IMODE(sidecar.stat().st_mode) == 0o600
    head, body = sidecar.read_bytes().split(b"\n", 1)
    assert json.loads(head)["format"] == "tka-artifact-1" and json.loads(body)["meta"]["quarantine"] is None

    sidecar.write_bytes(head + b"\n" + body.replace(b'"detail":""', b'"detail":"forged"'))  # old digest
    reads = _counting_reads(monkeypatch)
    again = _read(drive, "2025-08", config, cache)
    assert reads == [rel]  # a miss: read again, never trusted
    assert list(again[rel].rows["passport_no"]) == list(first[rel].rows["passport_no"]) == ["E12345678", "E87654321"]

    entry.write_bytes(pickle.dumps(_Boom(tmp_path / "pwned")))  # a pickle planted by a drive user: never loaded
    sidecar.write_bytes(pickle.dumps(_Boom(tmp_path / "pwned")))
    assert cache.get(discover(*open_drive(str(drive)), "2025-08", config)[0]) is None
    assert not (tmp_path / "pwned").exists()


class _Boom:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch '{self.path}'",))


def test_cache_round_trip_keeps_types(tmp_path, config):
    drive = tmp_path / "drive"
    rel = "2025-08/disnakertrans/lahir.xlsx"
    from tests.tka.read.corpus.make import BIRTH, HEADER, ROWS, xlsxwriter_xlsx

    _write(drive, rel, xlsxwriter_xlsx([[*HEADER, "Tanggal Lahir"], [*ROWS[0], BIRTH[0]], [*ROWS[1], None]]))
    cache = _store(tmp_path / "cache")
    first = _read(drive, "2025-08", config, cache)[rel]
    hit = cache.get(discover(*open_drive(str(drive)), "2025-08", config)[0])
    assert hit is not None
    assert hit.rows.drop(columns="run_id").equals(first.rows.drop(columns="run_id"))
    assert list(hit.rows["birth_date"]) == [BIRTH[0], None]
    assert (hit.sheets, hit.columns, hit.drift, hit.format) == (first.sheets, first.columns, first.drift, first.format)


def test_unwritable_cache_is_a_warning_not_a_failure(tmp_path, config, caplog):
    drive = tmp_path / "drive"
    rel = "2025-08/perusahaan/1234567890123 PT ALPHA.csv"
    _write(drive, rel)
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")
    cache = _store(blocked)
    results = _read(drive, "2025-08", config, cache)
    assert list(results[rel].rows["passport_no"]) == ["E12345678", "E87654321"]
    assert "Artifact store" in caplog.text


def test_fingerprint_covers_every_tka_module_the_reader_imports():
    script = ("import sys, tka.read, tka.batch, tka.read.isolate; "
              "print('\\n'.join(m.__file__ for n, m in list(sys.modules.items()) if n.split('.')[0] == 'tka'))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    imported = {Path(p).resolve() for p in out.stdout.split()}
    assert imported and imported <= {p.resolve() for p in reader_code_files()}
    assert reader_fingerprint("a") != reader_fingerprint("b")


def test_run_temp_dir_is_private_and_clears_folders_of_dead_runs(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()
    stale = tmp_path / "cache" / "tmp" / f"{dead}-run-x"
    stale.mkdir(parents=True)
    (stale / "feedback.tmp").write_text("paspor E12345678")
    folder = run_temp_dir(tmp_path / "cache", "run/1")
    assert folder == tmp_path / "cache" / "tmp" / f"{os.getpid()}-run1"
    assert not stale.exists()
    assert stat.S_IMODE(folder.stat().st_mode) == stat.S_IMODE(folder.parent.stat().st_mode) == 0o700
    assert run_temp_dir(tmp_path / "cache", "run/1") == folder and folder.exists()  # this run's own is kept
