"""Several files from one source in a month: which file is a revision of which (decided on the read rows).

A file replaces another of the same source only when it is a revision of it: the same normalised file name
(copy suffixes, dates, month names and version words ignored) or most of its workers are the other file's
workers. Arrival order alone never drops a file. Byte-identical copies of a file that was read are quarantined
as ``duplicate_file`` (one place is read, the others name it), so one worker row is never loaded twice.
"""

from __future__ import annotations

import datetime as dt
import math
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tka.frames import frame_records

# Overlap of worker identifiers (share of the smaller file's identified rows also in the other file).
REVISION_OVERLAP = 0.8
AMBIGUOUS_OVERLAP = 0.3

_MONTHS = ["januari", "january", "jan", "februari", "pebruari", "february", "feb", "maret", "march", "mar", "april", "apr", "mei", "may", "juni", "june", "jun", "juli", "july", "jul", "agustus", "august", "agu", "aug", "agt", "september", "sept", "sep", "oktober", "october", "okt", "oct", "november", "nopember", "nov", "desember", "december", "des", "dec"]
_VERSION_WORDS = ("revisi", "revised", "revision", "rev", "perbaikan", "diperbaiki", "update", "updated",
                  "final", "koreksi", "terbaru", "baru", "new", "latest", "fix", "fixed")
_COPY_RE = re.compile(r"\(\s*\d+\s*\)|\bcopy\s+of\b|\bsalinan(\s+dari)?\b|\bcopy\b|\bkopi\b", re.IGNORECASE)
_DATE_RE = re.compile(r"\b\d{1,4}[-_./]\d{1,2}(?:[-_./]\d{1,4})?\b|\b(?:19|20)\d{2}\b|\b\d{8}\b")
_VERSION_RE = re.compile(r"\b(?:v|ver|versi|version)\s*\d+\b|\b(?:" + "|".join(_VERSION_WORDS) + r")\s*\d*\b")
_MONTH_RE = re.compile(r"\b(?:" + "|".join(_MONTHS) + r")\b")


@dataclass(frozen=True)
class FileChoice:
    """A steward's decision about a file: ``ganti`` (replaced by ``replaced_by``) or ``pertahankan`` (kept)."""

    path: str
    action: str  # "ganti" | "pertahankan"
    replaced_by: str | None = None


@dataclass(frozen=True)
class Replacement:
    """One file replaced by its revision, and why."""

    path: str
    replaced_by: str
    reason: str  # "name" | "overlap" | "steward"
    ratio: float | None = None  # identifier overlap of the smaller file, when computed

    def describe(self) -> str:
        """The reason in Indonesian, for the ledger's detail and the steward."""
        ratio = "" if self.ratio is None else f", {round(self.ratio * 100)}% TKA sama"
        text = {"name": "revisi: nama berkas sama", "overlap": "revisi: sebagian besar TKA sama",
                "steward": "diganti atas keputusan pengelola data"}[self.reason]
        return f"{text}{ratio}; diganti oleh {self.replaced_by}"


@dataclass(frozen=True)
class AmbiguousPair:
    """Two files of one source that might be revisions of each other: both are kept until the steward decides."""

    older: str
    newer: str
    reason: str  # "name" (same name, few shared workers) | "overlap" (some shared workers)
    ratio: float | None

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for the run summary and the export."""
        return {"older": self.older, "newer": self.newer, "reason": self.reason,
                "ratio": None if self.ratio is None else round(self.ratio, 3)}


@dataclass
class RevisionDecision:
    """Which read files are dropped before validation (replaced or duplicate) and which pairs are ambiguous."""

    replaced: dict[str, Replacement] = field(default_factory=dict)  # path -> replacement
    duplicates: dict[str, str] = field(default_factory=dict)  # path -> the place with the same bytes that is read
    ambiguous: list[AmbiguousPair] = field(default_factory=list)

    @property
    def dropped(self) -> set[str]:
        """Paths whose rows are not validated nor loaded in this run."""
        return set(self.replaced) | set(self.duplicates)


def normalise_file_name(path: str) -> str:
    """The file name without folder, extension, copy suffixes, dates, month names and version words."""
    name = posixpath.splitext(posixpath.basename(path))[0].casefold()
    name = _COPY_RE.sub(" ", name)
    name = _DATE_RE.sub(" ", name.replace("_", " "))
    name = re.sub(r"[_\-.,+]+", " ", name)
    name = _MONTH_RE.sub(" ", name)
    name = _VERSION_RE.sub(" ", name)
    name = re.sub(r"[()\[\]{}]", " ", name)
    return " ".join(name.split())


def _text(value: Any) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    text = " ".join(str(value).split()).upper()
    return text or None


def row_identifiers(row: Mapping[str, Any]) -> set[str]:
    """A worker row's identifiers: normalised passport, KITAS number, name + birth date (where present)."""
    out = set()
    if passport := _text(row.get("passport_no")):
        out.add(f"P:{re.sub(r'[^0-9A-Z]', '', passport)}")
    if kitas := _text(row.get("kitas_no")):
        out.add(f"K:{re.sub(r'[^0-9A-Z]', '', kitas)}")
    name, birth = _text(row.get("name")), row.get("birth_date")
    if name and isinstance(birth, dt.date):
        out.add(f"N:{name}|{birth.isoformat()}")
    return out


def file_identifiers(rows: pd.DataFrame | None) -> list[set[str]]:
    """The identifiers of each row of a file that has at least one."""
    if rows is None or rows.empty:
        return []
    columns = [c for c in ("passport_no", "kitas_no", "name", "birth_date") if c in rows.columns]
    found = (row_identifiers(dict(zip(columns, values, strict=True)))
             for values in rows[columns].itertuples(index=False, name=None))
    return [ids for ids in found if ids]


def filled_fields(rows: pd.DataFrame | None) -> frozenset[str]:
    """The canonical worker fields a file has a value for on at least one row."""
    from tka.contract import WORKER_FIELDS

    if rows is None or rows.empty:
        return frozenset()
    return frozenset(c for c in WORKER_FIELDS if c in rows.columns and rows[c].notna().any())


def overlap_ratio(a: Sequence[set[str]], b: Sequence[set[str]]) -> float | None:
    """Share of the smaller file's identified rows with an identifier in the other file (None if one has none)."""
    if not a or not b:
        return None
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    known = set().union(*large)
    return sum(1 for ids in small if ids & known) / len(small)


def _get(info: Any, *names: str) -> Any:
    for name in names:
        value = info.get(name) if isinstance(info, Mapping) else getattr(info, name, None)
        if value is not None:
            return value
    return None


def _age(info: Any) -> tuple[dt.datetime, str]:
    """Sort key: older modified time first, then path (a total order)."""
    modified = _get(info, "modified", "modified_at")
    if isinstance(modified, int | float):
        modified = dt.datetime.fromtimestamp(modified, dt.UTC)
    if isinstance(modified, dt.datetime) and modified.tzinfo is None:
        modified = modified.replace(tzinfo=dt.UTC)
    return (modified or dt.datetime.min.replace(tzinfo=dt.UTC), str(_get(info, "path", "file_path")))


def decide_revisions(files: Iterable[Any], rows: Mapping[str, pd.DataFrame | None],
                     choices: Iterable[FileChoice] = ()) -> RevisionDecision:
    """Decide, on the read rows, which files are revisions of others, duplicates, or ambiguous pairs.

    ``files``: the files read cleanly (dicts or objects with path, sha256, source_kind, source_id, source,
    modified); ``rows``: path -> that file's read rows; ``choices``: the steward's decisions (by path).
    """
    given = sorted(files, key=_age)
    decision = RevisionDecision()
    by_sha: dict[str, str] = {}
    for info in sorted(given, key=lambda f: str(_get(f, "path", "file_path"))):
        path, sha = str(_get(info, "path", "file_path")), _get(info, "sha256", "file_sha256")
        if sha and sha in by_sha:
            decision.duplicates[path] = by_sha[sha]
        elif sha:
            by_sha[sha] = path
    present = {str(_get(f, "path", "file_path")) for f in given}
    chosen = {c.path: c for c in choices}
    for c in chosen.values():
        if c.action == "ganti" and c.path in present and c.replaced_by in present \
                and c.path not in decision.duplicates and c.replaced_by not in decision.duplicates:
            decision.replaced[c.path] = Replacement(c.path, str(c.replaced_by), "steward")
    kept = {p for p, c in chosen.items() if c.action == "pertahankan"}
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for info in given:
        path = str(_get(info, "path", "file_path"))
        if path in decision.duplicates or _get(info, "source_id") is None:
            continue
        groups.setdefault((_get(info, "source_kind"), _get(info, "source_id"), _get(info, "source")), []).append(info)
    for members in groups.values():
        if len(members) < 2:
            continue
        paths = [str(_get(f, "path", "file_path")) for f in members]
        names = {p: normalise_file_name(p) for p in paths}
        ids = {p: file_identifiers(rows.get(p)) for p in paths}
        fields = {p: filled_fields(rows.get(p)) for p in paths}
        for i, old in enumerate(paths):
            if old in decision.replaced or old in kept:
                continue
            for new in reversed(paths[i + 1:]):  # the newest revision wins
                ratio = overlap_ratio(ids[old], ids[new])
                same_name = bool(names[old]) and names[old] == names[new]
                if same_name and (ratio is None or ratio >= AMBIGUOUS_OVERLAP):
                    decision.replaced[old] = Replacement(old, new, "name", ratio)
                elif ratio is not None and ratio >= REVISION_OVERLAP and fields[old] <= fields[new]:
                    # the same workers with other facts (an RPTKA list and a Notifikasi list) is no revision
                    decision.replaced[old] = Replacement(old, new, "overlap", ratio)
                else:
                    continue
                break
        for i, old in enumerate(paths):
            for new in paths[i + 1:]:
                if {old, new} & (set(decision.replaced) | kept):
                    continue
                ratio = overlap_ratio(ids[old], ids[new])
                if names[old] and names[old] == names[new]:
                    decision.ambiguous.append(AmbiguousPair(old, new, "name", ratio))
                elif ratio is not None and ratio >= AMBIGUOUS_OVERLAP:
                    decision.ambiguous.append(AmbiguousPair(old, new, "overlap", ratio))
    return decision


@dataclass
class Carry:
    """Steward decisions carried from an old version's issues to its revision's issues."""

    waived: dict[str, dict[str, Any]] = field(default_factory=dict)  # new issue id -> decided_by/at/note
    carried_from: dict[str, str] = field(default_factory=dict)  # new issue id -> old issue id it continues


def _identity(row: Mapping[str, Any]) -> set[str]:
    """What identifies the worker of an issue's row: passport, or name + birth date (a file issue: the file)."""
    if row.get("record_key") is None or row.get("record_key") is pd.NA:
        return {"FILE"}
    ids = row_identifiers(row)
    return {i for i in ids if not i.startswith("K:")} or ids


def _issue_key(row: Mapping[str, Any], path: str) -> tuple[Any, ...]:
    return (path, row.get("rule"), row.get("column"), _text(row.get("raw_value")))


def carry_decisions(previous: pd.DataFrame | None, successors: Mapping[tuple[str, str], str], issues: pd.DataFrame,
                    rows: pd.DataFrame) -> Carry:
    """Match the old versions' issues to the new versions' issues; carry each waiver to its match.

    ``previous``: issues of the old versions (issue columns, ``status``/``decided_*`` and the row's identity
    columns); ``successors``: (old path, old sha256) -> path of the version replacing it; ``issues``: this run's
    issues; ``rows``: this run's rows (record_key, file_path and identity columns). A new issue matches an old
    one with the same rule, field and value for the same worker (same passport or name + birth date).
    """
    carry = Carry()
    if previous is None or previous.empty or issues.empty:
        return carry
    targets = set(successors.values())
    identity_columns = [c for c in ("passport_no", "kitas_no", "name", "birth_date") if c in rows.columns]
    by_record: dict[tuple[Any, Any], dict[str, Any]] = {}
    wanted = issues[issues["file_path"].isin(targets)]
    if len(wanted) and identity_columns:
        keys = set(zip(wanted["record_key"], wanted["file_path"], strict=True))
        picked = rows[[k in keys for k in zip(rows["record_key"], rows["file_path"], strict=True)]]
        for values in picked[["record_key", "file_path", *identity_columns]].itertuples(index=False, name=None):
            by_record[(values[0], values[1])] = dict(zip(identity_columns, values[2:], strict=True))
    new_by_key: dict[tuple[Any, ...], list[tuple[str, set[str]]]] = {}
    for issue in frame_records(wanted):
        row = {**by_record.get((issue["record_key"], issue["file_path"]), {}), "record_key": issue["record_key"]}
        new_by_key.setdefault(_issue_key(issue, issue["file_path"]), []).append((issue["issue_id"], _identity(row)))
    for old in frame_records(previous.sort_values("issue_id")):
        target = successors.get((old["file_path"], old["file_sha256"]))
        if target is None:
            continue
        ids = _identity(old)
        for new_id, new_ids in new_by_key.get(_issue_key(old, target), []):
            if new_id in carry.carried_from or not ids & new_ids:
                continue
            carry.carried_from[new_id] = old["issue_id"]
            if old.get("status") == "waived":
                note = f"dibawa dari {old['issue_id']} (carried from {old['issue_id']})"
                if old.get("decision_note"):
                    note = f"{old['decision_note']} — {note}"
                carry.waived[new_id] = {"decided_by": old.get("decided_by"), "decided_at": old.get("decided_at"),
                                        "decision_note": note}
            break
    return carry


def apply_revisions(batch: Any, decision: RevisionDecision) -> Any:
    """The read batch without the rows of replaced files; duplicates become ``duplicate_file`` quarantines."""
    from tka.pipeline import ReadBatch
    from tka.read.reader import ReadResult, empty_frame

    dropped = decision.dropped
    files = {p: f for p, f in batch.files.items() if p not in decision.replaced}
    results = {}
    for path, res in batch.results.items():
        if path in decision.replaced:
            continue
        if path in decision.duplicates:
            results[path] = ReadResult(rows=empty_frame(files[path].source_kind), quarantine="duplicate_file",
                                       detail=f"sama dengan {decision.duplicates[path]}", sheets=res.sheets,
                                       format=res.format)
        else:
            results[path] = res

    def kept(frame: pd.DataFrame) -> pd.DataFrame:
        if not dropped or frame.empty:
            return frame
        return frame[~frame["file_path"].isin(dropped)].reset_index(drop=True)

    return ReadBatch(files=files, results=results, worker_rows=kept(batch.worker_rows),
                     registry_rows=kept(batch.registry_rows), revisions=decision)


def successor_versions(selection: Any, batch: Any) -> dict[tuple[str, str], str]:
    """(path, sha256) of every version this run replaces -> the path of the version that replaces it."""
    decision: RevisionDecision = batch.revisions or RevisionDecision()
    sha = {f.path: f.sha256 for f in selection.files}

    def final(path: str) -> str:
        seen = set()
        while path in decision.replaced and path not in seen:
            seen.add(path)
            path = decision.replaced[path].replaced_by
        return path

    out = {(path, sha[path]): final(path) for path in decision.replaced if path in sha}
    for path, old_sha in selection.overwritten:
        out[(path, old_sha)] = final(path)
    return out


def apply_carry(validated: Any, carry: Carry, waivers: Iterable[str]) -> Any:
    """Validated rows and issues again, with the carried waivers honoured and each issue's predecessor noted."""
    from tka.pipeline import Validated
    from tka.validate import apply_decisions

    if not carry.carried_from:
        return validated
    issues = validated.issues.copy()
    issues["carried_from"] = issues["issue_id"].map(carry.carried_from)
    for column in ("decided_by", "decided_at", "decision_note"):
        values = issues["issue_id"].map(lambda i, c=column: carry.waived.get(i, {}).get(c))
        issues[column] = values if column not in issues.columns else values.where(values.notna(), issues[column])
    waived = set(waivers) | set(carry.waived)
    workers, issues = apply_decisions(validated.worker_rows, issues, waived)
    registry, issues = apply_decisions(validated.registry_rows, issues, waived)
    return Validated(worker_rows=workers, registry_rows=registry, issues=issues, gx_results=validated.gx_results)
