"""Name and passport comparison helpers."""

from __future__ import annotations

from tka.match.names import clean_name, clean_passport, name_key, name_score, passports_near

LOOKALIKE = {"O": "0", "I": "1", "S": "5", "B": "8", "Z": "2"}


def test_name_key_ignores_order_and_spacing() -> None:
    assert name_key("GAO XUEFENG") == name_key("XUE FENG GAO") == "AEEFGGNOUX"
    assert clean_name("  mr   gao  xuefeng ") == "MR GAO XUEFENG"
    assert clean_name(" ") is None and clean_name(float("nan")) is None


def test_name_score() -> None:
    assert name_score("GAO XUEFENG", "XUEFENG GAO") == 100.0
    assert name_score("GAO XUE FENG", "XUEFENGG GAO") >= 90
    assert name_score("WANG WEI", "WANG WEN") < 90
    assert name_score("LI WEI", "ZHANG MIN") < 50


def test_passports_near() -> None:
    assert clean_passport(" e1234-56.78 ") == "E12345678"
    assert passports_near("E12345678", "E12345679", LOOKALIKE)  # one substitution
    assert passports_near("E12345678", "E1234568", LOOKALIKE)  # one letter missing
    assert passports_near("EO12345I8", "E0123451B", LOOKALIKE)  # three look-alikes
    assert not passports_near("E12345678", "E12345699", LOOKALIKE)


def test_quick_cleaning_matches_the_regular_expressions() -> None:
    import re

    texts = ["", " ", "\t\x0b\x0c\r\n\x1c\x1d\x1e\x1f", " gao\txue\x1cfeng ", "E1234-56.78", "e 1234/5678 ",
             "B.3/113191/PK.04.00/VI/2024", "2D4564511LA8-B", "éa b\u00a0c", "straße 7", "ǆ1", "ı2", "x\u3000y"]
    for text in texts:
        assert clean_name(text) == (re.sub(r"\s+", " ", text.upper()).strip() or None), text
        assert clean_passport(text) == (re.sub(r"[^0-9A-Z]", "", text.upper()) or None), text
