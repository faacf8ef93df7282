"""`tka kanal`: alert channels created, listed and tested from the command line, against local receivers."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.receivers import EMAIL_FROM, EMAIL_TO, SmtpReceiver, WebhookReceiver, email_text
from tka.cli import app
from tka.cli_channels import TEST_BODY, TEST_SUBJECT

pytestmark = pytest.mark.slow
ENV = {"COLUMNS": "200"}


def test_a_webhook_channel_is_created_and_tested(prefect_harness, monkeypatch):
    cli = CliRunner()
    with WebhookReceiver() as hook:
        made = cli.invoke(app, ["kanal", "buat-webhook", "tka-uji-webhook", "--url", hook.url, "--timpa"], env=ENV)
        assert made.exit_code == 0, made.output
        assert "Kanal webhook tka-uji-webhook dibuat." in made.output
        again = cli.invoke(app, ["kanal", "buat-webhook", "tka-uji-webhook", "--url", hook.url], env=ENV)
        assert again.exit_code == 2
        assert "Gagal: Kanal tka-uji-webhook sudah ada. Tambahkan --timpa untuk menggantinya." in again.output
        tested = cli.invoke(app, ["kanal", "uji", "tka-uji-webhook"], env=ENV)
        assert tested.exit_code == 0, tested.output
        assert [r["json"] for r in hook.received] == [{"subject": TEST_SUBJECT, "text": TEST_BODY}]
    monkeypatch.setenv("TKA_ALERT_BLOCKS", "tka-uji-webhook,tka-belum-ada")
    listed = cli.invoke(app, ["kanal", "daftar"], env=ENV)
    assert listed.exit_code == 0, listed.output
    rows = {line.split()[1]: line for line in listed.output.splitlines() if line.startswith("│ tka-")}
    assert "ya" in rows["tka-uji-webhook"] and "BELUM ADA" in rows["tka-belum-ada"]
    bad = cli.invoke(app, ["kanal", "buat-webhook", "x", "--url", "ftp://h"], env=ENV)
    assert bad.exit_code == 2 and "harus diawali http:// atau https://" in bad.output


def test_an_email_channel_is_created_and_tested(prefect_harness):
    cli = CliRunner()
    with SmtpReceiver() as smtp:
        made = cli.invoke(app, ["kanal", "buat-email", "tka-uji-email", *[x for a in EMAIL_TO for x in ("--to", a)],
                                "--from", EMAIL_FROM, "--smtp-host", "127.0.0.1", "--smtp-port", str(smtp.port),
                                "--smtp-type", "insecure", "--timpa"], env=ENV)
        assert made.exit_code == 0, made.output
        tested = cli.invoke(app, ["kanal", "uji", "tka-uji-email"], env=ENV)
        assert tested.exit_code == 0, tested.output
        assert [m["Subject"] for m in smtp.messages] == [TEST_SUBJECT]
        assert email_text(smtp.messages[0]).replace("\r\n", "\n") == TEST_BODY
        assert smtp.envelopes == [(EMAIL_FROM, list(EMAIL_TO))]
    no_password = cli.invoke(app, ["kanal", "buat-email", "x", "--to", "a@b.id", "--from", "c@d.id",
                                   "--smtp-host", "h", "--username", "u"], env=ENV)
    assert no_password.exit_code == 2 and "atur TKA_SMTP_PASSWORD" in no_password.output


def test_testing_a_channel_that_does_not_exist_is_one_line(prefect_harness):
    result = CliRunner().invoke(app, ["kanal", "uji", "tka-tidak-ada"], env=ENV)
    assert result.exit_code == 2
    assert result.output.startswith("Gagal: Kanal tka-tidak-ada tidak dapat dipakai:")
