"""The fast resolve() and survive() give exactly what the original ones gave, on random frames full of collisions."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pandas as pd
import pytest

from tests.tka.match import reference_resolve, reference_survive
from tka.match import MatchConfig, load_config, resolve, survive
from tka.warehouse.schema import WORKER_MONTH_FIELDS

CFG = load_config()
PERIOD = "2025-08"
SEEDS = 200  # random frames per test; every match reason occurs among them (see the last resolve test)
NAMES = ["GAO XUEFENG", "XUEFENG GAO", "GAO XUE FENG", "GAO XUEFENG", "GAO XUEFANG", "LI WEI", "LI  WEI",
         "WEI LI", "LI WEN", "KIM MINJUN", "KIM MIN JUN", "ZHANG WEI", None]
PASSPORTS = ["E12345678", "E12345679", "E1234567", "EI2345678", "E l2345678", "EB7654321", "EB765432I",
             "M12345678", "123456789", "e1234-5678", None, "", "  "]
DATES = [dt.date(1985, 3, 2), dt.date(1985, 3, 2), dt.date(1990, 1, 1), None]
NATS = ["CHN", "CHN", "KOR", None, " CHN "]
IDS = ["K1", "K-1", "K2", None, None]
NIBS = ["1111111111111", "2222222222222", None]
COMPANIES = ["PT ALPHA", "PT BETA", "1111111111111", None]


def _row(rng: random.Random, key: str) -> dict[str, Any]:
    return {
        "record_key": key,
        "source_kind": rng.choice(["imigrasi", "disnakertrans", "company", "kecamatan"]),
        "passport_no": rng.choice(PASSPORTS),
        "nationality": rng.choice(NATS),
        "name": rng.choice(NAMES),
        "birth_date": rng.choice(DATES),
        "kitas_no": rng.choice(IDS),
        "notifikasi_no": rng.choice(IDS),
        "rptka_no": rng.choice(IDS),
        "company_nib": rng.choice(NIBS),
        "company_name": rng.choice(COMPANIES),
        "person_kind": rng.choice(["worker"] * 8 + ["dependant", None]),
        "status": rng.choice(["accepted"] * 8 + ["rejected", None]),
    }


def _frames(seed: int) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    rng = random.Random(seed)
    keys: list[Any] = [f"{rng.choice('abcdef')}{rng.randrange(1000):03d}:{i}" for i in range(rng.randrange(1, 45))]
    if seed % 5 == 0:  # repeated keys
        keys = [rng.choice(keys) for _ in keys]
    if seed % 7 == 0:  # keys that are not text (sorted as numbers, compared as text)
        keys = [rng.randrange(-5, 200) for _ in keys]
    rows = pd.DataFrame([_row(rng, k) for k in keys])
    if rng.random() < 0.3:
        return rows, None
    known = []
    for _ in range(rng.randrange(0, 10)):
        row = _row(rng, "")
        for column in ("record_key", "source_kind", "person_kind", "status"):
            del row[column]
        known.append({"worker_id": f"W00000000000{rng.randrange(5)}", **row})
    return rows, pd.DataFrame(known) if known else pd.DataFrame(columns=["worker_id"])


@pytest.mark.parametrize("seed", range(SEEDS))
def test_same_ids_and_reasons_as_the_original_resolver(seed: int) -> None:
    rows, known = _frames(seed)
    expected = reference_resolve.resolve(rows, known, PERIOD, CFG)
    pd.testing.assert_frame_equal(resolve(rows, known, PERIOD, CFG), expected)


def test_random_frames_reach_every_reason() -> None:
    reasons: set[str] = set()
    for seed in range(SEEDS):
        rows, known = _frames(seed)
        reasons |= set(reference_resolve.resolve(rows, known, PERIOD, CFG)["match_reason"])
    assert {"passport", "passport_typo", "renewed_passport", "name_dob", "name_company", "new"} <= {
        r.split(":")[-1] for r in reasons
    }
    assert any(r.startswith("known:") for r in reasons)


VALUES: list[Any] = ["A", "B", "b", "", None, float("nan"), pd.NaT, dt.date(2025, 1, 1), dt.date(2024, 12, 31),
                     dt.datetime(2025, 1, 1, 8, 30), pd.Timestamp("2025-01-01"), 7, "7"]
FLAGS = [None, "", "permit_expired", "passport_format;permit_expired", ";age_range;;", "age_range"]


def _survive_frame(seed: int) -> pd.DataFrame:
    rng = random.Random(seed)
    fields = [f for f in WORKER_MONTH_FIELDS if rng.random() < 0.8]
    rows = []
    for i in range(rng.randrange(1, 40)):
        row: dict[str, Any] = {
            "record_key": rng.choice([f"k{rng.randrange(30):02d}", f"k{i:02d}", None]) if seed % 3 else f"k{i:03d}",
            "worker_id": rng.choice(["W1", "W2", "W3", "W10", "W4", None]),
            "source_kind": rng.choice(["imigrasi", "disnakertrans", "company", "kecamatan", "other", None]),
            "flags": rng.choice(FLAGS),
        }
        for field in fields:
            row[field] = rng.choice(VALUES[:5] if seed % 2 else VALUES)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if seed % 5 == 0:
        frame = frame.drop(columns=["record_key"])
    if seed % 7 == 0:
        frame = frame.drop(columns=["flags"])
    return frame


@pytest.mark.parametrize("seed", range(60))
def test_same_worker_months_as_the_original_survive(seed: int) -> None:
    frame = _survive_frame(seed)
    cfg = CFG if seed % 4 else MatchConfig.from_mapping(
        {"precedence": {"default": ["kecamatan", "company"], "fields": {"name": ["other"]}},
         "groups": {"kitas_no": ["kitas_start", "kitas_end"], "company_nib": ["company_name"]},
         "conflict_fields": ["name", "passport_no", "kitas_start", "note"]}
    )
    expected = reference_survive.survive(frame, "2025-08", cfg)
    got = survive(frame, "2025-08", cfg)
    pd.testing.assert_frame_equal(got, expected)
    assert [[type(v) for v in got[c]] for c in got.columns] == [[type(v) for v in expected[c]] for c in got.columns]
