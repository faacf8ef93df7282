"""Report status of every company for one period, and employers other sources name that the registry lacks.

Pure functions on small frames. Inputs:

* ``registry``: REGISTRY_FIELDS rows of the period's company registry.
* ``worker_rows``: validated rows of all worker sources (``source_kind``, ``file_path``, ``company_nib``,
  ``company_name``, ``status``; ``person_kind`` and ``kecamatan_code`` used when present).
* ``files``: one row per discovered file, columns ``FILE_COLUMNS``.
* ``previous``: earlier ``company_period`` rows (``period``, ``company_nib``, ``status``, ``consecutive_missed``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pandas as pd
from rapidfuzz import fuzz, process

from tka.compliance.policy import MustReportMode, Policy, escalation_level, prior_period, report_deadline
from tka.contract import FILE_PATH, SOURCE_KIND, SourceKind

FILE_COLUMNS: tuple[str, ...] = ("path", "source_kind", "source_id", "company_nib", "quarantine_reason",
                                 "received_at")
STATUS_COLUMNS: tuple[str, ...] = (
    "period", "company_nib", "in_registry", "must_report", "status", "files", "rows", "rows_accepted",
    "consecutive_missed", "escalation_level", "name", "kbli", "kecamatan_code",
)
NOT_IN_REGISTRY_COLUMNS: tuple[str, ...] = ("company_nib", "company_name", "source_kinds", "rows")
# Sources whose rows show who employs TKA, independent of the company's own report.
EMPLOYER_EVIDENCE_SOURCES: tuple[str, ...] = (
    SourceKind.DISNAKERTRANS, SourceKind.IMIGRASI, SourceKind.KECAMATAN,
)

# Non-string columns; the rest stay object so that absent text is None, as in every canonical frame.
STATUS_DTYPES: dict[str, str] = {"in_registry": "bool", "must_report": "bool", "files": "int64", "rows": "int64",
                                 "rows_accepted": "int64", "consecutive_missed": "int64",
                                 "escalation_level": "int64"}

NIB_RE = re.compile(r"^\d{13}$")
# Legal-form words carry no identity: "PT. ABC TBK" and "ABC" are the same company.
_LEGAL_FORMS = frozenset({"PT", "CV", "TBK", "PERSERO", "PERSEROAN", "TERBATAS", "FIRMA", "FA", "UD", "KOPERASI"})
_NON_WORD = re.compile(r"[^0-9A-Z]+")


class ReportStatus(StrEnum):
    RECEIVED = "received"
    RECEIVED_ALL_REJECTED = "received_all_rejected"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"
    NOT_REQUIRED = "not_required"


def _typed(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """Cast the given columns; object columns keep None for missing text."""
    return frame.astype(dtypes)


def company_key(name: object) -> str | None:
    """Normalised company name for matching: upper-case words without punctuation or legal forms."""
    if not isinstance(name, str):
        return None
    # "P.T." must become "PT" before splitting, so drop dots first.
    words = _NON_WORD.sub(" ", name.upper().replace(".", "")).split()
    words = [w for w in words if w not in _LEGAL_FORMS]
    return " ".join(words) or None


def _str(value: object) -> str | None:
    """Text or None (pandas may hand NaN for a missing string)."""
    return value if isinstance(value, str) and value else None


def valid_nib(value: object) -> str | None:
    """The value as a 13-digit NIB string, or None."""
    return value if isinstance(value, str) and NIB_RE.match(value) else None


@dataclass(frozen=True)
class _RegistryIndex:
    """Look-ups from NIB and normalised name to the registry's NIB."""

    nibs: frozenset[str]
    by_key: dict[str, str]
    keys: tuple[str, ...]
    min_score: float
    # Sources repeat the same company name on every row; fuzzy-match each name once.
    _memo: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, registry: pd.DataFrame, min_score: float) -> _RegistryIndex:
        nibs = [n for n in (valid_nib(v) for v in registry.get("company_nib", [])) if n]
        owners: dict[str, set[str]] = {}
        for raw_nib, name in zip(registry.get("company_nib", []), registry.get("company_name", []), strict=True):
            key, nib = company_key(name), valid_nib(raw_nib)
            if key and nib:
                owners.setdefault(key, set()).add(nib)
        # A name shared by two NIBs identifies neither of them.
        by_key = {k: next(iter(v)) for k, v in owners.items() if len(v) == 1}
        return cls(frozenset(nibs), by_key, tuple(by_key), min_score)

    def match_name(self, name: object) -> str | None:
        """Registry NIB of a company name: exact normalised match, else one clear fuzzy winner."""
        key = company_key(name)
        if key is None:
            return None
        if key in self.by_key:
            return self.by_key[key]
        if key not in self._memo:
            hits = process.extract(key, self.keys, scorer=fuzz.token_sort_ratio, score_cutoff=self.min_score,
                                   limit=2)
            # Conservative: a tie between two registry names is no match.
            clear = len(hits) == 1 or (len(hits) == 2 and hits[0][1] > hits[1][1])
            self._memo[key] = self.by_key[hits[0][0]] if clear else None
        return self._memo[key]

    def resolve(self, nib: object, name: object) -> str | None:
        """Registry NIB for a (NIB, name) pair: by NIB first, then by name."""
        nib = valid_nib(nib)
        if nib is not None and nib in self.nibs:
            return nib
        return self.match_name(name)


@dataclass
class _Sighting:
    """The rows that name one company the registry lacks."""

    nib: str | None
    names: list[object] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    rows: int = 0


def registry_companies(registry: pd.DataFrame, min_score: float = 95) -> Callable[[object, object], str | None]:
    """A look-up (NIB, company name) -> the registry's NIB of that company (by NIB, exact name, or one clear fuzzy
    winner), None when the registry does not know it."""
    return _RegistryIndex.build(registry, min_score).resolve


def _mode(values: Iterable[object]) -> str | None:
    """Most common non-empty string (ties: the smallest), or None."""
    counts = Counter(v for v in values if isinstance(v, str) and v)
    if not counts:
        return None
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _flag(value: object) -> bool:
    """A registry boolean that may be None/NaN (unknown counts as not flagged)."""
    # pandas-stubs types isna() for its own scalar union only; a cell of an object column is any object.
    return bool(value) if value is not None and not pd.isna(value) else False  # type: ignore[call-overload]


def _employer_rows(worker_rows: pd.DataFrame) -> pd.DataFrame:
    """Accepted worker (not dependant) rows of the sources that show who employs TKA: the columns that say so.

    Only those columns are copied: the national month's evidence is ~170,000 rows, and all 51 columns of them
    cost ~70 MB each time.
    """
    keep = worker_rows[SOURCE_KIND].isin(EMPLOYER_EVIDENCE_SOURCES) & worker_rows["status"].eq("accepted")
    if "person_kind" in worker_rows.columns:
        keep &= worker_rows["person_kind"].ne("dependant")
    columns = [c for c in (SOURCE_KIND, "company_nib", "company_name", "kecamatan_code") if c in worker_rows.columns]
    return worker_rows.loc[keep, columns]


def employers_not_in_registry(registry: pd.DataFrame, worker_rows: pd.DataFrame,
                              min_score: float = 95) -> pd.DataFrame:
    """Companies named by Disnakertrans, Imigrasi or kecamatan rows (accepted) that the registry lacks."""
    index = _RegistryIndex.build(registry, min_score)
    groups: dict[str, _Sighting] = {}
    evidence = _employer_rows(worker_rows)
    for raw_nib, name, kind in zip(evidence["company_nib"], evidence["company_name"], evidence[SOURCE_KIND],
                                   strict=True):
        if index.resolve(raw_nib, name) is not None:
            continue
        nib, key = valid_nib(raw_nib), company_key(name)
        group_id = nib or (f"name:{key}" if key else None)
        if group_id is None:
            continue  # a row naming no company says nothing about the registry
        group = groups.setdefault(group_id, _Sighting(nib))
        group.names.append(name)
        group.kinds.add(kind)
        group.rows += 1
    records = [
        {"company_nib": g.nib, "company_name": _mode(g.names),
         "source_kinds": ";".join(sorted(g.kinds)), "rows": g.rows}
        for g in groups.values()
    ]
    frame = _typed(pd.DataFrame(records, columns=list(NOT_IN_REGISTRY_COLUMNS), dtype=object), {"rows": "int64"})
    return frame.sort_values(["company_name", "company_nib"], na_position="last", ignore_index=True)


def _attribute_company_files(files: pd.DataFrame, worker_rows: pd.DataFrame,
                             index: _RegistryIndex) -> dict[str, list[str]]:
    """NIB -> paths of the company self-report files it sent (file-name NIB, else row NIB, else name)."""
    company_files = files[files["source_kind"].eq(SourceKind.COMPANY)]
    own_rows = worker_rows[worker_rows[FILE_PATH].isin(set(company_files["path"]))]
    rows_by_file = dict(iter(own_rows.groupby(FILE_PATH, sort=False)))
    owners: dict[str, list[str]] = {}
    for path, nib in zip(company_files["path"], company_files["company_nib"], strict=True):
        owner = valid_nib(nib)
        rows = rows_by_file.get(path)
        if owner is None and rows is not None:
            owner = _mode(valid_nib(v) for v in rows["company_nib"])
            if owner is None:
                owner = index.match_name(_mode(rows["company_name"]))
        if owner is not None:
            owners.setdefault(owner, []).append(path)
    return owners


def _previous_missed(previous: pd.DataFrame, period: str) -> dict[str, int]:
    """NIB -> consecutive missed months up to the month before ``period`` (only if that month was missed)."""
    before = previous[previous["period"].eq(prior_period(period))
                      & previous["status"].eq(ReportStatus.MISSING)]
    return {nib: max(int(n), 1) if pd.notna(n) else 1
            for nib, n in zip(before["company_nib"], before["consecutive_missed"], strict=True)}


@dataclass(frozen=True)
class _SentFiles:
    """Per file path: (rows, accepted rows) and each ledger entry's (quarantined, received time), computed once."""

    counts: dict[str, tuple[int, int]]
    entries: dict[str, list[tuple[bool, Any]]]

    @classmethod
    def build(cls, files: pd.DataFrame, worker_rows: pd.DataFrame) -> _SentFiles:
        accepted = worker_rows["status"].eq("accepted").to_numpy(dtype=bool)
        grouped = pd.DataFrame({"path": worker_rows[FILE_PATH].to_numpy(), "accepted": accepted}).groupby(
            "path", sort=False)["accepted"].agg(["size", "sum"])
        counts = {path: (int(n), int(a)) for path, n, a in zip(grouped.index, grouped["size"], grouped["sum"],
                                                                strict=True)}
        entries: dict[str, list[tuple[bool, Any]]] = {}
        for path, reason, received in zip(files["path"], files["quarantine_reason"], files["received_at"],
                                          strict=True):
            entries.setdefault(path, []).append((pd.notna(reason), received))
        return cls(counts, entries)


def _report_status(paths: list[str], sent: _SentFiles, must_report: bool, deadline: datetime,
                   now: datetime) -> tuple[ReportStatus, int, int]:
    """(status, rows, accepted rows) of one company from the files it sent."""
    if not paths:
        if not must_report:
            return ReportStatus.NOT_REQUIRED, 0, 0
        return (ReportStatus.PENDING if now <= deadline else ReportStatus.MISSING), 0, 0
    unique = set(paths)
    n_rows = sum(sent.counts.get(p, (0, 0))[0] for p in unique)
    n_accepted = sum(sent.counts.get(p, (0, 0))[1] for p in unique)
    usable = [received for p in unique if sent.counts.get(p, (0, 0))[1]
              for quarantined, received in sent.entries.get(p, ()) if not quarantined]
    if not usable:
        return ReportStatus.RECEIVED_ALL_REJECTED, n_rows, 0
    # A file without a modification time was at least there now.
    first = min(pd.Timestamp(t).to_pydatetime() if pd.notna(t) else now for t in usable)
    status = ReportStatus.RECEIVED if first <= deadline else ReportStatus.LATE
    return status, n_rows, n_accepted


def compute_company_status(registry: pd.DataFrame, worker_rows: pd.DataFrame, files: pd.DataFrame,
                           previous: pd.DataFrame, period: str, now: datetime, policy: Policy) -> pd.DataFrame:
    """One ``company_period`` row per known company for ``period`` (plus name, kbli, kecamatan_code)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    index = _RegistryIndex.build(registry, policy.name_match_min_score)
    deadline = report_deadline(period, policy)
    owners = _attribute_company_files(files, worker_rows, index)

    companies: dict[str, dict[str, object]] = {}
    for reg in registry.itertuples(index=False):
        nib = valid_nib(reg.company_nib)
        if nib is None or nib in companies:
            continue  # the registry's own NIB errors are the validator's business
        companies[nib] = {"in_registry": True, "must_report": _flag(reg.must_report),
                          "name": _str(reg.company_name), "kbli": _str(reg.kbli),
                          "kecamatan_code": _str(reg.kecamatan_code)}

    def add_outsider(nib: str, rows: pd.DataFrame, must_report: bool) -> None:
        entry = companies.setdefault(nib, {
            "in_registry": False, "must_report": False, "name": _mode(rows["company_name"]), "kbli": None,
            "kecamatan_code": _mode(rows["kecamatan_code"]) if "kecamatan_code" in rows else None,
        })
        entry["must_report"] = bool(entry["must_report"]) or must_report

    employing = policy.must_report_mode is MustReportMode.REGISTRY_OR_EMPLOYING
    for nib, paths in owners.items():
        if nib not in companies:
            add_outsider(nib, worker_rows[worker_rows[FILE_PATH].isin(paths)], must_report=False)
    evidence = _employer_rows(worker_rows)
    for (raw_nib, name), rows in evidence.groupby(["company_nib", "company_name"], dropna=False, sort=False):
        owner = index.resolve(raw_nib, name) or valid_nib(raw_nib)
        if owner is None:
            continue
        if owner in companies:
            companies[owner]["must_report"] = bool(companies[owner]["must_report"]) or employing
        elif employing:
            add_outsider(owner, rows, must_report=True)

    missed_before = _previous_missed(previous, period)
    sent = _SentFiles.build(files, worker_rows)
    records = []
    for nib in sorted(companies):
        info = companies[nib]
        paths = owners.get(nib, [])
        status, n_rows, n_accepted = _report_status(paths, sent, bool(info["must_report"]), deadline, now)
        missed = missed_before.get(nib, 0) + 1 if status is ReportStatus.MISSING else 0
        records.append({
            "period": period, "company_nib": nib, "in_registry": info["in_registry"],
            "must_report": info["must_report"], "status": str(status), "files": len(paths), "rows": n_rows,
            "rows_accepted": n_accepted, "consecutive_missed": missed,
            "escalation_level": escalation_level(missed, policy),
            "name": info["name"], "kbli": info["kbli"], "kecamatan_code": info["kecamatan_code"],
        })
    return _typed(pd.DataFrame(records, columns=list(STATUS_COLUMNS), dtype=object), STATUS_DTYPES)


def _field(obj: Any, *names: str) -> Any:
    """First present attribute or key of ``obj`` among ``names`` (dicts and objects alike)."""
    for name in names:
        value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _aware_utc(value: Any) -> datetime | None:
    """A modification time (epoch seconds or datetime; naive = UTC) as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    stamp = pd.Timestamp(value)
    return (stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")).to_pydatetime()


def files_frame(results: Iterable[Any]) -> pd.DataFrame:
    """The ``files`` input of compute_company_status from read results (or discovered-file dicts).

    Duck-typed so the reader's result type can evolve: each item (or its ``file``) gives ``path``,
    ``source_kind``, ``source_id``, ``defaults`` (dict with ``company_nib``) or ``company_nib``,
    ``modified_at``/``modified``/``mtime``; the item gives ``quarantine`` (a reason, an object with ``reason``,
    or None).
    """
    records = []
    for result in results:
        file = _field(result, "file") or result
        quarantine = _field(result, "quarantine", "quarantine_reason")
        if quarantine is not None and not isinstance(quarantine, str):
            quarantine = _field(quarantine, "reason", "value") or str(quarantine)
        defaults = _field(file, "defaults") or {}
        records.append({
            "path": _field(file, "path", "file_path"),
            "source_kind": _str(str(_field(file, "source_kind") or "")),
            "source_id": _str(str(_field(file, "source_id") or "")),
            "company_nib": valid_nib(_field(defaults, "company_nib") or _field(file, "company_nib")),
            "quarantine_reason": quarantine or None,
            "received_at": _aware_utc(_field(file, "modified_at", "modified", "mtime", "received_at")),
        })
    return pd.DataFrame(records, columns=list(FILE_COLUMNS), dtype=object)
