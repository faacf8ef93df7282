"""Survivorship: precedence per field, grouped fields, sources/flags and masked conflicts."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from tka.match import MatchConfig, build_workers, load_config, survive

CFG = load_config()
NIB_A, NIB_B = "1111111111111", "2222222222222"


def frame() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "record_key": "c:1",
                "worker_id": "W1",
                "source_kind": "company",
                "passport_no": "E12345670",
                "nationality": "CHN",
                "name": "XUEFENG GAO",
                "birth_date": dt.date(1985, 3, 2),
                "company_nib": NIB_B,
                "company_name": "PT BETA",
                "position": "MEKANIK",
                "kecamatan_code": "64.02.11",
                "flags": "permit_expired",
            },
            {
                "record_key": "i:1",
                "worker_id": "W1",
                "source_kind": "imigrasi",
                "passport_no": "E12345678",
                "nationality": "CHN",
                "name": "GAO XUEFENG",
                "birth_date": dt.date(1985, 3, 2),
                "sex": "L",
                "kitas_no": "K1",
                "kitas_start": dt.date(2025, 1, 1),
                "kitas_end": dt.date(2025, 12, 31),
                "company_nib": NIB_A,
                "company_name": "PT ALPHA",
                "flags": "passport_format;permit_expired",
            },
            {
                "record_key": "d:1",
                "worker_id": "W1",
                "source_kind": "disnakertrans",
                "passport_no": "E12345678",
                "nationality": "CHN",
                "name": "GAO XUEFENG",
                "position": "TENAGA AHLI",
                "rptka_no": "B.3/1/PK.04.00/I/2025",
                "rptka_start": dt.date(2025, 1, 1),
                "rptka_end": dt.date(2026, 12, 31),
                "company_nib": NIB_A,
                "company_name": "PT ALPHA",
                "kitas_end": dt.date(2024, 1, 1),
            },
            {
                "record_key": "k:1",
                "worker_id": "W1",
                "source_kind": "kecamatan",
                "name": "GAO XUE FENG",
                "nationality": "CHN",
                "kecamatan_code": "64.02.12",
                "company_name": "PT ALPHA",
            },
            {
                "record_key": "k:2",
                "worker_id": "W2",
                "source_kind": "kecamatan",
                "name": "LI WEI",
                "nationality": "CHN",
                "company_name": "PT GAMMA",
                "kitas_start": dt.date(2025, 2, 1),
            },
            {
                "record_key": "x:1",
                "worker_id": None,
                "source_kind": "imigrasi",
                "name": "ISTRI",
                "nationality": "CHN",
            },
        ]
    )


def test_each_field_comes_from_its_most_authoritative_source() -> None:
    out = survive(frame(), CFG).set_index("worker_id")
    w1 = out.loc["W1"]
    assert (w1["passport_no"], w1["name"], w1["sex"], w1["kitas_no"], w1["kitas_end"]) == (
        "E12345678",
        "GAO XUEFENG",
        "L",
        "K1",
        dt.date(2025, 12, 31),
    )  # imigrasi; KITAS dates travel together
    assert (w1["position"], w1["rptka_no"], w1["rptka_end"]) == (
        "TENAGA AHLI",
        "B.3/1/PK.04.00/I/2025",
        dt.date(2026, 12, 31),
    )  # disnakertrans before company
    assert (w1["company_nib"], w1["company_name"]) == (NIB_B, "PT BETA")  # the company's own report first
    assert w1["kecamatan_code"] == "64.02.12"  # the kecamatan office knows where the worker is
    assert (w1["sources"], w1["source_count"], w1["record_count"], w1["flags"]) == (
        "company;disnakertrans;imigrasi;kecamatan",
        4,
        4,
        "passport_format;permit_expired",
    )
    assert json.loads(w1["conflicts"]) == {
        "company_name": ["PT ALPHA", "PT BETA"],
        "company_nib": [NIB_A, NIB_B],
        "kecamatan_code": ["64.02.11", "64.02.12"],
        "name": ["GAO XUE FENG", "GAO XUEFENG", "XUEFENG GAO"],
        "passport_no": ["E12****70", "E12****78"],
        "position": ["MEKANIK", "TENAGA AHLI"],
    }


def test_group_members_fall_back_only_without_the_head() -> None:
    out = survive(frame(), CFG).set_index("worker_id")
    w2 = out.loc["W2"]
    assert (w2["kitas_no"], w2["kitas_start"], w2["company_nib"], w2["company_name"]) == (
        None,
        dt.date(2025, 2, 1),
        None,
        "PT GAMMA",
    )
    assert (w2["sources"], w2["source_count"], w2["flags"], w2["conflicts"]) == ("kecamatan", 1, None, None)
    assert out.index.tolist() == ["W1", "W2"]  # the row without a worker id (a dependant) is ignored


def test_precedence_comes_from_config() -> None:
    cfg = MatchConfig.from_mapping(
        {"precedence": {"default": ["kecamatan", "imigrasi"], "fields": {"name": ["company"]}}}
    )
    out = survive(frame(), cfg).set_index("worker_id")
    assert (out.loc["W1", "name"], out.loc["W1", "kecamatan_code"], out.loc["W1", "passport_no"]) == (
        "XUEFENG GAO",
        "64.02.12",
        "E12345678",
    )
    assert cfg.precedence("name") == ("company", "kecamatan", "imigrasi")


def test_empty_input_gives_the_worker_month_columns() -> None:
    out = survive(frame().iloc[5:], CFG)
    assert out.empty and out.columns[:3].tolist() == ["worker_id", "company_nib", "company_name"]


def test_period_column_and_worker_rows_for_the_load() -> None:
    months = survive(frame(), "2025-08", CFG)
    assert months.columns[:2].tolist() == ["period", "worker_id"] and set(months["period"]) == {"2025-08"}
    known = pd.DataFrame({"worker_id": ["W1"], "first_period": ["2025-03"]})
    workers = build_workers(months, known, "2025-08")
    assert workers.to_dict("records") == [
        {
            "worker_id": "W1",
            "passport_no": "E12345678",
            "nationality": "CHN",
            "name": "GAO XUEFENG",
            "birth_date": dt.date(1985, 3, 2),
            "sex": "L",
            "first_period": "2025-03",
            "last_period": "2025-08",
        },
        {
            "worker_id": "W2",
            "passport_no": None,
            "nationality": "CHN",
            "name": "LI WEI",
            "birth_date": None,
            "sex": None,
            "first_period": "2025-08",
            "last_period": "2025-08",
        },
    ]
