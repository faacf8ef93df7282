"""Fixtures for the reader tests: the project's config and small drives written by code into tmp_path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
import xlsxwriter

from tka.read import (
    DiscoveredFile,
    ReadResult,
    SourcesConfig,
    discover,
    load_sources_config,
    open_drive,
    read_file,
)
from tka.settings import PROJECT_ROOT

PERIOD = "2025-08"


@pytest.fixture(scope="session")
def config() -> SourcesConfig:
    return load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")


def write_xlsx(path: Path, sheets: dict[str, Sequence[Sequence[object]]], merges: Sequence[tuple[str, str, str]] = (),
               date1904: bool = False) -> Path:
    """Write rows (None = empty cell) with xlsxwriter; dates get a dd/mm/yyyy format; merges = (sheet, range, text)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        ws = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                else:
                    ws.write(r, c, value)
    for sheet, cell_range, text in merges:
        book.get_worksheet_by_name(sheet).merge_range(cell_range, text)
    book.close()
    return path


@pytest.fixture
def drive(tmp_path: Path) -> Path:
    root = tmp_path / "drive"
    root.mkdir()
    return root


@pytest.fixture
def read_one(drive: Path, config: SourcesConfig) -> Callable[..., ReadResult]:
    """Discover the period on the tmp drive and read the file at ``rel`` (relative to the period folder)."""

    def _read(rel: str, cfg: SourcesConfig | None = None, **kwargs: object) -> ReadResult:
        cfg = cfg or config
        fs, root = open_drive(str(drive))
        files = {f.path: f for f in discover(fs, root, PERIOD, cfg)}
        return read_file(fs, root, files[f"{PERIOD}/{rel}"], cfg, run_id="run-1", **kwargs)  # type: ignore[arg-type]

    return _read


def discovered(drive: Path, config: SourcesConfig) -> list[DiscoveredFile]:
    fs, root = open_drive(str(drive))
    return discover(fs, root, PERIOD, config)
