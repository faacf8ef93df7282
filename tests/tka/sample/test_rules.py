"""The generator's rule table predicts exactly the issues of docs/contracts.md for a canonical row."""

from __future__ import annotations

import datetime as dt

import pytest

from tka.sample.config import reference, sources
from tka.sample.rules import RuleContext, is_rejected, row_rules, whole_years

P0 = dt.date(2025, 8, 1)


@pytest.fixture(scope="module")
def ctx() -> RuleContext:
    return RuleContext.from_config(P0, sources(), reference())


def _clean(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "name": "GAO XUEFENG", "passport_no": "E12345678", "nationality": "CHN", "kitas_no": "2D4564511LA8-B",
        "birth_date": dt.date(1985, 3, 2), "kitas_start": dt.date(2025, 1, 10), "kitas_end": dt.date(2026, 1, 9),
        "rptka_start": dt.date(2024, 9, 1), "rptka_end": dt.date(2026, 8, 31), "permit_type": "baru",
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def test_a_clean_row_raises_nothing(ctx):
    assert row_rules(_clean(), "imigrasi", ctx) == []


@pytest.mark.parametrize(("changes", "kind", "rules"), [
    ({"passport_no": None}, "imigrasi", ["required_field"]),
    ({"nationality": None, "nationality_unknown": "WNA"}, "imigrasi", ["nationality_unknown"]),
    ({"passport_no": "E1234567"}, "imigrasi", ["passport_format"]),
    ({"nationality": "THA", "passport_no": "AA1234567"}, "imigrasi", ["passport_format_unknown"]),
    ({"birth_date": None, "birth_date_unparsed": "31 Pebruari 1985"}, "imigrasi", ["date_unparsed"]),
    ({"birth_date": dt.date(2015, 1, 1)}, "imigrasi", ["age_out_of_range"]),
    ({"birth_date": dt.date(1944, 7, 31)}, "imigrasi", ["age_out_of_range"]),  # 81 on 1 August
    ({"birth_date": dt.date(1944, 8, 2)}, "imigrasi", []),  # still 80
    ({"birth_date": dt.date(2020, 5, 5), "person_kind": "dependant"}, "imigrasi", []),  # a child: workers only
    ({"birth_date": dt.date(2020, 5, 5), "person_kind": "worker"}, "imigrasi", ["age_out_of_range"]),
    ({"kitas_end": dt.date(2024, 12, 10)}, "imigrasi", ["permit_end_before_start", "permit_expired"]),
    ({"kitas_end": dt.date(2025, 7, 31)}, "imigrasi", ["permit_expired"]),
    ({"rptka_end": dt.date(2026, 9, 2)}, "imigrasi", ["rptka_too_long"]),
    ({"rptka_end": dt.date(2026, 9, 1)}, "imigrasi", []),  # exactly 24 months is allowed
    ({"permit_type": "jangka_pendek", "rptka_start": dt.date(2025, 5, 1), "rptka_end": dt.date(2025, 11, 2)},
     "imigrasi", ["rptka_too_long"]),
    ({"company_nib": "912345678901"}, "imigrasi", ["nib_format"]),
    ({"kecamatan_unknown": "Palaran"}, "kecamatan", ["kecamatan_unknown"]),
    ({"position": None}, "company", ["required_field"]),
])
def test_each_rule_fires_on_its_condition(ctx, changes, kind, rules):
    assert row_rules(_clean(**changes), kind, ctx) == rules


def test_registry_rules(ctx):
    good = {"company_nib": "9120001234567", "company_name": "PT X", "kecamatan_code": "64.02.12", "kbli": "05100"}
    assert row_rules(good, "registry", ctx) == []
    assert row_rules({**good, "kbli": "05199"}, "registry", ctx) == ["kbli_unknown"]
    assert row_rules({**good, "kecamatan_code": None}, "registry", ctx) == ["required_field"]
    assert row_rules({k: v for k, v in good.items() if k != "kecamatan_code"} | {"kecamatan_unknown": "Palaran"},
                     "registry", ctx) == ["kecamatan_unknown"]


def test_errors_reject_and_warnings_do_not():
    assert is_rejected(["not_a_person", "permit_expired"])
    assert not is_rejected(["permit_expired", "duplicate_row", "date_unparsed", "kecamatan_unknown"])
    assert not is_rejected(["passport_format", "permit_expired", "passport_format_unknown"])
    assert whole_years(dt.date(1985, 8, 2), P0) == 39


def test_an_injected_passport_typo_survives_the_readers_zero_padding(ctx):
    """A digit-only passport (GBR, USA) never just loses a digit: the reader would pad it back to a valid
    number (a number cell drops leading zeros), so the predicted passport_format warning would not fire."""
    import random

    from tka.read.normalize import normalize_passport
    from tka.sample.inject import _typo

    rng = random.Random(4)
    for passport in ("612372389", "123456789", "934779479", "E12345678", "M123A4567"):
        nationality = {"E": "CHN", "M": "KOR"}.get(passport[0], "GBR")
        for _ in range(30):
            typo = _typo(rng, passport)
            assert typo != passport
            read = normalize_passport(typo, nationality)
            assert read == typo, (passport, typo, read)
            assert row_rules(_clean(passport_no=read, nationality=nationality), "imigrasi", ctx) == \
                ["passport_format"], (passport, typo)
