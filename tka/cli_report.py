"""`tka temuan`: the steward lists a month's cross-source findings (in Indonesian, one screen per page)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tka.settings import Settings, validate_period


def _stop(message: str) -> typer.Exit:
    """One Indonesian line on stderr, exit code 1."""
    Console(stderr=True).print(f"[bold red]Galat:[/] {message}")
    return typer.Exit(code=1)


def _warehouse_exists(url: str) -> bool:
    """False for a SQLite file that does not exist (opening it would create an empty warehouse)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return True
    from pathlib import Path

    return Path(parsed.database).exists()


EVIDENCE_SHOWN = 2


def _evidence(text: str, full: bool) -> str:
    """Evidence JSON as "sumber: berkas, lembar, baris" lines (the first two unless ``full``)."""
    items = json.loads(text or "[]")
    shown = items if full else items[:EVIDENCE_SHOWN]
    lines = [f"{e['source_kind']}: {e['file_path'].rsplit('/', 1)[-1]}, {e['sheet']}, baris {e['row_number']}"
             for e in shown]
    if len(shown) < len(items):
        lines.append(f"(+{len(items) - len(shown)} lainnya; --bukti untuk semua)")
    return "\n".join(lines)


def temuan(
    period: Annotated[str, typer.Option("--period", "-p", help="Bulan laporan, YYYY-MM (mis. 2025-08).")],
    jenis: Annotated[str | None, typer.Option("--jenis", "--kind", help="Hanya jenis temuan ini.")] = None,
    warehouse: Annotated[str | None, typer.Option("--warehouse", help="URL warehouse [env TKA_WAREHOUSE_URL].")]
    = None,
    limit: Annotated[int, typer.Option(help="Tampilkan paling banyak sekian temuan (0 = semua).")] = 20,
    bukti: Annotated[bool, typer.Option("--bukti", help="Tampilkan semua bukti (berkas, lembar, baris).")] = False,
) -> None:
    """Daftar temuan lintas sumber satu bulan (KITAS tanpa laporan pemberi kerja, izin kerja habis, dst.)."""
    from tka.report import FINDING_KINDS, UnknownKindError, check_kind

    console = Console()  # made per call: the terminal width is the one of this invocation
    from tka.report.laporan import mask_passport, nationality_name

    try:
        period = validate_period(period)
        check_kind(jenis)
    except UnknownKindError as exc:
        raise _stop(str(exc)) from None
    except ValueError as exc:
        raise _stop(f"periode tidak valid ({exc}).") from None
    url = warehouse or Settings().warehouse_url
    if not _warehouse_exists(url):
        raise _stop(f"warehouse tidak ditemukan: {url}. Periksa --warehouse atau TKA_WAREHOUSE_URL.")
    from tka.warehouse import list_findings, make_engine

    engine = make_engine(url)
    try:
        rows = list_findings(engine, period, jenis)
    except Exception as exc:
        import logging

        logging.getLogger(__name__).exception("tka temuan failed")
        raise _stop(f"warehouse tidak dapat dibaca ({type(exc).__name__}); sudahkah periode {period} dimuat?") \
            from None
    finally:
        engine.dispose()
    if rows.empty:
        console.print(f"Tidak ada temuan untuk {period}" + (f" jenis {jenis}." if jenis else "."))
        return
    order = {k: i for i, k in enumerate(FINDING_KINDS)}
    rows = rows.sort_values("kind", key=lambda s: s.map(order), kind="stable", ignore_index=True)
    counts = rows["kind"].value_counts()
    console.print(f"[bold]{len(rows)} temuan[/] untuk {period}: " + ", ".join(
        f"{k} {int(counts[k])}" for k in FINDING_KINDS if k in counts))
    shown = rows if limit <= 0 else rows.head(limit)
    for kind, group in shown.groupby("kind", sort=False):
        table = Table("TKA / perusahaan", "Paspor", "Negara", "Bukti (berkas, lembar, baris)",
                      title=f"{FINDING_KINDS[str(kind)]} ({kind}: {int(counts[kind])})", title_justify="left")
        for r in group.itertuples():
            person = isinstance(r.name, str)
            subject = r.name if person else str(r.company_name or "-") + (
                f" (NIB {r.company_nib})" if isinstance(r.company_nib, str) else "")
            table.add_row(str(subject), mask_passport(r.passport_no) if person else "",
                          nationality_name(r.nationality) if person else "", _evidence(str(r.evidence), bukti))
        console.print(table)
    if len(shown) < len(rows):
        console.print(f"Ditampilkan {len(shown)} dari {len(rows)}; pakai --limit 0 untuk semua, "
                      f"atau --jenis untuk satu jenis.")
