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


def test_narrow_engine_gives_the_stock_engines_results(suites, config) -> None:
    """Every expectation of the real worker suite: same statistics and unexpected rows as GX's own engine."""
    import datetime as dt
    import warnings

    import great_expectations as gx

    from tka.validate.derive import add_helper_columns
    from tka.validate.gxcontext import NarrowDomainPandasExecutionEngine
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
    frame = frame[[c for c in frame.columns if c in suite_columns(suites.worker)]]
    fmt = {"result_format": "COMPLETE", "exclude_unexpected_values": True, "partial_unexpected_count": 0}

    def results(source):
        bd = source.add_dataframe_asset("rows").add_batch_definition_whole_dataframe("whole")
        batch = bd.get_batch(batch_parameters={"dataframe": frame})
        out = batch.validate(suites.worker, result_format=fmt, expectation_parameters=config.expectation_parameters())
        return [(r.success, r.result) for r in out.results]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        context = gx.get_context(mode="ephemeral")
        stock, narrow = context.data_sources.add_pandas("stock"), context.data_sources.add_tka_pandas("narrow")
        assert isinstance(narrow.get_execution_engine(), NarrowDomainPandasExecutionEngine)
        expected, got = results(stock), results(narrow)
    assert got == expected
    assert sum(not ok for ok, _ in got) >= 8  # the rows above break many rules
