"""The country index: every ISO country by its names and codes, office spellings, refusals and steward aliases."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pycountry
import pytest
import yaml
from babel import Locale
from typer.testing import CliRunner

from tka.cli import app
from tka.read.config import load_reference
from tka.read.countries import (
    ALIAS_BLOCKS,
    DEFAULT_COUNTRIES_PATH,
    CountryIndex,
    CountryMatch,
    add_country_alias,
    build_country_index,
    config_country_index,
    country_key,
    load_countries_data,
    load_country_index,
    resolve_country,
)
from tka.read.normalize import default_reference, nationality_match, normalize_nationality
from tka.settings import PROJECT_ROOT

COUNTRIES = sorted(pycountry.countries, key=lambda c: c.alpha_3)
INDONESIAN = Locale.parse("id").territories
ENGLISH = Locale.parse("en").territories
# Aliases that take a key ISO gives another country, on purpose (offices write "AS" for Amerika Serikat).
DELIBERATE_OVERRIDES = (("AS", "ASM", "USA"),)


@pytest.fixture(scope="module")
def index() -> CountryIndex:
    ref = default_reference()
    return load_country_index(ref.countries_path, ref.nationality_synonyms)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    for name in ("countries.yaml", "reference.yaml"):
        shutil.copy(PROJECT_ROOT / "config" / name, folder / name)
    return folder


def _iso3(text: str, index: CountryIndex) -> str | None:
    match = resolve_country(text, index)
    return match.iso3 if match else None


# --- Every ISO 3166 country ---------------------------------------------------------------------------------
@pytest.mark.parametrize("country", COUNTRIES, ids=lambda c: c.alpha_3)
def test_every_country_resolves_by_indonesian_and_english_name_and_codes(country: object,
                                                                         index: CountryIndex) -> None:
    alpha2, alpha3 = country.alpha_2, country.alpha_3  # type: ignore[attr-defined]
    assert resolve_country(INDONESIAN[alpha2], index) == CountryMatch(
        alpha3, index.keys[country_key(INDONESIAN[alpha2])][1], 100.0, index.keys[country_key(INDONESIAN[alpha2])][2])
    assert _iso3(ENGLISH[alpha2], index) == alpha3
    assert _iso3(alpha3, index) == alpha3
    assert _iso3(alpha3.lower(), index) == alpha3
    expected_a2 = "USA" if alpha2 == "AS" else alpha3  # the one deliberate override
    assert _iso3(alpha2, index) == expected_a2


def test_the_only_overrides_of_iso_and_cldr_keys_are_deliberate(index: CountryIndex) -> None:
    assert index.overrides == DELIBERATE_OVERRIDES
    assert index.ambiguous == frozenset()
    assert resolve_country("American Samoa", index) == CountryMatch("ASM", "exact", 100.0, "American Samoa")


def test_every_country_has_an_indonesian_display_name(index: CountryIndex) -> None:
    assert len(index.names) == len(COUNTRIES) == 249
    assert (index.names["CHN"], index.names["KOR"], index.names["GBR"]) == ("Tiongkok", "Korea Selatan",
                                                                             "Inggris Raya")


# --- Office spellings --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("Tiongkok", CountryMatch("CHN", "exact", 100.0, "Tiongkok")),
    ("RRT", CountryMatch("CHN", "alias", 100.0, "RRT")),
    ("RRC", CountryMatch("CHN", "alias", 100.0, "RRC")),
    ("Cina", CountryMatch("CHN", "alias", 100.0, "Cina")),
    ("Tionghoa", CountryMatch("CHN", "alias", 100.0, "Tionghoa")),
    ("Republik Rakyat Tiongkok", CountryMatch("CHN", "alias", 100.0, "Republik Rakyat Tiongkok")),
    ("Korsel", CountryMatch("KOR", "alias", 100.0, "Korsel")),
    ("Korea Selatan", CountryMatch("KOR", "exact", 100.0, "Korea Selatan")),
    ("Korea", CountryMatch("KOR", "alias", 100.0, "Korea")),
    ("Korea Utara", CountryMatch("PRK", "exact", 100.0, "Korea Utara")),
    ("Jepang", CountryMatch("JPN", "exact", 100.0, "Jepang")),
    ("Filipina", CountryMatch("PHL", "exact", 100.0, "Filipina")),
    ("Philipina", CountryMatch("PHL", "alias", 100.0, "Philipina")),
    ("Amerika Serikat", CountryMatch("USA", "exact", 100.0, "Amerika Serikat")),
    ("AS", CountryMatch("USA", "alias", 100.0, "AS")),
    ("Inggris", CountryMatch("GBR", "alias", 100.0, "Inggris")),
    ("Jerman", CountryMatch("DEU", "exact", 100.0, "Jerman")),
    ("Belanda", CountryMatch("NLD", "exact", 100.0, "Belanda")),
    ("Perancis", CountryMatch("FRA", "exact", 100.0, "Perancis")),
    ("Rusia", CountryMatch("RUS", "exact", 100.0, "Rusia")),
    ("Turki", CountryMatch("TUR", "exact", 100.0, "Turki")),
    ("Afrika Selatan", CountryMatch("ZAF", "exact", 100.0, "Afrika Selatan")),
    ("Selandia Baru", CountryMatch("NZL", "exact", 100.0, "Selandia Baru")),
    ("UEA", CountryMatch("ARE", "alias", 100.0, "UEA")),
    ("Viet Nam", CountryMatch("VNM", "exact", 100.0, "Viet Nam")),
    ("VIETNAM", CountryMatch("VNM", "exact", 100.0, "Viet Nam")),
    ("GER", CountryMatch("DEU", "alias", 100.0, "GER")),
    ("NED", CountryMatch("NLD", "alias", 100.0, "NED")),
    ("PHI", CountryMatch("PHL", "alias", 100.0, "PHI")),
    ("MAS", CountryMatch("MYS", "alias", 100.0, "MAS")),
    ("RSA", CountryMatch("ZAF", "alias", 100.0, "RSA")),
    ("SIN", CountryMatch("SGP", "alias", 100.0, "SIN")),
    ("TPE", CountryMatch("TWN", "alias", 100.0, "TPE")),
    ("KSA", CountryMatch("SAU", "alias", 100.0, "KSA")),
    ("UAE", CountryMatch("ARE", "alias", 100.0, "UAE")),
    ("SUI", CountryMatch("CHE", "alias", 100.0, "SUI")),
    ("DEN", CountryMatch("DNK", "alias", 100.0, "DEN")),
    ("POR", CountryMatch("PRT", "alias", 100.0, "POR")),
    ("CRO", CountryMatch("HRV", "alias", 100.0, "CRO")),
    ("BRN", CountryMatch("BRN", "exact", 100.0, "BRN")),  # ISO Brunei, not IOC Bahrain
    ("WN Tiongkok", CountryMatch("CHN", "exact", 100.0, "Tiongkok")),
    ("Warga Negara Tiongkok", CountryMatch("CHN", "exact", 100.0, "Tiongkok")),
    ("WN Jepang", CountryMatch("JPN", "exact", 100.0, "Jepang")),
    ("WNA Korea", CountryMatch("KOR", "alias", 100.0, "Korea")),
    ("Rep. Korea", CountryMatch("KOR", "alias", 100.0, "Korea")),
    ("Chinese national", CountryMatch("CHN", "alias", 100.0, "Chinese")),
    ("Tiongkok (RRT)", CountryMatch("CHN", "alias", 100.0, "Tiongkok")),
    ("CHINA / TIONGKOK", CountryMatch("CHN", "exact", 100.0, "China")),
    ("Tiongkok - RRT", CountryMatch("CHN", "alias", 100.0, "Tiongkok")),
    ("Myanmar (Burma)", CountryMatch("MMR", "exact", 100.0, "Myanmar (Burma)")),
    ("Guinea-Bissau", CountryMatch("GNB", "exact", 100.0, "Guinea-Bissau")),
    ("Phillipines", CountryMatch("PHL", "fuzzy", 90.9, "Philippines")),
    ("Tiongkock", CountryMatch("CHN", "fuzzy", 94.1, "Tiongkok")),
    ("WN Tiongkock", CountryMatch("CHN", "fuzzy", 94.1, "Tiongkok")),
    ("Malaysian", CountryMatch("MYS", "alias", 100.0, "Malaysian")),
    ("Filipino", CountryMatch("PHL", "alias", 100.0, "Filipino")),
    ("Japanese", CountryMatch("JPN", "alias", 100.0, "Japanese")),
    ("British", CountryMatch("GBR", "alias", 100.0, "British")),
    ("中国", CountryMatch("CHN", "exact", 100.0, "中国")),
    ("中華人民共和國", CountryMatch("CHN", "alias", 100.0, "中華人民共和國")),
    ("한국", CountryMatch("KOR", "alias", 100.0, "한국")),
    ("대한민국", CountryMatch("KOR", "exact", 100.0, "대한민국")),
    ("日本", CountryMatch("JPN", "exact", 100.0, "日本")),
    ("ドイツ", CountryMatch("DEU", "exact", 100.0, "ドイツ")),
    ("Côte d’Ivoire", CountryMatch("CIV", "exact", 100.0, "Côte d'Ivoire")),
    ("COTE D'IVOIRE", CountryMatch("CIV", "exact", 100.0, "Côte d'Ivoire")),
    ("Burma", CountryMatch("MMR", "exact", 100.0, "Burma")),  # ISO 3166-3 name of the withdrawn BU
    ("Zaire", CountryMatch("COD", "exact", 100.0, "Zaire")),  # ISO 3166-3 successor
    ("Indonesia", CountryMatch("IDN", "exact", 100.0, "Indonesia")),
    ("WNI", CountryMatch("IDN", "alias", 100.0, "WNI")),
    ("Guinea", CountryMatch("GIN", "exact", 100.0, "Guinea")),
])
def test_office_spellings(text: str, expected: CountryMatch, index: CountryIndex) -> None:
    assert resolve_country(text, index) == expected


@pytest.mark.parametrize("text", [
    "xxx", "-", "", "  ", "belum ada", "WNA", "Asing", "Eropa", "Luar Negeri", "Wakanda",
    "Guinee",  # French for Guinea: 83 from "Guinea", below the threshold; Guinea itself is exact only
    "Austrlia",  # 94 from Australia and 93 from Austria: a guess either way
    "Nigera",  # Nigeria and Niger are both within 5 points
    "Tiongkok (Hongkong)", "CHINA / JEPANG",  # parts that name two countries
    "Tio", "Jpg",  # too short for a misspelling, no code
])
def test_unknown_garbage_and_ambiguous_texts_give_none(text: str, index: CountryIndex) -> None:
    assert resolve_country(text, index) is None


def test_prefix_is_dropped_only_when_the_rest_resolves(index: CountryIndex) -> None:
    assert resolve_country("Negara", index) is None
    assert resolve_country("Republik", index) is None
    assert resolve_country("Republik Indonesia", index) == CountryMatch("IDN", "exact", 100.0, "Indonesia")
    assert resolve_country("Republic of Korea", index) == CountryMatch("KOR", "alias", 100.0,
                                                                        "Republic of Korea")


def test_two_letter_codes_never_resolve_by_similarity(index: CountryIndex) -> None:
    assert _iso3("ID", index) == "IDN"
    assert _iso3("CN", index) == "CHN"
    assert resolve_country("QQ", index) is None
    assert resolve_country("C.N.", index) == CountryMatch("CHN", "exact", 100.0, "CN")


def test_country_key_ignores_case_accents_punctuation_and_spaces_but_keeps_kana_marks() -> None:
    assert country_key("  Viet-Nam ") == country_key("VIETNAM") == "vietnam"
    assert country_key("Côte d’Ivoire") == "cotedivoire"
    assert country_key("ＣＨＮ") == "chn"
    assert country_key("ドイツ") == "ドイツ"


# --- The data file -----------------------------------------------------------------------------------------
def test_every_alias_block_of_the_data_file_cites_its_source() -> None:
    text = DEFAULT_COUNTRIES_PATH.read_text(encoding="utf-8")
    blocks = [m.start() for m in re.finditer(r"^\w+:", text, re.MULTILINE)]
    for block in (*ALIAS_BLOCKS, "fuzzy", "prefixes"):
        start = text.index(f"\n{block}:") + 1
        previous = max([b for b in blocks if b < start] or [0])
        assert "source:" in text[previous:start], block


def test_ioc_block_has_the_codes_offices_write_and_leaves_out_the_iso_clash() -> None:
    ioc = load_countries_data(DEFAULT_COUNTRIES_PATH)["ioc_codes"]
    assert {code: ioc[code] for code in ("GER", "NED", "PHI", "MAS", "RSA", "SIN", "TPE", "KSA", "UAE", "SUI",
                                         "DEN", "POR", "CRO", "INA", "BRU")} == {
        "GER": "DEU", "NED": "NLD", "PHI": "PHL", "MAS": "MYS", "RSA": "ZAF", "SIN": "SGP", "TPE": "TWN",
        "KSA": "SAU", "UAE": "ARE", "SUI": "CHE", "DEN": "DNK", "POR": "PRT", "CRO": "HRV", "INA": "IDN",
        "BRU": "BRN"}
    assert "BRN" not in ioc
    assert len(ioc) == 85


def test_an_alias_naming_two_countries_or_an_unknown_code_fails_the_build() -> None:
    with pytest.raises(ValueError, match="dua negara"):
        build_country_index({"office_aliases": {"CHN": ["Negeri Tirai Bambu"], "JPN": ["Negeri Tirai Bambu"]}})
    with pytest.raises(ValueError, match="XYZ"):
        build_country_index({"demonyms": {"XYZ": ["Wakandan"]}})


def test_reference_synonyms_take_precedence_over_the_data_file() -> None:
    data = load_countries_data(DEFAULT_COUNTRIES_PATH)
    index = build_country_index(data, {"KOR": ["Korea"], "PRK": ["Korut", "Korea Utara Raya"]})
    assert resolve_country("Korea Utara Raya", index) == CountryMatch("PRK", "alias", 100.0, "Korea Utara Raya")
    changed = build_country_index(data, {"PRK": ["Korea"]})  # the steward says otherwise: the steward wins
    assert resolve_country("Korea", changed) == CountryMatch("PRK", "alias", 100.0, "Korea")


def test_the_index_is_built_once_per_content() -> None:
    data = load_countries_data(DEFAULT_COUNTRIES_PATH)
    first = build_country_index(data, {"CHN": ["Tiongkok"]})
    assert build_country_index(yaml.safe_load(DEFAULT_COUNTRIES_PATH.read_text(encoding="utf-8")),
                               {"CHN": ["Tiongkok"]}) is first
    assert build_country_index(data, {"CHN": ["Tiongkok", "Zhongguo"]}) is not first


def test_fuzzy_threshold_comes_from_the_data_file() -> None:
    data = load_countries_data(DEFAULT_COUNTRIES_PATH)
    strict = build_country_index({**data, "fuzzy": {"threshold": 95, "margin": 5, "min_letters": 4}})
    assert resolve_country("Tiongkock", strict) is None
    assert (strict.fuzzy.threshold, strict.fuzzy.margin, strict.fuzzy.min_letters) == (95.0, 5.0, 4)


# --- normalize_nationality and nationality_match --------------------------------------------------------
@pytest.mark.parametrize(("value", "expected"), [
    ("Tiongkock", ("CHN", None)), ("GER", ("DEU", None)), ("Indonesia", ("IDN", None)),
    ("belum ada", (None, "belum ada")), ("Tiongkok (Hongkong)", (None, "Tiongkok (Hongkong)")),
    ("  WN   Tiongkok ", ("CHN", None)), ("-", (None, None)), (None, (None, None)), (156.0, (None, "156")),
])
def test_normalize_nationality_keeps_its_contract(value: object, expected: tuple[object, object]) -> None:
    assert normalize_nationality(value) == expected


def test_nationality_match_exposes_the_method_for_a_warning_flag() -> None:
    assert nationality_match("Tiongkock") == CountryMatch("CHN", "fuzzy", 94.1, "Tiongkok")
    assert nationality_match("RRT") == CountryMatch("CHN", "alias", 100.0, "RRT")
    assert nationality_match("   ") is None
    assert nationality_match("Wakanda") is None


def test_a_loaded_reference_uses_the_countries_file_beside_it(config_dir: Path) -> None:
    add_country_alias(config_dir, "Negeri Sakura", "JPN")
    ref = load_reference(config_dir / "reference.yaml")
    assert ref.countries_path == config_dir / "countries.yaml"
    assert normalize_nationality("NEGERI SAKURA", ref) == ("JPN", None)
    assert normalize_nationality("NEGERI SAKURA") == (None, "NEGERI SAKURA")


# --- The steward adds a spelling ----------------------------------------------------------------------------
def test_add_country_alias_appends_to_the_steward_block_and_keeps_the_comments(config_dir: Path) -> None:
    before = (config_dir / "countries.yaml").read_text(encoding="utf-8")
    assert resolve_country("Negeri Tirai Bambu", config_country_index(config_dir)) is None
    path = add_country_alias(config_dir, "Negeri  Tirai Bambu", "chn")
    add_country_alias(config_dir, "Ostrali", "AUS")
    after = path.read_text(encoding="utf-8")
    assert path == config_dir / "countries.yaml"
    assert after == before + '  "Negeri Tirai Bambu": CHN\n  "Ostrali": AUS\n'
    index = config_country_index(config_dir)
    assert resolve_country("negeri tirai bambu", index) == CountryMatch("CHN", "alias", 100.0,
                                                                         "Negeri Tirai Bambu")
    assert resolve_country("OSTRALI", index) == CountryMatch("AUS", "alias", 100.0, "Ostrali")


def test_add_country_alias_writes_a_block_that_is_empty_braces_or_missing(tmp_path: Path) -> None:
    (tmp_path / "countries.yaml").write_text("# mine\nsteward_aliases: {}  # kept\nfuzzy: {threshold: 90}\n",
                                             encoding="utf-8")
    add_country_alias(tmp_path, "Negeri Sakura", "JPN")
    assert (tmp_path / "countries.yaml").read_text(encoding="utf-8") == (
        '# mine\nsteward_aliases:  # kept\n  "Negeri Sakura": JPN\nfuzzy: {threshold: 90}\n')
    other = tmp_path / "other"
    other.mkdir()
    (other / "countries.yaml").write_text("fuzzy: {threshold: 90}", encoding="utf-8")
    add_country_alias(other, "Negeri Sakura", "JPN")
    assert (other / "countries.yaml").read_text(encoding="utf-8") == (
        'fuzzy: {threshold: 90}\nsteward_aliases:\n  "Negeri Sakura": JPN\n')


def test_a_config_folder_without_countries_yaml_gets_the_projects_plus_the_new_spelling(tmp_path: Path) -> None:
    path = add_country_alias(tmp_path, "Negeri Sakura", "JPN")
    assert path.read_text(encoding="utf-8") == (DEFAULT_COUNTRIES_PATH.read_text(encoding="utf-8")
                                                + '  "Negeri Sakura": JPN\n')
    index = config_country_index(tmp_path)
    assert (_iso3("Negeri Sakura", index), _iso3("GER", index)) == ("JPN", "DEU")


@pytest.mark.parametrize(("spelling", "iso3", "message"), [
    ("Korsel", "JPN", ("Ejaan 'Korsel' sudah dikenali sebagai negara lain: KOR (Korea Selatan, lewat 'Korsel')."
                      " Tidak ditambahkan.")),
    ("WN Jepang", "CHN", ("Ejaan 'WN Jepang' sudah dikenali sebagai negara lain: JPN (Jepang, lewat 'Jepang')."
                         " Tidak ditambahkan.")),
    ("Tiongkok", "CHN", "Ejaan 'Tiongkok' sudah dikenali sebagai CHN (Tiongkok)."),
    ("Negeri Sakura", "XYZ", "Kode negara 'XYZ' tidak dikenal: gunakan kode ISO 3166 tiga huruf, misalnya CHN."),
    ("---", "JPN", "Ejaan '---' tidak berisi huruf: tidak ditambahkan."),
])
def test_add_country_alias_refuses(config_dir: Path, spelling: str, iso3: str, message: str) -> None:
    before = (config_dir / "countries.yaml").read_text(encoding="utf-8")
    with pytest.raises(ValueError) as caught:  # noqa: PT011 - the exact message is asserted below
        add_country_alias(config_dir, spelling, iso3)
    assert str(caught.value) == message
    assert (config_dir / "countries.yaml").read_text(encoding="utf-8") == before


def test_a_steward_alias_may_correct_a_misspelling_guess(config_dir: Path) -> None:
    assert resolve_country("Austrija", config_country_index(config_dir)) == CountryMatch(
        "AUT", "fuzzy", 93.3, "Austria")
    add_country_alias(config_dir, "Austrija", "AUT")
    add_country_alias(config_dir, "Ostrija", "AUT")
    assert resolve_country("Austrija", config_country_index(config_dir)).method == "alias"  # type: ignore[union-attr]


def test_cli_adds_a_spelling_and_the_next_index_resolves_it(config_dir: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TKA_CONFIG_DIR", str(config_dir))
    runner = CliRunner()
    missing = runner.invoke(app, ["negara", "cek", "Negeri Ginseng"])
    assert missing.exit_code == 1
    added = runner.invoke(app, ["negara", "tambah", "Negeri Ginseng", "kor"])
    assert added.exit_code == 0, added.output
    assert " ".join(added.output.split()) == (
        f"Ejaan 'Negeri Ginseng' -> KOR ditambahkan ke {config_dir / 'countries.yaml'}. "
        "Berlaku mulai run berikutnya.")
    assert resolve_country("Negeri Ginseng", config_country_index(config_dir)) == CountryMatch(
        "KOR", "alias", 100.0, "Negeri Ginseng")
    checked = runner.invoke(app, ["negara", "cek", "NEGERI GINSENG"])
    assert checked.exit_code == 0
    assert " ".join(checked.output.split()) == (
        "'NEGERI GINSENG' -> KOR (Korea Selatan) metode: alias (daftar ejaan), skor: 100, "
        "cocok dengan: 'Negeri Ginseng'")


def test_cli_check_prints_method_and_score_and_refuses_with_a_short_indonesian_message(
        config_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TKA_CONFIG_DIR", str(config_dir))
    runner = CliRunner()
    fuzzy = runner.invoke(app, ["negara", "cek", "Tiongkock"])
    assert " ".join(fuzzy.output.split()) == (
        "'Tiongkock' -> CHN (Tiongkok) metode: mirip (salah ketik), skor: 94.1, cocok dengan: 'Tiongkok'")
    refused = runner.invoke(app, ["negara", "tambah", "Korsel", "JPN"])
    assert refused.exit_code == 1
    assert " ".join(refused.output.split()) == (
        "Gagal: Ejaan 'Korsel' sudah dikenali sebagai negara lain: KOR (Korea Selatan, lewat 'Korsel'). "
        "Tidak ditambahkan.")
    assert "Traceback" not in refused.output
