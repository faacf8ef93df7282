"""Loading the GX suites in ``expectations/`` and checking they speak the contract's rule vocabulary."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from great_expectations.core.expectation_suite import ExpectationSuite
from great_expectations.exceptions import ExpectationNotFoundError
from great_expectations.expectations.metadata_types import FailureSeverity
from great_expectations.expectations.registry import get_expectation_impl

from tka.contract import RULES, Severity
from tka.validate.config import ValidationConfig
from tka.validate.gxcontext import condition_columns, gx  # noqa: F401  (gx: imported for its environment side effects)

SUITE_FILES: dict[str, str] = {"worker": "worker_rows.json", "registry": "company_registry.json"}
# The placeholders a suite may use; values come from ValidationConfig.expectation_parameters().
KNOWN_PARAMETERS: frozenset[str] = frozenset({
    "passport_regex", "passport_nationalities", "kecamatan_codes", "kbli_codes", "age_min", "age_max",
})
# GX's own severity field mirrors ours, so Data Docs show errors as critical.
GX_SEVERITY: dict[Severity, FailureSeverity] = {Severity.ERROR: FailureSeverity.CRITICAL,
                                                 Severity.WARNING: FailureSeverity.WARNING}
REQUIRED_PREFIX = "required__"


class SuiteError(ValueError):
    """A suite file is missing, malformed or uses a name outside the contract."""


@dataclass(frozen=True)
class Suites:
    """The two suites the pipeline runs: worker rows (all worker sources) and the company registry."""

    worker: ExpectationSuite
    registry: ExpectationSuite

    def for_kind(self, kind: str) -> ExpectationSuite:
        """The suite for ``kind`` ("worker" or "registry")."""
        if kind == "worker":
            return self.worker
        if kind == "registry":
            return self.registry
        raise ValueError(f"unknown suite kind {kind!r}")


def _parameters_in(value: Any) -> set[str]:
    """Names of all ``{"$PARAMETER": name}`` placeholders inside a kwargs value."""
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return {str(value["$PARAMETER"])}
        return set().union(*(_parameters_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_parameters_in(v) for v in value)) if value else set()
    return set()


def _load_suite(path: Path) -> ExpectationSuite:
    """Parse one suite file into a GX ExpectationSuite, raising SuiteError naming the file and index."""
    if not path.is_file():
        raise SuiteError(f"{path}: suite file is missing")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str) or not doc["name"]:
        raise SuiteError(f"{path}: a suite needs a non-empty string 'name'")
    specs = doc.get("expectations")
    if not isinstance(specs, list) or not specs:
        raise SuiteError(f"{path}: 'expectations' must be a non-empty list")
    expectations = []
    for index, spec in enumerate(specs):
        where = f"{path}: expectation #{index}"
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str):
            raise SuiteError(f"{where}: needs a string 'type'")
        kwargs, meta = spec.get("kwargs") or {}, spec.get("meta") or {}
        rule_id = meta.get("rule")
        if rule_id not in RULES:
            raise SuiteError(f"{where} ({spec['type']}): unknown rule id {rule_id!r} in meta.rule")
        rule = RULES[rule_id]
        if meta.get("severity") != rule.severity.value:
            raise SuiteError(f"{where} ({spec['type']}): meta.severity {meta.get('severity')!r} must be "
                             f"{rule.severity.value!r} for rule {rule_id!r}")
        unknown = _parameters_in(kwargs) - KNOWN_PARAMETERS
        if unknown:
            raise SuiteError(f"{where} ({spec['type']}): unknown $PARAMETER {sorted(unknown)}")
        try:
            impl = get_expectation_impl(spec["type"])
        except ExpectationNotFoundError as exc:
            raise SuiteError(f"{where}: unknown expectation type {spec['type']!r}") from exc
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                expectation = impl(**kwargs, meta=meta, severity=GX_SEVERITY[rule.severity])
        except (ValueError, TypeError) as exc:  # pydantic's ValidationError is a ValueError
            raise SuiteError(f"{where} ({spec['type']}): invalid kwargs: {exc}") from exc
        expectations.append(expectation)
    # Built in one go: add_expectation() would want an active GX context to persist to.
    return ExpectationSuite(name=doc["name"], expectations=expectations, meta=doc.get("meta") or {})


def expectation_columns(expectation: Any) -> set[str]:
    """Every column ``expectation`` reads, its row condition's included."""
    kwargs = expectation.configuration.kwargs
    columns = {kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)}
    columns |= set(kwargs.get("column_list") or [])
    if kwargs.get("row_condition"):
        columns |= condition_columns(kwargs["row_condition"])
    return columns


def suite_columns(suite: ExpectationSuite) -> set[str]:
    """Every column an expectation of ``suite`` reads, row conditions included."""
    return set().union(*(expectation_columns(e) for e in suite.expectations))


def load_suites(expectations_dir: Path) -> Suites:
    """Read ``worker_rows.json`` and ``company_registry.json`` from ``expectations_dir``; SuiteError if bad."""
    return Suites(**{kind: _load_suite(Path(expectations_dir) / name) for kind, name in SUITE_FILES.items()})


def check_coverage(suites: Suites, config: ValidationConfig) -> None:
    """Raise SuiteError if a field required in sources.yaml has no ``required_field`` expectation."""
    for kind, suite in (("worker", suites.worker), ("registry", suites.registry)):
        covered = {
            e.column
            for e in suite.expectations
            if e.meta is not None and e.meta.get("rule") == "required_field" and hasattr(e, "column")
        }
        kinds = ["registry"] if kind == "registry" else [k for k in config.required if k != "registry"]
        needed = {f for k in kinds for f in config.required.get(k, ())}
        if needed - covered:
            raise SuiteError(f"{SUITE_FILES[kind]}: no required_field expectation for "
                             f"{sorted(needed - covered)} (required in sources.yaml)")
