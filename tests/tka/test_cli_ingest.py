"""`tka ingest --json` and `tka backfill` end to end: exactly one JSON object on stdout, no password anywhere in the
Prefect API, a per-month table that goes on or stops by flag, and owner-only warehouse files."""

from __future__ import annotations

import json
import stat
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tka.cli import app
from tka.sample import generate_drive

PERIOD = "2025-08"
PASSWORD = "rahasia-" + uuid.uuid4().hex[:8]
ENV = {"COLUMNS": "200"}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def drive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    generate_drive(PERIOD, "kukar", 3, root / "drive", root / "truth.json", size=0.2)
    return root / "drive"


def _prefect_text(flow_run_id: str) -> str:
    """Everything the Prefect API holds about one flow run: the run, its task runs, logs and artifacts."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId, LogFilter, LogFilterFlowRunId
    run_id = uuid.UUID(flow_run_id)
    with get_client(sync_client=True) as client:
        parts = [client.read_flow_run(run_id).model_dump_json()]
        by_run = FlowRunFilter(id=FlowRunFilterId(any_=[run_id]))
        parts += [t.model_dump_json() for t in client.read_task_runs(flow_run_filter=by_run)]
        parts += [a.model_dump_json() for a in client.read_artifacts(flow_run_filter=by_run)]
        for _ in range(30):  # logs reach the API in batches
            logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])))
            if len(logs) > 10:
                break
            time.sleep(0.5)
        parts += [entry.model_dump_json() for entry in logs]
    assert len(logs) > 10, "the run's logs must have reached the API"
    return "\n".join(parts)


def test_ingest_json_is_one_object_and_no_password_reaches_prefect(drive, warehouse_url, prefect_harness,
                                                                   monkeypatch):
    monkeypatch.delenv("TKA_WAREHOUSE_PASSWORD", raising=False)  # the command sets it for its process
    url = warehouse_url
    if url.startswith("postgresql"):  # trust authentication: any password connects, so it is a real run
        url = sa.make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["ingest", "--period", PERIOD, "--drive", str(drive), "--warehouse", url,
                                      "--dry-run-alerts", "--json"], env=ENV)
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1
    summary = json.loads(result.stdout)
    assert summary["period"] == PERIOD and summary["workers"] > 0
    text = _prefect_text(summary["flow_run_id"])
    assert PASSWORD not in text
    assert PASSWORD not in result.output
    if url.startswith("sqlite"):
        db = Path(sa.make_url(url).database)
        assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_a_password_in_a_flow_parameter_is_refused(drive, prefect_harness, tmp_path):
    from flows.monthly_ingest import monthly_ingest
    from tka.guards import GuardError

    with pytest.raises(GuardError) as info:
        monthly_ingest(period=PERIOD, drive_url=str(drive), dry_run_alerts=True,
                       warehouse_url=f"postgresql+psycopg://tka:{PASSWORD}@127.0.0.1/tka")
    assert str(info.value).startswith("URL gudang data postgresql+psycopg://tka:***@127.0.0.1/tka berisi kata "
                                      "sandi di parameter flow.")


def test_backfill_reports_each_month_and_goes_on_or_stops(drive, tmp_path, prefect_harness):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    cli = CliRunner()
    # 2025-07 is not on the drive: it fails in the pre-flight check; 2025-08 still loads.
    result = cli.invoke(app, ["backfill", "--from", "2025-07", "--to", PERIOD, "--drive", str(drive),
                              "--warehouse", url, "--dry-run-alerts"], env=ENV)
    assert result.exit_code == 1
    rows = {line.split()[1]: line for line in result.stdout.splitlines() if line.startswith("│ 2025-")}
    assert "GAGAL" in rows["2025-07"] and "Folder periode 2025-07 tidak ada di drive" in rows["2025-07"]
    assert "dimuat" in rows[PERIOD] and "uji coba (dicetak)" in rows[PERIOD]
    assert "1 bulan gagal: 2025-07." in result.output
    stopped = cli.invoke(app, ["backfill", "--from", "2025-07", "--to", PERIOD, "--drive", str(drive),
                               "--warehouse", url, "--dry-run-alerts", "--stop-on-error"], env=ENV)
    assert stopped.exit_code == 1
    rows = {line.split()[1]: line for line in stopped.stdout.splitlines() if line.startswith("│ 2025-")}
    assert "GAGAL" in rows["2025-07"] and "dilewati" in rows[PERIOD]
    assert "Traceback" not in result.output + stopped.output
