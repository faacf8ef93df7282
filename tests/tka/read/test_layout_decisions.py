"""The steward's header decisions: written by one command, used by the next read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tka.cli import app
from tka.read import load_sources_config
from tka.read.headers import detect_header
from tka.read.layout_decisions import LayoutError, confirm_header, ignore_header

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    shutil.copytree(ROOT / "config", folder)
    (folder / "header_decisions.yaml").unlink(missing_ok=True)
    return folder


def _header(config_dir: Path, texts: list[str]):
    config = load_sources_config(config_dir / "sources.yaml")
    return detect_header([texts, ["GAO", "E12345678", "x"]], [], config.header_lookup, 30,
                         config.header_vocabulary)


def test_a_confirmed_header_is_an_exact_synonym_next_time_and_a_correction_replaces_it(config_dir: Path) -> None:
    texts = ["Nama", "Nomor Paspor Tenaga Kerja", "Kolom Tambahan"]
    before = _header(config_dir, texts)
    assert before.fields == {0: "name", 1: "passport_no"} and before.guessed == {1: 1.0}
    assert before.unexpected == ("Kolom Tambahan",)
    confirm_header(config_dir, "Nomor Paspor Tenaga Kerja", "passport_no")
    after = _header(config_dir, texts)
    assert after.fields == {0: "name", 1: "passport_no"} and after.guessed == {}
    confirm_header(config_dir, "Kolom Tambahan", "note")
    confirm_header(config_dir, "kolom  tambahan", "address")  # a correction: one text, one field
    decisions = yaml.safe_load((config_dir / "header_decisions.yaml").read_text())
    assert decisions == {"confirmed": {"address": ["kolom tambahan"], "passport_no": ["Nomor Paspor Tenaga Kerja"]},
                         "ignored": []}
    assert _header(config_dir, texts).fields == {0: "name", 1: "passport_no", 2: "address"}


def test_an_ignored_header_is_never_guessed_again(config_dir: Path) -> None:
    texts = ["Nama", "No. Paspor", "Jabatan Di Perusahaan"]
    assert _header(config_dir, texts).fields[2] == "position"
    ignore_header(config_dir, "Jabatan Di Perusahaan")
    header = _header(config_dir, texts)
    assert 2 not in header.fields and header.unexpected == ("Jabatan Di Perusahaan",)


def test_unknown_field_and_empty_header_are_refused(config_dir: Path) -> None:
    with pytest.raises(LayoutError, match="Kolom 'paspor' tidak dikenal"):
        confirm_header(config_dir, "No Pass", "paspor")
    with pytest.raises(LayoutError, match="Judul kolom kosong"):
        ignore_header(config_dir, " - ")
    assert not (config_dir / "header_decisions.yaml").exists()


def test_cli_tetapkan_writes_the_decision(config_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("TKA_CONFIG_DIR", str(config_dir))
    result = CliRunner().invoke(app, ["layout", "tetapkan", "Kebangsaan TKA", "nationality"])
    assert result.exit_code == 0, result.output
    assert "ditetapkan sebagai nationality" in result.output
    bad = CliRunner().invoke(app, ["layout", "tetapkan", "X", "nope"])
    assert bad.exit_code == 1 and "tidak dikenal" in bad.output
    assert yaml.safe_load((config_dir / "header_decisions.yaml").read_text())["confirmed"] == {
        "nationality": ["Kebangsaan TKA"]}
