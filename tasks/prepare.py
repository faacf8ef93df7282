"""Start of a run: resolve the period and settings, load and check configuration, migrate the warehouse."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import get_run_logger, task
from prefect.runtime import flow_run

from tasks._common import IO_RETRIES, STAGE, warehouse
from tka.pipeline import RunConfig, RunContext
from tka.settings import Settings, previous_period, validate_period


@task(name="resolve-run", **STAGE)
def resolve_run(period: str | None, drive_url: str | None, warehouse_url: str | None,
                dry_run_alerts: bool | None, reprocess: bool, allow_shrink: bool = False) -> RunContext:
    """Fill the run's period and locations from parameters, then the settings file, environment, defaults."""
    from tka.credentials import has_password, masked, split_password
    from tka.guards import GuardError, parse_warehouse_url

    settings = Settings()
    if warehouse_url and has_password(warehouse_url):
        # A flow parameter is stored in the Prefect API for anyone who can read it.
        raise GuardError(f"URL gudang data {masked(warehouse_url)} berisi kata sandi di parameter flow. Hapus "
                         "kata sandi dari URL; berikan lewat TKA_WAREHOUSE_PASSWORD atau blok Secret Prefect "
                         "(warehouse_password_secret di tka.toml).")
    url = warehouse_url or settings.warehouse_url
    parse_warehouse_url(url)
    url, password = split_password(url)
    if password is not None and not os.environ.get("TKA_WAREHOUSE_PASSWORD"):
        raise GuardError(f"URL gudang data {masked(url)} di pengaturan berisi kata sandi. Pindahkan kata sandi ke "
                         "TKA_WAREHOUSE_PASSWORD atau blok Secret Prefect (warehouse_password_secret).")
    if period is None:
        now = datetime.now(ZoneInfo("Asia/Makassar"))
        period = previous_period(now.year, now.month)
    drive = drive_url or settings.drive_url
    cache = Path(drive).parent / ".tka-cache" if "://" not in drive else Path(".tka-cache")
    return RunContext(
        period=validate_period(period),
        run_id=str(flow_run.id or f"local-{datetime.now(UTC):%Y%m%dT%H%M%S}"),
        drive_url=drive,
        warehouse_url=url,
        config_dir=settings.config_dir,
        expectations_dir=settings.expectations_dir,
        cache_dir=settings.cache_dir or cache,
        dry_run_alerts=settings.dry_run_alerts if dry_run_alerts is None else dry_run_alerts,
        reprocess=reprocess,
        started_at=datetime.now(UTC),
        alert_blocks=tuple(settings.alert_blocks),
        allow_shrink=allow_shrink,
        warehouse_secret=settings.warehouse_password_secret,
        lock_wait_s=settings.lock_wait_seconds,
        artifact_dir=settings.artifact_dir,
    )


@task(name="load-config", **STAGE)
def load_run_config(run: RunContext) -> RunConfig:
    """Load source layouts and policies, and fingerprint them with the suites; a broken file fails the run here."""
    from tka.compliance import load_policy
    from tka.match import load_survivorship
    from tka.read import load_sources_config
    from tka.validate import ValidationConfig

    digest = hashlib.sha256()
    for folder in (run.config_dir, run.expectations_dir):
        for path in sorted(Path(folder).glob("*.*")):
            digest.update(path.name.encode() + path.read_bytes())
    config = RunConfig(
        sources=load_sources_config(run.config_dir / "sources.yaml"),
        validation=ValidationConfig.from_dir(run.config_dir),
        suites=None,  # load_rules, once the run knows it has work to do (importing GX takes seconds)
        policy=load_policy(run.config_dir / "policy.yaml"),
        survivorship=load_survivorship(run.config_dir / "survivorship.yaml"),
        fingerprint=digest.hexdigest(),
    )
    get_run_logger().info("Configuration loaded from %s", run.config_dir)
    return config


@task(name="load-rules", **STAGE)
def load_rules(run: RunContext, config: RunConfig) -> RunConfig:
    """Load the GX suites and check they cover every required field; a broken suite fails before any read."""
    from tka.validate import check_coverage, load_suites

    suites = load_suites(run.expectations_dir)
    check_coverage(suites, config.validation)
    get_run_logger().info("Data-quality rules loaded from %s", run.expectations_dir)
    return dataclasses.replace(config, suites=suites)


@task(name="migrate-warehouse", **STAGE, **IO_RETRIES)
def migrate_warehouse(run: RunContext) -> None:
    """Bring the warehouse schema up to date (Alembic) before anything is written."""
    from tka.warehouse import upgrade

    with warehouse(run) as engine:
        upgrade(engine)
