"""Any file name: printable for the warehouse and people, safe and short for the files derived from it."""

from __future__ import annotations

import os

from tka.names import is_printable_name, printable_name, safe_output_name
from tka.validate import feedback_path


def test_undecodable_bytes_and_control_characters_are_escaped():
    name = os.fsdecode(b"1234567890123 PT \xff\xfeBumi.xlsx")
    assert printable_name(name) == "1234567890123 PT \\xff\\xfeBumi.xlsx"
    assert printable_name("a\nb\tc\x07.xlsx") == "a\\nb\\tc\\x07.xlsx"
    assert printable_name("Laporan Kec. Tabang 王伟.xlsx") == "Laporan Kec. Tabang 王伟.xlsx"
    assert not is_printable_name(name) and is_printable_name("biasa.xlsx")
    printable_name(name).encode("utf-8")  # storable


def test_output_names_are_safe_and_short_with_a_hash_when_cut():
    assert safe_output_name("biasa", "__umpan_balik.xlsx") == "biasa__umpan_balik.xlsx"
    long = "panjang " * 31  # 248 bytes
    cut = safe_output_name(long.strip(), "__umpan_balik.xlsx")
    assert len(cut.encode()) <= 120 and cut.endswith("__umpan_balik.xlsx") and "~" in cut
    assert cut != safe_output_name(long.strip() + " lain", "__umpan_balik.xlsx")
    odd = safe_output_name(os.fsdecode(b"a\xffb\nc/d"), ".xlsx")
    assert odd.startswith("a_xffb_nc_d~") and odd.endswith(".xlsx") and odd.isprintable()
    assert len(safe_output_name("王" * 100, ".xlsx").encode()) <= 120


def test_feedback_workbook_paths_from_any_name():
    path = feedback_path("2025-08", "company", "2025-08/perusahaan/" + "x" * 250 + ".xlsx")
    name = path.rsplit("/", 1)[1]
    assert path.startswith("_review/2025-08/company/") and len(name.encode()) <= 120
    assert feedback_path("2025-08", None, "2025-08/lain/a.csv") == "_review/2025-08/lainnya/a__umpan_balik.xlsx"


def test_a_record_key_of_a_long_sheet_name_fits_the_warehouse_column():
    from tka.contract import RECORD_KEY_MAX, record_key

    assert record_key("a" * 64, "Agustus", 7) == "aaaaaaaaaaaaaaaa:Agustus:7"
    long = record_key("a" * 64, "x" * 250, 1234567)
    assert len(long) == RECORD_KEY_MAX and long.endswith(":1234567")
    assert long != record_key("a" * 64, "x" * 249 + "y", 1234567)
