"""Read files in isolated reader processes with a wall-time and memory limit per file.

Each reader is a long-lived child: a fresh interpreter (``python -m tka.read.isolate``, like the "spawn" start
method but without re-importing the parent's main script; never a fork of a multi-threaded parent). A
child reads one file at a time; one that runs out of memory, crashes (SIGABRT from a native reader, SIGKILL) or
hangs is killed and replaced, and its file gets a ``memory_limit`` / ``reader_crashed`` / ``time_limit`` verdict
while the other files go on. Children exit by themselves when the parent dies (a watchdog thread on getppid).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Self

log = logging.getLogger(__name__)

WATCHDOG_INTERVAL_S = 0.5
READY = "ready"
# A native reader that cannot allocate prints this before it aborts (Rust's default allocation error handler).
_ALLOC_FAILED = (b"memory allocation of", b"MemoryError", b"Cannot allocate memory", b"std::bad_alloc")


@dataclass(frozen=True)
class IsolationLimits:
    """Per-file wall time (seconds) and per-child memory (MB on top of the child's start-up footprint)."""

    timeout_s: float = 120.0
    memory_mb: int = 2048


@dataclass(frozen=True)
class Failure:
    """Why a child produced no result for a job: a quarantine reason and a detail for the log and the ledger."""

    reason: str
    detail: str


def _vm_bytes() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(3)
        time.sleep(WATCHDOG_INTERVAL_S)


def _child_main(conn: Connection, parent_pid: int, memory_mb: int, work: Callable[..., Any]) -> None:
    """Loop of a reader child: set limits, say ready, then run one job per message until told to stop."""
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="parent-watchdog").start()
    import tka.read  # noqa: F401 - the footprint measured below includes the reader's libraries

    try:
        import resource

        limit = _vm_bytes() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):  # no RLIMIT_AS on this platform: the wall-time limit still holds
        pass
    conn.send(READY)
    state: dict[str, Any] = {}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        try:
            outcome = ("ok", work(state, *message))
        except MemoryError:
            outcome = ("memory_limit", "MemoryError")
        except BaseException as exc:  # noqa: BLE001 - report anything to the parent, then go on
            outcome = ("reader_crashed", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(outcome)
        except MemoryError:
            os._exit(4)
        if outcome[0] != "ok" or getattr(outcome[1], "quarantine", None) == "memory_limit":
            return  # the heap may be in a bad state: the parent starts a fresh child


def main(argv: list[str]) -> None:
    """Entry of a reader child: ``python -m tka.read.isolate FD PARENT_PID MEMORY_MB module:function``."""
    import importlib
    import socket

    fd, parent_pid, memory_mb, target = int(argv[0]), int(argv[1]), int(argv[2]), argv[3]
    module, function = target.split(":")
    work = getattr(importlib.import_module(module), function)
    sock = socket.socket(fileno=fd)
    _child_main(Connection(sock.detach()), parent_pid, memory_mb, work)


class _Child:
    def __init__(self, memory_mb: int, tmp_dir: Path, work: str, number: int) -> None:
        parent_sock, child_sock = socket.socketpair()
        self.conn = Connection(parent_sock.detach())
        self.stderr_path = tmp_dir / f"reader-{os.getpid()}-{number}.err"
        # The child imports tka from where this process did, even when that is not an installed package.
        source_root = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(p for p in (source_root, os.environ.get("PYTHONPATH", "")) if p)
        env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
               "MKL_NUM_THREADS": "1"}
        try:
            fd = os.open(self.stderr_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError:  # no scratch folder: the child's last words go unrecorded, the read still runs
            fd = os.open(os.devnull, os.O_WRONLY)
        try:
            self.process = subprocess.Popen(  # a fresh interpreter: never a fork of this (threaded) process
                [sys.executable, "-m", "tka.read.isolate", str(child_sock.fileno()), str(os.getpid()),
                 str(memory_mb), work],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=fd, pass_fds=(child_sock.fileno(),),
                env=env, close_fds=True)
        finally:
            os.close(fd)
            child_sock.close()
        self.ready = False
        self.job: int | None = None
        self.deadline = 0.0

    def alive(self) -> bool:
        return self.process.poll() is None

    def stderr_tail(self) -> bytes:
        try:
            with self.stderr_path.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                handle.seek(max(handle.tell() - 4096, 0))
                return handle.read()
        except OSError:
            return b""

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        self.conn.close()
        self.stderr_path.unlink(missing_ok=True)

    def stop(self) -> None:
        try:
            self.conn.send(None)
            self.process.wait(2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


def _crash_verdict(child: _Child, name: str) -> Failure:
    try:
        code = child.process.wait(5)
    except subprocess.TimeoutExpired:
        child.process.kill()
        code = child.process.wait(5)
    tail = child.stderr_tail()
    if tail.strip():
        log.warning("Reader process for %s ended (exit code %s); its last output:\n%s", name, code,
                    tail.decode("utf-8", "replace"))
    if code is not None and code < 0:
        how = f"killed by signal {signal.Signals(-code).name}" if -code in signal.valid_signals() else f"signal {-code}"
    else:
        how = f"exit code {code}"
    if any(marker in tail for marker in _ALLOC_FAILED) or code == -signal.SIGKILL:
        return Failure("memory_limit", f"{name}: the reader ran out of memory ({how}) / memori tidak cukup")
    return Failure("reader_crashed", f"{name}: the reader process stopped ({how}) / program pembaca berhenti")


class ReaderPool:
    """Isolated reader children running ``work`` ("module:function"); ``run`` yields (index, result or Failure)."""

    def __init__(self, size: int, limits: IsolationLimits, tmp_dir: Path, work: str) -> None:
        self.size = max(size, 1)
        self.limits = limits
        self.tmp_dir = tmp_dir
        self.work = work
        self._children: list[_Child] = []
        self._started = 0
        self._startup_failures = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop every child (killing any that does not stop)."""
        for child in self._children:
            if child.alive() and child.job is None:
                child.stop()
            else:
                child.kill()
        self._children.clear()

    def start(self) -> list[int]:
        """Start every child now (they otherwise start with the first jobs); return their process ids."""
        while len(self._children) < self.size:
            self._spawn()
        return [c.process.pid for c in self._children]

    def _spawn(self) -> _Child:
        self._started += 1
        child = _Child(self.limits.memory_mb, self.tmp_dir, self.work, self._started)
        self._children.append(child)
        return child

    def _replace(self, child: _Child) -> None:
        child.kill()
        self._children.remove(child)

    def run(self, job: Callable[[int], tuple[Any, ...]], names: list[str]) -> Iterator[tuple[int, Any]]:
        """Run job(i) for every name (arguments of ``work`` after the child's state); yield (i, outcome)."""
        pending = deque(range(len(names)))
        while pending or any(c.job is not None for c in self._children):
            while len(self._children) < min(self.size, len(pending) + self._busy()):
                self._spawn()
            for child in self._children:
                if child.ready and child.job is None and pending:
                    index = pending.popleft()
                    try:
                        payload = job(index)
                    except Exception as exc:  # noqa: BLE001 - fetching one file's bytes failed: that file only
                        yield index, Failure("read_error", f"{names[index]}: {type(exc).__name__}: {exc}")
                        continue
                    try:
                        child.conn.send(payload)
                    except (OSError, ValueError):
                        pending.appendleft(index)
                        self._replace(child)
                        break
                    child.job, child.deadline = index, time.monotonic() + self.limits.timeout_s
            busy = [c for c in self._children if c.job is not None]
            timeout = max(min((c.deadline for c in busy), default=time.monotonic() + 1) - time.monotonic(), 0)
            waiting = {c.conn: c for c in self._children}
            for conn in wait(list(waiting), timeout=min(timeout, 1.0)):
                yield from self._collect(waiting[conn], names, pending)  # type: ignore[index]
            now = time.monotonic()
            for child in [c for c in self._children if c.job is not None and c.deadline <= now]:
                late = child.job
                assert late is not None
                self._replace(child)
                yield late, Failure("time_limit", f"{names[late]}: reading took more than "
                                                   f"{self.limits.timeout_s:g} s / melebihi batas waktu")

    def _busy(self) -> int:
        return sum(c.job is not None for c in self._children)

    def _collect(self, child: _Child, names: list[str], pending: deque[int]) -> Iterator[tuple[int, Any]]:
        try:
            if not child.conn.poll():
                raise EOFError
            message = child.conn.recv()
        except (EOFError, OSError):
            index = child.job
            if index is None and child.ready:  # an idle child that ended (after a memory_limit verdict): replace it
                self._replace(child)
                return
            if index is None:  # died before its first job (e.g. cannot start): give up on this child only
                failure = _crash_verdict(child, "reader start-up")
                self._replace(child)
                self._startup_failures += 1
                if self._startup_failures > 2 * self.size and pending:
                    for left in list(pending):
                        yield left, Failure(failure.reason, f"{names[left]}: {failure.detail}")
                    pending.clear()
                return
            failure = _crash_verdict(child, names[index])
            self._replace(child)
            yield index, failure
            return
        if message == READY:
            child.ready = True
            return
        index = child.job
        child.job = None
        assert index is not None
        status, payload = message
        if status == "ok":
            yield index, payload
            return
        self._replace(child)
        detail = (f"{names[index]}: the reader ran out of memory (limit {self.limits.memory_mb} MB) / memori tidak "
                  "cukup") if status == "memory_limit" else f"{names[index]}: {payload} / program pembaca berhenti"
        yield index, Failure(status, detail)



if __name__ == "__main__":
    main(sys.argv[1:])
