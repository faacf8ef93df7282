"""Process helpers for the benchmarks: run a command in a fresh process and measure its wall time and the peak
memory of its whole process tree (the flow reads files in a process pool, so the tree is what counts). Memory is
the sum of each process's PSS (proportional set size): RSS would count the pages a forked reader shares with its
parent twice.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


def _pss_bytes(pid: int) -> int:
    """Proportional set size of one process: pages shared with forked children are split, not counted twice."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree_memory_bytes(root: int) -> int:
    """Memory of ``root`` and its descendants (sum of PSS), from /proc (Linux)."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return sum(_pss_bytes(pid) for pid in tree)


@dataclass
class Measured:
    """One process run: wall seconds, peak memory (sum of PSS) of its process tree in MiB, exit code, output."""

    seconds: float
    peak_mib: float
    returncode: int
    stdout: str
    stderr: str


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            interval: float = 0.1, timeout: float = 1800) -> Measured:
    """Run ``cmd`` in a fresh process; sample its process tree's memory every ``interval`` seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_memory_bytes(proc.pid))
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    finally:
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
        if proc.poll() is None:
            proc.kill()
    return Measured(elapsed, peak / 2**20, proc.returncode, stdout, stderr)


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrefectServer:
    """A real ``prefect server start`` on a free loopback port with its own home; measures its start-up."""

    def __init__(self, home: Path, prefect: str) -> None:
        self.home, self.prefect = home, prefect
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.startup_seconds = 0.0
        self._proc: subprocess.Popen[bytes] | None = None

    def env(self) -> dict[str, str]:
        """Environment for processes that talk to this server."""
        return {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_API_URL": self.url,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
                "PREFECT_LOGGING_LEVEL": "WARNING"}

    def __enter__(self) -> PrefectServer:
        self.home.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in self.env().items() if k != "PREFECT_API_URL"}
        start = time.perf_counter()
        log = open(self.home / "server.log", "wb")
        self._proc = subprocess.Popen([self.prefect, "server", "start", "--host", "127.0.0.1", "--port",
                                       str(self.port)], env=env, stdout=log, stderr=subprocess.STDOUT,
                                      start_new_session=True)
        deadline = start + 180
        while time.perf_counter() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"prefect server exited; see {self.home / 'server.log'}")
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                    if response.status == 200:
                        self.startup_seconds = time.perf_counter() - start
                        return self
            except OSError:
                time.sleep(0.25)
        self.__exit__()
        raise RuntimeError(f"prefect server did not answer in 180 s; see {self.home / 'server.log'}")

    def __exit__(self, *exc: object) -> None:
        if self._proc and self._proc.poll() is None:
            os.killpg(self._proc.pid, 15)
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, 9)
