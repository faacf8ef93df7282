"""Typed view of ``config/sources.yaml`` plus the parts of ``config/reference.yaml`` the reader needs."""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tka.contract import SourceKind

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


class SourceSpec(BaseModel):
    """One source of files: its folder under the period, file-name pattern and required fields."""

    model_config = ConfigDict(extra="forbid")

    kind: SourceKind | None = None  # defaults to the key in ``sources`` (lets two folders feed one kind)
    folder: str
    source_id: str
    required: list[str] = Field(default_factory=list)
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


class SourcesConfig(BaseModel):
    """Layouts of the shared drive: where each source's files are and how their headers map to fields."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)

    layout: str = "{period}/{folder}/{file}"
    synonyms: dict[str, list[str]]
    sources: dict[str, SourceSpec]
    skip_sheets: list[str] = Field(default_factory=list)
    reference: Reference

    @model_validator(mode="after")
    def _check(self) -> SourcesConfig:
        for key, spec in self.sources.items():
            if spec.kind is None:
                spec.kind = SourceKind(key)  # a key that is no SourceKind must say ``kind:`` explicitly
            unknown = [f for f in spec.required if f not in self.synonyms]
            if unknown:
                raise ValueError(f"sources.{key}.required names fields without synonyms: {unknown}")
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
            if spec.kind == source_kind or name == source_kind:
                return spec
        raise KeyError(f"no source of kind {source_kind!r} in sources.yaml")


def load_sources_config(path: Path, reference_path: Path | None = None) -> SourcesConfig:
    """Load ``sources.yaml`` and the reader's part of ``reference.yaml`` (default: next to it)."""
    path = Path(path)
    sources = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    ref_path = Path(reference_path) if reference_path else path.with_name("reference.yaml")
    sources["reference"] = load_reference(ref_path)
    return SourcesConfig.model_validate(sources)


def load_reference(path: Path) -> Reference:
    """Load ``reference.yaml`` into a :class:`Reference`."""
    return Reference.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})
