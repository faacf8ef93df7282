"""Steward filters (--source, --rule, --status): folder names, kinds and Indonesian words, checked against the
valid values; an unknown value is an error that lists the valid ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from tka.guards import GuardError

ISSUE_STATUSES: dict[str, str] = {
    "open": "open", "terbuka": "open",
    "waived": "waived", "dikecualikan": "waived",
    "fixed": "fixed", "diperbaiki": "fixed",
    "replaced": "replaced", "diganti": "replaced",
}
ALL_WORDS = frozenset({"all", "semua", "any"})
STATUS_LABELS: dict[str, str] = {"open": "terbuka", "waived": "dikecualikan", "fixed": "diperbaiki",
                                 "replaced": "diganti"}


def source_names(folders: Mapping[str, str]) -> dict[str, str]:
    """Every accepted --source value -> source kind: folder names (``folders``: folder -> kind) and kinds."""
    names = {kind.casefold(): kind for kind in folders.values()}
    names.update({folder.casefold(): kind for folder, kind in folders.items()})
    return names


def resolve_source(value: str | None, folders: Mapping[str, str]) -> str | None:
    """The source kind a --source value means (None: every source)."""
    if value is None:
        return None
    names = source_names(folders)
    kind = names.get(value.strip().casefold())
    if kind is None:
        raise GuardError(f"Sumber '{value}' tidak dikenal. Pilihan: {', '.join(sorted(folders))} "
                         f"(atau jenisnya: {', '.join(sorted(set(folders.values())))}).")
    return kind


def resolve_rule(value: str | None, rules: Iterable[str]) -> str | None:
    """The rule id a --rule value names (None: every rule)."""
    if value is None:
        return None
    valid = sorted(rules)
    wanted = value.strip().casefold()
    for rule in valid:
        if rule.casefold() == wanted:
            return rule
    raise GuardError(f"Aturan '{value}' tidak dikenal. Pilihan: {', '.join(valid)} (lihat `tka rules`).")


def resolve_status(value: str | None) -> str | None:
    """The issue status a --status value names (None or semua/all: every status)."""
    if value is None or value.strip().casefold() in ALL_WORDS:
        return None
    status = ISSUE_STATUSES.get(value.strip().casefold())
    if status is None:
        raise GuardError(f"Status '{value}' tidak dikenal. Pilihan: terbuka (open), dikecualikan (waived), "
                         "diperbaiki (fixed), diganti (replaced), semua.")
    return status
