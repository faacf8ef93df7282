"""The shared GX context is quiet: no usage statistics, no progress bars."""

from __future__ import annotations

import os

from tka.validate.gxcontext import dataframe_batch_definition


def test_context_has_analytics_and_progress_bars_off() -> None:
    context = dataframe_batch_definition().data_asset.datasource.data_context
    assert os.environ["GX_ANALYTICS_ENABLED"] == "False"
    assert context.variables.progress_bars.globally is False
    assert context.variables.progress_bars.metric_calculations is False


def test_condition_columns_reads_objects_and_dicts() -> None:
    from great_expectations.expectations.row_conditions import Column

    from tka.validate.gxcontext import condition_columns

    assert condition_columns({"type": "comparison", "column": {"name": "a"}, "operator": "==", "parameter": True}) == {"a"}
    assert condition_columns((Column("a") == 1) & (Column("b").is_null())) == {"a", "b"}
    assert condition_columns(None) == set()


def test_suite_in_parts_gives_the_whole_suites_results(suites, config) -> None:
    """Every expectation of the real worker suite: same statistics and unexpected rows in parts as in one batch."""
    import datetime as dt
    import json
    import warnings

    from tka.validate.derive import add_helper_columns
    from tka.validate.run import suite_parts
    from tka.validate.suites import suite_columns

    from .conftest import PERIOD, make_rows

    rows = make_rows([
        {}, {"name": None}, {"passport_no": "E1"}, {"nationality": "VNM", "passport_no": "C1234567"},
        {"kitas_start": dt.date(2026, 2, 1), "kitas_end": dt.date(2026, 1, 1)}, {"kitas_start": None},
        {"rptka_start": None, "rptka_end": None}, {"birth_date": dt.date(2015, 1, 1)},
        {"person_kind": "dependant", "birth_date": dt.date(2015, 1, 1)}, {"company_nib": "12"},
        {"kecamatan_code": None, "kecamatan_unknown": "Balikpapan"}, {"rptka_end": dt.date(2025, 7, 1)},
    ], source_kind="imigrasi")
    frame = add_helper_columns(rows, "worker", PERIOD, config)
    fmt = {"result_format": "COMPLETE", "exclude_unexpected_values": True, "partial_unexpected_count": 0}
    parameters = config.expectation_parameters()

    def validate(columns, suite):
        """Expectation (type, kwargs, meta) -> (success, result) of ``suite`` on ``frame``'s ``columns``."""
        batch = dataframe_batch_definition().get_batch(
            batch_parameters={"dataframe": frame[[c for c in frame.columns if c in columns]]})
        results = batch.validate(suite, result_format=fmt, expectation_parameters=parameters).results
        return {json.dumps([r.expectation_config.type, r.expectation_config.kwargs, r.expectation_config.meta],
                           sort_keys=True, default=str): (r.success, r.result) for r in results}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = validate(suite_columns(suites.worker), suites.worker)
        parts = suite_parts(suites.worker)
        got: dict = {}
        for columns, part in parts:
            found = validate(columns, part)
            assert not set(found) & set(got)
            got |= found
    assert len(parts) == 16  # a part per row condition or column pair, one for every single-column expectation
    assert len(expected) == len(suites.worker.expectations)
    assert got == expected
    assert sum(not ok for ok, _ in got.values()) >= 8  # the rows above break many rules
