"""The artifact store: exact dtype round trips of real read rows, private files, and every bad entry a miss."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tka.artifacts import ArtifactStore, artifact_key, frame_to_table, table_to_frame
from tka.batch import read_many
from tka.read import discover, load_sources_config, open_drive
from tka.sample import generate_drive
from tka.settings import PROJECT_ROOT

PERIOD = "2025-08"
KEY = "ab" + "0" * 62


@pytest.fixture(scope="module")
def read_results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("sample")
    generate_drive(PERIOD, "kukar", 5, root / "drive", root / "truth.json", size=0.3)
    config = load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")
    fs, top = open_drive(str(root / "drive"))
    return read_many(fs, top, discover(fs, top, PERIOD, config), config, "run-1", cache=None, workers=0)


def _cell_types(frame: pd.DataFrame) -> dict[str, list[type]]:
    return {c: [type(v) for v in frame[c].tolist()] for c in frame.columns}


def assert_identical(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert got.dtypes.equals(want.dtypes)
    assert got.index.equals(want.index)
    assert got.equals(want)
    assert _cell_types(got) == _cell_types(want)


def test_real_read_rows_round_trip_with_their_dtypes_and_cell_types(read_results, tmp_path):
    store = ArtifactStore(tmp_path / "store")
    frames = [r.rows for r in read_results.values() if len(r.rows)]
    assert len(frames) > 5
    kinds = {type(v) for f in frames for c in f.columns if f[c].dtype == object for v in f[c].tolist()}
    assert {str, type(None), dt.date} <= kinds  # the sample has text, empty cells and dates
    for number, frame in enumerate(frames):
        key = f"{number:064x}"
        assert store.put(key, frame, {"n": len(frame)})
        hit = store.get(key)
        assert hit is not None and hit.meta == {"n": len(frame)}
        assert_identical(hit.frame, frame)


def test_mixed_and_typed_columns_round_trip_exactly():
    frame = pd.DataFrame({
        "text": pd.Series(["a", None, "c"], dtype=object),
        "dates": pd.Series([dt.date(2025, 8, 1), None, dt.date(1990, 1, 31)], dtype=object),
        "ints": pd.Series([1, None, 3], dtype=object),
        "floats": pd.Series([1.5, None, float("nan")], dtype=object),
        "mixed": pd.Series(["x", 7, dt.datetime(2025, 8, 1, 9, 30)], dtype=object),
        "empty": pd.Series([None, None, None], dtype=object),
        "row_number": np.array([2, 3, 4], dtype="int64"),
        "score": np.array([0.5, 1.0, 2.0]),
        "flag": np.array([True, False, True]),
    })
    table, columns = frame_to_table(frame)
    got = table_to_frame(table, columns, len(frame))
    assert_identical(got, frame)
    assert got["floats"][1] is None and np.isnan(got["floats"][2])  # None and NaN stay apart


def test_empty_frame_keeps_its_columns(tmp_path):
    store = ArtifactStore(tmp_path / "store")
    frame = pd.DataFrame({"a": pd.Series(dtype=object), "row_number": pd.Series(dtype="int64")})
    assert store.put(KEY, frame, {})
    assert_identical(store.get(KEY).frame, frame)


def test_entries_are_private_and_every_bad_entry_is_a_miss(tmp_path):
    store = ArtifactStore(tmp_path / "store")
    frame = pd.DataFrame({"passport_no": pd.Series(["E12345678", "E87654321"], dtype=object)})
    assert store.put(KEY, frame, {"quarantine": None})
    parquet, sidecar = tmp_path / "store" / "ab" / f"{KEY}.parquet", tmp_path / "store" / "ab" / f"{KEY}.json"
    for folder in (tmp_path / "store", parquet.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for entry in (parquet, sidecar, tmp_path / "store" / "store.key"):
        assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert store.get(KEY) is not None
    assert store.get("cd" + "0" * 62) is None  # absent

    good_parquet, good_sidecar = parquet.read_bytes(), sidecar.read_bytes()
    parquet.write_bytes(good_parquet[: len(good_parquet) // 2])  # torn write
    assert store.get(KEY) is None
    other = ArtifactStore(tmp_path / "other")  # a foreign entry: another store's valid Parquet
    other.put(KEY, frame.assign(passport_no=["X99999999", "X88888888"]), {"quarantine": None})
    parquet.write_bytes((tmp_path / "other" / "ab" / f"{KEY}.parquet").read_bytes())
    assert store.get(KEY) is None
    parquet.write_bytes(good_parquet)
    head, body = good_sidecar.split(b"\n", 1)
    sidecar.write_bytes(head + b"\n" + body.replace(b'"quarantine":null', b'"quarantine":"x"'))  # forged
    assert store.get(KEY) is None
    sidecar.write_bytes((tmp_path / "other" / "ab" / f"{KEY}.json").read_bytes())  # signed by another key
    assert store.get(KEY) is None
    sidecar.write_bytes(pickle.dumps(_Boom(tmp_path / "pwned")))  # planted by a drive user: never loaded
    parquet.write_bytes(pickle.dumps(_Boom(tmp_path / "pwned")))
    assert store.get(KEY) is None
    assert not (tmp_path / "pwned").exists()
    sidecar.write_bytes(good_sidecar)
    parquet.write_bytes(good_parquet)
    assert_identical(store.get(KEY).frame, frame)


class _Boom:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch '{self.path}'",))


def test_unusable_store_warns_and_misses(tmp_path, caplog):
    blocked = tmp_path / "store"
    blocked.write_text("a file where the store folder should be")
    store = ArtifactStore(blocked)
    assert not store.usable
    assert not store.put(KEY, pd.DataFrame({"a": [1]}), {})
    assert store.get(KEY) is None
    assert "Artifact store" in caplog.text


def test_a_frame_it_cannot_store_exactly_is_refused_not_changed(tmp_path, caplog):
    store = ArtifactStore(tmp_path / "store")
    assert not store.put(KEY, pd.DataFrame({"a": pd.Categorical(["x"])}), {})
    assert not store.put(KEY, pd.DataFrame({"a": ["x"]}, index=[5]), {})
    assert not store.put(KEY, pd.DataFrame({"a": pd.Series([object()], dtype=object)}), {})
    assert store.get(KEY) is None


def test_key_covers_stage_code_config_libraries_and_inputs():
    base = {"stage": "read", "code": "c", "config": "k", "libraries": {"pandas": "2"}, "inputs": ["sha"]}
    key = artifact_key(**base)
    assert len(key) == 64 and key == artifact_key(**base)
    for change in ({"stage": "validate"}, {"code": "c2"}, {"config": "k2"}, {"libraries": {"pandas": "3"}},
                   {"inputs": ["sha2"]}):
        assert artifact_key(**{**base, **change}) != key
