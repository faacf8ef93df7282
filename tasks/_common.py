"""Shared task options: stage tasks pass big in-memory frames, so no input hashing; retries only for I/O."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from prefect.cache_policies import NO_CACHE
from prefect.futures import PrefectFutureList
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import opaque
from sqlalchemy.exc import DBAPIError, OperationalError

from tka.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from tka.pipeline import RunContext

T = TypeVar("T")

def is_transient_io_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only when the failure is drive or database I/O, never a data-quality or code error."""
    try:
        state.result()
    except (OSError, TimeoutError, ConnectionError, OperationalError) as exc:
        return not isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError))
    except DBAPIError as exc:
        return bool(exc.connection_invalidated)
    except Exception:  # noqa: BLE001 - any other failure is data or code: never retried
        return False
    return False


def io_retries(settings: Settings | None = None) -> dict[str, Any]:
    """Retry options for I/O stages: TKA_IO_RETRIES retries (default 3) after about TKA_IO_RETRY_DELAY seconds
    (default 2), doubling each time: on average 2, 4 and 8 s, each jittered by at most +50%."""
    settings = settings or Settings()
    return {
        "retries": settings.io_retries,
        "retry_delay_seconds": exponential_backoff(backoff_factor=settings.io_retry_delay),
        "retry_jitter_factor": 0.5,
        "retry_condition_fn": is_transient_io_error,
    }


# Options for tasks that touch the drive or the warehouse (read from the environment when the tasks are imported).
IO_RETRIES: dict[str, Any] = io_retries()


# Stage tasks hand DataFrames to each other in memory: hashing them for a cache key would cost more than the work.
STAGE: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


def read_workers(settings: Settings | None = None) -> int:
    """Read tasks at once in the run's own process: TKA_READ_WORKERS, or (0) min(CPUs, 4)."""
    settings = settings or Settings()
    return settings.read_workers or min(os.cpu_count() or 1, 4)


def task_runner(settings: Settings | None = None) -> TaskRunner[Any]:
    """Where mapped tasks run: the Dask scheduler at TKA_DASK_ADDRESS, else a pool of threads of this process."""
    settings = settings or Settings()
    if settings.dask_address:
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as exc:
            raise ImportError("TKA_DASK_ADDRESS is set but prefect-dask is not installed: pip install "
                              f"'tka-pipeline[dask]' ({exc})") from exc
        return DaskTaskRunner(address=settings.dask_address)
    return ThreadPoolTaskRunner(max_workers=read_workers(settings))


@contextmanager
def warehouse(run: RunContext) -> Iterator[Engine]:
    """The run's warehouse engine, disposed when the block ends."""
    from tka.credentials import connectable_url
    from tka.warehouse import make_engine

    engine = make_engine(connectable_url(run.warehouse_url, run.warehouse_secret))
    try:
        yield engine
    finally:
        engine.dispose()


def unwalked(value: T) -> T:
    """``opaque(value)`` typed as the value, which is what a task it is passed to receives.

    Prefect links the task runs but does not walk into the value on each call. Pass it only to tasks (or to a
    function that only hands it to tasks): anything else gets the wrapper.
    """
    return cast("T", opaque(value))


def results_of(futures: PrefectFutureList[T]) -> list[T]:
    """Mapped task runs, typed as what a task they are passed to receives: Prefect waits for them, gives results."""
    return cast("list[T]", futures)
