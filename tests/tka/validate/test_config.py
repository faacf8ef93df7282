"""ValidationConfig from the YAML documents and the suite parameters it produces."""

from __future__ import annotations

import re

from tka.validate.config import ValidationConfig


def test_from_dicts_maps_required_aliases_and_reference_data() -> None:
    config = ValidationConfig.from_dicts(
        {"sources": {"registry": {"required": ["company_nib", "kecamatan"]}, "imigrasi": {"required": ["name"]}}},
        {"passport_patterns": {"IND": ["^[A-Z]\\d{7}$"], "CHN": ["^E\\d{8}$", "^G\\d{8}$"]},
         "kecamatan": {"64.02.01": {}}, "kbli": {"05100": "x"}, "age_bounds": {"min": 17, "max": 80},
         "rptka_max_months": {"default": 24, "jangka_pendek": 6}},
    )
    assert config.required == {"registry": ("company_nib", "kecamatan_code"), "imigrasi": ("name",)}
    assert config.passport_regex() == r"^(?:CHN:(?:E\d{8}|G\d{8})|IND:(?:[A-Z]\d{7}))$"
    assert config.expectation_parameters() == {
        "passport_regex": config.passport_regex(), "passport_nationalities": ["CHN", "IND"],
        "kecamatan_codes": ["64.02.01"], "kbli_codes": ["05100"], "age_min": 17, "age_max": 80,
    }


def test_passport_regex_of_the_real_reference(config) -> None:
    regex = re.compile(config.passport_regex())
    assert regex.match("CHN:E12345678") and regex.match("KOR:M123A4567") and regex.match("GBR:123456789")
    assert not regex.match("CHN:E1234567") and not regex.match("IND:E12345678X") and not regex.match("VNM:C1")
