"""Placeholders are missing values: the words clerks type, and the cousins no list holds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from tka.read.placeholders import identifier_placeholder, is_placeholder
from tka.validate.derive import shared_identifiers

WORDS = yaml.safe_load((Path(__file__).resolve().parents[3] / "config" / "reference.yaml").read_text())[
    "placeholder_words"]


@pytest.mark.parametrize("text", [
    "BELUM ADA", "belum  ada.", "Blm Ada", "tidak ada", "-", "--", "—", "0", "000000", "xxx", "XXXXXXXX",
    "menyusul", "dalam proses", "- dalam proses -", "Masih Proses", "on process", "TBA", "N/A", "?", "...",
    "kosong", "00-00-0000", "xx-xx-xxxx", "belum ada (menyusul)",
])
def test_placeholders_are_missing_values(text: str) -> None:
    assert is_placeholder(text, WORDS) and identifier_placeholder(text, WORDS)


@pytest.mark.parametrize("text", ["E12345678", "2D4564511LA8-B", "B.3/54643/PK.04.00/VIII/2025", "12-03-1985",
                                  "5 Agustus 2025", "8104352056174"])
def test_real_values_are_not_placeholders(text: str) -> None:
    assert not is_placeholder(text, WORDS) and not identifier_placeholder(text, WORDS)


@pytest.mark.parametrize("text", ["PASPOR", "A1", "SEDANG DIURUS"])
def test_an_identifier_without_a_digit_or_too_short_cannot_be_a_number(text: str) -> None:
    assert identifier_placeholder(text, WORDS)


def test_a_number_on_rows_of_three_different_people_is_no_ones_number() -> None:
    values = pd.Series(["PROSES 2025", "proses-2025", "PROSES 2025", "E12345678", "E12345678", "E12345678", None])
    names = pd.Series(["GAO XUEFENG", "LI WEI", "KIM MINJUN", "ZHANG WEI", "WEI ZHANG", "ZHANG  WEI", "X"])
    assert shared_identifiers(values, names).tolist() == ["x", "x", "x", None, None, None, None]
