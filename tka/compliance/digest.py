"""The monthly compliance digest (Indonesian, companies only), idempotent alert planning and status views."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from rich.table import Table

from tka.compliance.policy import Policy, period_bounds, report_deadline
from tka.compliance.status import ReportStatus
from tka.frames import frame_records
from tka.settings import PROJECT_ROOT

# Labels shown to Kesbangpol staff.
STATUS_LABELS: dict[str, str] = {
    ReportStatus.RECEIVED: "diterima",
    ReportStatus.RECEIVED_ALL_REJECTED: "ditolak semua",
    ReportStatus.LATE: "terlambat",
    ReportStatus.MISSING: "belum lapor",
    ReportStatus.PENDING: "menunggu",
    ReportStatus.NOT_REQUIRED: "tidak wajib",
}
SOURCE_LABELS: dict[str, str] = {
    "disnakertrans": "Disnakertrans", "imigrasi": "Imigrasi", "kecamatan": "kecamatan", "company": "perusahaan",
}
MISSING, ALL_REJECTED, NOT_IN_REGISTRY = "missing", "all_rejected", "not_in_registry"


@dataclass(frozen=True)
class ReferenceNames:
    """Display names from config/reference.yaml: KBLI titles, kecamatan names, Indonesian month names."""

    kbli: Mapping[str, str]
    kecamatan: Mapping[str, str]
    months: Mapping[int, str]


def load_reference_names(path: str | Path) -> ReferenceNames:
    """Read the display names the digest needs from a reference.yaml."""
    with open(path, encoding="utf-8") as fh:
        ref = yaml.safe_load(fh)
    return ReferenceNames(
        kbli={str(k): str(v) for k, v in ref["kbli"].items()},
        kecamatan={str(k): str(v["name"]) for k, v in ref["kecamatan"].items()},
        months={int(k): str(v[0]).capitalize() for k, v in ref["months"].items()},
    )


@lru_cache(maxsize=1)
def default_reference_names() -> ReferenceNames:
    """Display names from the project's config/reference.yaml (read once)."""
    return load_reference_names(PROJECT_ROOT / "config" / "reference.yaml")


@dataclass(frozen=True)
class Digest:
    """One period's compliance message; ``digest_hash`` covers its content, not when it was made."""

    period: str
    subject: str
    text: str
    markdown: str
    counts: Mapping[str, int]
    items: tuple[Mapping[str, Any], ...]
    digest_hash: str

    @property
    def max_escalation(self) -> int:
        """Highest escalation level among the listed companies."""
        return max((int(i.get("escalation_level") or 0) for i in self.items), default=0)


@dataclass(frozen=True)
class AlertToSend:
    """One digest to send through one Prefect notification block, with its idempotency key."""

    alert_key: str
    period: str
    channel: str
    digest_hash: str
    subject: str
    body: str
    payload: Mapping[str, Any] = field(default_factory=dict)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _period_label(period: str, names: ReferenceNames) -> str:
    year, month = period_bounds(period)
    return f"{names.months[month]} {year}"


def _company_item(row: Mapping[str, Any], section: str, names: ReferenceNames) -> dict[str, Any]:
    kbli, kec = _text(row.get("kbli")), _text(row.get("kecamatan_code"))
    return {
        "section": section,
        "company_nib": _text(row.get("company_nib")),
        "name": _text(row.get("name")),
        "kbli": kbli,
        "sector": names.kbli.get(kbli) if kbli else None,
        "kecamatan_code": kec,
        "kecamatan": names.kecamatan.get(kec) if kec else None,
        "in_registry": bool(row.get("in_registry")),
        "consecutive_missed": int(row.get("consecutive_missed") or 0),
        "escalation_level": int(row.get("escalation_level") or 0),
    }


def _items(status_frame: pd.DataFrame, not_in_registry: pd.DataFrame,
           names: ReferenceNames) -> list[dict[str, Any]]:
    """Listed companies: missing (escalations first), all rows rejected, then employers outside the registry."""
    records = frame_records(status_frame)
    missing = sorted((r for r in records if r["status"] == ReportStatus.MISSING),
                     key=lambda r: (-int(r["escalation_level"]), -int(r["consecutive_missed"]),
                                    str(r["name"]), str(r["company_nib"])))
    rejected = sorted((r for r in records if r["status"] == ReportStatus.RECEIVED_ALL_REJECTED),
                      key=lambda r: (str(r["name"]), str(r["company_nib"])))
    items = [_company_item(r, MISSING, names) for r in missing]
    items += [_company_item(r, ALL_REJECTED, names) for r in rejected]
    for r in frame_records(not_in_registry):
        items.append({"section": NOT_IN_REGISTRY, "company_nib": _text(r.get("company_nib")),
                      "name": _text(r.get("company_name")),
                      "sources": [SOURCE_LABELS.get(s, s) for s in str(r.get("source_kinds") or "").split(";") if s],
                      "rows": int(r.get("rows") or 0)})
    return items


def _counts(status_frame: pd.DataFrame) -> dict[str, int]:
    status = status_frame["status"]
    return {
        "wajib_lapor": int(status_frame["must_report"].astype(bool).sum()),
        "diterima": int(status.eq(ReportStatus.RECEIVED).sum()),
        "terlambat": int(status.eq(ReportStatus.LATE).sum()),
        "belum_lapor": int(status.eq(ReportStatus.MISSING).sum()),
        "ditolak_semua": int(status.eq(ReportStatus.RECEIVED_ALL_REJECTED).sum()),
        "menunggu": int(status.eq(ReportStatus.PENDING).sum()),
    }


COUNT_LABELS: tuple[tuple[str, str], ...] = (
    ("wajib_lapor", "Wajib lapor"), ("diterima", "Diterima"), ("terlambat", "Terlambat"),
    ("belum_lapor", "Belum lapor"), ("ditolak_semua", "Ditolak semua"), ("menunggu", "Menunggu batas waktu"),
)


def _describe(item: Mapping[str, Any]) -> str:
    """One line about one company, without any personal data."""
    head = f"{item['name'] or '(tanpa nama)'} (NIB {item['company_nib'] or '-'})"
    if item["section"] == NOT_IN_REGISTRY:
        return f"{head}, disebut oleh {', '.join(item['sources'])} ({item['rows']} baris)"
    parts = [head, item["sector"] or (f"KBLI {item['kbli']}" if item["kbli"] else "sektor tidak diketahui"),
             f"Kec. {item['kecamatan']}" if item["kecamatan"] else "kecamatan tidak diketahui"]
    if not item["in_registry"]:
        parts.append("tidak ada di registri")
    if item["section"] == MISSING:
        parts.append(f"{item['consecutive_missed']} bulan berturut-turut")
        if item["escalation_level"]:
            parts.append(f"ESKALASI tingkat {item['escalation_level']}")
    return ", ".join(parts)


SECTION_TITLES: tuple[tuple[str, str], ...] = (
    (MISSING, "Perusahaan belum lapor"),
    (ALL_REJECTED, "Laporan ditolak semua, perlu dikirim ulang"),
    (NOT_IN_REGISTRY, "Pemberi kerja tidak ada di registri"),
)


def build_digest(status_frame: pd.DataFrame, period: str, not_in_registry: pd.DataFrame, policy: Policy,
                 names: ReferenceNames | None = None) -> Digest:
    """The Indonesian digest of one period: counts, then the companies that need follow-up."""
    names = names or default_reference_names()
    counts = _counts(status_frame)
    items = _items(status_frame, not_in_registry, names)
    deadline = report_deadline(period, policy).astimezone(policy.zone)
    label = _period_label(period, names)
    deadline_text = (f"{deadline.day} {names.months[deadline.month]} {deadline.year} "
                     f"{deadline:%H:%M} {deadline.tzname()}")

    subject = (f"[TKA] Laporan perusahaan periode {label}: {counts['belum_lapor']} belum lapor, "
               f"{counts['terlambat']} terlambat")
    lines = [f"Rekap laporan TKA perusahaan periode {label}", f"Batas waktu: {deadline_text}", ""]
    lines += [f"{text}: {counts[key]}" for key, text in COUNT_LABELS]
    md = [f"## Rekap laporan TKA perusahaan periode {label}", "", f"Batas waktu: {deadline_text}", "",
          "| Keterangan | Jumlah |", "|---|---:|"]
    md += [f"| {text} | {counts[key]} |" for key, text in COUNT_LABELS]
    for section, title in SECTION_TITLES:
        listed = [i for i in items if i["section"] == section]
        if not listed:
            continue
        lines += ["", f"{title} ({len(listed)}):"]
        lines += [f"{n}. {_describe(i)}" for n, i in enumerate(listed, start=1)]
        md += ["", f"### {title} ({len(listed)})", ""]
        md += [f"{n}. {_describe(i)}" for n, i in enumerate(listed, start=1)]
    canonical = json.dumps({"period": period, "deadline": deadline.isoformat(), "counts": counts, "items": items},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return Digest(period=period, subject=subject, text="\n".join(lines) + "\n", markdown="\n".join(md) + "\n",
                  counts=counts, items=tuple(items), digest_hash=hashlib.sha256(canonical.encode()).hexdigest())


def alert_key(period: str, channel: str, digest_hash: str) -> str:
    """Ledger key of one digest version sent through one channel."""
    return hashlib.sha256(f"{period}|{channel}|{digest_hash}".encode()).hexdigest()[:32]


def _sent_at(entry: Mapping[str, Any]) -> pd.Timestamp:
    """When a ledger entry was sent, as an aware UTC timestamp (SQLite hands back naive UTC; unknown = earliest)."""
    sent = entry.get("sent_at")
    stamp = pd.Timestamp(sent) if sent is not None else pd.NaT  # NaN -> NaT too
    if pd.isna(stamp):
        return pd.Timestamp.min.tz_localize("UTC")
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def last_sent(ledger_entries: Iterable[Mapping[str, Any]], period: str) -> dict[str, str]:
    """Channel -> digest hash of the latest digest of ``period`` that the channel received."""
    latest: dict[str, tuple[pd.Timestamp, str]] = {}
    for entry in ledger_entries:
        if entry.get("period") != period:
            continue
        channel, when = str(entry.get("channel")), _sent_at(entry)
        if channel not in latest or when >= latest[channel][0]:
            latest[channel] = (when, str(entry.get("digest_hash")))
    return {channel: digest_hash for channel, (_, digest_hash) in latest.items()}


def plan_alerts(digest: Digest, channels: Sequence[str], ledger_entries: Iterable[Mapping[str, Any]],
                period: str) -> list[AlertToSend]:
    """Alerts still to send: one per channel whose latest digest of the period is not this one.

    A changed digest (new misses, a higher escalation, a company that reported after all) has a new hash and is
    therefore sent again. So is a digest a channel received before but that a later one has since replaced:
    readers act on the last message, so when the period goes back to an earlier state (a misfiled report taken
    out again) that state is sent again; recording it overwrites the earlier ledger row of the same key.
    """
    latest = last_sent(ledger_entries, period)
    payload = {"period": period, "digest_hash": digest.digest_hash, "counts": dict(digest.counts),
               "items": [dict(i) for i in digest.items]}
    return [AlertToSend(alert_key=alert_key(period, channel, digest.digest_hash), period=period, channel=channel,
                        digest_hash=digest.digest_hash, subject=digest.subject, body=digest.text, payload=payload)
            for channel in dict.fromkeys(channels)
            if latest.get(channel) != digest.digest_hash]


TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("company_nib", "NIB"), ("name", "Perusahaan"), ("kecamatan_code", "Kecamatan"), ("status", "Status"),
    ("files", "Berkas"), ("rows", "Baris"), ("rows_accepted", "Diterima"),
    ("consecutive_missed", "Bulan terlewat"), ("escalation_level", "Eskalasi"),
)


def _cells(row: Mapping[str, Any], names: ReferenceNames) -> list[str]:
    cells = []
    for column, _ in TABLE_COLUMNS:
        value = row.get(column)
        if column == "status" and isinstance(value, str):
            value = STATUS_LABELS.get(value, value)
        elif column == "kecamatan_code" and isinstance(value, str):
            value = names.kecamatan.get(value, value)
        cells.append("-" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value))
    return cells


def render_table(status_frame: pd.DataFrame, names: ReferenceNames | None = None) -> Table:
    """The status frame as a rich table for `tka compliance` (Indonesian headers and status labels)."""
    names = names or default_reference_names()
    period = status_frame["period"].iloc[0] if len(status_frame) else ""
    table = Table(title=f"Status laporan perusahaan {period}".strip())
    for column, header in TABLE_COLUMNS:
        numeric = column in {"files", "rows", "rows_accepted", "consecutive_missed", "escalation_level"}
        table.add_column(header, justify="right" if numeric else "left")
    for row in frame_records(status_frame):
        table.add_row(*_cells(row, names))
    return table


def status_markdown(status_frame: pd.DataFrame, names: ReferenceNames | None = None) -> str:
    """The status frame as a markdown table (the Prefect artifact of the compliance step)."""
    names = names or default_reference_names()
    lines = ["| " + " | ".join(h for _, h in TABLE_COLUMNS) + " |",
             "|" + "|".join("---" for _ in TABLE_COLUMNS) + "|"]
    # "|" inside a company name would break the table.
    lines += ["| " + " | ".join(c.replace("|", "/") for c in _cells(row, names)) + " |"
              for row in frame_records(status_frame)]
    return "\n".join(lines) + "\n"


def compliance_markdown(status_frame: pd.DataFrame, period: str, names: ReferenceNames | None = None) -> str:
    """Markdown of the Prefect compliance artifact: a heading, the status counts and the full status table."""
    names = names or default_reference_names()
    counts = _counts(status_frame)
    lines = [f"## Status laporan perusahaan periode {_period_label(period, names)}", "",
             ", ".join(f"{text}: {counts[key]}" for key, text in COUNT_LABELS), ""]
    return "\n".join(lines) + "\n" + status_markdown(status_frame, names)
