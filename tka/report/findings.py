"""Cross-source findings: where the agencies' views of one month disagree (pure functions on warehouse rows).

Inputs are the period's warehouse rows as frames (``tka.warehouse.finding_inputs``):

* ``records``: accepted ``source_record`` rows that belong to a worker (dependants and rejected rows have no
  worker), with ``record_key``, ``source_kind``, ``source_id``, ``file_path``, ``sheet``, ``row_number``,
  ``worker_id``, ``company_nib``, ``company_name``, ``kecamatan_code``, ``kitas_no``, ``rptka_no``,
  ``rptka_end``, ``notifikasi_no``, ``notifikasi_end``;
* ``registry``: the period's registry companies (``company_nib``, ``name``, ``must_report`` = the registry's own
  "Wajib Lapor" flag).

Only accepted rows count: a rejected row says nothing reliable about whom it describes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tka.compliance import employers_not_in_registry
from tka.compliance.status import company_key, valid_nib
from tka.frames import frame_records

# Kinds in report order, with the Indonesian label the steward reads.
FINDING_KINDS: dict[str, str] = {
    "kitas_not_listed_by_employer": "Ada KITAS (Imigrasi), tidak tercantum di laporan pemberi kerja",
    "employer_lists_without_kitas": "Dilaporkan pemberi kerja, tidak ada di data KITAS Imigrasi",
    "stay_without_work_permit": "Punya KITAS, tanpa RPTKA/Notifikasi di sumber mana pun",
    "work_permit_expired": "Izin kerja (RPTKA/Notifikasi) berakhir sebelum bulan laporan, masih dilaporkan bekerja",
    "kecamatan_only": "Hanya dilaporkan kecamatan, tidak dikenal sumber perizinan",
    "kecamatan_differs": "Kecamatan berbeda antar sumber",
    "employer_differs": "Pemberi kerja berbeda antar sumber",
    "employer_not_in_registry": "Pemberi kerja TKA tidak ada di registri perusahaan",
    "employer_not_obliged": "Pemberi kerja TKA di registri tanpa tanda Wajib Lapor",
}
COMPANY_KINDS: frozenset[str] = frozenset({"employer_not_in_registry", "employer_not_obliged"})
PERMIT_SOURCES: frozenset[str] = frozenset({"disnakertrans", "imigrasi"})
SOURCE_ORDER: tuple[str, ...] = ("imigrasi", "disnakertrans", "company", "kecamatan")
FINDING_COLUMNS: tuple[str, ...] = ("period", "finding_id", "kind", "worker_id", "company_nib", "company_name",
                                    "detail", "evidence")
EVIDENCE_FIELDS: tuple[str, ...] = ("record_key", "source_kind", "file_path", "sheet", "row_number")


class UnknownKindError(ValueError):
    """A finding kind that does not exist."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind

    def __str__(self) -> str:
        return f"Jenis temuan '{self.kind}' tidak dikenal. Pilihan: {', '.join(FINDING_KINDS)}."


def check_kind(kind: str | None) -> str | None:
    """``kind`` itself if it is a finding kind (or None); else UnknownKindError."""
    if kind is not None and kind not in FINDING_KINDS:
        raise UnknownKindError(kind)
    return kind


def finding_id(period: str, kind: str, subject: str) -> str:
    """Stable id of a finding: first 16 hex of sha256 of ``period|kind|subject``."""
    return hashlib.sha256(f"{period}|{kind}|{subject}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class EmployerIndex:
    """Resolves a record's (NIB, company name) to one employer key: registry NIB, else NIB, else name key."""

    nibs: frozenset[str]
    by_name: dict[str, str]

    @classmethod
    def build(cls, registry: pd.DataFrame) -> EmployerIndex:
        """Index of the registry's NIBs and names (a name shared by two NIBs identifies neither)."""
        owners: dict[str, set[str]] = defaultdict(set)
        nibs = set()
        for raw_nib, name in zip(registry["company_nib"], registry["name"], strict=True):
            nib = valid_nib(raw_nib)
            if nib is None:
                continue
            nibs.add(nib)
            key = company_key(name)
            if key:
                owners[key].add(nib)
        return cls(frozenset(nibs), {k: next(iter(v)) for k, v in owners.items() if len(v) == 1})

    def resolve(self, nib: object, name: object) -> str | None:
        """Employer key: registry NIB by NIB or exact normalised name; else the NIB; else ``name:<KEY>``."""
        nib = valid_nib(nib)
        if nib is not None and nib in self.nibs:
            return nib
        key = company_key(name)
        if key is not None and key in self.by_name:
            return self.by_name[key]
        if nib is not None:
            return nib
        return f"name:{key}" if key else None


def _present(value: object) -> bool:
    """True for a real value (not None/NaN/empty)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return False
    return value != ""


def _as_date(value: object) -> dt.date | None:
    """A date from a date, timestamp or ISO text; None when missing."""
    if not _present(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _evidence(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Evidence entries (record key, source, file, sheet, row), sorted by file, sheet and row."""
    out = [{f: (int(r[f]) if f == "row_number" and _present(r[f]) else r[f]) for f in EVIDENCE_FIELDS}
           for r in rows]
    return sorted(out, key=lambda e: (str(e["file_path"]), str(e["sheet"]), e["row_number"] or 0,
                                      str(e["record_key"])))


def _finding(period: str, kind: str, rows: list[dict[str, Any]], detail: dict[str, Any], *,
             worker_id: str | None = None, company_nib: str | None = None,
             company_name: str | None = None, part: str | None = None) -> dict[str, Any]:
    # ``part`` tells apart findings of one kind about one subject (one per employer, say)
    subject = (worker_id or company_nib or f"name:{company_name}") + (f"|{part}" if part else "")
    return {"period": period, "finding_id": finding_id(period, kind, subject), "kind": kind,
            "worker_id": worker_id, "company_nib": company_nib, "company_name": company_name,
            "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str),
            "evidence": json.dumps(_evidence(rows), ensure_ascii=False, sort_keys=True, default=str)}


def _worker_findings(period: str, worker_id: str, rows: list[dict[str, Any]], index: EmployerIndex,
                     reporting: dict[str, list[dict[str, Any]]], p0: dt.date) -> list[dict[str, Any]]:
    """Findings about one worker from their accepted rows."""
    out: list[dict[str, Any]] = []
    kinds = {r["source_kind"] for r in rows}
    by_kind = {k: [r for r in rows if r["source_kind"] == k] for k in kinds}
    imigrasi = by_kind.get("imigrasi", [])
    own = by_kind.get("company", [])
    listed_by = {r["_employer"] for r in own}
    for employer in sorted({r["_employer"] for r in imigrasi if r["_employer"] in reporting} - listed_by):
        evidence = [r for r in imigrasi if r["_employer"] == employer]
        out.append(_finding(period, "kitas_not_listed_by_employer", evidence, {"employer": employer},
                            worker_id=worker_id, part=employer))
    if own and not imigrasi:
        out.append(_finding(period, "employer_lists_without_kitas", own,
                            {"employers": sorted(listed_by)}, worker_id=worker_id))
    if any(_present(r["kitas_no"]) for r in rows) and not any(
            _present(r["rptka_no"]) or _present(r["notifikasi_no"]) for r in rows):
        out.append(_finding(period, "stay_without_work_permit", [r for r in rows if _present(r["kitas_no"])],
                            {}, worker_id=worker_id))
    expired = [r for r in rows
               if any((d := _as_date(r[f])) is not None and d < p0 for f in ("rptka_end", "notifikasi_end"))]
    if expired:
        ends = sorted({str(_as_date(r[f])) for r in expired for f in ("rptka_end", "notifikasi_end")
                       if _as_date(r[f]) is not None and _as_date(r[f]) < p0})  # type: ignore[operator]
        out.append(_finding(period, "work_permit_expired", expired, {"ended": ends}, worker_id=worker_id))
    if "kecamatan" in kinds and not kinds & PERMIT_SOURCES:
        out.append(_finding(period, "kecamatan_only", rows, {"sources": sorted(kinds)}, worker_id=worker_id))
    codes = sorted({r["kecamatan_code"] for r in rows if _present(r["kecamatan_code"])})
    if len(codes) > 1:
        out.append(_finding(period, "kecamatan_differs", [r for r in rows if _present(r["kecamatan_code"])],
                            {"kecamatan_codes": codes}, worker_id=worker_id))
    employers = sorted({r["_employer"] for r in rows if r["_employer"]})
    if len(employers) > 1:
        out.append(_finding(period, "employer_differs", [r for r in rows if r["_employer"]],
                            {"employers": employers}, worker_id=worker_id))
    return out


def compute_findings(period: str, records: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Every finding of ``period`` (FINDING_COLUMNS), ordered by kind (report order) and subject."""
    p0 = dt.date(int(period[:4]), int(period[5:7]), 1)
    index = EmployerIndex.build(registry)
    rows = frame_records(records)
    for r in rows:
        r["_employer"] = index.resolve(r.get("company_nib"), r.get("company_name"))
    reporting: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_worker: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by_worker[r["worker_id"]].append(r)
        if r["source_kind"] == "company" and r["_employer"]:
            reporting[r["_employer"]].append(r)
    found: list[dict[str, Any]] = []
    for worker_id in sorted(by_worker):
        found += _worker_findings(period, worker_id, by_worker[worker_id], index, reporting, p0)
    found += _company_findings(period, records, rows, registry)
    order = {k: i for i, k in enumerate(FINDING_KINDS)}
    found.sort(key=lambda f: (order[f["kind"]], f["worker_id"] or "", f["company_nib"] or "",
                              f["company_name"] or "", f["finding_id"]))
    frame = pd.DataFrame(found, columns=list(FINDING_COLUMNS), dtype=object)
    # one row per id (the table's key): two findings that come out alike are one finding
    return frame.drop_duplicates("finding_id", keep="first", ignore_index=True)


def _company_findings(period: str, records: pd.DataFrame, rows: list[dict[str, Any]],
                      registry: pd.DataFrame) -> list[dict[str, Any]]:
    """Employers outside the registry (the compliance check's own rule) and employers not flagged Wajib Lapor."""
    out: list[dict[str, Any]] = []
    reg = registry.rename(columns={"name": "company_name"})
    evidence_rows = records.assign(status="accepted")
    outsiders = employers_not_in_registry(reg, evidence_rows)
    index = EmployerIndex.build(registry)
    for o in frame_records(outsiders):
        nib = valid_nib(o["company_nib"])
        key = nib or (f"name:{company_key(o['company_name'])}" if company_key(o["company_name"]) else None)
        evidence = [r for r in rows if r["_employer"] == key and r["source_kind"] != "company"]
        out.append(_finding(period, "employer_not_in_registry", evidence,
                            {"sources": o["source_kinds"].split(";"), "rows": int(o["rows"])},
                            company_nib=nib, company_name=o["company_name"],
                            part=None if not nib else company_key(o["company_name"])))
    flags = {valid_nib(n): bool(m) if _present(m) else False
             for n, m in zip(registry["company_nib"], registry["must_report"], strict=True)}
    names = dict(zip(registry["company_nib"], registry["name"], strict=True))
    employing: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["_employer"] in index.nibs:
            employing[r["_employer"]].append(r)
    for nib in sorted(employing):
        if not flags.get(nib, False):
            workers = sorted({r["worker_id"] for r in employing[nib]})
            out.append(_finding(period, "employer_not_obliged", employing[nib], {"workers": len(workers)},
                                company_nib=nib, company_name=names.get(nib)))
    return out


def source_counts(records: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """Per employer: distinct workers each source reports for it, side by side (employer key, name, counts)."""
    index = EmployerIndex.build(registry)
    names = {valid_nib(n): m for n, m in zip(registry["company_nib"], registry["name"], strict=True)}
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    shown: dict[str, str] = {}
    for r in records.to_dict("records"):
        key = index.resolve(r.get("company_nib"), r.get("company_name"))
        if key is None:
            continue
        seen[key][r["source_kind"]].add(r["worker_id"])
        shown.setdefault(key, names.get(key) or r.get("company_name") or key)
    out = [{"employer": key, "company_name": shown[key],
            **{k: len(seen[key].get(k, ())) for k in SOURCE_ORDER},
            "workers": len(set().union(*seen[key].values()))} for key in seen]
    frame = pd.DataFrame(out, columns=["employer", "company_name", *SOURCE_ORDER, "workers"])
    return frame.sort_values(["workers", "company_name"], ascending=[False, True], ignore_index=True)
