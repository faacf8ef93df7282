"""Shared task options: stage tasks pass big in-memory frames, so no input hashing; retries only for I/O."""

from __future__ import annotations

from typing import Any

from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from sqlalchemy.exc import DBAPIError, OperationalError


def is_transient_io_error(task: Any, task_run: Any, state: Any) -> bool:
    """Retry only when the failure is drive or database I/O, never a data-quality or code error."""
    try:
        state.result()
    except (OSError, TimeoutError, ConnectionError, OperationalError) as exc:
        return not isinstance(exc, (FileNotFoundError, PermissionError, IsADirectoryError))
    except DBAPIError as exc:
        return bool(exc.connection_invalidated)
    except Exception:
        return False
    return False


# Options for tasks that touch the drive or the warehouse.
IO_RETRIES: dict[str, Any] = {
    "retries": 3,
    "retry_delay_seconds": exponential_backoff(backoff_factor=2),
    "retry_jitter_factor": 0.5,
    "retry_condition_fn": is_transient_io_error,
}
# Stage tasks hand DataFrames to each other in memory: hashing them for a cache key would cost more than the work.
STAGE: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}
