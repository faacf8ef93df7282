"""`tka negara`: the steward checks how a nationality text resolves and adds a spelling the offices use."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from tka.settings import Settings

reference_app = typer.Typer(help="Steward: ejaan kewarganegaraan (cek teks, tambah ejaan baru).",
                            no_args_is_help=True)
console = Console()
err = Console(stderr=True)
logger = logging.getLogger("tka.cli.negara")

_METHODS = {"exact": "tepat (nama/kode resmi)", "alias": "alias (daftar ejaan)", "fuzzy": "mirip (salah ketik)"}


@reference_app.command("cek", help="Tampilkan negara yang dikenali dari teks kewarganegaraan, metode dan skornya.")
def check(text: Annotated[str, typer.Argument(help="Teks kolom kewarganegaraan, mis. \"WN Tiongkok\".")]) -> None:
    """Show which country a nationality text resolves to, how and with which score."""
    from tka.read.countries import config_country_index, resolve_country

    index = config_country_index(Settings().config_dir)
    match = resolve_country(text, index)
    if match is None:
        err.print(f"[bold red]Tidak dikenali:[/] '{escape(text)}' tidak cocok dengan negara mana pun "
                  "(atau cocok dengan dua negara).\n[yellow]Yang bisa dilakukan:[/] "
                  f"tka negara tambah \"{escape(text)}\" <ISO3>")
        raise typer.Exit(code=1)
    console.print(f"'{escape(text)}' -> [bold]{match.iso3}[/] ({escape(index.names[match.iso3])})\n"
                  f"metode: {_METHODS[match.method]}, skor: {match.score:g}, cocok dengan: "
                  f"'{escape(match.matched)}'")


@reference_app.command("tambah", help="Tambah ejaan negara ke config/countries.yaml (berlaku mulai run berikutnya).")
def add(
    spelling: Annotated[str, typer.Argument(help="Ejaan seperti tertulis di file, mis. \"Tiongkok Daratan\".")],
    iso3: Annotated[str, typer.Argument(help="Kode negara ISO 3166 tiga huruf, mis. CHN.")],
) -> None:
    """Add a spelling of a country to config/countries.yaml (used from the next run)."""
    from tka.read.countries import add_country_alias

    try:
        path = add_country_alias(Settings().config_dir, spelling, iso3)
    except ValueError as exc:
        err.print(f"[bold red]Gagal:[/] {escape(str(exc))}")
        raise typer.Exit(code=1) from None
    except OSError as exc:
        logger.warning("tka negara tambah could not write the config", exc_info=True)
        err.print(f"[bold red]Gagal:[/] file config tidak bisa ditulis ({escape(exc.strerror or str(exc))}).\n"
                  "[yellow]Yang bisa dilakukan:[/] periksa hak tulis folder config (TKA_CONFIG_DIR).")
        raise typer.Exit(code=1) from None
    console.print(f"Ejaan '{escape(spelling)}' -> [bold]{iso3.strip().upper()}[/] ditambahkan ke {path}. "
                  "Berlaku mulai run berikutnya.", soft_wrap=True)  # a path must not be broken mid-name
