"""Cross-check: the GX suites raise exactly the rules the sample generator predicts (tka.sample.rules).

Two independent implementations of the rule table in docs/contracts.md must agree row by row on random rows
that mix every boundary case; a disagreement means the generator's truth and the pipeline would diverge.
"""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import yaml

from tka.contract import DATE_FIELDS
from tka.validate.derive import period_start
from tka.validate.run import validate_rows

from .conftest import PERIOD, ROOT, make_rows

D = dt.date
DATES = [None, D(2024, 1, 31), D(2025, 1, 1), D(2025, 7, 31), D(2025, 8, 1), D(2026, 2, 1), D(2027, 1, 1),
         D(2027, 1, 2), D(2027, 8, 1)]
BIRTHS = [None, D(2008, 8, 1), D(2008, 8, 2), D(1944, 8, 2), D(1944, 8, 1), D(1985, 3, 2), D(2020, 5, 5)]


def rule_context():
    from tka.sample.rules import RuleContext

    sources = yaml.safe_load((ROOT / "config" / "sources.yaml").read_text())
    reference = yaml.safe_load((ROOT / "config" / "reference.yaml").read_text())
    return RuleContext.from_config(period_start(PERIOD), sources, reference)


def random_worker(rng: random.Random, i: int) -> dict:
    spec = {
        "source_kind": rng.choice(["disnakertrans", "imigrasi", "kecamatan", "company"]),
        "address": f"row {i}",  # keeps rows distinct: duplicates are checked separately
        "name": rng.choice(["GAO XUEFENG", None]),
        "passport_no": rng.choice(["E12345678", "E1", "M123A4567", "123456789", None]),
        "nationality": rng.choice(["CHN", "KOR", "GBR", "VNM", None]),
        "company_name": rng.choice(["PT A", None]), "position": rng.choice(["TEKNISI", None]),
        "kitas_no": rng.choice(["2D4564511LA8-B", None]),
        "company_nib": rng.choice(["1234567890123", "123", None]),
        "kecamatan_code": rng.choice(["64.02.12", None]),
        "birth_date": rng.choice(BIRTHS), "permit_type": rng.choice(["baru", "jangka_pendek", None]),
        "person_kind": rng.choice(["worker", "worker", "dependant"]),
    }
    for permit in ("rptka", "notifikasi", "kitas"):
        spec[f"{permit}_start"], spec[f"{permit}_end"] = rng.choice(DATES), rng.choice(DATES)
    if spec["nationality"] is None and rng.random() < 0.5:
        spec["nationality_unknown"] = "Atlantis"
    if spec["kecamatan_code"] is None and rng.random() < 0.5:
        spec["kecamatan_unknown"] = "Balikpapan"
    for field in DATE_FIELDS:
        if rng.random() < 0.08:
            spec[field], spec[f"{field}_unparsed"] = None, "31-02-2025"
    return spec


def test_suites_agree_with_the_generator_rules_on_random_rows(suites, config) -> None:
    from tka.sample.rules import row_rules

    ctx, rng = rule_context(), random.Random(20250801)
    specs = [random_worker(rng, i) for i in range(400)]
    frames = [make_rows([{**s, "row_number": 7 + i}], source_kind=s["source_kind"]) for i, s in enumerate(specs)]
    rows = pd.concat(frames, ignore_index=True)
    issues = validate_rows(rows, "worker", PERIOD, suites, config)
    got = issues.groupby("row_number")["rule"].apply(sorted).to_dict()
    for i, row in enumerate(rows.to_dict("records")):
        expected = row_rules(row, row["source_kind"], ctx)
        assert got.get(7 + i, []) == expected, (i, specs[i])


def test_registry_agrees_with_the_generator_rules(suites, config) -> None:
    from tka.sample.rules import row_rules

    ctx, rng = rule_context(), random.Random(7)
    specs = [{"address": f"row {i}", "company_nib": rng.choice(["1234567890123", "12", None]),
              "company_name": rng.choice(["PT A", None]), "kbli": rng.choice(["05100", "99999", None]),
              "kecamatan_code": rng.choice(["64.02.12", None]),
              "kecamatan_unknown": rng.choice([None, "Bontang"])} for i in range(120)]
    rows = make_rows(specs, kind="registry", source_kind="registry")
    issues = validate_rows(rows, "registry", PERIOD, suites, config)
    got = issues.groupby("row_number")["rule"].apply(sorted).to_dict()
    for i, row in enumerate(rows.to_dict("records")):
        assert got.get(7 + i, []) == row_rules(row, "registry", ctx), (i, specs[i])
