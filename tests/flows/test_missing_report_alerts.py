"""Missing-report alerts end to end: the monthly flow on a generated kukar drive sends its digest to a real local
webhook server and a real local SMTP server, once per digest, and again only when the digest changes.

The expected digest is built here from the generator's ground truth (which companies must report, which sent
what, which were late or broken, which employers the registry lacks) and the display names in
config/reference.yaml, not from the pipeline's own status frame.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import yaml

from flows.monthly_ingest import monthly_ingest
from tests.receivers import (
    EMAIL_FROM,
    EMAIL_TO,
    WEBHOOK_PATH,
    SmtpReceiver,
    WebhookReceiver,
    email_text,
    save_alert_blocks,
)
from tka.sample import generate_drive
from tka.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow

PERIOD, NEXT = "2025-08", "2025-09"
# Seed 13: every agency row about an employer outside the registry names one company the truth can tell.
SEED = 13
WEBHOOK_BLOCK, EMAIL_BLOCK = "tka-flow-webhook", "tka-flow-email"
WITA = ZoneInfo("Asia/Makassar")
# (label, deadline line) of each period with policy.yaml's due day 10 and no grace days.
PERIOD_TEXT = {PERIOD: ("Agustus 2025", "10 September 2025 23:59 WITA"),
               NEXT: ("September 2025", "10 Oktober 2025 23:59 WITA")}
DEADLINE = {PERIOD: datetime(2025, 9, 10, 23, 59, 59, tzinfo=WITA),
            NEXT: datetime(2025, 10, 10, 23, 59, 59, tzinfo=WITA)}
EVIDENCE_KINDS = ("disnakertrans", "imigrasi", "kecamatan")
SOURCE_LABELS = {"disnakertrans": "Disnakertrans", "imigrasi": "Imigrasi", "kecamatan": "kecamatan"}
REFERENCE = yaml.safe_load((PROJECT_ROOT / "config" / "reference.yaml").read_text(encoding="utf-8"))
POLICY = yaml.safe_load((PROJECT_ROOT / "config" / "policy.yaml").read_text(encoding="utf-8"))


# --- The expected digest, from the ground truth ---------------------------------------------------------------


def _level(missed: int) -> int:
    return max((s["level"] for s in POLICY["escalation"] if missed >= s["consecutive_missed"]), default=0)


def _nib_of(path: str) -> str:
    return path.rsplit("/", 1)[1][:13]


@dataclass(frozen=True)
class Month:
    """What the truth predicts for one period: who must report and how each of them did."""

    period: str
    must: frozenset[str]
    received: frozenset[str]
    late: frozenset[str]
    rejected: frozenset[str]  # broken (quarantined) report or every row rejected
    missed: dict[str, int] = field(default_factory=dict)  # missing company -> consecutive missed months

    def __post_init__(self) -> None:
        parts = [self.received, self.late, self.rejected, frozenset(self.missed)]
        assert sum(map(len, parts)) == len(self.must) and frozenset().union(*parts) == self.must, \
            "the truth's statuses must split the companies that must report"


def first_month(truth: dict[str, Any]) -> Month:
    companies = truth["companies"]
    company_files = [f for f in truth["files"] if f["source_kind"] == "company"]
    rejected = {_nib_of(f["path"]) for f in company_files
                if f["quarantine"] or all(r["rejected"] for r in f["rows"])}
    return Month(
        period=truth["period"],
        must=frozenset(c["nib"] for c in companies if c["must_report"]),
        received=frozenset(c["nib"] for c in companies if c["must_report"] and c["sends_report"]
                           and not c["report_late"] and c["nib"] not in rejected),
        late=frozenset(c["nib"] for c in companies if c["must_report"] and c["sends_report"]
                       and c["report_late"] and c["nib"] not in rejected),
        rejected=frozenset(rejected),
        missed=dict.fromkeys(truth["expected"]["missing_companies"], 1),
    )


def employer_mentions(truth: dict[str, Any]) -> dict[str, tuple[list[str], int]]:
    """Employer outside the registry -> (source kinds, accepted rows) of the agency and kecamatan rows naming it.

    Imigrasi and kecamatan rows name a worker's first employer; Disnakertrans lists each employment on its own
    row, so a worker with several employers is attributable only when all of them are listed and accepted.
    """
    outsiders = {c["nib"]: c["name"] for c in truth["companies"] if not c["in_registry"]}
    persons = truth["persons"]
    kinds: dict[str, set[str]] = {}
    rows: Counter[str] = Counter()
    for f in truth["files"]:
        if f["source_kind"] not in EVIDENCE_KINDS or f["quarantine"]:
            continue
        listed = Counter(r["person_id"] for r in f["rows"])
        accepted = [r for r in f["rows"] if r["kind"] == "worker" and not r["rejected"]]
        per_person = Counter(r["person_id"] for r in accepted)
        for pid, count in per_person.items():
            nibs = persons[pid]["company_nibs"]
            if not set(nibs) & set(outsiders):
                continue
            if f["source_kind"] != "disnakertrans":
                named = [nibs[0]] * count
            elif len(nibs) == 1:
                named = nibs * count
            else:
                assert count == listed[pid] == len(nibs), f"truth cannot tell which employer {pid}'s row names"
                named = nibs
            for nib in named:
                if nib in outsiders:
                    kinds.setdefault(outsiders[nib], set()).add(f["source_kind"])
                    rows[outsiders[nib]] += 1
    assert sorted(kinds) == truth["expected"]["employers_not_in_registry"]
    return {name: (sorted(kinds[name]), rows[name]) for name in kinds}


def expected_digest(truth: dict[str, Any], month: Month) -> tuple[str, str]:
    """(subject, text) of the digest the flow must send for ``month``."""
    companies = {c["nib"]: c for c in truth["companies"]}
    label, deadline = PERIOD_TEXT[month.period]

    def place(nib: str) -> str:
        c = companies[nib]
        return (f"{c['name']} (NIB {nib}), {REFERENCE['kbli'][c['kbli']]}, "
                f"Kec. {REFERENCE['kecamatan'][c['kecamatan_code']]['name']}")

    missing = sorted(month.missed, key=lambda n: (-_level(month.missed[n]), -month.missed[n],
                                                  companies[n]["name"], n))
    missing_lines = []
    for nib in missing:
        line = f"{place(nib)}, {month.missed[nib]} bulan berturut-turut"
        if _level(month.missed[nib]):
            line += f", ESKALASI tingkat {_level(month.missed[nib])}"
        missing_lines.append(line)
    rejected_lines = [place(n) for n in sorted(month.rejected, key=lambda n: (companies[n]["name"], n))]
    # The generator never writes an outsider's NIB on an agency row (tka/sample/views.py), hence "NIB -".
    outsider_lines = [f"{name} (NIB -), disebut oleh {', '.join(SOURCE_LABELS[k] for k in kinds)} ({n} baris)"
                      for name, (kinds, n) in sorted(employer_mentions(truth).items())]

    lines = [f"Rekap laporan TKA perusahaan periode {label}", f"Batas waktu: {deadline}", "",
             f"Wajib lapor: {len(month.must)}", f"Diterima: {len(month.received)}", f"Terlambat: {len(month.late)}",
             f"Belum lapor: {len(month.missed)}", f"Ditolak semua: {len(month.rejected)}", "Menunggu batas waktu: 0"]
    for title, listed in (("Perusahaan belum lapor", missing_lines),
                          ("Laporan ditolak semua, perlu dikirim ulang", rejected_lines),
                          ("Pemberi kerja tidak ada di registri", outsider_lines)):
        if listed:
            lines += ["", f"{title} ({len(listed)}):", *(f"{i}. {text}" for i, text in enumerate(listed, 1))]
    subject = f"[TKA] Laporan perusahaan periode {label}: {len(month.missed)} belum lapor, {len(month.late)} terlambat"
    return subject, "\n".join(lines) + "\n"


# --- Drive edits ------------------------------------------------------------------------------------------------


def copy_period(drive: Path, source: str, target: str) -> None:
    """Copy a period's folder to another period, every file arriving the same time before its deadline."""
    shift = (DEADLINE[target] - DEADLINE[source]).total_seconds()
    for path in sorted((drive / source).rglob("*")):
        if path.is_file():
            copy = drive / target / path.relative_to(drive / source)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, copy)
            stamp = path.stat().st_mtime + shift
            os.utime(copy, (stamp, stamp))


def write_company_report(drive: Path, period: str, company: dict[str, Any], truth: dict[str, Any]) -> Path:
    """A company's own TKA list (xlsx, named "<NIB> <name>.xlsx"), sent five days before the deadline."""
    workers = sorted(pid for pid, p in truth["persons"].items()
                     if p["kind"] == "worker" and company["nib"] in p["company_nibs"])
    assert workers, f"{company['name']} employs nobody in the truth"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "TKA"
    sheet.append(["No", "Nama", "No. Paspor", "Kewarganegaraan", "Jabatan"])
    for number, pid in enumerate(workers, start=1):
        person = truth["persons"][pid]
        sheet.append([number, person["name"], person["passport_no"], person["nationality"], "Tenaga Ahli"])
    path = drive / period / "perusahaan" / f"{company['nib']} {company['name']}.xlsx"
    book.save(path)
    stamp = (DEADLINE[period] - timedelta(days=5)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


# --- Fixtures ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("kukar_alerts")
    generate_drive(PERIOD, "kukar", SEED, root / "drive", root / "truth.json")
    return root / "drive", json.loads((root / "truth.json").read_text(encoding="utf-8"))


@dataclass
class Receivers:
    webhook: WebhookReceiver
    smtp: SmtpReceiver


@pytest.fixture(scope="module")
def receivers(prefect_harness: None) -> Iterator[Receivers]:
    """A local webhook server and SMTP server, and Prefect blocks of this module's own names pointing at them."""
    with WebhookReceiver() as webhook, SmtpReceiver() as smtp:
        save_alert_blocks(webhook, smtp, WEBHOOK_BLOCK, EMAIL_BLOCK)
        yield Receivers(webhook, smtp)


@pytest.fixture
def drive(sample: tuple[Path, dict[str, Any]], tmp_path: Path) -> Path:
    """This test's own copy of the sample drive (the test adds periods and files to it)."""
    target = tmp_path / "drive"
    shutil.copytree(sample[0], target)
    return target


# --- Helpers ----------------------------------------------------------------------------------------------------


def run(period: str, drive: Path, warehouse_url: str, dry_run: bool = False, reprocess: bool = False,
        allow_shrink: bool = False) -> dict[str, Any]:
    return monthly_ingest(period=period, drive_url=str(drive), warehouse_url=warehouse_url, dry_run_alerts=dry_run,
                          reprocess=reprocess, allow_shrink=allow_shrink)


def ledger(warehouse_url: str, period: str) -> list[dict[str, Any]]:
    from tka.warehouse import alert_ledger_rows, make_engine

    engine = make_engine(warehouse_url)
    try:
        return alert_ledger_rows(engine, period).to_dict("records")
    finally:
        engine.dispose()


def take_messages(receivers: Receivers) -> tuple[list[dict[str, Any]], list[tuple[Any, Any, Any]]]:
    """What both receivers got since the last call: webhook posts, and e-mails as (envelope, headers, text)."""
    posts = list(receivers.webhook.received)
    # Python's generator folds a long Subject right after "Subject:"; its parser then keeps the continuation's
    # leading space, which mail readers drop (RFC 5322 unfolding), so compare without it.
    mails = [(envelope, (m["Subject"].strip(), m["From"], m["To"]), email_text(m))
             for envelope, m in zip(receivers.smtp.envelopes, receivers.smtp.messages, strict=True)]
    receivers.webhook.received.clear()
    receivers.smtp.clear()
    return posts, mails


def assert_one_digest_each(receivers: Receivers, subject: str, text: str) -> None:
    """Exactly one message per receiver, and it is exactly the expected digest."""
    posts, mails = take_messages(receivers)
    assert posts == [{"path": WEBHOOK_PATH, "content_type": "application/json",
                      "json": {"subject": subject, "text": text}}]
    assert mails == [((EMAIL_FROM, list(EMAIL_TO)), (subject, EMAIL_FROM, ", ".join(EMAIL_TO)),
                      text.replace("\n", "\r\n"))]


def assert_ledger_holds(entries: list[dict[str, Any]], period: str, month: Month) -> str:
    """One ledger row per channel for this digest, with counts and NIBs only; returns the digest hash."""
    assert sorted(e["channel"] for e in entries) == sorted([WEBHOOK_BLOCK, EMAIL_BLOCK])
    assert {e["period"] for e in entries} == {period}
    (digest_hash,) = {e["digest_hash"] for e in entries}
    for entry in entries:
        payload = json.loads(entry["payload"])
        assert payload["counts"] == {"wajib_lapor": len(month.must), "diterima": len(month.received),
                                     "terlambat": len(month.late), "belum_lapor": len(month.missed),
                                     "ditolak_semua": len(month.rejected), "menunggu": 0}
        assert {i["company_nib"] for i in payload["items"] if i["section"] == "missing"} == set(month.missed)
        assert all(set(i) <= {"section", "company_nib", "name", "kbli", "sector", "kecamatan_code", "kecamatan",
                              "in_registry", "consecutive_missed", "escalation_level", "sources", "rows"}
                   for i in payload["items"])  # companies only, never a worker
    return digest_hash


def dry_run_panels(output: str) -> dict[str, tuple[str, str]]:
    """Block name -> (title, text) of every digest ``send`` printed in a dry run (rich panels)."""
    panels: dict[str, tuple[str, str]] = {}
    lines = output.splitlines()
    for start, line in enumerate(lines):
        match = re.match(r"^╭─+ \[dry run\] (\S+): (.*?) ─+╮$", line)
        if not match:
            continue
        end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("╰"))
        body = [row[2:-2].rstrip() for row in lines[start + 1:end]]
        panels[match.group(1)] = (match.group(2), "\n".join(body).rstrip("\n") + "\n")
    return panels


# --- The scenario -----------------------------------------------------------------------------------------------


def test_digest_is_sent_once_per_change_to_webhook_and_email(
        sample: tuple[Path, dict[str, Any]], receivers: Receivers, drive: Path, warehouse_url: str,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    truth = sample[1]
    companies = {c["nib"]: c for c in truth["companies"]}
    monkeypatch.setenv("TKA_ALERT_BLOCKS", f"{WEBHOOK_BLOCK},{EMAIL_BLOCK}")
    monkeypatch.setenv("COLUMNS", "400")  # rich prints dry-run panels this wide, so digest lines stay whole
    take_messages(receivers)

    august = first_month(truth)
    assert len(august.missed) == len(truth["expected"]["missing_companies"]) > 1
    subject, text = expected_digest(truth, august)

    # 0. A dry run prints the digest for every channel, sends nothing and records nothing.
    capsys.readouterr()
    summary = run(PERIOD, drive, warehouse_url, dry_run=True)
    printed = dry_run_panels(capsys.readouterr().out)
    assert printed == {WEBHOOK_BLOCK: (subject, text), EMAIL_BLOCK: (subject, text)}
    assert summary["alerts_sent"] == [{"channel": WEBHOOK_BLOCK, "dry_run": True},
                                      {"channel": EMAIL_BLOCK, "dry_run": True}]
    assert take_messages(receivers) == ([], [])
    assert ledger(warehouse_url, PERIOD) == []

    # 1. The real run sends exactly the expected digest once through each channel and records it.
    summary = run(PERIOD, drive, warehouse_url)
    assert summary["missing_companies"] == sorted(august.missed)
    assert_one_digest_each(receivers, subject, text)
    august_ledger = ledger(warehouse_url, PERIOD)
    august_hash = assert_ledger_holds(august_ledger, PERIOD, august)

    # 2. Re-running the unchanged period sends nothing and leaves the ledger as it was: whether the run sees its
    #    inputs unchanged and stops early, or does all the work again (reprocess) and the ledger holds it back.
    for reprocess in (False, True):
        summary = run(PERIOD, drive, warehouse_url, reprocess=reprocess)
        assert summary["alerts_sent"] == []
        assert take_messages(receivers) == ([], [])
        assert ledger(warehouse_url, PERIOD) == august_ledger

    # 3. September: the same companies stay silent (their second month: escalation), and one company that
    #    reported in August does not report (its first month: listed after every escalated company).
    copy_period(drive, PERIOD, NEXT)
    dropped = min(august.received, key=lambda n: companies[n]["name"])
    assert companies[dropped]["name"] < max(companies[n]["name"] for n in august.missed), \
        "the dropped company must not sort last by name, so that only the escalation order puts it last"
    (report,) = [f["path"] for f in truth["files"] if f["source_kind"] == "company" and _nib_of(f["path"]) == dropped]
    (drive / NEXT / report.split("/", 1)[1]).unlink()
    september = replace(august, period=NEXT, received=august.received - {dropped},
                        missed={**dict.fromkeys(august.missed, 2), dropped: 1})
    assert {_level(2), _level(1)} == {1, 0}, "config/policy.yaml: level 1 at two missed months"
    subject, text = expected_digest(truth, september)
    assert text.count("ESKALASI tingkat 1") == len(august.missed)
    run(NEXT, drive, warehouse_url)
    assert_one_digest_each(receivers, subject, text)
    september_ledger = ledger(warehouse_url, NEXT)
    september_hash = assert_ledger_holds(september_ledger, NEXT, september)
    assert ledger(warehouse_url, PERIOD) == august_ledger
    assert september_hash != august_hash

    # 4. Something changed in September: an escalated company sends its report, the re-run sends the updated
    #    digest (that company is no longer listed), and the earlier digest stays in the ledger.
    reporter = min(august.missed, key=lambda n: companies[n]["name"])
    late_report = write_company_report(drive, NEXT, companies[reporter], truth)
    updated = replace(september, received=september.received | {reporter},
                      missed={n: k for n, k in september.missed.items() if n != reporter})
    subject, text = expected_digest(truth, updated)
    assert f"NIB {reporter}" not in text
    run(NEXT, drive, warehouse_url)
    assert_one_digest_each(receivers, subject, text)
    after = ledger(warehouse_url, NEXT)
    assert [e for e in after if e["digest_hash"] == september_hash] == september_ledger
    assert_ledger_holds([e for e in after if e["digest_hash"] != september_hash], NEXT, updated)

    # 5. The report was misfiled and is taken out again: September is back to the escalation digest, which the
    #    receivers last saw replaced by the updated one, so it is sent again (and its ledger rows get the new time).
    late_report.unlink()
    subject, text = expected_digest(truth, september)
    run(NEXT, drive, warehouse_url, allow_shrink=True)  # a month with less than it had needs the operator's word
    assert_one_digest_each(receivers, subject, text)
    final = ledger(warehouse_url, NEXT)
    assert [e["alert_key"] for e in final] == [e["alert_key"] for e in after]
    resent = [e for e in final if e["digest_hash"] == september_hash]
    assert [e["sent_at"] > old["sent_at"] for e, old in zip(resent, september_ledger, strict=True)] == [True, True]
    assert ledger(warehouse_url, PERIOD) == august_ledger
