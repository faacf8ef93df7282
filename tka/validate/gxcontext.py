"""One quiet, in-memory Great Expectations context per process (no usage statistics, no progress bars)."""

from __future__ import annotations

import os
import threading
import warnings
from functools import lru_cache
from typing import Any

# GX reads this when it is imported; set it before the import so no usage statistics are ever sent.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

import great_expectations as gx
from great_expectations.data_context.types.base import ProgressBarsConfig

# GX serialises batch.validate() calls poorly across threads (Prefect may run tasks in a thread pool).
GX_LOCK = threading.Lock()


def condition_columns(condition: Any) -> set[str]:
    """Column names inside a GX row condition (a Condition object or its serialised dict)."""
    if hasattr(condition, "dict") and not isinstance(condition, dict):
        condition = condition.dict()
    if isinstance(condition, dict):
        found = {condition["name"]} if set(condition) == {"name"} else set()
        return found.union(*(condition_columns(v) for v in condition.values()))
    if isinstance(condition, list):
        return set().union(*(condition_columns(v) for v in condition)) if condition else set()
    return set()


def quiet_progress_bars(context: gx.data_context.AbstractDataContext) -> None:
    """Turn GX's tqdm progress bars off for every metric computation of ``context``."""
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)


@lru_cache(maxsize=1)
def dataframe_batch_definition() -> gx.core.batch_definition.BatchDefinition:
    """The whole-dataframe batch definition of a cached ephemeral context's pandas data source."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context = gx.get_context(mode="ephemeral")
    quiet_progress_bars(context)
    source = context.data_sources.add_pandas("tka_rows")
    asset = source.add_dataframe_asset("rows")
    return asset.add_batch_definition_whole_dataframe("whole")
