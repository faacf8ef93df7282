"""Shared task options: the task runner chosen by the settings; the typed wrappers of stage results."""

from __future__ import annotations

import pytest
from prefect.futures import PrefectFutureList
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque

from tasks._common import read_workers, results_of, task_runner, unwalked
from tka.settings import Settings


def test_threads_by_default_with_the_read_workers_setting(monkeypatch):
    monkeypatch.delenv("TKA_DASK_ADDRESS", raising=False)
    assert task_runner(Settings(read_workers=3)) == ThreadPoolTaskRunner(max_workers=3)
    assert task_runner(Settings(read_workers=3)) != ThreadPoolTaskRunner(max_workers=4)
    assert read_workers(Settings(read_workers=0)) >= 1


def test_dask_when_a_scheduler_address_is_set(monkeypatch):
    pytest.importorskip("prefect_dask", reason="prefect-dask (the dask extra) is not installed")
    from prefect_dask import DaskTaskRunner

    monkeypatch.setenv("TKA_DASK_ADDRESS", "tcp://127.0.0.1:8786")
    assert task_runner() == DaskTaskRunner(address="tcp://127.0.0.1:8786")


def test_unwalked_is_prefects_opaque_and_results_of_the_futures_themselves():
    value = {"rows": [1, 2]}
    wrapped = unwalked(value)
    assert isinstance(wrapped, opaque)
    assert wrapped.unwrap() is value
    futures = PrefectFutureList()
    assert results_of(futures) is futures
