"""The alert step (tasks/compliance.py): policy.yaml's dry_run prints the digest and sends or records nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from tka.compliance import Policy, build_digest
from tka.compliance.status import NOT_IN_REGISTRY_COLUMNS, STATUS_COLUMNS
from tka.pipeline import Compliance, RunConfig, RunContext
from tka.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow
CHANNEL = "tka-no-such-block"  # sending for real would fail: no block of that name exists


def _run(tmp_path: Path, dry_run_alerts: bool) -> RunContext:
    return RunContext(period="2025-08", run_id="run-1", drive_url=str(tmp_path / "drive"),
                      warehouse_url=f"sqlite:///{tmp_path / 'warehouse.db'}", config_dir=PROJECT_ROOT / "config",
                      expectations_dir=PROJECT_ROOT / "expectations", cache_dir=tmp_path / "cache",
                      dry_run_alerts=dry_run_alerts, reprocess=False, started_at=datetime.now(UTC),
                      alert_blocks=(CHANNEL,))


def _compliance(policy: Policy) -> Compliance:
    status = pd.DataFrame([{"period": "2025-08", "company_nib": "2222222222222", "in_registry": True,
                            "must_report": True, "status": "missing", "files": 0, "rows": 0, "rows_accepted": 0,
                            "consecutive_missed": 1, "escalation_level": 0, "name": "PT BETA SAWIT",
                            "kbli": "01262", "kecamatan_code": "64.02.11"}], columns=list(STATUS_COLUMNS))
    outsiders = pd.DataFrame(columns=list(NOT_IN_REGISTRY_COLUMNS))
    return Compliance(company_period=status, companies=status, not_in_registry=outsiders,
                      digest=build_digest(status, "2025-08", outsiders, policy))


def test_policy_dry_run_prints_and_neither_sends_nor_records(prefect_api: None, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    from prefect import flow

    from tasks.compliance import send_missing_report_alerts
    from tka.warehouse import alert_ledger_rows, make_engine, upgrade

    monkeypatch.setenv("COLUMNS", "200")
    policy = Policy(dry_run=True, channels=("tka-webhook",))
    run = _run(tmp_path, dry_run_alerts=False)
    config = RunConfig(sources=None, validation=None, suites=None, policy=policy, survivorship=None, fingerprint="")
    compliance = _compliance(policy)
    engine = make_engine(run.warehouse_url)
    upgrade(engine)

    @flow(name="tka-uji-dry-run-kebijakan")
    def alert_step() -> list[dict]:
        return send_missing_report_alerts(run, config, compliance)

    capsys.readouterr()
    assert alert_step() == [{"channel": CHANNEL, "dry_run": True}]
    output = capsys.readouterr().out
    assert f"[dry run] {CHANNEL}: {compliance.digest.subject}" in output
    assert "1. PT BETA SAWIT (NIB 2222222222222), Perkebunan Buah Kelapa Sawit, Kec. Muara Kaman" in output
    assert alert_ledger_rows(engine, "2025-08").empty
    engine.dispose()
