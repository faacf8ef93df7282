"""Matching thresholds and survivorship precedence, read from ``config/survivorship.yaml``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "config" / "survivorship.yaml"


@dataclass(frozen=True)
class MatchConfig:
    """Everything resolve() and survive() need; build it with ``load_config`` or ``from_mapping``."""

    name_threshold: float = 90.0
    passport_max_edits: int = 1
    lookalike: Mapping[str, str] = field(default_factory=dict)
    renewal_keys: tuple[str, ...] = ("kitas_no", "notifikasi_no", "rptka_no")
    default_precedence: tuple[str, ...] = ("imigrasi", "disnakertrans", "company", "kecamatan")
    field_precedence: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    conflict_fields: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> MatchConfig:
        """Build from the parsed YAML structure (sections ``match``, ``precedence``, ``groups``, …)."""
        match = data.get("match", {})
        precedence = data.get("precedence", {})
        return cls(
            name_threshold=float(match.get("name_threshold", 90)),
            passport_max_edits=int(match.get("passport_max_edits", 1)),
            lookalike={str(k).upper(): str(v) for k, v in (match.get("lookalike") or {}).items()},
            renewal_keys=tuple(match.get("renewal_keys", cls.renewal_keys)),
            default_precedence=tuple(precedence.get("default", cls.default_precedence)),
            field_precedence={k: tuple(v) for k, v in (precedence.get("fields") or {}).items()},
            groups={k: tuple(v) for k, v in (data.get("groups") or {}).items()},
            conflict_fields=tuple(data.get("conflict_fields", ())),
        )

    def precedence(self, field_name: str) -> tuple[str, ...]:
        """Source kinds for ``field_name``, most authoritative first, every default kind included."""
        first = self.field_precedence.get(field_name, self.default_precedence)
        return (*first, *(k for k in self.default_precedence if k not in first))


def load_config(path: Path | str | None = None) -> MatchConfig:
    """Read ``config/survivorship.yaml`` (or ``path``)."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as handle:
        return MatchConfig.from_mapping(yaml.safe_load(handle) or {})


def load_survivorship(path: Path | str | None = None) -> MatchConfig:
    """Alias of ``load_config`` under the name the run configuration uses."""
    return load_config(path)
