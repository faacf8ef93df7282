"""Alert channels against real local receivers: an HTTP webhook server and an aiosmtpd SMTP server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console

from tests.receivers import EMAIL_FROM, EMAIL_TO, SmtpReceiver, WebhookReceiver, email_text, save_alert_blocks

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def webhook() -> Iterator[WebhookReceiver]:
    """An HTTP server on a free local port that records every POST."""
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpReceiver]:
    """An aiosmtpd server on a free local port that keeps every message."""
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="module")
def channels(prefect_api: None, webhook: WebhookReceiver, smtp: SmtpReceiver) -> dict[str, Any]:
    """Saved blocks: a custom webhook (tka-webhook) and an SMTP e-mail (tka-email) pointing at the receivers."""
    save_alert_blocks(webhook, smtp, "tka-webhook", "tka-email")
    return {"webhook": webhook.received, "mailbox": smtp}


def test_webhook_receives_exact_json(channels: dict[str, Any]) -> None:
    from tka.compliance.channels import send

    received = channels["webhook"]
    received.clear()
    assert send("tka-webhook", "[TKA] Uji", "Baris satu\nBaris dua") is True
    assert received == [{"path": "/hook", "content_type": "application/json",
                         "json": {"subject": "[TKA] Uji", "text": "Baris satu\nBaris dua"}}]


def test_block_can_be_named_with_its_type_slug(channels: dict[str, Any]) -> None:
    from tka.compliance.channels import send

    received = channels["webhook"]
    received.clear()
    send("custom-webhook/tka-webhook", "S", "B")
    assert [r["json"] for r in received] == [{"subject": "S", "text": "B"}]


def test_smtp_email_exact_subject_and_body(channels: dict[str, Any]) -> None:
    from tka.compliance.channels import send

    mailbox = channels["mailbox"]
    mailbox.clear()
    assert send("tka-email", "[TKA] Laporan perusahaan periode Agustus 2025", "Belum lapor: 3\n") is True
    assert mailbox.envelopes == [(EMAIL_FROM, list(EMAIL_TO))]
    message = mailbox.messages[0]
    assert message["Subject"] == "[TKA] Laporan perusahaan periode Agustus 2025"
    assert message["From"] == "tka@kukarkab.test"
    # SMTP carries CRLF line ends.
    assert email_text(message) == "Belum lapor: 3\r\n"


def test_dry_run_prints_and_sends_nothing(channels: dict[str, Any]) -> None:
    from tka.compliance.channels import send

    received = channels["webhook"]
    received.clear()
    console = Console(record=True, width=100, color_system=None)
    assert send("tka-webhook", "[TKA] Uji", "Isi pesan", dry_run=True, console=console) is False
    assert received == []
    output = console.export_text()
    assert "[dry run] tka-webhook: [TKA] Uji" in output and "Isi pesan" in output


def test_unknown_block_is_an_error(channels: dict[str, Any]) -> None:
    from tka.compliance.channels import send

    with pytest.raises(ValueError, match="found 0"):
        send("tidak-ada", "S", "B")


def test_failure_hook_names_flow_period_and_stage(channels: dict[str, Any]) -> None:
    from prefect import flow, task

    from tka.compliance.channels import make_failure_hook

    @task(name="validate-rows")
    def validate_rows(period: str) -> None:
        raise ValueError(f"paspor E12345678 milik GAO XUEFENG tidak valid ({period})")

    @task(name="read-files")
    def read_files(period: str) -> int:
        return 3

    @flow(name="tka-uji-gagal", on_failure=[make_failure_hook(lambda: ["tka-webhook", "tka-email"])])
    def failing(period: str) -> None:
        read_files(period)
        validate_rows(period)

    received, mailbox = channels["webhook"], channels["mailbox"]
    received.clear()
    mailbox.messages.clear()
    state = failing("2025-08", return_state=True)
    assert state.is_failed()
    subject = "[TKA] Flow gagal: tka-uji-gagal periode 2025-08 tahap validate-rows"
    assert [r["json"]["subject"] for r in received] == [subject]
    body = received[0]["json"]["text"]
    assert body.splitlines()[:3] == [subject, "Status: Failed", "Jenis kesalahan: ValueError"]
    assert not re.search(r"E\d{8}|XUEFENG", body)
    assert [m["Subject"] for m in mailbox.messages] == [subject]


def test_mask_personal() -> None:
    from tka.compliance.channels import mask_personal

    assert mask_personal("paspor E12345678 dan EA1234567, periode 2025-08") == (
        "paspor E12****78 dan EA1****67, periode 2025-08")


def test_failure_hook_defaults_period_to_previous_month_and_unknown_stage(channels: dict[str, Any]) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from prefect import flow

    from tka.compliance.channels import make_failure_hook
    from tka.settings import previous_period

    @flow(name="tka-uji-tanpa-tahap", on_failure=[make_failure_hook(lambda: ["tka-webhook"])])
    def failing(period: str | None = None) -> None:
        raise RuntimeError("gagal sebelum tahap mana pun")

    received = channels["webhook"]
    received.clear()
    now = datetime.now(UTC).astimezone(ZoneInfo("Asia/Makassar"))
    assert failing(return_state=True).is_failed()
    expected_period = previous_period(now.year, now.month)
    assert [r["json"]["subject"] for r in received] == [
        f"[TKA] Flow gagal: tka-uji-tanpa-tahap periode {expected_period} tahap tidak diketahui"]


def test_failure_message_exact_and_masked() -> None:
    from datetime import UTC, datetime

    from tka.compliance.channels import failure_message

    subject, body = failure_message("monthly-ingest", "2025-08", "validate-rows", "Failed", "ValueError",
                                    "run E12345678", datetime(2025, 9, 1, 1, 30, tzinfo=UTC))
    assert subject == "[TKA] Flow gagal: monthly-ingest periode 2025-08 tahap validate-rows"
    assert body == ("[TKA] Flow gagal: monthly-ingest periode 2025-08 tahap validate-rows\n"
                    "Status: Failed\nJenis kesalahan: ValueError\nFlow run: run E12****78\n"
                    "Waktu: 2025-09-01 09:30 WITA\nPeriksa log Prefect untuk rinciannya.\n")


@pytest.mark.parametrize("dry_run_env", ["false", "true"])
def test_operator_alert_goes_out_even_in_a_dry_run(channels: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
                                                   dry_run_env: str) -> None:
    """Dry run is for the missing-report digest; a failed run is always the operators' business."""
    from types import SimpleNamespace

    from prefect.states import Failed

    from tasks.notify import operator_alert

    monkeypatch.setenv("TKA_ALERT_BLOCKS", "tka-webhook")
    monkeypatch.setenv("TKA_DRY_RUN_ALERTS", dry_run_env)
    received = channels["webhook"]
    received.clear()
    flow_run = SimpleNamespace(id=None, name="uji", parameters={"period": "2025-08", "dry_run_alerts": True})
    operator_alert(SimpleNamespace(name="monthly-ingest"), flow_run, Failed(message="boom"))
    assert [r["json"]["subject"] for r in received] == [
        "[TKA] Flow gagal: monthly-ingest periode 2025-08 tahap tidak diketahui"]
