"""Typed view of ``config/sources.yaml`` plus the parts of ``config/reference.yaml`` the reader needs."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tka.contract import SourceKind
from tka.read.header_match import HeaderVocabulary, vocabulary_from

_NON_ALNUM = re.compile(r"[\W_]+", re.UNICODE)


def header_key(text: object) -> str:
    """Matching key of a header or synonym: casefolded, without punctuation or spaces ("No. Paspor" -> "nopaspor")."""
    if text is None:
        return ""
    return alnum_key(str(text)) or "".join(str(text).casefold().split())  # "#" stays "#", not ""


def alnum_key(text: str) -> str:
    """Casefolded ``text`` with only its letters and digits; character by character, so the key of a
    concatenation is the concatenation of the keys."""
    folded = text.casefold()
    if folded.isalnum():  # nothing to remove (str.isalnum is exactly the \w test of _NON_ALNUM, minus "_")
        return folded
    return _NON_ALNUM.sub("", folded)


class Identity(BaseModel):
    """The fields that identify a record of a source: every ``all`` field and, if listed, one of ``any``."""

    model_config = ConfigDict(extra="forbid")

    all: list[str] = Field(default_factory=list)
    any: list[str] = Field(default_factory=list)

    @property
    def fields(self) -> list[str]:
        """Every identity field (``all`` then ``any``)."""
        return [*self.all, *(f for f in self.any if f not in self.all)]

    def missing(self, present: set[str]) -> list[str]:
        """What ``present`` (fields in a header) lacks to identify a record; [] when it is enough."""
        lacking = [f for f in self.all if f not in present]
        if self.any and not present.intersection(self.any):
            lacking.append(" / ".join(self.any))
        return lacking


class SourceSpec(BaseModel):
    """One source of files: its folder under the period, file-name pattern and required fields."""

    model_config = ConfigDict(extra="forbid")

    kind: SourceKind | None = None  # defaults to the key in ``sources`` (lets two folders feed one kind)
    folder: str
    source_id: str
    required: list[str] = Field(default_factory=list)
    identity: Identity = Field(default_factory=Identity)
    file_pattern: str | None = None

    @field_validator("file_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:  # pydantic reports ValueError only
                raise ValueError(f"file_pattern is not a valid regex: {exc}") from exc
        return value


class KecamatanRef(BaseModel):
    """One kecamatan of the regency: official name and spellings seen in print (seats included)."""

    name: str
    variants: list[str] = Field(default_factory=list)


class KecamatanSplit(BaseModel):
    """A new kecamatan carved out of ``parent``: reports naming the parent with one of ``villages`` belong here."""

    parent: str
    villages: list[str] = Field(default_factory=list)


class Reference(BaseModel):
    """Domain reference data used by the normalisers (subset of ``config/reference.yaml``)."""

    model_config = ConfigDict(extra="ignore")

    kecamatan: dict[str, KecamatanRef]
    kecamatan_split: dict[str, KecamatanSplit] = Field(default_factory=dict)
    nationality_synonyms: dict[str, list[str]] = Field(default_factory=dict)
    passport_patterns: dict[str, list[str]] = Field(default_factory=dict)
    months: dict[int, list[str]] = Field(default_factory=dict)
    date_placeholders: list[str] = Field(default_factory=list)  # words for "no date yet" that may hold digits
    dependant_words: list[str] = Field(default_factory=list)
    placeholder_words: list[str] = Field(default_factory=list)
    countries_path: Path | None = None  # config/countries.yaml beside reference.yaml; None = the project's


class SourcesConfig(BaseModel):
    """Layouts of the shared drive: where each source's files are and how their headers map to fields."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    layout: str = "{period}/{folder}/{file}"
    synonyms: dict[str, list[str]]
    sources: dict[str, SourceSpec]
    skip_sheets: list[str] = Field(default_factory=list)
    header_words: dict[str, str] = Field(default_factory=dict)
    header_stopwords: list[str] = Field(default_factory=list)
    header_generic: list[str] = Field(default_factory=list)
    header_subjects: list[str] = Field(default_factory=list)
    header_generic_heads: dict[str, list[str]] = Field(default_factory=dict)
    header_threshold: float = 0.6
    ignored_headers: list[str] = Field(default_factory=list)  # the steward said: these map to no field
    reference: Reference

    @model_validator(mode="after")
    def _check(self) -> SourcesConfig:
        for key, spec in self.sources.items():
            if spec.kind is None:
                spec.kind = SourceKind(key)  # a key that is no SourceKind must say ``kind:`` explicitly
            unknown = [f for f in [*spec.required, *spec.identity.fields] if f not in self.synonyms]
            if unknown:
                raise ValueError(f"sources.{key}.required/identity name fields without synonyms: {unknown}")
        for field in ("{period}", "{folder}", "{file}"):
            if field not in self.layout:
                raise ValueError(f"layout must contain {field}: {self.layout!r}")
        return self

    @cached_property
    def header_lookup(self) -> dict[str, str]:
        """Matching key of every synonym (and of every field name itself) -> canonical field; first wins."""
        lookup: dict[str, str] = {}
        for field, words in self.synonyms.items():
            for word in [field, *words]:
                lookup.setdefault(header_key(word), field)
        return lookup

    @cached_property
    def header_vocabulary(self) -> HeaderVocabulary:
        """Synonyms as words, for headers no synonym spells exactly (``tka.read.header_match``)."""
        vocabulary = vocabulary_from(self.synonyms, self.header_words, self.header_stopwords, self.ignored_headers,
                                     self.header_generic, self.header_subjects, self.header_generic_heads)
        vocabulary.threshold = self.header_threshold
        return vocabulary

    @cached_property
    def ignored_header_keys(self) -> frozenset[str]:
        """:func:`header_key` of every header text the steward said maps to no field."""
        return frozenset(header_key(t) for t in self.ignored_headers)

    @cached_property
    def skip_sheet_patterns(self) -> list[re.Pattern[str]]:
        """Compiled ``skip_sheets`` patterns."""
        return [re.compile(p) for p in self.skip_sheets]

    def source_by_folder(self, folder: str) -> tuple[str, SourceSpec] | None:
        """The (name, spec) of the source whose folder is ``folder`` (case-insensitive), if any."""
        for name, spec in self.sources.items():
            if spec.folder.casefold() == folder.casefold():
                return name, spec
        return None

    def spec_for(self, source_kind: str) -> SourceSpec:
        """The first source spec of a kind (required fields are per kind)."""
        for name, spec in self.sources.items():
            if source_kind in (spec.kind, name):
                return spec
        raise KeyError(f"no source of kind {source_kind!r} in sources.yaml")


DECISIONS_FILE = "header_decisions.yaml"


def load_sources_config(path: Path, reference_path: Path | None = None) -> SourcesConfig:
    """Load ``sources.yaml``, the steward's header decisions beside it, and the reader's part of
    ``reference.yaml`` (default: next to it)."""
    path = Path(path)
    sources = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    decisions_path = path.with_name(DECISIONS_FILE)
    if decisions_path.exists():
        decisions = yaml.safe_load(decisions_path.read_text(encoding="utf-8")) or {}
        synonyms = sources.setdefault("synonyms", {})
        for fld, texts in (decisions.get("confirmed") or {}).items():
            if fld not in synonyms:
                raise ValueError(f"{decisions_path.name}: confirmed field {fld!r} is not a field of sources.yaml")
            synonyms[fld] = [*synonyms[fld], *(str(t) for t in texts or [])]
        sources["ignored_headers"] = [str(t) for t in decisions.get("ignored") or []]
    ref_path = Path(reference_path) if reference_path else path.with_name("reference.yaml")
    sources["reference"] = load_reference(ref_path)
    return SourcesConfig.model_validate(sources)


def load_reference(path: Path) -> Reference:
    """Load ``reference.yaml`` into a :class:`Reference` (with the ``countries.yaml`` beside it, if any)."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    countries = Path(path).with_name("countries.yaml")
    if countries.exists():
        data["countries_path"] = countries
    return Reference.model_validate(data)
