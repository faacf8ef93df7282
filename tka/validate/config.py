"""What validation needs from ``config/sources.yaml`` and ``config/reference.yaml``, as one frozen value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

# sources.yaml names a required field by its synonym key; these keys map to another canonical column.
REQUIRED_ALIASES: dict[str, str] = {"kecamatan": "kecamatan_code"}


@dataclass(frozen=True)
class ValidationConfig:
    """Per-source required fields and the reference data the suites are parameterised with."""

    required: Mapping[str, tuple[str, ...]]          # source kind -> canonical fields that should be present
    identity: Mapping[str, tuple[str, ...]]          # source kind -> fields of which a record holds at least one
    passport_patterns: Mapping[str, tuple[str, ...]]  # ISO alpha-3 -> regexes (anchored)
    kecamatan_codes: frozenset[str]
    kbli_codes: frozenset[str]
    age_min: int
    age_max: int
    rptka_max_months: Mapping[str, int]               # "default" and per permit_type

    @classmethod
    def from_dicts(cls, sources: Mapping[str, Any], reference: Mapping[str, Any]) -> ValidationConfig:
        """Build from the parsed YAML documents."""
        required = {
            kind: tuple(REQUIRED_ALIASES.get(f, f) for f in spec.get("required", []))
            for kind, spec in sources["sources"].items()
        }
        identity = {
            kind: tuple(REQUIRED_ALIASES.get(f, f) for f in
                        [*(spec.get("identity") or {}).get("all", []), *(spec.get("identity") or {}).get("any", [])])
            for kind, spec in sources["sources"].items()
        }
        return cls(
            required=required,
            identity=identity,
            passport_patterns={k: tuple(v) for k, v in reference["passport_patterns"].items()},
            kecamatan_codes=frozenset(str(c) for c in reference["kecamatan"]),
            kbli_codes=frozenset(str(c) for c in reference["kbli"]),
            age_min=int(reference["age_bounds"]["min"]),
            age_max=int(reference["age_bounds"]["max"]),
            rptka_max_months={str(k): int(v) for k, v in reference["rptka_max_months"].items()},
        )

    @classmethod
    def from_dir(cls, config_dir: Path) -> ValidationConfig:
        """Read ``sources.yaml`` and ``reference.yaml`` from ``config_dir``."""
        sources = yaml.safe_load((config_dir / "sources.yaml").read_text(encoding="utf-8"))
        reference = yaml.safe_load((config_dir / "reference.yaml").read_text(encoding="utf-8"))
        return cls.from_dicts(sources, reference)

    def passport_regex(self) -> str:
        """One regex over ``"<nationality>:<passport_no>"`` that matches iff the number fits its country."""
        # Patterns are anchored per country; strip the anchors so they can sit inside one alternation.
        branches = []
        for nat in sorted(self.passport_patterns):
            alts = "|".join(p.removeprefix("^").removesuffix("$") for p in self.passport_patterns[nat])
            branches.append(f"{nat}:(?:{alts})")
        return "^(?:" + "|".join(branches) + ")$"

    def expectation_parameters(self) -> dict[str, Any]:
        """Values for the ``{"$PARAMETER": ...}`` placeholders of the suites in ``expectations/``."""
        return {
            "passport_regex": self.passport_regex(),
            "passport_nationalities": sorted(self.passport_patterns),
            "kecamatan_codes": sorted(self.kecamatan_codes),
            "kbli_codes": sorted(self.kbli_codes),
            "age_min": self.age_min,
            "age_max": self.age_max,
        }
