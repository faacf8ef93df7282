"""Guards before any write: warehouse URL and reachability, drive and period folder, the period's files, shrink."""

from __future__ import annotations

import time
from pathlib import Path

import fsspec
import pytest
import sqlalchemy as sa

from tka.guards import (
    GuardError,
    PeriodCounts,
    WarehouseMissingError,
    check_drive,
    check_period_files,
    check_warehouse,
    count_shrink,
    file_shrink,
    layout_period_folder,
    parse_warehouse_url,
    refuse_shrink,
)
from tka.read.drive import DiscoveredFile

LAYOUT = "{period}/{folder}/{file}"


def test_a_warehouse_url_typo_is_one_line_naming_the_setting():
    with pytest.raises(GuardError) as info:
        parse_warehouse_url("postgresql+psycopg//tka@db/tka")
    assert str(info.value).startswith("URL gudang data tidak dapat dibaca: 'postgresql+psycopg//tka@db/tka'")
    assert "TKA_WAREHOUSE_URL" in str(info.value) and "\n" not in str(info.value)


def test_an_unsupported_database_is_refused():
    with pytest.raises(GuardError, match="Jenis basis data 'mysql'"):
        parse_warehouse_url("mysql://u@h/db")


def test_an_unreachable_postgresql_fails_in_seconds_with_the_password_masked():
    started = time.monotonic()
    with pytest.raises(GuardError) as info:
        check_warehouse("postgresql+psycopg://tka:rahasia@127.0.0.1:1/tka", must_exist=False)
    assert time.monotonic() - started < 5
    message = str(info.value)
    assert message.startswith("Gudang data postgresql+psycopg://tka:***@127.0.0.1:1/tka tidak dapat dihubungi:")
    assert "rahasia" not in message and "\n" not in message


def test_a_steward_command_never_creates_a_missing_sqlite_warehouse(tmp_path: Path):
    db = tmp_path / "warehouse.db"
    with pytest.raises(WarehouseMissingError) as info:
        check_warehouse(f"sqlite:///{db}", must_exist=True)
    assert str(info.value) == (f"Gudang data {db} belum ada. Periksa --warehouse / warehouse_url di tka.toml / "
                               "TKA_WAREHOUSE_URL, atau jalankan `tka ingest --period P` dulu.")
    assert not db.exists()


def test_an_existing_but_empty_sqlite_file_is_not_a_warehouse(tmp_path: Path):
    db = tmp_path / "w.db"
    sa.create_engine(f"sqlite:///{db}").connect().close()
    with pytest.raises(WarehouseMissingError, match="kosong"):
        check_warehouse(f"sqlite:///{db}", must_exist=True)


def test_an_ingest_may_create_a_warehouse_only_in_an_existing_folder(tmp_path: Path):
    check_warehouse(f"sqlite:///{tmp_path / 'new.db'}", must_exist=False)
    assert not (tmp_path / "new.db").exists()
    with pytest.raises(GuardError, match=f"Folder gudang data {tmp_path / 'nope'} tidak ada"):
        check_warehouse(f"sqlite:///{tmp_path / 'nope' / 'new.db'}", must_exist=False)


@pytest.mark.postgres
def test_a_postgresql_database_without_the_schema_is_missing_for_a_steward(warehouse_url: str):
    if not warehouse_url.startswith("postgresql"):
        pytest.skip("PostgreSQL case")
    with pytest.raises(WarehouseMissingError, match="kosong"):
        check_warehouse(warehouse_url, must_exist=True)
    check_warehouse(warehouse_url, must_exist=False)


def test_layout_period_folder():
    assert layout_period_folder(LAYOUT, "2025-08") == "2025-08"
    assert layout_period_folder("{folder}/{period}/{file}", "2025-08") == ""
    assert layout_period_folder("tka/{period}/{folder}/{file}", "2025-08") == "tka/2025-08"


def test_a_missing_drive_and_a_missing_period_folder_are_refused(tmp_path: Path):
    fs = fsspec.filesystem("file")
    missing = tmp_path / "kesbangpol"
    with pytest.raises(GuardError) as info:
        check_drive(fs, str(missing), "2025-08", LAYOUT, str(missing))
    assert str(info.value) == (f"Drive {missing} tidak ditemukan. Periksa apakah drive sudah terpasang, atau "
                               "perbaiki --drive / drive_url di tka.toml / TKA_DRIVE_URL. Tidak ada yang ditulis.")
    missing.mkdir()
    with pytest.raises(GuardError) as info:
        check_drive(fs, str(missing), "2025-08", LAYOUT, str(missing))
    assert str(info.value).startswith(f"Folder periode 2025-08 tidak ada di drive {missing} (dicari: 2025-08/).")
    (missing / "2025-08").mkdir()
    check_drive(fs, str(missing), "2025-08", LAYOUT, str(missing))


def _file(path: str, kind: str | None) -> DiscoveredFile:
    return DiscoveredFile(path, kind, kind)


def test_an_empty_period_or_one_without_a_registry_is_refused():
    with pytest.raises(GuardError, match=r"^Folder periode 2025-08 di drive /d kosong: tidak ada berkas"):
        check_period_files([], "2025-08", "/d")
    with pytest.raises(GuardError) as info:
        check_period_files([_file("2025-08/imigrasi/a.xlsx", "imigrasi")], "2025-08", "/d")
    assert str(info.value).startswith("Periode 2025-08 di drive /d tidak punya berkas registri perusahaan "
                                      "(folder registri/).")
    check_period_files([_file("2025-08/registri/r.xlsx", "registry")], "2025-08", "/d")


BEFORE = PeriodCounts(files={"2025-08/registri/r.xlsx": "registry", "2025-08/kecamatan/a.xlsx": "kecamatan",
                             "2025-08/kecamatan/b.xlsx": "kecamatan"}, rows=300, workers=120)


def test_file_shrink_names_the_files_and_sources_that_would_disappear():
    now = {"2025-08/registri/r.xlsx": "registry"}
    assert file_shrink(BEFORE, now) == ("berkas 3 -> 1; sumber yang hilang: kecamatan; berkas yang hilang: "
                                        "2025-08/kecamatan/a.xlsx, 2025-08/kecamatan/b.xlsx")
    # a renamed file is no shrink; an extra one neither
    same = {"2025-08/registri/r.xlsx": "registry", "2025-08/kecamatan/a.xlsx": "kecamatan",
            "2025-08/kecamatan/c.xlsx": "kecamatan"}
    assert file_shrink(BEFORE, same) is None


def test_count_shrink_and_its_refusal_or_warning():
    assert count_shrink(BEFORE, 300, 120) is None
    assert count_shrink(BEFORE, 1299, 1000) is None
    what = count_shrink(BEFORE, 250, 100)
    assert what == "baris diterima 300 -> 250; pekerja 120 -> 100"
    with pytest.raises(GuardError) as info:
        refuse_shrink("2025-08", what, allow=False)
    assert str(info.value) == ("Periode 2025-08 sudah dimuat dan muatan ini lebih kecil (baris diterima 300 -> 250; "
                               "pekerja 120 -> 100). Tidak ada yang ditulis. Periksa drive; jika memang benar, "
                               "jalankan lagi dengan --allow-shrink.")
    assert refuse_shrink("2025-08", what, allow=True) == (
        "Periode 2025-08 dimuat ulang dengan data lebih sedikit (diizinkan --allow-shrink): baris diterima 300 -> 250; "
        "pekerja 120 -> 100.")
    assert refuse_shrink("2025-08", None, allow=False) is None
