"""The read stage end to end: a run that fails in the load, repeated, reuses every stored parse and loads the
warehouse a clean run loads; the same month read by two Dask worker processes loads it too."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.monthly_ingest import monthly_ingest
from tka.sample import generate_drive

PERIOD = "2025-08"
pytestmark = pytest.mark.slow
Snapshot = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def drive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stages")
    generate_drive(PERIOD, "kukar", 3, root / "drive", root / "truth.json", size=0.3)
    return root / "drive"


def _copy(drive: Path, where: Path) -> Path:
    """A fresh copy of the drive (its own artifact store beside it), arrival times kept."""
    target = where / "drive"
    shutil.copytree(drive, target)
    return target


def _snapshot(url: str) -> Snapshot:
    from tka.warehouse import make_engine, period_snapshot

    engine = make_engine(url)
    try:
        return period_snapshot(engine, PERIOD)  # rows without run ids and timestamps
    finally:
        engine.dispose()


def _ingest(drive: Path, url: str, flow: Any = monthly_ingest) -> dict[str, Any]:
    return flow(period=PERIOD, drive_url=str(drive), warehouse_url=url, dry_run_alerts=True)


@pytest.fixture(scope="module")
def clean(drive: Path, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Snapshot:
    """The warehouse of one local run of the month, start to end."""
    where = tmp_path_factory.mktemp("clean")
    url = f"sqlite:///{where / 'warehouse.db'}"
    _ingest(_copy(drive, where), url)
    return _snapshot(url)


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths the read tasks of this process read (not served from the store)."""
    import tka.stages

    reads: list[str] = []
    real = tka.stages.read_many

    def counting(fs: Any, root: str, files: list[Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
        reads.extend(f.path for f in files)
        return real(fs, root, files, *args, **kwargs)

    monkeypatch.setattr(tka.stages, "read_many", counting)
    return reads


def test_a_run_failing_in_the_load_repeated_reuses_every_parse(drive, clean, tmp_path, monkeypatch):
    import tka.warehouse

    local = _copy(drive, tmp_path)
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    reads = _counting_reads(monkeypatch)
    real_load = tka.warehouse.load_period

    def refusing(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("gudang data menolak / the warehouse refuses this load")

    monkeypatch.setattr(tka.warehouse, "load_period", refusing)
    with pytest.raises(RuntimeError, match="warehouse refuses"):
        _ingest(local, url)
    files = sorted(p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file())
    assert sorted(reads) == files  # the first run read every file of the month
    stored = sorted((local.parent / ".tka-cache" / "artifacts").rglob("*.parquet"))
    assert len(stored) == len(files)

    monkeypatch.setattr(tka.warehouse, "load_period", real_load)
    reads.clear()
    summary = _ingest(local, url)
    assert reads == []  # every parse came from the store
    assert summary["files_total"] == len(files)
    assert sorted((local.parent / ".tka-cache" / "artifacts").rglob("*.parquet")) == stored
    assert _snapshot(url) == clean


# --- scale-out: a loopback Dask cluster --------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_workers(address: str, n: int, timeout_s: float = 120) -> None:
    from distributed import Client

    with Client(address, timeout=timeout_s) as client:
        client.wait_for_workers(n, timeout=timeout_s)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Dask scheduler and two single-threaded worker processes on loopback; its address."""
    try:
        import distributed  # noqa: F401
        import prefect_dask  # noqa: F401
    except ImportError as exc:
        message = (f"\n{'!' * 78}\nDask NOT INSTALLED ({exc}): the scale-out test is SKIPPED. "
                   f"pip install -e '.[dev]' installs it.\n{'!' * 78}")
        print(message)
        pytest.skip(message)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("TKA_DASK_ADDRESS", None)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(subprocess.Popen(
            [str(bin_dir / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=(logs / "scheduler.log").open("wb"), stderr=subprocess.STDOUT, env=env))
        processes.extend(subprocess.Popen(
            [str(bin_dir / "dask"), "worker", address, "--nworkers", "1", "--nthreads", "1", "--host",
             "127.0.0.1", "--no-dashboard", "--name", f"tka-worker-{number}", "--local-directory",
             str(logs / f"worker-{number}")],
            stdout=(logs / f"worker-{number}.log").open("wb"), stderr=subprocess.STDOUT, env=env)
            for number in (1, 2))
        time.sleep(1)
        _wait_for_workers(address, 2)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_two_dask_workers_load_the_warehouse_a_local_run_loads(drive, clean, dask_cluster, tmp_path,
                                                               monkeypatch):
    from distributed import Client

    from tasks._common import task_runner

    monkeypatch.setenv("TKA_DASK_ADDRESS", dask_cluster)
    monkeypatch.setenv("TKA_READ_CHUNK_FILES", "2")  # several chunks, so both workers read
    flow = monthly_ingest.with_options(task_runner=task_runner())
    reads = _counting_reads(monkeypatch)
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    with Client(dask_cluster) as client:
        before = client.run(_executed)
        summary = _ingest(_copy(drive, tmp_path), url, flow)
        ran = {w: n - before[w] for w, n in client.run(_executed).items()}
    assert reads == []  # no file was read in this process: the workers read them
    assert len(ran) == 2 and all(n > 0 for n in ran.values()), ran  # both workers ran read tasks
    assert sum(ran.values()) == -(-summary["files_total"] // 2)  # one task per chunk of two files
    assert _snapshot(url) == clean


def _executed(dask_worker: Any) -> int:
    """In a Dask worker: how many tasks it has run."""
    return int(dask_worker.state.executed_count)
