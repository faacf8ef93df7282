"""Headers matched by their words: exact expectations on spellings no synonym list holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from tka.read import load_sources_config
from tka.read.header_match import HeaderGuess, vocabulary_from, words_of

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def vocabulary():
    return load_sources_config(ROOT / "config" / "sources.yaml").header_vocabulary


@pytest.mark.parametrize(("text", "field"), [
    ("No. Paspor/Passport No", "passport_no"),        # a slash-joined pair of known words
    ("Nomor Paspor Tenaga Kerja", "passport_no"),     # a known word followed by two more
    ("Nama (Name)", "name"),
    ("Nama Tenaga Kerja Asing Lengkap", "name"),
    ("Worker Name", "name"),
    ("Jabatan Di Perusahaan", "position"),            # the head word decides, not the last one
    ("Kewarganeg.", "nationality"),                   # an abbreviation is a prefix of the word
    ("Kewarganegraan", "nationality"),                # one typo
    ("Kebangsaan (Nationality)", "nationality"),
    ("Negara Asal / Kebangsaan", "nationality"),
    ("Tanggal Lahir (DD-MM-YYYY)", "birth_date"),
    ("Tgl Expired Paspor", "passport_expiry"),        # names the passport: not an RPTKA/Notifikasi end
    ("Tanggal Expired RPTKA", "rptka_end"),
    ("Tgl Berakhir KITAS", "kitas_end"),
    ("Tgl Terbit RPTKA", "rptka_start"),
    ("No. Notifikasi/IMTA", "notifikasi_no"),
    ("Nama Perusahaan / Sponsor", "company_name"),
    ("Nama Sponsor", "company_name"),
    ("Nomor Induk Berusaha (NIB)", "company_nib"),
    ("Status Hubungan Keluarga", "person_kind"),
    ("Kecamatan Lokasi Kerja", "kecamatan"),
])
def test_header_words_name_the_field(vocabulary, text: str, field: str) -> None:
    guess = vocabulary.guess(text)
    assert guess is not None and guess.field == field


@pytest.mark.parametrize("text", [
    "No. HP", "No. Telp Perusahaan", "Nama Ibu", "Status Perkawinan", "Jenis Pekerjaan", "Agama",
    "Pendidikan", "Kode Pos", "Tanggal", "Berlaku s/d", "Tanggal Laporan", "E12345678",
])
def test_words_that_name_no_field_are_not_guessed(vocabulary, text: str) -> None:
    assert vocabulary.guess(text) is None


def test_scores_rank_head_and_coverage_and_a_tie_is_refused() -> None:
    vocabulary = vocabulary_from({"a_no": ["Nomor Alfa"], "b_no": ["Nomor Beta"], "alfa": ["Alfa"]},
                                 {"no": "nomor"}, [], generic=["nomor"])
    assert vocabulary.guess("No. Alfa Lama") == HeaderGuess("a_no", 0.9, "Nomor Alfa")
    # 0.5 + 0.3 x coverage + 0.2 if the header's first word is matched
    assert vocabulary.guess("Alfa Beta") == HeaderGuess("alfa", 0.85, "alfa")
    assert vocabulary.guess("Beta Alfa") == HeaderGuess("alfa", 0.65, "alfa")
    assert vocabulary.guess("No. Gamma") is None  # a synonym of generic words only must cover the whole header
    tie = vocabulary_from({"x": ["Kata Satu"], "y": ["Kata Dua"]}, {}, [])
    assert tie.guess("Kata Satu Dua") is None  # both cover 2 of 3 words from the head: the steward decides


def test_words_of_expands_abbreviations_and_drops_stopwords_and_repeats() -> None:
    assert words_of("No. Paspor/Passport No", {"no": "nomor", "passport": "paspor"}, frozenset()) == [
        "nomor", "paspor"]
    assert words_of("Jabatan di Perusahaan", {}, frozenset({"di"})) == ["jabatan", "perusahaan"]
    assert words_of("Kéterangan", {}, frozenset()) == ["keterangan"]
