"""The odd-file corpus: every case ends in its exact verdict, and the ones that load give their exact rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from tka.contract import QUARANTINE_REASONS
from tka.read import SourcesConfig, discover, open_drive, read_file

from .conftest import PERIOD
from .corpus.make import CASES, Case


def _write(drive: Path, case: Case) -> None:
    path = drive / PERIOD / case.name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(case.build())


def test_corpus_is_big_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name.split("/")[-1] for c in CASES])
def test_case_verdict(case: Case, drive: Path, config: SourcesConfig) -> None:
    _write(drive, case)
    fs, root = open_drive(str(drive))
    (file,) = discover(fs, root, PERIOD, config)
    result = read_file(fs, root, file, config)
    assert result.quarantine == case.reason, result.detail
    if case.reason is not None:
        assert case.reason in QUARANTINE_REASONS
        assert result.rows.empty
        assert case.name in result.detail  # the verdict names the file
        return
    assert list(zip(result.rows["row_number"], result.rows["passport_no"], strict=True)) == case.rows
    for column, values in case.check.items():
        assert list(result.rows[column]) == values, column
