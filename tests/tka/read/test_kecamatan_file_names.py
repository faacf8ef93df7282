"""Kecamatan names that begin like a month abbreviation ("Janggut", "Janan") come whole from the file name."""

import fsspec
import pytest

from tka.read import discover, load_sources_config
from tka.settings import PROJECT_ROOT


@pytest.mark.parametrize(("name", "code"), [
    ("Laporan TKA Kec. Loa Janan Agustus 2025.xlsx", "64.02.03"),
    ("Laporan TKA Kec. Kembang Janggut Agt 2025.xlsx", "64.02.10"),
    ("Kecamatan Tabang_08-2025.xlsx", "64.02.12"),
    ("Kec Muara Jawa - Sept 2025.xlsx", "64.02.14"),
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
