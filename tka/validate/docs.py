"""GX Data Docs (static HTML) for one run's validation results."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping
from pathlib import Path

from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)

from tka.validate.gxcontext import gx, quiet_progress_bars
from tka.validate.suites import Suites

SITE_NAME = "tka"


def build_data_docs(suites: Suites, results: Mapping[str, ExpectationSuiteValidationResult], out_dir: Path,
                    run_name: str = "tka", run_time: dt.datetime | None = None) -> Path:
    """Render the suites and ``results`` (batch label -> result) as GX Data Docs in ``out_dir``; return index.html."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # A throw-away context: its stores live in memory, only the docs site is written to disk.
        context = gx.get_context(mode="ephemeral")
        quiet_progress_bars(context)
        context.add_data_docs_site(SITE_NAME, {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(out_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
        for suite in (suites.worker, suites.registry):
            context.suites.add(gx.ExpectationSuite(name=suite.name, meta=dict(suite.meta),
                                                   expectations=[e.copy() for e in suite.expectations]))
        when = run_time or dt.datetime.now(dt.UTC)
        for label, result in results.items():
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
                run_id=RunIdentifier(run_name=run_name, run_time=when), batch_identifier=label,
            )
            context.validation_results_store.set(key, result)
        context.build_data_docs(site_names=[SITE_NAME])
    return out_dir / "index.html"
