"""Glue from stage objects to load inputs: file outcomes and source records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tka.warehouse import file_outcomes, pick_current_files, source_records


@dataclass
class Found:
    path: str
    sha256: str
    source_kind: str | None = "company"
    source_id: str | None = "company:1234567890123"
    size: int = 10
    modified: float = 0.0


@dataclass
class Result:
    rows: pd.DataFrame
    quarantine: str | None = None
    detail: str = ""


@dataclass
class Selection:
    files: list[Any]
    superseded: dict[str, str] = field(default_factory=dict)


@dataclass
class Batch:
    results: dict[str, Any]


def test_pick_current_files_returns_winners_and_replaced_paths() -> None:
    files = [
        {"path": "p/old.xlsx", "sha256": "s1", "source_kind": "company", "source_id": "c", "modified": 1.0},
        {"path": "p/new.xlsx", "sha256": "s2", "source_kind": "company", "source_id": "c", "modified": 2.0},
        {"path": "p/x.csv", "sha256": "s3", "source_kind": None, "source_id": None, "modified": 0.0},
    ]
    current, superseded = pick_current_files(files, multi_file_kinds={"kecamatan"})  # the old rule
    assert [f["path"] for f in current] == ["p/new.xlsx", "p/x.csv"]
    assert superseded == {"p/old.xlsx": "p/new.xlsx"}


def test_file_outcomes_give_each_file_its_ledger_status() -> None:
    files = [Found("a.xlsx", "s1"), Found("b.xlsx", "s2"), Found("c.xlsx", "s3"), Found("d.xlsx", "s4")]
    selection = Selection(files, superseded={"a.xlsx": "b.xlsx"})
    batch = Batch(
        {
            "b.xlsx": Result(pd.DataFrame({"x": [1, 2, 3]})),
            "c.xlsx": Result(pd.DataFrame(), quarantine="encrypted", detail="password"),
        }
    )
    outcomes = file_outcomes(selection, batch)
    assert [
        (o["path"], o["status"], o.get("rows_read"), o.get("quarantine_reason"), o.get("detail"))
        for o in outcomes
    ] == [
        ("a.xlsx", "superseded", None, None, None),
        ("b.xlsx", "loaded", 3, None, None),
        ("c.xlsx", "quarantined", None, "encrypted", "password"),
        ("d.xlsx", "seen", None, None, None),
    ]
    assert outcomes[1]["sha256"] == "s2" and outcomes[1]["source_id"] == "company:1234567890123"


def test_source_records_attach_worker_ids_to_accepted_rows_only() -> None:
    rows = pd.DataFrame(
        {
            "record_key": ["k1", "k2", "k3"],
            "status": ["accepted", "rejected", "accepted"],
            "worker_id": [None, None, None],
        }
    )
    assignments = pd.DataFrame(
        {"record_key": ["k1", "k3"], "worker_id": ["W1", "W1"], "match_reason": ["passport", "name_dob"]}
    )
    out = source_records(rows, assignments)
    assert out[["record_key", "worker_id", "match_reason"]].astype(object).where(
        out.notna(), None
    ).values.tolist() == [["k1", "W1", "passport"], ["k2", None, None], ["k3", "W1", "name_dob"]]
    empty = source_records(rows, pd.DataFrame(columns=["record_key", "worker_id", "match_reason"]))
    assert empty["worker_id"].isna().all() and len(empty) == 3
