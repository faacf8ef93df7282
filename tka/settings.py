"""Run settings: command options, then the settings file (tka.toml), then TKA_* variables, then defaults."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PERIOD_RE = re.compile(r"^(20\d{2})-(0[1-9]|1[0-2])$")
SETTINGS_FILE_ENV = "TKA_SETTINGS_FILE"
SETTINGS_FILE_NAME = "tka.toml"


def settings_file() -> Path:
    """The settings file every command reads: $TKA_SETTINGS_FILE, else tka.toml in the working folder."""
    return Path(os.environ.get(SETTINGS_FILE_ENV) or SETTINGS_FILE_NAME)


class Settings(BaseSettings):
    """Where the pipeline reads and writes; a key of tka.toml, or TKA_<FIELD> in the environment."""

    model_config = SettingsConfigDict(env_prefix="TKA_", env_file=".env", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Options first, then the settings file (one place for every command), then the environment."""
        toml = TomlConfigSettingsSource(settings_cls, toml_file=settings_file())
        return init_settings, toml, env_settings, dotenv_settings, file_secret_settings

    drive_url: str = Field(default=str(PROJECT_ROOT / "data" / "drive"),
                           description="Shared drive: a path, file://, memory://, smb://host/share/path or s3://")
    warehouse_url: str = Field(default=f"sqlite:///{PROJECT_ROOT / 'data' / 'warehouse.db'}",
                               description="SQLAlchemy URL of the warehouse")
    config_dir: Path = Field(default=PROJECT_ROOT / "config", description="Folder with sources/policy YAML")
    expectations_dir: Path = Field(default=PROJECT_ROOT / "expectations", description="GX suites folder")
    cache_dir: Path | None = Field(default=None, description="Where parsed files are cached by content hash "
                                   "[default: .tka-cache beside a local drive]")
    artifact_dir: Path | None = Field(default=None, description="Where stage results (Parquet) are stored by "
                                      "content, so a retried run reuses them [default: <cache dir>/artifacts]; "
                                      "with Dask workers on other machines, a folder all of them see at this path")
    alert_blocks: Annotated[list[str], NoDecode] = Field(default_factory=list,
                                    description="Prefect notification block names; empty = use config/policy.yaml")
    dry_run_alerts: bool = Field(default=False, description="Print alerts instead of sending them")
    io_retries: int = Field(default=3, ge=0, le=50,
                            description="Retries of a stage after a transient drive or database error")
    io_retry_delay: float = Field(default=2.0, ge=0, description="Average seconds before the first of those "
                                  "retries; each later one waits twice as long (jittered, at most +50%)")
    feedback_workers: int = Field(default=1, ge=1, le=16,
                                  description="Processes writing the feedback workbooks. 1 writes them in the run's "
                                  "own process; each more is a fresh (spawned) process that imports the writer and "
                                  "is sent the rows of the files it writes")

    read_timeout_s: float = Field(default=120.0, gt=0, le=3600,
                                  description="Wall-time limit for reading one file; a file beyond it is "
                                  "quarantined as time_limit")
    read_memory_mb: int = Field(default=2048, ge=64, le=65536,
                                description="Memory a reader process may use for one file (MB, on top of its "
                                "start-up footprint); a file beyond it is quarantined as memory_limit")
    read_workers: int = Field(default=0, ge=0, le=32,
                              description="Read tasks at once in the run's process, one reader process each (0 = "
                              "min(CPUs, 4)); every file is read in one of them, isolated, with the limits above")
    read_chunk_files: int = Field(default=0, ge=0, le=1000,
                                  description="Files per read task (0: enough tasks to keep every reader busy, at "
                                  "most 16 files each)")
    dask_address: str | None = Field(default=None, description="Address of a running Dask scheduler (e.g. "
                                     "tcp://10.0.0.5:8786): the read tasks run on its workers (pip install "
                                     "'tka-pipeline[dask]'); unset: threads of the run's own process")
    missing_channels: Literal["fail", "warn"] = Field(
        default="fail", description="A configured alert channel that does not exist: fail the run before the "
        "load, or warn, print the digest and go on")
    warehouse_password_secret: str | None = Field(
        default=None, description="Name of a Prefect Secret block holding the warehouse password (else "
        "TKA_WAREHOUSE_PASSWORD)")
    lock_wait_seconds: float = Field(default=0, ge=0, description="How long a run waits for another run "
                                     "holding the warehouse before it gives up (0: give up at once)")
    log_dir: Path | None = Field(default=None, description="Where tka.log goes [default: <cache dir>/logs, "
                                 "else data/logs]")

    @field_validator("alert_blocks", mode="before")
    @classmethod
    def _split_blocks(cls, value: object) -> object:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value


def validate_period(period: str) -> str:
    """Return ``period`` if it is YYYY-MM, else raise ValueError with a message for the operator."""
    if not isinstance(period, str) or not PERIOD_RE.match(period):
        raise ValueError(f"Periode '{period}' tidak valid: gunakan format YYYY-MM, misalnya 2025-08.")
    return period


def previous_period(today_year: int, today_month: int) -> str:
    """The month before the given one, as YYYY-MM (the default period of the scheduled run)."""
    year, month = (today_year, today_month - 1) if today_month > 1 else (today_year - 1, 12)
    return f"{year:04d}-{month:02d}"
