"""The shared GX context is quiet: no usage statistics, no progress bars."""

from __future__ import annotations

import os

from tka.validate.gxcontext import dataframe_batch_definition


def test_context_has_analytics_and_progress_bars_off() -> None:
    context = dataframe_batch_definition().data_asset.datasource.data_context
    assert os.environ["GX_ANALYTICS_ENABLED"] == "False"
    assert context.variables.progress_bars.globally is False
    assert context.variables.progress_bars.metric_calculations is False
