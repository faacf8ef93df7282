"""`tka berkas`: the steward decides whether a file is a revision of another (two files of one source)."""

from __future__ import annotations

import logging
import os
from typing import Annotated, Any

import typer
from rich.console import Console

from tka.settings import Settings

files_app = typer.Typer(help="Pengelola data: putuskan apakah sebuah berkas adalah revisi berkas lain.",
                        no_args_is_help=True)
console = Console()
err = Console(stderr=True)
log = logging.getLogger(__name__)

WarehouseOpt = Annotated[str | None, typer.Option(
    "--warehouse", help="URL gudang data SQLAlchemy [env TKA_WAREHOUSE_URL].")]
NoteOpt = Annotated[str | None, typer.Option("--catatan", "--note", help="Alasan keputusan (disimpan).")]
WhoOpt = Annotated[str, typer.Option("--oleh", "--who", help="Siapa yang memutuskan [bawaan: $USER].")]


def _decide(path: str, action: str, replaced_by: str | None, who: str, note: str | None,
            warehouse: str | None) -> dict[str, Any]:
    from tka.warehouse import make_engine
    from tka.warehouse.files import decide_file

    settings = Settings(warehouse_url=warehouse) if warehouse else Settings()
    who = who or os.environ.get("USER") or os.environ.get("USERNAME") or "steward"
    try:
        return decide_file(make_engine(settings.warehouse_url), path.strip("/"), action,
                           replaced_by=replaced_by.strip("/") if replaced_by else None, who=who, note=note)
    except (KeyError, ValueError) as exc:
        log.debug("tka berkas %s failed", action, exc_info=True)
        message = exc.args[0] if exc.args else str(exc)
        err.print(f"[bold red]Gagal:[/] {message}\n[yellow]Yang perlu dilakukan:[/] salin path berkas dari "
                  "ringkasan proses (revision_candidates) atau `tka runs`, mis. 2025-08/perusahaan/<berkas>.")
        raise typer.Exit(code=1) from None


@files_app.command("ganti")
def replace(
    old: Annotated[str, typer.Argument(help="Path berkas lama, mis. 2025-08/perusahaan/<berkas>.xlsx.")],
    new: Annotated[str, typer.Option("--dengan", help="Path berkas pengganti (revisinya).")],
    note: NoteOpt = None,
    who: WhoOpt = "",
    warehouse: WarehouseOpt = None,
) -> None:
    """Berkas lama diganti oleh revisinya: baris berkas lama tidak dimuat lagi pada proses berikutnya."""
    row = _decide(old, "ganti", new, who, note, warehouse)
    console.print(f"{row['path']} diganti oleh {row['replaced_by']} (oleh {row['decided_by']}). "
                  f"Jalankan [bold]tka ingest --period {row['period']}[/] lagi untuk memuat ulang.")


@files_app.command("pertahankan")
def keep(
    path: Annotated[str, typer.Argument(help="Path berkas yang tetap dimuat, mis. 2025-08/perusahaan/<berkas>.")],
    note: NoteOpt = None,
    who: WhoOpt = "",
    warehouse: WarehouseOpt = None,
) -> None:
    """Berkas tetap dimuat: tidak diganti oleh berkas lain dari sumber yang sama."""
    row = _decide(path, "pertahankan", None, who, note, warehouse)
    console.print(f"{row['path']} dipertahankan (oleh {row['decided_by']}). "
                  f"Jalankan [bold]tka ingest --period {row['period']}[/] lagi untuk memuat ulang.")
