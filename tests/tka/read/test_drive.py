"""Drive discovery on memory:// and local paths; opening drive URLs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import fsspec
import pytest

from tka.read import DiscoveredFile, SourcesConfig, discover, open_drive, read_file
from tka.read.drive import file_defaults

from .conftest import PERIOD, write_xlsx

FILES = {
    f"{PERIOD}/disnakertrans/RPTKA Agustus.xlsx": b"a",
    f"{PERIOD}/imigrasi/sub/kitas.csv": b"bb",
    f"{PERIOD}/kecamatan/Laporan TKA Kec. Tabang Agustus 2025.xlsx": b"ccc",
    f"{PERIOD}/kecamatan/Laporan Kecamatan Sangasanga 08-2025.xls": b"c",
    f"{PERIOD}/kecamatan/rekap camat.xlsx": b"c",
    f"{PERIOD}/perusahaan/1234567890123 PT Karya Sejati.xlsx": b"dddd",
    f"{PERIOD}/perusahaan/laporan PT Tanpa NIB.xlsx": b"d",
    f"{PERIOD}/registri/registri.xlsx": b"e",
    f"{PERIOD}/lain/catatan.xlsx": b"f",
    f"{PERIOD}/lepas.xlsx": b"g",
    f"{PERIOD}/perusahaan/~$1234567890123 PT Karya Sejati.xlsx": b"lock",
    f"{PERIOD}/perusahaan/.DS_Store": b"x",
    "2025-07/imigrasi/kitas.xlsx": b"old",
    f"_review/{PERIOD}/imigrasi/review.xlsx": b"r",
    f"_quarantine/{PERIOD}/imigrasi/bad.xlsx": b"q",
    f"{PERIOD}/_quarantine/imigrasi/bad.xlsx": b"q",
}
EXPECTED = [
    (f"{PERIOD}/disnakertrans/RPTKA Agustus.xlsx", "disnakertrans", "disnakertrans", {}),
    (f"{PERIOD}/imigrasi/sub/kitas.csv", "imigrasi", "imigrasi", {}),
    (f"{PERIOD}/kecamatan/Laporan Kecamatan Sangasanga 08-2025.xls", "kecamatan", "kecamatan:64.02.15",
     {"kecamatan_code": "64.02.15", "kecamatan_raw": "Sangasanga"}),
    (f"{PERIOD}/kecamatan/Laporan TKA Kec. Tabang Agustus 2025.xlsx", "kecamatan", "kecamatan:64.02.12",
     {"kecamatan_code": "64.02.12", "kecamatan_raw": "Tabang"}),
    (f"{PERIOD}/kecamatan/rekap camat.xlsx", "kecamatan", "kecamatan:?rekap camat", {}),
    (f"{PERIOD}/lain/catatan.xlsx", None, None, {}),
    (f"{PERIOD}/lepas.xlsx", None, None, {}),
    (f"{PERIOD}/perusahaan/1234567890123 PT Karya Sejati.xlsx", "company", "company:1234567890123",
     {"company_nib": "1234567890123"}),
    (f"{PERIOD}/perusahaan/laporan PT Tanpa NIB.xlsx", "company", "company:?laporan PT Tanpa NIB", {}),
    (f"{PERIOD}/registri/registri.xlsx", "registry", "registry", {}),
]


def _summary(files: list[DiscoveredFile]) -> list[tuple[object, ...]]:
    return [(f.path, f.source_kind, f.source_id, f.defaults) for f in files]


def test_discover_local(tmp_path: Path, config: SourcesConfig) -> None:
    for rel, content in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(content)
    fs, root = open_drive(str(tmp_path))
    files = discover(fs, root, PERIOD, config)
    assert _summary(files) == EXPECTED
    first = files[0]
    assert (first.size, first.sha256) == (1, hashlib.sha256(b"a").hexdigest())
    assert first.modified is not None and first.modified.tzinfo is not None
    assert files[7].source == "company"


def test_discover_memory_and_file_url(tmp_path: Path, config: SourcesConfig) -> None:
    memory = fsspec.filesystem("memory")
    for rel, content in FILES.items():
        memory.pipe(f"/drive-test/{rel}", content)
    try:
        fs, root = open_drive("memory://drive-test/")
        assert root == "/drive-test"
        files = discover(fs, root, PERIOD, config)
        assert _summary(files) == EXPECTED
        assert [f.size for f in files][:2] == [1, 2]
    finally:
        memory.rm("/drive-test", recursive=True)
    (tmp_path / PERIOD / "imigrasi").mkdir(parents=True)
    (tmp_path / PERIOD / "imigrasi" / "a.csv").write_bytes(b"x")
    fs, root = open_drive(f"file://{tmp_path}")
    assert [f.path for f in discover(fs, root, PERIOD, config)] == [f"{PERIOD}/imigrasi/a.csv"]


def test_discover_missing_period_is_empty(tmp_path: Path, config: SourcesConfig) -> None:
    fs, root = open_drive(str(tmp_path))
    assert discover(fs, root, "2031-01", config) == []


def test_read_from_memory_drive(config: SourcesConfig, tmp_path: Path) -> None:
    local = write_xlsx(tmp_path / "a.xlsx", {"Data": [["Nama", "Paspor", "WN", "No KITAS"],
                                                       ["GAO", "E12345678", "RRT", "2D4564511LA8-B"]]})
    memory = fsspec.filesystem("memory")
    memory.pipe(f"/drive-read/{PERIOD}/imigrasi/kitas.xlsx", local.read_bytes())
    try:
        fs, root = open_drive("memory://drive-read")
        [file] = discover(fs, root, PERIOD, config)
        result = read_file(fs, root, file, config)
        assert result.rows[["name", "passport_no", "kitas_no"]].to_dict("records") == [
            {"name": "GAO", "passport_no": "E12345678", "kitas_no": "2D4564511LA8-B"}]
    finally:
        memory.rm("/drive-read", recursive=True)


def test_layout_with_folder_before_period(tmp_path: Path, config: SourcesConfig) -> None:
    custom = config.model_copy(update={"layout": "{folder}/{period}/{file}"})
    (tmp_path / "imigrasi" / PERIOD).mkdir(parents=True)
    (tmp_path / "imigrasi" / PERIOD / "k.xlsx").write_bytes(b"x")
    (tmp_path / "imigrasi" / "2025-07").mkdir()
    (tmp_path / "imigrasi" / "2025-07" / "k.xlsx").write_bytes(b"x")
    fs, root = open_drive(str(tmp_path))
    assert _summary(discover(fs, root, PERIOD, custom)) == [(f"imigrasi/{PERIOD}/k.xlsx", "imigrasi", "imigrasi", {})]


@pytest.mark.parametrize(("file_name", "expected"), [
    ("Laporan TKA Kec. Tabang Agustus 2025.xlsx", {"kecamatan_code": "64.02.12", "kecamatan_raw": "Tabang"}),
    ("LAPORAN KECAMATAN KOTA BANGUN DARAT AGT 2025.xlsx",
     {"kecamatan_code": "64.02.19", "kecamatan_raw": "KOTA BANGUN DARAT"}),
    ("kec samboja barat 2025-08.xlsx", {"kecamatan_code": "64.02.20", "kecamatan_raw": "samboja barat"}),
    ("Kec. Atlantis Agustus.xlsx", {"kecamatan_raw": "Atlantis"}),
    ("laporan.xlsx", {}),
])
def test_kecamatan_file_defaults(config: SourcesConfig, file_name: str, expected: dict[str, str]) -> None:
    assert file_defaults(file_name, config.sources["kecamatan"], config) == expected


def test_open_drive_missing_optional_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_smb(url: str) -> None:
        raise ImportError('SMB requires "smbprotocol" installed')

    monkeypatch.setattr(fsspec.core, "url_to_fs", no_smb)
    with pytest.raises(ImportError, match=r"pip install 'tka-pipeline\[smb\]'"):
        open_drive("smb://server/share/tka")
