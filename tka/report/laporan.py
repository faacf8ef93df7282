"""The laporan bulanan: one self-contained, printable Indonesian HTML page built from warehouse queries only.

``build_report`` reads every number from the warehouse (tka.warehouse.report_queries); ``render_html`` only
formats them, with charts drawn by matplotlib into inline SVG, so the file opens offline on an office machine.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd
import pycountry
import yaml
from sqlalchemy import Engine

from tka.report.findings import COMPANY_KINDS, FINDING_KINDS, SOURCE_ORDER, source_counts
from tka.settings import PROJECT_ROOT
from tka.warehouse import report_queries as q

SOURCE_LABELS: dict[str, str] = {"imigrasi": "Imigrasi", "disnakertrans": "Disnakertrans", "company": "Perusahaan",
                                 "kecamatan": "Kecamatan", "registry": "Registri"}
STATUS_LABELS: dict[str, str] = {"received": "Sudah lapor", "late": "Terlambat", "missing": "Belum lapor",
                                 "pending": "Belum jatuh tempo", "received_all_rejected": "Lapor, semua baris ditolak",
                                 "not_required": "Tidak wajib"}
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
TOP_N = 15
LIST_CAP = 200  # findings listed per kind (the count is always complete; `tka temuan` lists them all)
UNKNOWN = "(tidak diketahui)"


@lru_cache(maxsize=1)
def _reference() -> dict[str, Any]:
    """config/reference.yaml, read once."""
    return yaml.safe_load((PROJECT_ROOT / "config" / "reference.yaml").read_text(encoding="utf-8"))


def kecamatan_name(code: object) -> str:
    """Kecamatan name of a code ("64.02.12" -> "Tabang")."""
    entry = _reference()["kecamatan"].get(code) if isinstance(code, str) else None
    return entry["name"] if entry else UNKNOWN


def nationality_name(code: object) -> str:
    """Indonesian name of an ISO-3 code (the first synonym in reference.yaml, else pycountry's)."""
    if not isinstance(code, str) or not code:
        return UNKNOWN
    names = _reference()["nationality_synonyms"].get(code)
    if names:
        return str(names[0])
    country = pycountry.countries.get(alpha_3=code)
    return country.name if country else code


def sector_name(kbli: object) -> str:
    """KBLI title ("05100 Pertambangan Batu Bara")."""
    if not isinstance(kbli, str) or not kbli:
        return UNKNOWN
    title = _reference()["kbli"].get(kbli)
    return f"{kbli} {title}" if title else kbli


def period_label(period: str) -> str:
    """ "Agustus 2025"."""
    return f"{MONTHS[int(period[5:7]) - 1]} {period[:4]}"


def mask_passport(value: object) -> str:
    """A passport with all but its last 3 characters hidden ("******678")."""
    if not isinstance(value, str) or not value:
        return "-"
    if len(value) <= 3:  # nothing may be shown of a number this short
        return "***"
    return "*" * max(len(value) - 3, 3) + value[-3:]


@dataclass
class Report:
    """Everything the laporan shows, read from the warehouse."""

    period: str
    previous: str | None
    headline: dict[str, int]
    breakdowns: dict[str, list[tuple[str, int]]]
    change: dict[str, int]
    trend: list[tuple[str, int]]
    compliance: pd.DataFrame
    compliance_counts: dict[str, int]
    findings: pd.DataFrame
    finding_counts: dict[str, int]
    sources: pd.DataFrame
    quality: pd.DataFrame
    generated_at: str = field(default="")


def _counts(values: pd.Series, label: Any) -> list[tuple[str, int]]:
    """(label, workers) pairs, largest first, ties by label."""
    named = values.map(label)
    counts = named.value_counts()
    return sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))


def _change(engine: Engine, period: str, previous: str | None) -> dict[str, int]:
    """Arrivals, departures and renewed permits against the previous loaded month."""
    now = q.worker_permits(engine, period)
    if previous is None:
        return {"arrivals": len(now), "departures": 0, "renewals": 0, "stayed": 0}
    before = q.worker_permits(engine, previous)
    both = now.merge(before, on="worker_id", suffixes=("", "_prev"))
    renewed = pd.Series(False, index=both.index)
    for col in ("kitas_no", "rptka_no", "notifikasi_no"):
        renewed |= both[col].notna() & both[f"{col}_prev"].notna() & (both[col] != both[f"{col}_prev"])
    return {"arrivals": int((~now["worker_id"].isin(before["worker_id"])).sum()),
            "departures": int((~before["worker_id"].isin(now["worker_id"])).sum()),
            "renewals": int(renewed.sum()), "stayed": len(both)}


def build_report(engine: Engine, period: str) -> Report:
    """The laporan of ``period``: every count from the warehouse."""
    workers = q.month_workers(engine, period)
    loaded = [p for p in q.loaded_periods(engine) if p < period]
    previous = loaded[-1] if loaded else None
    records, registry = q.finding_inputs(engine, period)
    compliance = q.compliance_rows(engine, period)
    findings = q.list_findings(engine, period)
    # The registry's name for a registered employer, else the name the sources gave, else its NIB.
    employer = workers["registry_name"].fillna(workers["company_name"]).fillna(workers["company_nib"])
    headline = {
        "workers": len(workers),
        "dependants": q.dependant_count(engine, period),
        "companies": int(workers["company_nib"].fillna("name:" + workers["company_name"]).nunique()),
        "kecamatan": int(workers["kecamatan_code"].nunique()),
        "nationalities": int(workers["nationality"].nunique()),
        "findings": len(findings),
    }
    breakdowns = {
        "kecamatan": _counts(workers["kecamatan_code"], kecamatan_name),
        "nationality": _counts(workers["nationality"], nationality_name),
        "sector": _counts(workers["kbli"], sector_name),
        "company": _counts(employer, lambda v: v if isinstance(v, str) else UNKNOWN),
        "position": _counts(workers["position"], lambda v: v if isinstance(v, str) and v else UNKNOWN),
    }
    statuses = compliance["status"].value_counts()
    return Report(
        period=period, previous=previous, headline=headline, breakdowns=breakdowns,
        change=_change(engine, period, previous),
        trend=[(str(p), int(n)) for p, n in q.worker_trend(engine, period).itertuples(index=False)],
        compliance=compliance,
        compliance_counts={"must_report": len(compliance), **{k: int(statuses.get(k, 0)) for k in STATUS_LABELS},
                           "escalated": int((compliance["escalation_level"].fillna(0) > 0).sum())},
        findings=findings, finding_counts={k: int((findings["kind"] == k).sum()) for k in FINDING_KINDS},
        sources=source_counts(records, registry), quality=q.file_quality(engine, period),
        generated_at=dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).strftime("%d-%m-%Y %H:%M WITA"),
    )


# --- charts ------------------------------------------------------------------------------------------------
def _svg(fig: Any) -> str:
    """A matplotlib figure as inline SVG text (no XML prolog, fonts as paths: no font files needed)."""
    from matplotlib import rc_context

    buf = io.StringIO()
    # A fixed hash salt: the same chart gives the same SVG ids (reproducible files, no clashes between charts).
    with rc_context({"svg.hashsalt": "tka-laporan", "svg.fonttype": "path"}):
        fig.savefig(buf, format="svg", bbox_inches="tight",
                    metadata={"Creator": None, "Date": None, "Format": None, "Type": None})
    text = buf.getvalue()
    return text[text.index("<svg"):]


def bar_chart(pairs: list[tuple[str, int]], title: str) -> str:
    """Horizontal bar chart of (label, count), largest on top, as SVG."""
    from matplotlib.figure import Figure

    pairs = pairs[:TOP_N] or [("(tidak ada data)", 0)]
    fig = Figure(figsize=(7.0, 0.32 * len(pairs) + 0.9))
    ax = fig.add_subplot()
    labels = [p[0] for p in pairs][::-1]
    values = [p[1] for p in pairs][::-1]
    bars = ax.barh(labels, values, color="#2f6f9f")
    ax.bar_label(bars, padding=3, fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.12)
    return _svg(fig)


def trend_chart(trend: list[tuple[str, int]]) -> str:
    """Workers per month over the last loaded months, as SVG."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.0, 2.6))
    ax = fig.add_subplot()
    labels = [f"{MONTHS[int(p[5:7]) - 1][:3]} {p[2:4]}" for p, _ in trend]
    values = [n for _, n in trend]
    ax.plot(labels, values, marker="o", color="#2f6f9f")
    for x, y in zip(labels, values, strict=True):
        ax.annotate(str(y), (x, y), textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    ax.set_title("Jumlah TKA per bulan (12 bulan terakhir yang dimuat)", fontsize=10, loc="left")
    ax.set_ylim(0, max(values or [1]) * 1.25)
    ax.tick_params(labelsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)


# --- HTML --------------------------------------------------------------------------------------------------
CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:10.5pt;color:#1a1a1a;margin:1.5em auto;max-width:60em}
h1{font-size:17pt;margin:0 0 .2em}h2{font-size:13pt;border-bottom:2px solid #2f6f9f;padding-bottom:.15em;
margin-top:1.6em}h3{font-size:11pt;margin:1em 0 .3em}.muted{color:#555}
.cards{display:flex;flex-wrap:wrap;gap:.6em}.card{border:1px solid #bbb;border-radius:4px;padding:.4em .8em;
min-width:8.5em}.card b{display:block;font-size:16pt}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em;font-size:9pt}
th,td{border:1px solid #bbb;padding:2px 5px;text-align:left;vertical-align:top}th{background:#e8eef4}
td.n,th.n{text-align:right}thead{display:table-header-group}tr{page-break-inside:avoid}
.chart svg{max-width:100%;height:auto}.chart{margin:.3em 0 .8em}
@page{size:A4;margin:15mm 12mm}
@media print{body{margin:0;max-width:none;font-size:9.5pt}section{page-break-before:always}
section.first{page-break-before:auto}.chart{page-break-inside:avoid}a{color:inherit;text-decoration:none}}
"""


def _e(value: object) -> str:
    """HTML-escaped text ("-" for missing)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    return html.escape(str(value))


def _table(headers: list[str], rows: list[list[object]], numeric: set[int] | None = None,
           table_id: str | None = None) -> str:
    """An HTML table; columns in ``numeric`` right-aligned."""
    numeric = numeric or set()
    head = "".join(f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(f'<td class="n">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
                                    for i, c in enumerate(row)) + "</tr>" for row in rows)
    ident = f' id="{table_id}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _card(key: str, label: str, value: int) -> str:
    return f'<div class="card">{_e(label)}<b data-key="{key}">{value:,}</b></div>'.replace(",", ".")


def _evidence_text(evidence: str) -> str:
    """ "imigrasi: file.xls, ITAS Agustus, baris 12; ..." from a finding's evidence JSON."""
    items = json.loads(evidence or "[]")
    return "; ".join(f"{SOURCE_LABELS.get(e['source_kind'], e['source_kind'])}: {e['file_path'].rsplit('/', 1)[-1]}"
                     f", {e['sheet']}, baris {e['row_number']}" for e in items)


def _findings_html(report: Report) -> str:
    parts = [_table(["Jenis temuan", "Jumlah"],
                    [[FINDING_KINDS[k], report.finding_counts[k]] for k in FINDING_KINDS], {1}, "temuan-jumlah")]
    for kind, label in FINDING_KINDS.items():
        rows = report.findings[report.findings["kind"] == kind]
        if rows.empty:
            continue
        shown = rows.head(LIST_CAP)
        more = (f' <span class="muted">({LIST_CAP} pertama dari {len(rows)}; semua: tka temuan --period '
                f'{report.period} --jenis {kind})</span>') if len(rows) > LIST_CAP else ""
        parts.append(f"<h3>{_e(label)} ({len(rows)}){more}</h3>")
        if kind in COMPANY_KINDS:
            parts.append(_table(["Perusahaan", "NIB", "Bukti (berkas, lembar, baris)"],
                                [[r.company_name, r.company_nib, _evidence_text(str(r.evidence))]
                                 for r in shown.itertuples()]))
        else:
            parts.append(_table(["Nama", "Paspor", "Kewarganegaraan", "Bukti (berkas, lembar, baris)"],
                                [[r.name, mask_passport(r.passport_no), nationality_name(r.nationality),
                                  _evidence_text(str(r.evidence))] for r in shown.itertuples()]))
    return "".join(parts)


def render_html(report: Report) -> str:
    """The whole laporan as one HTML document (styles and SVG charts inline, no scripts, no links out)."""
    h, c, b = report.headline, report.change, report.breakdowns
    title = f"Laporan Bulanan TKA Kabupaten Kutai Kartanegara — {period_label(report.period)}"
    prev = period_label(report.previous) if report.previous else "tidak ada bulan sebelumnya yang dimuat"
    cards = "".join([_card("workers", "TKA (tanpa keluarga)", h["workers"]),
                     _card("dependants", "Keluarga (pengikut)", h["dependants"]),
                     _card("companies", "Perusahaan", h["companies"]),
                     _card("kecamatan", "Kecamatan", h["kecamatan"]),
                     _card("nationalities", "Kewarganegaraan", h["nationalities"]),
                     _card("findings", "Temuan lintas sumber", h["findings"])])
    charts = "".join(f'<div class="chart" data-chart="{k}">{bar_chart(b[k], t)}</div>' for k, t in (
        ("kecamatan", "TKA per kecamatan"), ("nationality", "TKA per kewarganegaraan"),
        ("sector", "TKA per sektor (KBLI)"), ("company", f"TKA per perusahaan ({TOP_N} terbesar)"),
        ("position", f"TKA per jabatan ({TOP_N} terbanyak)")))
    kec_table = _table(["Kecamatan", "TKA"], [list(p) for p in b["kecamatan"]], {1}, "per-kecamatan")
    nat_table = _table(["Kewarganegaraan", "TKA"], [list(p) for p in b["nationality"]], {1}, "per-kewarganegaraan")
    cc = report.compliance_counts
    comp_rows: list[list[object]] = [
        [r.name or "-", r.company_nib, STATUS_LABELS.get(str(r.status), r.status), r.files, r.rows_accepted,
         r.consecutive_missed, r.escalation_level] for r in report.compliance.itertuples()]
    src = report.sources
    src_rows = [[r["company_name"], *(r[k] for k in SOURCE_ORDER), r["workers"]] for r in src.to_dict("records")]
    qual_rows: list[list[object]] = [
        [SOURCE_LABELS.get(str(r.source_kind), r.source_kind), r.files, r.quarantined, r.superseded, r.rows,
         r.rows_rejected, r.rows_open_issues] for r in report.quality.itertuples()]
    qt = report.quality
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><title>{_e(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head><body>
<section class="first" id="ringkasan"><h1>{_e(title)}</h1>
<p class="muted">Badan Kesatuan Bangsa dan Politik. Dibuat {_e(report.generated_at)} dari gudang data (warehouse);
semua angka dibaca dari data yang dimuat untuk periode {_e(report.period)}.</p>
<h2>Angka utama</h2><div class="cards">{cards}</div>
{charts}{kec_table}{nat_table}</section>
<section id="perubahan"><h2>Perubahan dibanding bulan sebelumnya ({_e(prev)})</h2>
{_table(["Datang (baru)", "Pergi (tidak dilaporkan lagi)", "Izin diperpanjang/diganti", "Tetap"],
        [[c["arrivals"], c["departures"], c["renewals"], c["stayed"]]], {0, 1, 2, 3}, "perubahan-tabel")}
<div class="chart" data-chart="trend">{trend_chart(report.trend)}</div></section>
<section id="kepatuhan"><h2>Kepatuhan pelaporan perusahaan</h2>
{_table(["Wajib lapor", "Sudah lapor", "Terlambat", "Belum lapor", "Semua baris ditolak", "Belum jatuh tempo",
         "Eskalasi"],
        [[cc["must_report"], cc["received"], cc["late"], cc["missing"], cc["received_all_rejected"], cc["pending"],
          cc["escalated"]]], set(range(7)), "kepatuhan-jumlah")}
{_table(["Perusahaan", "NIB", "Status", "Berkas", "Baris diterima", "Bulan berturut tidak lapor",
         "Tingkat eskalasi"], comp_rows, {3, 4, 5, 6}, "kepatuhan-daftar")}</section>
<section id="temuan"><h2>Temuan lintas sumber ({h["findings"]})</h2>
<p class="muted">Paspor disamarkan kecuali 3 karakter terakhir. Bukti: berkas, lembar dan baris setiap catatan
sumber.</p>{_findings_html(report)}
<h3>Jumlah TKA per perusahaan menurut sumber</h3>
{_table(["Perusahaan", *(SOURCE_LABELS[k] for k in SOURCE_ORDER), "TKA (gabungan)"], src_rows, {1, 2, 3, 4, 5},
        "per-sumber")}</section>
<section id="keandalan"><h2>Keandalan data bulan ini</h2>
<p>Berkas dibaca: <b data-key="files">{int(qt["files"].sum())}</b>, dikarantina:
<b data-key="quarantined">{int(qt["quarantined"].sum())}</b>, baris dengan masalah terbuka:
<b data-key="rows_open_issues">{int(qt["rows_open_issues"].sum())}</b>.</p>
{_table(["Sumber", "Berkas", "Dikarantina", "Digantikan versi baru", "Baris", "Baris ditolak",
         "Baris dengan masalah terbuka"], qual_rows, {1, 2, 3, 4, 5, 6}, "keandalan-tabel")}</section>
</body></html>
"""


def headline_markdown(report: Report, path: str, review_root: str) -> str:
    """The Prefect artifact: headline counts and where the laporan and the review folder are."""
    h, c = report.headline, report.change
    lines = [f"# Laporan bulanan {period_label(report.period)}", "",
             "| Angka | Jumlah |", "|---|---:|",
             f"| TKA (tanpa keluarga) | {h['workers']} |", f"| Keluarga (pengikut) | {h['dependants']} |",
             f"| Perusahaan | {h['companies']} |", f"| Kecamatan | {h['kecamatan']} |",
             f"| Datang / pergi / izin diperpanjang | {c['arrivals']} / {c['departures']} / {c['renewals']} |",
             f"| Perusahaan belum lapor | {report.compliance_counts['missing']} |",
             f"| Temuan lintas sumber | {h['findings']} |", "",
             f"Laporan: [{path}]({_file_url(path)})", "", f"Folder tinjauan: [{review_root}]({_file_url(review_root)})"]
    return "\n".join(lines)


def _file_url(path: str) -> str:
    """A link target for a drive path (file:// for a local path, the URL itself otherwise)."""
    return path if "://" in path else f"file://{path}"
