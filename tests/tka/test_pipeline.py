"""The input fingerprint: what makes a period's re-run skippable, and what forces the work again."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tka.pipeline import (
    FileSelection,
    ReadBatch,
    RunConfig,
    RunContext,
    code_fingerprint,
    concat_rows,
    input_fingerprint,
    share_rows,
)
from tka.read.drive import DiscoveredFile
from tka.read.reader import ReadResult

RUN = RunContext(period="2025-08", run_id="r1", drive_url="/drive", warehouse_url="sqlite:///w.db",
                 config_dir=Path("config"), expectations_dir=Path("expectations"), cache_dir=Path("cache"),
                 dry_run_alerts=False, reprocess=False, started_at=datetime(2025, 9, 12, tzinfo=UTC))
CONFIG = RunConfig(sources=None, validation=None, suites=None, policy=None, survivorship=None, fingerprint="cfg1")
FILES = [DiscoveredFile("2025-08/imigrasi/a.xlsx", "imigrasi", "imigrasi", sha256="a" * 64),
         DiscoveredFile("2025-08/kecamatan/b.xlsx", "kecamatan", "kecamatan:64.02.01", sha256="b" * 64)]
LOADS = [{"period": "2025-07", "run_id": "r0", "loaded_at": "2025-08-12"}]


def fingerprint(run: RunContext = RUN, config: RunConfig = CONFIG, files: list[DiscoveredFile] = FILES,
                waivers: tuple[str, ...] = (), loads: list[dict[str, str]] = LOADS, deadline: bool = True,
                code: str = "c1") -> str:
    return input_fingerprint(run, config, FileSelection(files=files, active=files), waivers, loads, deadline,
                             code)


def test_same_inputs_same_fingerprint_whatever_the_order_or_run_id() -> None:
    assert fingerprint() == fingerprint(run=dataclasses.replace(RUN, run_id="r2"), files=FILES[::-1])
    assert len(fingerprint()) == 64


@pytest.mark.parametrize("changed", [
    {"files": [dataclasses.replace(FILES[0], sha256="c" * 64), FILES[1]]},  # a corrected file
    {"files": FILES[:1]},  # a file removed
    {"config": dataclasses.replace(CONFIG, fingerprint="cfg2")},  # a suite or layout edited
    {"waivers": ("aaaaaaaa00000001",)},  # the steward waived an issue
    {"loads": [{"period": "2025-07", "run_id": "r9", "loaded_at": "2025-08-20"}]},  # July re-loaded
    {"deadline": False},  # run before the deadline: companies are pending, not missing
    {"code": "c2"},  # new pipeline code
    {"run": dataclasses.replace(RUN, dry_run_alerts=True)},  # a dry run must not hide a real run's alerts
])
def test_anything_the_load_depends_on_changes_the_fingerprint(changed: dict) -> None:
    assert fingerprint(**changed) != fingerprint()


def test_later_periods_do_not_matter() -> None:
    later = [*LOADS, {"period": "2025-09", "run_id": "r5", "loaded_at": "2025-10-12"}]
    assert fingerprint(loads=later) == fingerprint()


def test_code_fingerprint_covers_the_pipeline_source(tmp_path: Path) -> None:
    for folder in ("tka", "tasks", "flows"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "m.py").write_text("x = 1\n")
    before = code_fingerprint(tmp_path)
    (tmp_path / "tasks" / "m.py").write_text("x = 2\n")
    assert code_fingerprint(tmp_path) != before
    (tmp_path / "README.md").write_text("docs do not count")
    (tmp_path / "tasks" / "m.py").write_text("x = 1\n")
    assert code_fingerprint(tmp_path) == before


def test_share_rows_gives_each_frame_back_as_a_view_of_the_concatenation() -> None:
    # Text columns as the reader makes them (object; pandas' inferred string dtype may be Arrow-backed, and its
    # to_numpy() is then a copy whatever the sharing).
    def text(*values: str | None) -> pd.Series:
        return pd.Series(list(values), dtype=object)

    first = pd.DataFrame({"record_key": text("a:1", "a:2"), "sheet": text("S", "S"), "row_number": [2, 3],
                          "name": text("X", None)})
    empty = pd.DataFrame({"record_key": pd.Series(dtype=object)})
    second = pd.DataFrame({"record_key": text("b:1"), "row_number": [5], "extra": [1.5]})  # other columns, order
    frames = [first, empty, second]
    combined = concat_rows(frames, ["record_key", "row_number", "sheet", "name"])
    views = share_rows(frames, combined)
    assert views[1] is empty
    for view, frame in zip(views, frames, strict=True):
        pd.testing.assert_frame_equal(view, frame, check_exact=True)
    assert np.shares_memory(views[0]["record_key"].to_numpy(), combined["record_key"].to_numpy())
    views[0].loc[0, "name"] = "changed"  # copy-on-write: the concatenation keeps its value
    assert combined.loc[0, "name"] == "X"


def test_share_rows_keeps_a_frame_whose_dtypes_the_concatenation_changed() -> None:
    ints = pd.DataFrame({"record_key": ["a:1"], "row_number": [2]})
    texts = pd.DataFrame({"record_key": ["b:1"], "row_number": pd.Series(["7"], dtype=object)})
    combined = concat_rows([ints, texts], ["record_key", "row_number"])
    views = share_rows([ints, texts], combined)
    assert views[0] is ints  # int64 became object in the concatenation
    pd.testing.assert_frame_equal(views[1], texts)


def test_quarantine_reasons_name_only_the_quarantined_files() -> None:
    rows = pd.DataFrame({"record_key": pd.Series(dtype=object)})
    batch = ReadBatch(files={f.path: f for f in FILES}, worker_rows=rows, registry_rows=rows,
                      results={FILES[0].path: ReadResult(rows), FILES[1].path: ReadResult(rows, quarantine="corrupt")})
    assert batch.quarantine_reasons == {"2025-08/kecamatan/b.xlsx": "corrupt"}


def test_suites_are_asked_for_only_after_load_rules() -> None:
    with pytest.raises(RuntimeError, match="load_rules"):
        CONFIG.loaded_suites()
    suites = object()
    assert dataclasses.replace(CONFIG, suites=suites).loaded_suites() is suites
