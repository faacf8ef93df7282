"""Steward filters accept folder names, kinds and Indonesian words, and list the valid values otherwise."""

from __future__ import annotations

import pytest

from tka.filters import resolve_rule, resolve_source, resolve_status
from tka.guards import GuardError

FOLDERS = {"disnakertrans": "disnakertrans", "imigrasi": "imigrasi", "kecamatan": "kecamatan",
           "perusahaan": "company", "registri": "registry"}


@pytest.mark.parametrize(("value", "kind"), [("perusahaan", "company"), ("company", "company"),
                                             ("Registri", "registry"), ("registry", "registry"),
                                             ("kecamatan", "kecamatan"), (None, None)])
def test_sources_by_folder_or_kind(value, kind):
    assert resolve_source(value, FOLDERS) == kind


def test_an_unknown_source_lists_the_valid_ones():
    with pytest.raises(GuardError) as info:
        resolve_source("imigrasii", FOLDERS)
    assert str(info.value) == ("Sumber 'imigrasii' tidak dikenal. Pilihan: disnakertrans, imigrasi, kecamatan, "
                               "perusahaan, registri (atau jenisnya: company, disnakertrans, imigrasi, "
                               "kecamatan, registry).")


def test_rules_are_matched_exactly_and_unknown_ones_listed():
    assert resolve_rule("Passport_Format", ["passport_format", "nib_format"]) == "passport_format"
    with pytest.raises(GuardError, match=r"^Aturan 'paspor' tidak dikenal. Pilihan: nib_format, passport_format"):
        resolve_rule("paspor", ["passport_format", "nib_format"])


@pytest.mark.parametrize(("value", "status"), [("open", "open"), ("terbuka", "open"), ("dikecualikan", "waived"),
                                               ("fixed", "fixed"), ("diganti", "replaced"), ("semua", None),
                                               (None, None)])
def test_statuses_in_english_or_indonesian(value, status):
    assert resolve_status(value) == status


def test_an_unknown_status_lists_the_valid_ones():
    with pytest.raises(GuardError, match=r"^Status 'tutup' tidak dikenal. Pilihan: terbuka \(open\)"):
        resolve_status("tutup")
