"""Masking of personal data."""

from __future__ import annotations

import datetime as dt

from tka.privacy import mask, mask_date, mask_issue_value, mask_name, mask_record


def test_mask_keeps_first_three_and_last_two_of_long_values() -> None:
    assert mask("E12345678") == "E12****78"
    assert mask("1234567") == "123****67"
    assert mask("E1234") == "*****"
    assert mask("") == ""
    assert mask(None) is None


def test_mask_name_keeps_the_first_token_only() -> None:
    assert mask_name("GAO XUEFENG") == "GAO X*****"
    assert mask_name("GAO XUE FENG") == "GAO X***** F*****"
    assert mask_name("MADONNA") == "MADONNA"
    assert mask_name("  ") == ""
    assert mask_name(None) is None


def test_mask_date_keeps_the_year() -> None:
    assert mask_date(dt.date(1985, 3, 2)) == "1985-**-**"
    assert mask_date("1985-03-02") == "1985-**-**"


def test_mask_record_masks_only_personal_fields() -> None:
    record = {
        "name": "GAO XUEFENG",
        "passport_no": "E12345678",
        "birth_date": dt.date(1985, 3, 2),
        "kitas_no": "2D4564511LA8-B",
        "company_name": "PT ALPHA",
        "nationality": "CHN",
        "note": None,
    }
    assert mask_record(record) == {
        "name": "GAO X*****",
        "passport_no": "E12****78",
        "birth_date": "1985-**-**",
        "kitas_no": "2D4****-B",
        "company_name": "PT ALPHA",
        "nationality": "CHN",
        "note": None,
    }


def test_mask_issue_value_masks_personal_columns_only() -> None:
    assert mask_issue_value("passport_no", "E12345678") == "E12****78"
    assert mask_issue_value("birth_date", "02-03-1985") == "02-0-**-**"
    assert mask_issue_value("name", "GAO XUEFENG") == "GAO X*****"
    assert mask_issue_value("company_nib", "12345") == "12345"
    assert mask_issue_value("row_number", 7) == "7"
    assert mask_issue_value(None, "x") == "x"
    assert mask_issue_value("passport_no", None) is None
