"""Country reference data and a nationality resolver that says how it matched and how sure it is.

The index joins the ISO side (pycountry), the CLDR territory names of the languages these offices write (Babel:
Indonesian, English, Malay, Chinese, Korean, Japanese), the sourced aliases of ``config/countries.yaml``, the
steward-editable ``nationality_synonyms`` of ``config/reference.yaml`` and the steward's own spellings
(``steward_aliases`` of ``countries.yaml``). It is built once per distinct content of those files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from tka.read.config import Reference
from tka.settings import PROJECT_ROOT

Method = Literal["exact", "alias", "fuzzy"]
CLDR_LOCALES = ("id", "en", "ms", "zh", "zh_Hant", "ko", "ja")
DEFAULT_COUNTRIES_PATH = PROJECT_ROOT / "config" / "countries.yaml"
ALIAS_BLOCKS = ("ioc_codes", "office_aliases", "demonyms", "script_aliases")
STEWARD_BLOCK = "steward_aliases"
_METHOD_RANK = {"exact": 0, "alias": 1, "fuzzy": 2}


@dataclass(frozen=True)
class CountryMatch:
    """One resolved nationality: ISO alpha-3, how it was found, a 0-100 score and the known spelling it hit."""

    iso3: str
    method: Method
    score: float
    matched: str


@dataclass(frozen=True)
class FuzzyPolicy:
    """When a misspelling is accepted: ratio at least ``threshold``, no other country within ``margin``."""

    threshold: float = 90.0
    margin: float = 5.0
    min_letters: int = 4


@dataclass(frozen=True, eq=False)
class CountryIndex:
    """Matching keys of every known spelling, the word lists around them and the fuzzy policy."""

    keys: Mapping[str, tuple[str, Method, str]]  # key -> (iso3, method, spelling)
    ambiguous: frozenset[str]  # keys that CLDR/ISO give to two countries and no alias settles
    overrides: tuple[tuple[str, str, str], ...]  # (spelling, iso3 CLDR/ISO gives it, iso3 of the alias)
    prefixes: tuple[tuple[str, ...], ...]
    suffixes: tuple[tuple[str, ...], ...]
    fuzzy: FuzzyPolicy
    names: Mapping[str, str]  # iso3 -> Indonesian CLDR name
    fingerprint: str
    choices: tuple[str, ...] = field(repr=False)
    choice_iso3: tuple[str, ...] = field(repr=False)


# --- Matching keys ----------------------------------------------------------------------------------------
_APOSTROPHES_RE = re.compile(r"['’‘`´]")
_NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)
_PARTS_RE = re.compile(r"[()\[\]{}/\\;|]|\s[-–—]\s|（|）")
_LATIN_END = 0x0370  # accents are stripped from Latin letters only: a kana's voicing mark is part of the letter


def country_tokens(text: str) -> list[str]:
    """Words of ``text`` for matching: NFKC, casefolded, Latin accents and punctuation removed."""
    text = unicodedata.normalize("NFKC", text)
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and kept and ord(kept[-1]) < _LATIN_END:
            continue
        kept.append(char)
    folded = unicodedata.normalize("NFC", "".join(kept)).casefold()
    return _NON_WORD_RE.sub(" ", _APOSTROPHES_RE.sub("", folded)).split()


def country_key(text: str) -> str:
    """Matching key of a spelling: its words joined without spaces ("Viet Nam" and "VIETNAM" -> "vietnam")."""
    return "".join(country_tokens(text))


# --- Building the index -----------------------------------------------------------------------------------
_INDEX_CACHE: dict[str, CountryIndex] = {}
MAX_CACHED_INDEXES = 8


def load_countries_data(path: Path) -> dict[str, Any]:
    """Parsed ``countries.yaml`` (an empty mapping when the file is empty)."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def build_country_index(countries: Mapping[str, Any],
                        synonyms: Mapping[str, Sequence[str]] | None = None) -> CountryIndex:
    """The index for parsed ``countries.yaml`` data and reference ``nationality_synonyms``; cached by content."""
    synonyms = synonyms or {}
    fingerprint = hashlib.sha256(json.dumps([countries, synonyms], sort_keys=True, ensure_ascii=False,
                                            default=str).encode()).hexdigest()
    hit = _INDEX_CACHE.get(fingerprint)
    if hit is None:
        if len(_INDEX_CACHE) >= MAX_CACHED_INDEXES:
            _INDEX_CACHE.clear()
        hit = _INDEX_CACHE[fingerprint] = _build(countries, synonyms, fingerprint)
    return hit


def load_country_index(countries_path: Path | None = None,
                       synonyms: Mapping[str, Sequence[str]] | None = None) -> CountryIndex:
    """The index of a ``countries.yaml`` file (default: the project's) and reference synonyms."""
    return build_country_index(load_countries_data(countries_path or DEFAULT_COUNTRIES_PATH), synonyms)


def config_country_index(config_dir: Path) -> CountryIndex:
    """The index of a config folder: its ``countries.yaml`` and the synonyms of its ``reference.yaml``."""
    countries = Path(config_dir) / "countries.yaml"
    return load_country_index(countries if countries.exists() else None, index_synonyms(config_dir))


_REF_CACHE: dict[int, tuple[Reference, CountryIndex]] = {}


def reference_country_index(ref: Reference) -> CountryIndex:
    """The index of a loaded reference (its ``countries.yaml`` beside ``reference.yaml``), once per object."""
    hit = _REF_CACHE.get(id(ref))
    if hit is None or hit[0] is not ref:
        if len(_REF_CACHE) >= MAX_CACHED_INDEXES:
            _REF_CACHE.clear()
        hit = _REF_CACHE[id(ref)] = (ref, load_country_index(ref.countries_path, ref.nationality_synonyms))
    return hit[1]


def _alias_pairs(countries: Mapping[str, Any], synonyms: Mapping[str, Sequence[str]]
                 ) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(layer name, [(spelling, iso3)]) in increasing precedence: data file, reference synonyms, steward."""
    for block in ALIAS_BLOCKS:
        data = countries.get(block) or {}
        if block == "ioc_codes":
            yield block, [(str(code), str(iso3)) for code, iso3 in data.items()]
        else:
            yield block, [(str(word), str(iso3)) for iso3, words in data.items() for word in [iso3, *words]]
    yield "nationality_synonyms", [(str(w), str(iso3)) for iso3, words in synonyms.items() for w in [iso3, *words]]
    yield STEWARD_BLOCK, [(str(word), str(iso3)) for word, iso3 in (countries.get(STEWARD_BLOCK) or {}).items()]


def _base_spellings() -> Iterator[tuple[str, str]]:
    """(spelling, iso3) from pycountry (codes, names, historic names) and the CLDR names of CLDR_LOCALES."""
    import pycountry
    from babel import Locale

    alpha2 = {}
    for country in pycountry.countries:
        alpha2[country.alpha_2] = country.alpha_3
        yield country.alpha_2, country.alpha_3
        yield country.alpha_3, country.alpha_3
        for attr in ("name", "official_name", "common_name"):
            if name := getattr(country, attr, None):
                yield name, country.alpha_3
    # ISO 3166-3: the last two letters of a withdrawn country's alpha-4 are its successor's alpha-2 (HH or
    # XX when it split); only the name is kept (old codes were reused: CS, BUR).
    for old in pycountry.historic_countries:
        successor = alpha2.get(getattr(old, "alpha_4", "")[2:])
        if successor:
            yield old.name.split(",")[0], successor
    for locale in CLDR_LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if code in alpha2:
                yield name, alpha2[code]


def _build(countries: Mapping[str, Any], synonyms: Mapping[str, Sequence[str]], fingerprint: str) -> CountryIndex:
    """The index itself: ISO/CLDR keys (a key of two countries is ambiguous), then the alias layers on top."""
    import pycountry
    from babel import Locale

    valid = {c.alpha_3 for c in pycountry.countries}
    keys: dict[str, tuple[str, Method, str]] = {}
    ambiguous: set[str] = set()
    for spelling, iso3 in _base_spellings():
        key = country_key(spelling)
        if not key or key in ambiguous:
            continue
        known = keys.get(key)
        if known is None:
            keys[key] = (iso3, "exact", spelling)
        elif known[0] != iso3:
            ambiguous.add(key)
            del keys[key]
    overrides: list[tuple[str, str, str]] = []
    for layer, pairs in _alias_pairs(countries, synonyms):
        seen: dict[str, str] = {}
        for spelling, given in pairs:
            iso3 = given.upper()
            if iso3 not in valid:
                raise ValueError(f"{layer}: '{spelling}' -> {iso3}: kode ISO 3166 alpha-3 tidak dikenal")
            key = country_key(spelling)
            if not key:
                raise ValueError(f"{layer}: ejaan '{spelling}' kosong setelah normalisasi")
            if seen.setdefault(key, iso3) != iso3:
                raise ValueError(f"{layer}: '{spelling}' diberikan ke dua negara ({seen[key]} dan {iso3})")
            known = keys.get(key)
            if known is not None and known[0] == iso3:
                continue  # already known for the same country: keep the stronger method
            if known is not None and known[1] == "exact":
                overrides.append((spelling, known[0], iso3))
            keys[key] = (iso3, "alias", spelling)
            ambiguous.discard(key)
    settings = countries.get("fuzzy") or {}
    policy = FuzzyPolicy(threshold=float(settings.get("threshold", 90)), margin=float(settings.get("margin", 5)),
                         min_letters=int(settings.get("min_letters", 4)))
    choices = tuple(k for k in keys if _letters(k) >= policy.min_letters)
    names = {}
    id_names = Locale.parse("id").territories
    for country in pycountry.countries:
        names[country.alpha_3] = id_names.get(country.alpha_2, country.name)
    return CountryIndex(
        keys=keys, ambiguous=frozenset(ambiguous), overrides=tuple(overrides),
        prefixes=_word_lists(countries.get("prefixes")), suffixes=_word_lists(countries.get("suffixes")),
        fuzzy=policy, names=names, fingerprint=fingerprint,
        choices=choices, choice_iso3=tuple(keys[k][0] for k in choices),
    )


def _word_lists(words: Sequence[str] | None) -> tuple[tuple[str, ...], ...]:
    """Prefix or suffix phrases as token tuples, longest first ("warga negara asing" before "warga negara")."""
    lists = {tuple(country_tokens(str(w))) for w in words or ()}
    return tuple(sorted((w for w in lists if w), key=lambda w: (-len(w), w)))


def _letters(key: str) -> int:
    """How many letters a key has (digits do not count towards a fuzzy comparison)."""
    return sum(ch.isalpha() for ch in key)


# --- Resolving --------------------------------------------------------------------------------------------
_AMBIGUOUS = CountryMatch("", "exact", 0.0, "")  # sentinel: the text is a key of two countries


def resolve_country(text: str, index: CountryIndex) -> CountryMatch | None:
    """The country of one cell text: exact keys, then the parts of "A (B)", "A / B", "A - B", then fuzzy."""
    tokens = country_tokens(text)
    if not tokens:
        return None
    match = _exact(tokens, index)
    if match is not None:
        return None if match is _AMBIGUOUS else match
    parts = [tokens for p in _PARTS_RE.split(text) if (tokens := country_tokens(p))]
    if len(parts) > 1:
        exact = [_exact(p, index) for p in parts]
        if any(m is not None for m in exact):
            return _agree(exact)
        return _agree([_fuzzy(p, index) for p in parts])
    return _fuzzy(tokens, index)


def _variants(tokens: list[str], index: CountryIndex) -> Iterator[list[str]]:
    """``tokens``, then with each prefix and suffix word dropped in turn while something is left."""
    yield tokens
    stripped = True
    while stripped:
        stripped = False
        for affix in index.prefixes:
            if len(tokens) > len(affix) and tuple(tokens[:len(affix)]) == affix:
                tokens = tokens[len(affix):]
                stripped = True
                yield tokens
                break
        for affix in index.suffixes:
            if len(tokens) > len(affix) and tuple(tokens[-len(affix):]) == affix:
                tokens = tokens[:-len(affix)]
                stripped = True
                yield tokens
                break


def _exact(tokens: list[str], index: CountryIndex) -> CountryMatch | None:
    """The exact or alias match of the tokens or of a prefix/suffix-stripped form; _AMBIGUOUS for a shared key."""
    for variant in _variants(tokens, index):
        key = "".join(variant)
        if key in index.ambiguous:
            return _AMBIGUOUS
        if hit := index.keys.get(key):
            return CountryMatch(hit[0], hit[1], 100.0, hit[2])
    return None


def _fuzzy(tokens: list[str], index: CountryIndex) -> CountryMatch | None:
    """The closest known spelling above the threshold, unless another country is within the margin."""
    from rapidfuzz import fuzz, process

    policy = index.fuzzy
    for variant in _variants(tokens, index):
        key = "".join(variant)
        if _letters(key) < policy.min_letters:
            continue
        best: dict[str, tuple[float, str]] = {}
        for choice, score, i in process.extract(key, index.choices, scorer=fuzz.ratio, limit=None,
                                                score_cutoff=policy.threshold - policy.margin):
            iso3 = index.choice_iso3[i]
            if score > best.get(iso3, (-1.0, ""))[0]:
                best[iso3] = (score, choice)
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        if not ranked or ranked[0][1][0] < policy.threshold:
            continue
        if len(ranked) > 1 and ranked[1][1][0] >= ranked[0][1][0] - policy.margin:
            return None  # two countries about as close: a guess either way
        iso3, (score, choice) = ranked[0]
        return CountryMatch(iso3, "fuzzy", round(float(score), 1), index.keys[choice][2])
    return None


def _agree(matches: Sequence[CountryMatch | None]) -> CountryMatch | None:
    """The common country of the parts that resolve; None if none does, two countries differ, or one is unsure."""
    found = [m for m in matches if m is not None]
    if not found or any(m is _AMBIGUOUS for m in found) or len({m.iso3 for m in found}) > 1:
        return None
    weakest = max(found, key=lambda m: (_METHOD_RANK[m.method], -m.score))
    return CountryMatch(weakest.iso3, weakest.method, min(m.score for m in found), found[0].matched)


# --- The steward's spellings ------------------------------------------------------------------------------
_BLOCK_RE = re.compile(rf"^{STEWARD_BLOCK}:[ \t]*(\{{[ \t]*\}})?[ \t]*(#.*)?$", re.MULTILINE)


def add_country_alias(config_dir: Path, spelling: str, iso3: str) -> Path:
    """Append ``spelling: ISO3`` to ``steward_aliases`` of ``<config_dir>/countries.yaml``; the path written."""
    import pycountry

    spelling = " ".join(str(spelling).split())
    iso3 = str(iso3).strip().upper()
    if pycountry.countries.get(alpha_3=iso3) is None:
        raise ValueError(f"Kode negara '{iso3}' tidak dikenal: gunakan kode ISO 3166 tiga huruf, misalnya CHN.")
    if _letters(country_key(spelling)) < 1:
        raise ValueError(f"Ejaan '{spelling}' tidak berisi huruf: tidak ditambahkan.")
    index = config_country_index(config_dir)
    known = index.keys.get(country_key(spelling))
    if known is not None and known[0] == iso3:
        raise ValueError(f"Ejaan '{spelling}' sudah dikenali sebagai {iso3} ({index.names[iso3]}).")
    current = resolve_country(spelling, index)
    if current is not None and current.iso3 != iso3 and current.method != "fuzzy":
        raise ValueError(f"Ejaan '{spelling}' sudah dikenali sebagai negara lain: {current.iso3} "
                         f"({index.names[current.iso3]}, lewat '{current.matched}'). Tidak ditambahkan.")
    path = Path(config_dir) / "countries.yaml"
    # A config folder without its own countries.yaml starts from the project's: a file holding only the steward's
    # spellings would drop every IOC code and office alias for that folder.
    text = (path if path.exists() else DEFAULT_COUNTRIES_PATH).read_text(encoding="utf-8")
    entry = f"  {json.dumps(spelling, ensure_ascii=False)}: {iso3}\n"
    if (m := _BLOCK_RE.search(text)) is None:
        text = text + ("" if not text or text.endswith("\n") else "\n") + f"{STEWARD_BLOCK}:\n" + entry
    else:
        head = text[:m.start()] + f"{STEWARD_BLOCK}:" + (f"  {m[2]}" if m[2] else "") + "\n"
        rest = text[m.end() + 1:] if m.end() < len(text) else ""
        end = re.search(r"^\S", rest, re.MULTILINE)  # the block ends at the next top-level line
        body, tail = (rest[:end.start()], rest[end.start():]) if end else (rest, "")
        body = body.rstrip("\n") + "\n" if body.strip() else ""
        text = head + body + entry + tail
    parsed = yaml.safe_load(text) or {}
    if (parsed.get(STEWARD_BLOCK) or {}).get(spelling) != iso3:
        raise ValueError(f"countries.yaml tidak bisa diubah dengan aman: tambahkan '{spelling}' secara manual.")
    build_country_index(parsed, index_synonyms(config_dir))  # a file that no longer builds is never written
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def index_synonyms(config_dir: Path) -> dict[str, list[str]]:
    """The ``nationality_synonyms`` of ``<config_dir>/reference.yaml`` (empty when there is none)."""
    reference = Path(config_dir) / "reference.yaml"
    if not reference.exists():
        return {}
    return (yaml.safe_load(reference.read_text(encoding="utf-8")) or {}).get("nationality_synonyms") or {}
