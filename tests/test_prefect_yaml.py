"""The deployments of prefect.yaml against a real Prefect server, a process worker and a PostgreSQL warehouse.

One module-wide setup, as an operator would do it on a server: ``prefect server start`` (temporary home and
SQLite database), ``prefect work-pool create``, ``prefect --no-prompt deploy --all`` from the repository root,
``prefect worker start`` in an unrelated folder, webhook and e-mail notification blocks pointing at local
receivers.

The fault is real: the warehouse database refuses connections (``ALTER DATABASE ... ALLOW_CONNECTIONS false``)
for the first run, which must fail at ``check-settings`` (before anything is written) after its I/O retries and
alert the operator. Then
the fault is removed and the same flow run is retried with ``prefect flow-run retry``; its warehouse must equal
that of a clean in-process run of the same period.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa

from .conftest import _create_database, _drop_database, _postgres_admin_url, _skip_without_postgres
from .receivers import WEBHOOK_PATH, SmtpReceiver, WebhookReceiver, email_text, save_alert_blocks

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PERIOD = "2025-08"
SEED = 11
POOL = "tka-process"
WEBHOOK_BLOCK, EMAIL_BLOCK = "tka-webhook", "tka-email"
DEPLOYMENTS = {"monthly-ingest/monthly-ingest", "reprocess/reprocess", "backfill/backfill"}
# The machine has 2 cores shared with other test runs: generous limits, well above the usual seconds.
SERVER_START_TIMEOUT = 180
CLI_TIMEOUT = 180
RUN_TIMEOUT = 300
T = TypeVar("T")


# --------------------------------------------------------------------------------------------------------
# Processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _prefect_command() -> list[str]:
    """The ``prefect`` CLI of the interpreter running the tests (the project's .venv)."""
    return [sys.executable, "-m", "prefect"]


class _Service:
    """A long-running CLI process in its own session (process group), logging to a file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], cwd: Path, log: Path) -> None:
        self.name, self.log = name, log
        self._file = log.open("wb")
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, lines: int = 60) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"----- last {lines} lines of the {self.name} log ({self.log}) -----\n" + \
            "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL to whatever is left after a grace period."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):  # children left in the group, or a stuck leader
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        self._file.close()


@contextlib.contextmanager
def _logs_on_failure(*services: _Service) -> Iterator[None]:
    """Print the tails of the service logs if the block fails (pytest shows them with the failure)."""
    try:
        yield
    except BaseException:
        for service in services:
            print(service.tail())
        raise


def _wait_for(what: str, check: Callable[[], T | None], timeout: float, interval: float = 1.0,
              services: tuple[_Service, ...] = ()) -> T:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        for service in services:
            if not service.alive():
                raise AssertionError(f"{service.name} exited (code {service.proc.returncode}) while waiting "
                                     f"for {what}\n{service.tail()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------------------
# Local receivers and databases


@pytest.fixture(scope="module")
def receivers() -> Iterator[tuple[WebhookReceiver, SmtpReceiver]]:
    """The operator's alert channels: a local webhook server and a local SMTP server."""
    with WebhookReceiver() as webhook, SmtpReceiver() as smtp:
        yield webhook, smtp


def _admin(sql: str) -> None:
    engine = sa.create_engine(_postgres_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(sql))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def warehouses() -> Iterator[dict[str, tuple[str, str]]]:
    """Two empty PostgreSQL warehouses: "deployed" (the worker's runs) and "clean" (the in-process reference)."""
    _skip_without_postgres()
    made: dict[str, tuple[str, str]] = {}
    try:
        for key in ("deployed", "clean"):
            made[key] = _create_database()
        yield made
    finally:
        for name, _ in made.values():
            _admin(f'alter database "{name}" allow_connections true')
            _drop_database(name)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A kukar sample drive, copied once per run so each run writes its own review folder and cache."""
    from tka.sample import generate_drive

    root = tmp_path_factory.mktemp("sample")
    truth_path = root / "truth.json"
    generate_drive(PERIOD, "kukar", SEED, root / "generated" / "drive", truth_path)
    drives = {}
    for key in ("deployed", "clean"):  # copy2 keeps modification times, which the file ledger records
        drives[key] = root / key / "drive"
        shutil.copytree(root / "generated" / "drive", drives[key])
    return {"drives": drives, "truth": json.loads(truth_path.read_text())}


# --------------------------------------------------------------------------------------------------------
# Prefect server, deployments and worker


@pytest.fixture(scope="module")
def prefect_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Environment for every Prefect process: a fresh PREFECT_HOME, its own SQLite database, a free port."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TKA_"))}
    env = {
        **base,
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_CLI_WRAP_LINES": "false",
        "PYTHONUNBUFFERED": "1",
    }
    return {"env": env, "home": home, "port": port, "api_url": api_url}


def _cli(prefect_env: dict[str, Any], *args: str, check: bool = True,
         cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*_prefect_command(), *args], env=prefect_env["env"], cwd=cwd, capture_output=True,
                            text=True, timeout=CLI_TIMEOUT, stdin=subprocess.DEVNULL, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"prefect {' '.join(args)} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def server(prefect_env: dict[str, Any]) -> Iterator[_Service]:
    """``prefect server start`` on 127.0.0.1 (without the scheduler service), healthy before the tests use it."""
    service = _Service("server", [*_prefect_command(), "server", "start", "--host", "127.0.0.1",
                                  "--port", str(prefect_env["port"]), "--no-ui", "--analytics-off",
                                  # No runs from the monthly cron: they could come due while the tests run.
                                  "--no-scheduler"],
                       prefect_env["env"], prefect_env["home"], prefect_env["home"] / "server.log")
    try:
        def healthy() -> bool:
            try:
                return httpx.get(f"{prefect_env['api_url']}/health", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_for("the Prefect server's /api/health", healthy, SERVER_START_TIMEOUT, services=(service,))
        yield service
    finally:
        service.stop()


@contextlib.contextmanager
def _api(prefect_env: dict[str, Any]) -> Iterator[Any]:
    """A synchronous Prefect client of the test server (in this process)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (temporary_settings(updates={PREFECT_API_URL: prefect_env["api_url"]}),
          get_client(sync_client=True) as client):
        yield client


@pytest.fixture(scope="module")
def deployed(prefect_env: dict[str, Any], server: _Service) -> dict[str, str]:
    """The process pool and every deployment of prefect.yaml, registered from the repository root."""
    with _logs_on_failure(server):
        _cli(prefect_env, "work-pool", "create", POOL, "--type", "process")
        # No prompt may be needed: stdin is closed and --no-prompt makes any prompt an error.
        result = _cli(prefect_env, "--no-prompt", "deploy", "--all")
    return {"stdout": result.stdout, "stderr": result.stderr}


@pytest.fixture(scope="module")
def alert_blocks(prefect_env: dict[str, Any], server: _Service,
                 receivers: tuple[WebhookReceiver, SmtpReceiver]) -> str:
    """Blocks tka-webhook and tka-email pointing at the local receivers, as TKA_ALERT_BLOCKS names them."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_env["api_url"]}):
        save_alert_blocks(*receivers, webhook_block=WEBHOOK_BLOCK, email_block=EMAIL_BLOCK)
    return f"{WEBHOOK_BLOCK},{EMAIL_BLOCK}"


@pytest.fixture(scope="module")
def worker(prefect_env: dict[str, Any], server: _Service, deployed: dict[str, str], alert_blocks: str,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Service]:
    """``prefect worker start --pool tka-process`` from a folder outside the checkout, without TKA_PROJECT_DIR.

    Alerts go to both blocks; I/O retries are cut to one short retry so the failing run ends quickly.
    """
    cwd = tmp_path_factory.mktemp("worker-cwd")
    env = {**prefect_env["env"], "TKA_ALERT_BLOCKS": alert_blocks, "TKA_IO_RETRIES": "1",
           "TKA_IO_RETRY_DELAY": "0.5", "PREFECT_WORKER_QUERY_SECONDS": "2"}
    service = _Service("worker", [*_prefect_command(), "worker", "start", "--pool", POOL, "--name", "tka-test"],
                       env, cwd, prefect_env["home"] / "worker.log")
    try:
        with _logs_on_failure(server, service):
            def online() -> bool:
                with _api(prefect_env) as client:
                    return any(w.name == "tka-test" for w in client.read_workers_for_work_pool(POOL))

            _wait_for("the worker to register with the pool", online, 120, services=(service, server))
        yield service
    finally:
        service.stop()


def _flow_run(prefect_env: dict[str, Any], flow_run_id: str) -> Any:
    with _api(prefect_env) as client:
        return client.read_flow_run(flow_run_id)


def _wait_for_final_state(prefect_env: dict[str, Any], flow_run_id: str, services: tuple[_Service, ...]) -> Any:
    def final() -> Any:
        run = _flow_run(prefect_env, flow_run_id)
        return run if run.state and run.state.is_final() else None

    return _wait_for(f"flow run {flow_run_id} to finish", final, RUN_TIMEOUT, interval=2, services=services)


# --------------------------------------------------------------------------------------------------------
# Tests


def test_deploy_registers_every_deployment_of_prefect_yaml(prefect_env: dict[str, Any], server: _Service,
                                                           deployed: dict[str, str]) -> None:
    with _logs_on_failure(server), _api(prefect_env) as client:
        deployments = client.read_deployments()
        flows = {f.id: f.name for f in client.read_flows()}
    by_name = {f"{flows[d.flow_id]}/{d.name}": d for d in deployments}
    assert set(by_name) == DEPLOYMENTS, deployed["stdout"]
    for deployment in by_name.values():
        assert deployment.work_pool_name == POOL
        assert deployment.pull_steps == [
            {"flows.pull_steps.set_project_directory": {"directory": "{{ $TKA_PROJECT_DIR }}"}}]
        assert deployment.enforce_parameter_schema
        assert deployment.global_concurrency_limit.limit == 1
        assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
    monthly = by_name["monthly-ingest/monthly-ingest"]
    assert [(s.schedule.cron, s.schedule.timezone, s.active) for s in monthly.schedules] == [
        ("0 7 12 * *", "Asia/Makassar", True)]
    assert monthly.entrypoint == "flows/monthly_ingest.py:monthly_ingest"
    assert by_name["backfill/backfill"].entrypoint == "flows/backfill.py:backfill"
    assert by_name["reprocess/reprocess"].entrypoint == "flows/backfill.py:reprocess"
    assert set(by_name["backfill/backfill"].parameter_openapi_schema["required"]) == {"start", "end"}


def test_malformed_period_is_rejected_when_the_run_is_created(prefect_env: dict[str, Any], server: _Service,
                                                              deployed: dict[str, str]) -> None:
    with _logs_on_failure(server):
        result = _cli(prefect_env, "--no-prompt", "deployment", "run", "monthly-ingest/monthly-ingest",
                      "--params", json.dumps({"period": "2025-13"}), check=False)
        assert result.returncode != 0
        output = " ".join((result.stdout + result.stderr).split())
        assert "Validation failed for field 'period'" in output
        assert "'2025-13' does not match" in output
        with _api(prefect_env) as client:
            assert client.read_flow_runs() == []  # nothing was created


def test_failed_run_alerts_the_operator_and_its_retry_loads_the_clean_warehouse(
        prefect_env: dict[str, Any], server: _Service, worker: _Service,
        receivers: tuple[WebhookReceiver, SmtpReceiver],
        warehouses: dict[str, tuple[str, str]], sample: dict[str, Any]) -> None:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.monthly_ingest import monthly_ingest
    from tka.warehouse import make_engine, period_snapshot

    db_name, warehouse_url = warehouses["deployed"]
    webhook, smtp = receivers
    received = webhook.received
    received.clear()
    smtp.clear()
    with _logs_on_failure(server, worker):
        # The fault: the warehouse database refuses every connection.
        _admin(f'alter database "{db_name}" allow_connections false')
        params = {"period": PERIOD, "drive_url": str(sample["drives"]["deployed"]),
                  "warehouse_url": warehouse_url, "dry_run_alerts": True}
        created = _cli(prefect_env, "--no-prompt", "deployment", "run", "monthly-ingest/monthly-ingest",
                       "--params", json.dumps(params))
        match = re.search(r"UUID: ([0-9a-f-]{36})", created.stdout)
        assert match, created.stdout
        flow_run_id = match.group(1)

        failed = _wait_for_final_state(prefect_env, flow_run_id, (server, worker))
        assert failed.state.is_failed(), failed.state

        # The stage that failed, after its one I/O retry (TKA_IO_RETRIES=1 on the worker).
        def failed_stage() -> Any:
            with _api(prefect_env) as client:
                runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[failed.id])))
            bad = [r for r in runs if r.state and r.state.is_failed()]
            return bad or None

        bad = _wait_for("the failed task run", failed_stage, 30)
        assert [(r.name.rsplit("-", 1)[0], r.run_count) for r in bad] == [("check-settings", 2)]

        # The operator alert: flow, period and stage; no personal data.
        _wait_for("the operator alert at the webhook", lambda: list(received), 30)
        subject = f"[TKA] Flow gagal: monthly-ingest periode {PERIOD} tahap check-settings"
        assert [r["json"]["subject"] for r in received] == [subject]
        assert received[0]["path"] == WEBHOOK_PATH
        body = received[0]["json"]["text"]
        lines = body.splitlines()
        assert lines[:3] == [subject, "Status: Failed", "Jenis kesalahan: WarehouseUnreachableError"], body
        assert f"Flow run: {failed.name}" in lines
        persons = sample["truth"]["persons"].values()
        leaked = [v for p in persons for v in (p["name"], p["passport_no"]) if v and v.lower() in body.lower()]
        assert leaked == [], body
        assert db_name not in body and "127.0.0.1" not in body
        _wait_for("the operator alert by e-mail", lambda: list(smtp.messages), 30)
        # A long Subject is folded right after "Subject:", and the parser keeps the leading space.
        assert [m["Subject"].strip() for m in smtp.messages] == [subject]
        assert email_text(smtp.messages[0]).replace("\r\n", "\n") == body

        # Remove the fault and retry the same flow run, as an operator would.
        _admin(f'alter database "{db_name}" allow_connections true')
        retried = _cli(prefect_env, "--no-prompt", "flow-run", "retry", flow_run_id)
        assert "scheduled for retry" in " ".join(retried.stdout.split()), retried.stdout
        done = _wait_for_final_state(prefect_env, flow_run_id, (server, worker))
        assert done.state.is_completed(), done.state
        assert done.id == failed.id and done.run_count > failed.run_count
        # No alert for the successful retry; the missing-report digests were dry runs.
        assert (len(received), len(smtp.messages)) == (1, 1)

    # The reference: the same period run in-process into a second, fresh warehouse.
    _, clean_url = warehouses["clean"]
    with temporary_settings(updates={PREFECT_API_URL: prefect_env["api_url"]}):
        summary = monthly_ingest(period=PERIOD, drive_url=str(sample["drives"]["clean"]),
                                 warehouse_url=clean_url, dry_run_alerts=True)
    assert summary["workers"] == sample["truth"]["expected"]["workers"]

    snapshots = {}
    for key, url in (("deployed", warehouse_url), ("clean", clean_url)):
        engine = make_engine(url)
        try:
            snapshots[key] = period_snapshot(engine, PERIOD)
        finally:
            engine.dispose()
    assert snapshots["deployed"]["worker_month"], "the retried run loaded nothing"
    for table in snapshots["clean"]:
        assert snapshots["deployed"][table] == snapshots["clean"][table], table
