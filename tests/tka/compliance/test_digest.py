"""The Indonesian digest, idempotent alert planning and the status views."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd
from rich.console import Console

from tka.compliance.digest import alert_key, build_digest, plan_alerts, render_table, status_markdown
from tka.compliance.policy import Policy
from tka.compliance.status import STATUS_COLUMNS

POLICY = Policy(due_day=10)


def _company(nib: str, name: str, status: str, *, kbli: str | None = None, kec: str | None = None,
             missed: int = 0, level: int = 0, must: bool = True, in_registry: bool = True) -> dict[str, Any]:
    return {"period": "2025-08", "company_nib": nib, "in_registry": in_registry, "must_report": must,
            "status": status, "files": 0, "rows": 0, "rows_accepted": 0, "consecutive_missed": missed,
            "escalation_level": level, "name": name, "kbli": kbli, "kecamatan_code": kec}


def _status_frame(*companies: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(companies), columns=list(STATUS_COLUMNS))


STATUS = _status_frame(
    _company("1111111111111", "PT ALPHA TAMBANG", "received", kbli="05100", kec="64.02.12"),
    _company("2222222222222", "PT BETA SAWIT", "missing", kbli="01262", kec="64.02.11", missed=1),
    _company("3333333333333", "PT CAHAYA", "missing", kbli="09900", kec="64.02.19", missed=3, level=2),
    _company("4444444444444", "PT DELTA", "late", kbli="06100", kec="64.02.14"),
    _company("5555555555555", "CV ELANG", "received_all_rejected"),
    _company("6666666666666", "PT FOXTROT", "missing", kec="64.02.05", missed=1, in_registry=False),
    _company("7777777777777", "PT GOLF", "not_required", kbli="41011", kec="64.02.06", must=False),
)
NOT_IN_REGISTRY = pd.DataFrame([
    {"company_nib": "6666666666666", "company_name": "PT FOXTROT", "source_kinds": "disnakertrans", "rows": 1},
    {"company_nib": None, "company_name": "PT INDIA", "source_kinds": "imigrasi;kecamatan", "rows": 2},
])

EXPECTED_TEXT = """\
Rekap laporan TKA perusahaan periode Agustus 2025
Batas waktu: 10 September 2025 23:59 WITA

Wajib lapor: 6
Diterima: 1
Terlambat: 1
Belum lapor: 3
Ditolak semua: 1
Menunggu batas waktu: 0

Perusahaan belum lapor (3):
1. PT CAHAYA (NIB 3333333333333), Aktivitas Penunjang Pertambangan dan Penggalian Lainnya, Kec. Kota Bangun \
Darat, 3 bulan berturut-turut, ESKALASI tingkat 2
2. PT BETA SAWIT (NIB 2222222222222), Perkebunan Buah Kelapa Sawit, Kec. Muara Kaman, 1 bulan berturut-turut
3. PT FOXTROT (NIB 6666666666666), sektor tidak diketahui, Kec. Muara Badak, tidak ada di registri, 1 bulan \
berturut-turut

Laporan ditolak semua, perlu dikirim ulang (1):
1. CV ELANG (NIB 5555555555555), sektor tidak diketahui, kecamatan tidak diketahui

Pemberi kerja tidak ada di registri (2):
1. PT FOXTROT (NIB 6666666666666), disebut oleh Disnakertrans (1 baris)
2. PT INDIA (NIB -), disebut oleh Imigrasi, kecamatan (2 baris)
"""


def test_digest_exact_text() -> None:
    digest = build_digest(STATUS, "2025-08", NOT_IN_REGISTRY, POLICY)
    assert digest.subject == "[TKA] Laporan perusahaan periode Agustus 2025: 3 belum lapor, 1 terlambat"
    assert digest.text == EXPECTED_TEXT
    assert dict(digest.counts) == {"wajib_lapor": 6, "diterima": 1, "terlambat": 1, "belum_lapor": 3,
                                   "ditolak_semua": 1, "menunggu": 0}
    assert [(i["section"], i["name"]) for i in digest.items] == [
        ("missing", "PT CAHAYA"), ("missing", "PT BETA SAWIT"), ("missing", "PT FOXTROT"),
        ("all_rejected", "CV ELANG"), ("not_in_registry", "PT FOXTROT"), ("not_in_registry", "PT INDIA")]
    assert digest.max_escalation == 2


def test_digest_markdown_has_count_table_and_sections() -> None:
    markdown = build_digest(STATUS, "2025-08", NOT_IN_REGISTRY, POLICY).markdown
    assert markdown.startswith("## Rekap laporan TKA perusahaan periode Agustus 2025\n\n"
                               "Batas waktu: 10 September 2025 23:59 WITA\n\n"
                               "| Keterangan | Jumlah |\n|---|---:|\n| Wajib lapor | 6 |\n")
    assert "\n### Perusahaan belum lapor (3)\n\n1. PT CAHAYA (NIB 3333333333333)," in markdown
    assert markdown.endswith("### Pemberi kerja tidak ada di registri (2)\n\n"
                             "1. PT FOXTROT (NIB 6666666666666), disebut oleh Disnakertrans (1 baris)\n"
                             "2. PT INDIA (NIB -), disebut oleh Imigrasi, kecamatan (2 baris)\n")


def test_digest_hash_depends_on_content_only() -> None:
    first = build_digest(STATUS, "2025-08", NOT_IN_REGISTRY, POLICY)
    shuffled = STATUS.sample(frac=1, random_state=3).reset_index(drop=True)
    assert build_digest(shuffled, "2025-08", NOT_IN_REGISTRY, POLICY).digest_hash == first.digest_hash
    escalated = STATUS.copy()
    escalated.loc[escalated["company_nib"].eq("2222222222222"), ["consecutive_missed", "escalation_level"]] = [2, 1]
    assert build_digest(escalated, "2025-08", NOT_IN_REGISTRY, POLICY).digest_hash != first.digest_hash


def test_empty_period_digest() -> None:
    digest = build_digest(_status_frame(), "2025-12", NOT_IN_REGISTRY.iloc[0:0], POLICY)
    assert digest.text == ("Rekap laporan TKA perusahaan periode Desember 2025\n"
                           "Batas waktu: 10 Januari 2026 23:59 WITA\n\nWajib lapor: 0\nDiterima: 0\nTerlambat: 0\n"
                           "Belum lapor: 0\nDitolak semua: 0\nMenunggu batas waktu: 0\n")
    assert digest.items == ()


def _ledger(period: str, channel: str, digest_hash: str, sent_at: Any = "2025-09-11T01:00:00+00:00") -> dict[str, Any]:
    return {"alert_key": alert_key(period, channel, digest_hash), "period": period, "channel": channel,
            "digest_hash": digest_hash, "sent_at": sent_at, "payload": "{}"}


def test_plan_alerts_first_time_sends_to_every_channel() -> None:
    digest = build_digest(STATUS, "2025-08", NOT_IN_REGISTRY, POLICY)
    alerts = plan_alerts(digest, ["tka-webhook", "tka-email", "tka-webhook"], [], "2025-08")
    assert [(a.channel, a.alert_key) for a in alerts] == [
        ("tka-webhook", hashlib.sha256(f"2025-08|tka-webhook|{digest.digest_hash}".encode()).hexdigest()[:32]),
        ("tka-email", hashlib.sha256(f"2025-08|tka-email|{digest.digest_hash}".encode()).hexdigest()[:32]),
    ]
    assert (alerts[0].subject, alerts[0].body, alerts[0].digest_hash) == (digest.subject, digest.text,
                                                                          digest.digest_hash)
    payload = json.dumps(alerts[0].payload, ensure_ascii=False)
    assert json.loads(payload)["counts"]["belum_lapor"] == 3


def test_plan_alerts_same_digest_sends_nothing() -> None:
    digest = build_digest(STATUS, "2025-08", NOT_IN_REGISTRY, POLICY)
    ledger = [_ledger("2025-08", "tka-webhook", digest.digest_hash), _ledger("2025-08", "tka-email", digest.digest_hash)]
    assert plan_alerts(digest, ["tka-webhook", "tka-email"], ledger, "2025-08") == []


def test_plan_alerts_only_the_channel_that_missed_it() -> None:
    digest = build_digest(STATUS, "2025-08", NOT_IN_REGISTRY, POLICY)
    ledger = [_ledger("2025-08", "tka-webhook", digest.digest_hash),
              _ledger("2025-07", "tka-email", digest.digest_hash)]  # another period does not count
    assert [a.channel for a in plan_alerts(digest, ["tka-webhook", "tka-email"], ledger, "2025-08")] == ["tka-email"]


def test_plan_alerts_changed_or_escalated_digest_sends_again() -> None:
    old = build_digest(STATUS, "2025-08", NOT_IN_REGISTRY, POLICY)
    ledger = [_ledger("2025-08", "tka-webhook", old.digest_hash)]
    reported = STATUS.copy()
    reported.loc[reported["company_nib"].eq("2222222222222"), ["status", "consecutive_missed"]] = ["late", 0]
    changed = build_digest(reported, "2025-08", NOT_IN_REGISTRY, POLICY)
    escalated_frame = STATUS.copy()
    escalated_frame.loc[escalated_frame["company_nib"].eq("6666666666666"), "escalation_level"] = 1
    escalated = build_digest(escalated_frame, "2025-08", NOT_IN_REGISTRY, POLICY)
    for digest in (changed, escalated):
        alerts = plan_alerts(digest, ["tka-webhook"], ledger, "2025-08")
        assert [(a.channel, a.digest_hash) for a in alerts] == [("tka-webhook", digest.digest_hash)]
    assert escalated.max_escalation == 2 and "ESKALASI tingkat 1" in escalated.text



def test_plan_alerts_resends_an_earlier_digest_that_a_later_one_replaced() -> None:
    from datetime import datetime

    first = build_digest(STATUS, "2025-08", NOT_IN_REGISTRY, POLICY)
    reported = STATUS.copy()
    reported.loc[reported["company_nib"].eq("2222222222222"), ["status", "consecutive_missed"]] = ["received", 0]
    second = build_digest(reported, "2025-08", NOT_IN_REGISTRY, POLICY)
    # Naive times (as SQLite returns them) are UTC.
    ledger = [_ledger("2025-08", "tka-webhook", first.digest_hash, datetime(2025, 9, 11, 1)),
              _ledger("2025-08", "tka-webhook", second.digest_hash, datetime(2025, 9, 12, 1)),
              _ledger("2025-08", "tka-email", first.digest_hash, datetime(2025, 9, 11, 1))]
    # The report turned out to be misfiled and was taken out again: the period is back to the first digest, which
    # the webhook's readers last saw replaced by the second one.
    alerts = plan_alerts(first, ["tka-webhook", "tka-email"], ledger, "2025-08")
    assert [(a.channel, a.alert_key) for a in alerts] == [
        ("tka-webhook", alert_key("2025-08", "tka-webhook", first.digest_hash))]
    assert [a.channel for a in plan_alerts(second, ["tka-webhook", "tka-email"], ledger, "2025-08")] == ["tka-email"]
    # Recording the re-sent digest overwrites its ledger row with the later time: nothing more to send.
    ledger[0] = _ledger("2025-08", "tka-webhook", first.digest_hash, "2025-09-13T09:00:00+08:00")
    assert plan_alerts(first, ["tka-webhook", "tka-email"], ledger, "2025-08") == []


def test_last_sent_per_channel_of_the_period_only() -> None:
    from tka.compliance.digest import last_sent

    ledger = [_ledger("2025-08", "a", "h1", "2025-09-11T01:00:00+00:00"),
              _ledger("2025-08", "a", "h2", "2025-09-11T08:30:00+08:00"),  # 00:30 UTC: earlier than h1
              _ledger("2025-08", "b", "h3", None),
              _ledger("2025-09", "a", "h4", "2025-10-11T01:00:00+00:00")]
    assert last_sent(ledger, "2025-08") == {"a": "h1", "b": "h3"}
    assert last_sent([], "2025-08") == {}

def test_render_table_and_markdown() -> None:
    frame = STATUS.iloc[[0, 2]]
    console = Console(width=160, record=True, color_system=None)
    console.print(render_table(frame))
    lines = [line.split("│")[1:-1] for line in console.export_text().splitlines() if line.startswith("│")]
    assert [[c.strip() for c in line] for line in lines] == [
        ["1111111111111", "PT ALPHA TAMBANG", "Tabang", "diterima", "0", "0", "0", "0", "0"],
        ["3333333333333", "PT CAHAYA", "Kota Bangun Darat", "belum lapor", "0", "0", "0", "3", "2"],
    ]
    assert status_markdown(frame) == (
        "| NIB | Perusahaan | Kecamatan | Status | Berkas | Baris | Diterima | Bulan terlewat | Eskalasi |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        "| 1111111111111 | PT ALPHA TAMBANG | Tabang | diterima | 0 | 0 | 0 | 0 | 0 |\n"
        "| 3333333333333 | PT CAHAYA | Kota Bangun Darat | belum lapor | 0 | 0 | 0 | 3 | 2 |\n"
    )


def test_compliance_markdown_artifact() -> None:
    from tka.compliance import compliance_markdown

    assert compliance_markdown(STATUS.iloc[[2]], "2025-08") == (
        "## Status laporan perusahaan periode Agustus 2025\n\n"
        "Wajib lapor: 1, Diterima: 0, Terlambat: 0, Belum lapor: 1, Ditolak semua: 0, Menunggu batas waktu: 0\n\n"
        "| NIB | Perusahaan | Kecamatan | Status | Berkas | Baris | Diterima | Bulan terlewat | Eskalasi |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        "| 3333333333333 | PT CAHAYA | Kota Bangun Darat | belum lapor | 0 | 0 | 0 | 3 | 2 |\n"
    )
