"""Loading sources.yaml + reference.yaml into the typed config."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from tka.contract import SourceKind
from tka.read import SourcesConfig, load_sources_config
from tka.read.config import header_key
from tka.settings import PROJECT_ROOT


def test_project_config_loads(config: SourcesConfig) -> None:
    assert {name: spec.kind for name, spec in config.sources.items()} == {
        "disnakertrans": SourceKind.DISNAKERTRANS, "imigrasi": SourceKind.IMIGRASI,
        "kecamatan": SourceKind.KECAMATAN, "company": SourceKind.COMPANY, "registry": SourceKind.REGISTRY}
    assert config.sources["imigrasi"].required == ["name", "passport_no", "nationality", "kitas_no"]
    assert config.source_by_folder("Perusahaan") == ("company", config.sources["company"])
    assert config.source_by_folder("lain") is None
    assert len(config.reference.kecamatan) == 20
    assert config.reference.months[8][:3] == ["agustus", "agt", "agu"]


@pytest.mark.parametrize(("header", "field"), [
    ("No", "row_no"), ("#", "row_no"), ("NO. PASPOR", "passport_no"), ("Tgl. Lahir", "birth_date"),
    ("KITAS s.d.", "kitas_end"), ("Wajib Lapor", "must_report"), ("company_nib", "company_nib"),
])
def test_header_lookup(config: SourcesConfig, header: str, field: str) -> None:
    assert config.header_lookup[header_key(header)] == field


@pytest.mark.parametrize(("text", "key"), [("No. Paspor", "nopaspor"), ("no_paspor", "nopaspor"),
                                           ("Tempat / Tgl\nLahir", "tempattgllahir"), ("#", "#"), (None, "")])
def test_header_key(text: object, key: str) -> None:
    assert header_key(text) == key


def _write(tmp_path: Path, edit: dict[str, object]) -> Path:
    data = yaml.safe_load((PROJECT_ROOT / "config" / "sources.yaml").read_text(encoding="utf-8"))
    for dotted, value in edit.items():
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node[part]
        node[leaf] = value
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(("edit", "message"), [
    ({"sources.imigrasi.required": ["name", "npwp"]}, r"without synonyms: \['npwp'\]"),
    ({"sources.tka_online": {"folder": "tka-online", "source_id": "tka"}}, "'tka_online' is not a valid SourceKind"),
    ({"sources.company.file_pattern": "(?P<nib"}, "file_pattern is not a valid regex"),
    ({"layout": "{period}/{file}"}, "layout must contain {folder}"),
])
def test_invalid_config_is_rejected(tmp_path: Path, edit: dict[str, object], message: str) -> None:
    with pytest.raises((ValidationError, ValueError), match=message):
        load_sources_config(_write(tmp_path, edit), PROJECT_ROOT / "config" / "reference.yaml")
