"""Two periods started at the same time on one warehouse: one runs, the other fails clearly before writing; once
the operator re-runs, the workers are exactly those of loading the months in order (no split identities)."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from flows.monthly_ingest import monthly_ingest
from tka import progress
from tka.runlock import WarehouseBusyError
from tka.sample import generate_drive

PERIODS = ("2025-08", "2025-09")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def drive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("concurrent")
    for period in PERIODS:
        generate_drive(period, "kukar", 5, root / "drive", root / f"truth-{period}.json", size=0.2)
    return root / "drive"


@pytest.fixture(scope="module")
def in_order(drive: Path, tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> tuple[list[tuple], int]:
    """The identities of loading the months one after the other (on SQLite; the same for every engine)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('in-order') / 'in-order.db'}"
    for period in PERIODS:
        _ingest(period, drive, url)
    return _identities(url)


def _ingest(period: str, drive: Path, url: str) -> dict:
    return monthly_ingest(period=period, drive_url=str(drive), warehouse_url=url, dry_run_alerts=True)


def _identities(url: str) -> tuple[list[tuple], int]:
    """(period, nationality, passport, worker_id) of every worker-month, and the number of workers."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            months = pd.read_sql(sa.text("SELECT period, nationality, passport_no, worker_id FROM worker_month"), conn)
            workers = conn.execute(sa.text("SELECT count(*) FROM worker")).scalar()
    finally:
        engine.dispose()
    return sorted(tuple(str(v) for v in row) for row in months.itertuples(index=False)), int(workers)


def test_two_periods_at_once_give_the_workers_of_loading_in_order(drive, in_order, warehouse_url, prefect_harness):
    expected = in_order

    url = warehouse_url
    start = threading.Barrier(len(PERIODS))
    outcome: dict[str, object] = {}
    first: dict[str, str] = {}
    other_ended = threading.Event()

    def hold_the_first(stage: str, done: int, total: int) -> None:
        # Progress comes only from a run that holds the warehouse: keep the first such run inside its stages
        # until the other run has ended, so the two surely overlap.
        period = threading.current_thread().name
        first.setdefault("period", period)
        if first["period"] == period:
            other_ended.wait(timeout=300)

    def worker(period: str) -> None:
        start.wait()
        try:
            outcome[period] = _ingest(period, drive, url)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each run ended with
            outcome[period] = exc
        finally:
            if first.get("period") != period:
                other_ended.set()

    threads = [threading.Thread(target=worker, args=(p,), name=p) for p in PERIODS]
    with progress.listening(hold_the_first):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
    failed = [p for p, result in outcome.items() if isinstance(result, Exception)]
    assert len(failed) == 1, outcome
    error = outcome[failed[0]]
    assert isinstance(error, WarehouseBusyError)
    (winner,) = set(PERIODS) - set(failed)
    assert f"sedang dipakai oleh run {outcome[winner]['flow_run_id']} (periode {winner}" in str(error)

    # The operator re-runs the month that failed, and then the later months (they depend on it).
    _ingest(failed[0], drive, url)
    if failed[0] == PERIODS[0]:
        assert "unchanged" not in _ingest(PERIODS[1], drive, url)
    assert _identities(url) == expected
