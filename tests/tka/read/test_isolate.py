"""Reader children: a crash, an out-of-memory and a hang each end in their verdict; the pool goes on."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tka.read.isolate import Failure, IsolationLimits, ReaderPool


def work(state: dict[str, Any], what: str) -> str:
    """A child's job for these tests: do what the name says."""
    if what == "abort":
        os.abort()
    if what == "memory":
        raise MemoryError
    if what == "exit":
        os._exit(7)
    if what == "fail":
        raise ValueError("kaputt")
    state["count"] = state.get("count", 0) + 1
    return f"{what} #{state['count']} in {os.getpid()}"


def test_each_failure_has_its_verdict_and_the_other_jobs_finish(tmp_path: Path) -> None:
    jobs = ["a", "abort", "b", "memory", "c", "exit", "fail", "d"]
    with ReaderPool(2, IsolationLimits(60, 500), tmp_path, "tests.tka.read.test_isolate:work") as pool:
        outcomes = dict(pool.run(lambda i: (jobs[i],), jobs))
    failures = {jobs[i]: (o.reason, o.detail.split(":")[0]) for i, o in outcomes.items() if isinstance(o, Failure)}
    assert failures == {"abort": ("reader_crashed", "abort"), "memory": ("memory_limit", "memory"),
                        "exit": ("reader_crashed", "exit"), "fail": ("reader_crashed", "fail")}
    done = sorted(o.split(" #")[0] for o in outcomes.values() if isinstance(o, str))
    assert done == ["a", "b", "c", "d"]
    assert list(tmp_path.iterdir()) == []  # the children's stderr files are removed with them


def test_a_child_reads_many_files_one_at_a_time(tmp_path: Path) -> None:
    jobs = [f"f{i}" for i in range(6)]
    with ReaderPool(1, IsolationLimits(60, 500), tmp_path, "tests.tka.read.test_isolate:work") as pool:
        outcomes = [o for _, o in pool.run(lambda i: (jobs[i],), jobs)]
    assert [o.split(" in ")[0] for o in outcomes] == [f"f{i} #{i + 1}" for i in range(6)]  # one long-lived child
    assert len({o.split(" in ")[1] for o in outcomes}) == 1
