"""`tka layout`: the steward confirms or corrects how header texts map to fields (used from the next run)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from tka.contract import LAYOUT_RULES
from tka.settings import Settings, validate_period

layout_app = typer.Typer(help="Steward: judul kolom yang ditebak, hilang atau tidak dikenal; tetapkan atau "
                              "abaikan (berlaku mulai run berikutnya).", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
LABELS = {"header_guessed": "ditebak", "column_missing": "tidak ada", "column_unexpected": "tidak dikenal"}


@layout_app.command("daftar")
def layout_list(
    period: Annotated[str, typer.Option("--period", "-p", help="Periode, YYYY-MM.")],
    warehouse: Annotated[str | None, typer.Option("--warehouse", help="URL gudang data [env TKA_WAREHOUSE_URL].")]
    = None,
) -> None:
    """Daftar judul kolom yang ditebak, kolom yang tidak ada dan judul yang tidak dikenal pada satu periode."""
    from sqlalchemy import select

    from tka.warehouse.engine import make_engine
    from tka.warehouse.schema import validation_issue as vi

    try:
        period = validate_period(period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    engine = make_engine(warehouse or Settings().warehouse_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(vi.c.file_path, vi.c.sheet, vi.c.rule, vi.c.header, vi.c.column,
                                       vi.c.raw_value, vi.c.issue_id)
                                .where(vi.c.period == period, vi.c.rule.in_(sorted(LAYOUT_RULES)))
                                .order_by(vi.c.rule, vi.c.file_path, vi.c.sheet)).all()
    finally:
        engine.dispose()
    table = Table(title=f"Tata letak kolom — periode {period}: {len(rows)} catatan")
    for column in ("berkas", "lembar", "keadaan", "judul kolom", "dibaca sebagai", "skor"):
        table.add_column(column)
    for path, sheet, rule, header, column, raw, _ in rows:
        score = raw.rsplit("(", 1)[-1].rstrip(")") if rule == "header_guessed" and raw else ""
        table.add_row(path, sheet or "", LABELS.get(rule, rule), header or "", column or "", score)
    console.print(table)
    if rows:
        console.print('Tetapkan: [bold]tka layout tetapkan "<judul kolom>" <kolom>[/]  ·  '
                      'Abaikan: [bold]tka layout abaikan "<judul kolom>"[/]')


@layout_app.command("tetapkan")
def layout_confirm(
    header: Annotated[str, typer.Argument(help="Judul kolom persis seperti di berkas.")],
    field: Annotated[str, typer.Argument(help="Kolom kanonik, mis. passport_no, name, birth_date.")],
) -> None:
    """Tetapkan bahwa judul kolom ini adalah kolom kanonik tersebut (membenarkan atau mengoreksi tebakan)."""
    from tka.read.layout_decisions import LayoutError, confirm_header

    try:
        path = confirm_header(Settings().config_dir, header, field)
    except LayoutError as exc:
        err.print(f"[bold red]Gagal:[/] {exc}")
        raise typer.Exit(code=1) from None
    console.print(f"Judul '{header}' ditetapkan sebagai {field} di {path}; berlaku mulai run berikutnya "
                  "(jalankan ulang periode dengan `tka ingest`).")


@layout_app.command("abaikan")
def layout_ignore(header: Annotated[str, typer.Argument(help="Judul kolom persis seperti di berkas.")]) -> None:
    """Tetapkan bahwa judul kolom ini bukan kolom data (tidak akan ditebak lagi)."""
    from tka.read.layout_decisions import LayoutError, ignore_header

    try:
        path = ignore_header(Settings().config_dir, header)
    except LayoutError as exc:
        err.print(f"[bold red]Gagal:[/] {exc}")
        raise typer.Exit(code=1) from None
    console.print(f"Judul '{header}' diabaikan ({path}); berlaku mulai run berikutnya.")
