"""The rules a correct validator must raise for one canonical row (docs/contracts.md, "Rule semantics").

The generator knows the canonical values it wrote, so it predicts the issues from them with this table,
independently of the GX suites. One list entry per (column, rule) issue, sorted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tka.contract import DATE_FIELDS, RULES, Severity
from tka.sample.population import add_months

PERMITS: tuple[str, ...] = ("rptka", "notifikasi", "kitas")
_NIB_RE = re.compile(r"^\d{13}$")
# sources.yaml names the registry's kecamatan requirement by its synonym key.
_REQUIRED_ALIASES = {"kecamatan": "kecamatan_code"}


@dataclass(frozen=True)
class RuleContext:
    """What the rules need besides the row: period start, required fields, patterns, codes, bounds."""

    period_start: dt.date
    required: Mapping[str, tuple[str, ...]]  # source kind -> canonical fields
    passport_patterns: Mapping[str, tuple[str, ...]]
    kecamatan_codes: frozenset[str]
    kbli_codes: frozenset[str]
    age_min: int = 17
    age_max: int = 80
    rptka_max_months: Mapping[str, int] | None = None
    identity: Mapping[str, tuple[str, ...]] | None = None  # source kind -> fields of which a record has one

    @cached_property
    def compiled(self) -> dict[str, list[re.Pattern[str]]]:
        """Passport patterns compiled per nationality."""
        return {n: [re.compile(p) for p in ps] for n, ps in self.passport_patterns.items()}

    @classmethod
    def from_config(cls, period_start: dt.date, sources: Mapping[str, Any],
                    reference: Mapping[str, Any]) -> RuleContext:
        """Build from the parsed ``sources.yaml`` and ``reference.yaml`` (plain YAML mappings)."""
        specs = sources["sources"]
        required = {kind: tuple(_REQUIRED_ALIASES.get(f, f) for f in spec.get("required", []))
                    for kind, spec in specs.items()}
        identity = {kind: tuple(_REQUIRED_ALIASES.get(f, f) for f in [*(spec.get("identity") or {}).get("all", []),
                                                                       *(spec.get("identity") or {}).get("any", [])])
                    for kind, spec in specs.items()}
        bounds = reference.get("age_bounds", {})
        return cls(period_start, required,
                   {k: tuple(v) for k, v in reference["passport_patterns"].items()},
                   frozenset(str(c) for c in reference["kecamatan"]),
                   frozenset(str(c) for c in reference["kbli"]),
                   int(bounds.get("min", 17)), int(bounds.get("max", 80)),
                   {str(k): int(v) for k, v in reference["rptka_max_months"].items()},
                   identity)


def whole_years(born: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _present(values: Mapping[str, object], field: str) -> bool:
    return values.get(field) is not None


def row_rules(values: Mapping[str, object], source_kind: str, ctx: RuleContext) -> list[str]:
    """Every rule (one entry per issue) the table raises for a non-duplicate row of ``source_kind``."""
    rules: list[str] = []
    identity = (ctx.identity or {}).get(source_kind, ())
    if identity and not any(_present(values, f) for f in identity):
        rules.append("not_a_person")
    for field in ctx.required.get(source_kind, ()):
        companion = (f"{field}_unparsed" if field in DATE_FIELDS else
                     {"nationality": "nationality_unknown", "kecamatan_code": "kecamatan_unknown"}.get(field))
        if not _present(values, field) and not (companion and _present(values, companion)):
            rules.append("required_field")
    if _present(values, "kecamatan_unknown"):
        rules.append("kecamatan_unknown")
    if _present(values, "company_nib") and not _NIB_RE.match(str(values["company_nib"])):
        rules.append("nib_format")
    if source_kind == "registry":
        if _present(values, "kbli") and values["kbli"] not in ctx.kbli_codes:
            rules.append("kbli_unknown")
        return sorted(rules)

    nationality, passport = values.get("nationality"), values.get("passport_no")
    if passport is not None and nationality is not None:
        patterns = ctx.compiled.get(str(nationality))
        if patterns is None:
            rules.append("passport_format_unknown")
        elif not any(p.match(str(passport)) for p in patterns):
            rules.append("passport_format")
    if _present(values, "nationality_unknown"):
        rules.append("nationality_unknown")
    rules.extend("date_unparsed" for f in DATE_FIELDS if _present(values, f"{f}_unparsed"))
    born = values.get("birth_date")
    # Workers only: a dependant (a worker's child or spouse on a dependant KITAS) may be of any age.
    if isinstance(born, dt.date) and values.get("person_kind") != "dependant" \
            and not ctx.age_min <= whole_years(born, ctx.period_start) <= ctx.age_max:
        rules.append("age_out_of_range")
    for permit in PERMITS:
        start, end = values.get(f"{permit}_start"), values.get(f"{permit}_end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            rules.append("permit_end_before_start")
        if isinstance(end, dt.date) and end < ctx.period_start:
            rules.append("permit_expired")
    start, end = values.get("rptka_start"), values.get("rptka_end")
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        limits = ctx.rptka_max_months or {"default": 24}
        months = limits.get(str(values.get("permit_type")), limits.get("default", 24))
        if end > add_months(start, months):
            rules.append("rptka_too_long")
    return sorted(rules)


def is_rejected(rules: list[str]) -> bool:
    """True when one of ``rules`` is an error."""
    return any(RULES[r].severity is Severity.ERROR for r in rules)
