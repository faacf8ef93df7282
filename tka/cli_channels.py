"""`tka kanal`: create, list and test the alert channels (Prefect notification blocks) from the command line."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from tka.cli_errors import friendly
from tka.guards import GuardError

channels_app = typer.Typer(help="Kanal peringatan (blok notifikasi Prefect): buat, daftar, uji.",
                           no_args_is_help=True)
console = Console()
SMTP_PASSWORD_ENV = "TKA_SMTP_PASSWORD"
SMTP_TYPES = ("STARTTLS", "SSL", "INSECURE")
TEST_SUBJECT = "[TKA] Uji kanal peringatan"
TEST_BODY = "Pesan uji dari pipeline TKA. Kanal ini siap menerima peringatan laporan dan kegagalan run.\n"
OverwriteOpt = Annotated[bool, typer.Option("--timpa", help="Ganti kanal yang sudah ada dengan nama ini.")]


def webhook_block(url: str, subject_key: str = "subject", body_key: str = "text") -> Any:
    """A custom webhook block posting ``{"subject": ..., "text": ...}`` as JSON to ``url``."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    return CustomWebhookNotificationBlock(name="tka", url=url,
                                          json_data={subject_key: "{{subject}}", body_key: "{{body}}"})


def email_block(to: list[str], sender: str, smtp_host: str, smtp_port: int | None, smtp_type: str,
                username: str | None, password: str | None) -> Any:
    """An SMTP e-mail block (tka.compliance.channels.SmtpEmailNotification) with its server credentials."""
    from prefect_email import EmailServerCredentials

    from tka.compliance.channels import SmtpEmailNotification

    credentials: dict[str, Any] = {"smtp_server": smtp_host, "smtp_type": smtp_type}
    if smtp_port:
        credentials["smtp_port"] = smtp_port
    if username:
        credentials["username"] = username
    if password:
        credentials["password"] = password
    return SmtpEmailNotification(credentials=EmailServerCredentials(**credentials), email_from=sender,
                                 email_to=to)


def _save(block: Any, name: str, overwrite: bool) -> None:
    try:
        block.save(name, overwrite=overwrite)
    except ValueError as exc:
        if "already" in str(exc).casefold():
            raise GuardError(f"Kanal {name} sudah ada. Tambahkan --timpa untuk menggantinya.") from None
        raise


@channels_app.command("buat-webhook")
@friendly
def create_webhook(
    name: Annotated[str, typer.Argument(help="Nama kanal, mis. tka-webhook (seperti di config/policy.yaml).")],
    url: Annotated[str, typer.Option("--url", help="Alamat webhook (https://…).")],
    overwrite: OverwriteOpt = False,
) -> None:
    """Buat kanal webhook: peringatan dikirim sebagai JSON {"subject": …, "text": …}."""
    if not url.startswith(("http://", "https://")):
        raise GuardError(f"URL webhook '{url}' harus diawali http:// atau https://.")
    _save(webhook_block(url), name, overwrite)
    console.print(f"Kanal webhook {name} dibuat. Uji dengan [bold]tka kanal uji {name}[/].")


@channels_app.command("buat-email")
@friendly
def create_email(
    name: Annotated[str, typer.Argument(help="Nama kanal, mis. tka-email.")],
    to: Annotated[list[str], typer.Option("--to", help="Alamat penerima (boleh diulang).")],
    smtp_host: Annotated[str, typer.Option("--smtp-host", help="Server SMTP, mis. mail.kukarkab.go.id.")],
    sender: Annotated[str, typer.Option("--from", help="Alamat pengirim.")],
    smtp_port: Annotated[int | None, typer.Option("--smtp-port", help="Port SMTP [bawaan sesuai jenis].")] = None,
    smtp_type: Annotated[str, typer.Option("--smtp-type", help="STARTTLS, SSL atau INSECURE.")] = "STARTTLS",
    username: Annotated[str | None, typer.Option("--username", help="Nama pengguna SMTP.")] = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """Buat kanal e-mail SMTP; kata sandi SMTP dibaca dari TKA_SMTP_PASSWORD (tidak pernah dari opsi)."""
    smtp_type = smtp_type.upper()
    if smtp_type not in SMTP_TYPES:
        raise GuardError(f"Jenis SMTP '{smtp_type}' tidak dikenal. Pilihan: {', '.join(SMTP_TYPES)}.")
    if any("@" not in address for address in [*to, sender]):
        raise GuardError("Alamat e-mail harus berbentuk nama@domain (periksa --to dan --from).")
    password = os.environ.get(SMTP_PASSWORD_ENV)
    if username and not password:
        raise GuardError(f"--username diberikan tanpa kata sandi: atur {SMTP_PASSWORD_ENV} lalu jalankan lagi.")
    _save(email_block(list(to), sender, smtp_host, smtp_port, smtp_type, username, password), name, overwrite)
    console.print(f"Kanal e-mail {name} dibuat ({len(to)} penerima). Uji dengan [bold]tka kanal uji {name}[/].")


def notification_channels() -> list[dict[str, str]]:
    """Every block document that can notify: name, type slug, and the "<slug>/<name>" to use in settings."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        documents = client.read_block_documents()
    return sorted(({"name": str(d.name), "type": d.block_type.slug if d.block_type else "?",
                    "ref": f"{d.block_type.slug if d.block_type else '?'}/{d.name}"}
                   for d in documents if d.block_schema and "notify" in d.block_schema.capabilities),
                  key=lambda r: r["name"])


@channels_app.command("daftar")
@friendly
def list_channels() -> None:
    """Daftar kanal peringatan yang ada, dan kanal terkonfigurasi yang belum ada."""
    from tka.compliance import load_policy
    from tka.settings import Settings

    settings = Settings()
    configured = list(settings.alert_blocks) or list(load_policy(settings.config_dir / "policy.yaml").channels)
    found = notification_channels()
    names = {c["name"] for c in found} | {c["ref"] for c in found}
    table = Table(title="Kanal peringatan")
    for col in ("nama", "jenis", "dipakai run"):
        table.add_column(col)
    for channel in found:
        used = "ya" if channel["name"] in configured or channel["ref"] in configured else ""
        table.add_row(channel["name"], channel["type"], used)
    for name in configured:
        if name not in names:
            table.add_row(name, "-", "BELUM ADA")
    console.print(table)
    if any(name not in names for name in configured):
        console.print("Buat yang belum ada: [bold]tka kanal buat-webhook NAMA --url URL[/] atau "
                      "[bold]tka kanal buat-email NAMA --to ALAMAT --from ALAMAT --smtp-host HOST[/].")


@channels_app.command("uji")
@friendly
def test_channel(name: Annotated[str, typer.Argument(help="Nama kanal.")]) -> None:
    """Kirim pesan uji lewat satu kanal."""
    from tka.compliance import send

    try:
        send(name, TEST_SUBJECT, TEST_BODY)
    except (ValueError, TypeError) as exc:
        raise GuardError(f"Kanal {name} tidak dapat dipakai: {str(exc).splitlines()[0]}. Lihat `tka kanal "
                         "daftar`.") from None
    console.print(f"Pesan uji terkirim lewat {name}.")
