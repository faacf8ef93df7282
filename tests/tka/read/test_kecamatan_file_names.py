"""Kecamatan names that begin like a month abbreviation ("Janggut", "Janan") come whole from the file name."""

import fsspec
import pytest

from tka.read import discover, load_sources_config
from tka.read.normalize import kecamatan_in_text
from tka.settings import PROJECT_ROOT


@pytest.mark.parametrize(("name", "code"), [
    ("Laporan TKA Kec. Loa Janan Agustus 2025.xlsx", "64.02.03"),
    ("Laporan TKA Kec. Kembang Janggut Agt 2025.xlsx", "64.02.10"),
    ("Kecamatan Tabang_08-2025.xlsx", "64.02.12"),
    ("Kec Muara Jawa - Sept 2025.xlsx", "64.02.14"),
    # words between the name and the month, or a month spelling the pattern does not know: found by name
    ("Data Orang Asing Wilayah Kec. Loa Janan Bulan Agustus 2025.csv", "64.02.03"),
    ("Lap. TKA Kecamatan Kenohan - Agst 2025.xlsx", "64.02.09"),
    ("Lap. TKA Kecamatan Samboja - Agst 2025.xlsx", "64.02.13"),
    ("REKAP WNA SAMBOJA BARAT 08-2025.xls", "64.02.20"),
])
def test_kecamatan_comes_from_the_whole_name(name, code, tmp_path):
    fs = fsspec.filesystem("file")
    folder = tmp_path / "2025-08" / "kecamatan"
    folder.mkdir(parents=True)
    (folder / name).write_bytes(b"x")
    config = load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")
    [found] = discover(fs, str(tmp_path), "2025-08", config)
    assert found.defaults.get("kecamatan_code") == code
    assert found.source_id == f"kecamatan:{code}"


@pytest.mark.parametrize(("text", "code"), [
    ("Data Orang Asing Wilayah Kec. Loa Janan Bulan Agustus 2025", "64.02.03"),
    ("Laporan Keberadaan Orang Asing Kec. Samboja Barat Agustus 2025", "64.02.20"),  # not Samboja
    ("REKAP WNA KEC. SANGA-SANGA 08-2025", "64.02.15"),
    ("Kota Bangun", "64.02.08"),
    ("kota bangun darat", "64.02.19"),
    ("Loa Kulu dan Loa Janan", None),  # two kecamatan: neither
    ("Laporan TKA Agustus 2025", None),
    ("Samboja2025", None),  # whole words only
])
def test_kecamatan_in_text(text, code):
    assert kecamatan_in_text(text) == code


def test_unrecognised_name_keeps_the_file_apart(tmp_path):
    fs = fsspec.filesystem("file")
    folder = tmp_path / "2025-08" / "kecamatan"
    folder.mkdir(parents=True)
    (folder / "Data Orang Asing Wilayah Bulan Agustus 2025.csv").write_bytes(b"x")
    config = load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")
    [found] = discover(fs, str(tmp_path), "2025-08", config)
    assert found.defaults == {}
    assert found.source_id == "kecamatan:?Data Orang Asing Wilayah Bulan Agustus 2025"
