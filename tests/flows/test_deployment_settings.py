"""Fast checks of what the deployments rely on: the pull step of prefect.yaml and the I/O retry settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from flows.pull_steps import INSTALLED_PROJECT_DIR, set_project_directory
from tasks._common import io_retries
from tka.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def restore_cwd():
    before = Path.cwd()
    yield
    os.chdir(before)


def test_prefect_yaml_pulls_through_the_project_step():
    config = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    assert config["pull"] == [{"flows.pull_steps.set_project_directory": {"directory": "{{ $TKA_PROJECT_DIR }}"}}]
    assert {d["name"] for d in config["deployments"]} == {"monthly-ingest", "reprocess", "backfill"}


def test_pull_step_defaults_to_the_installed_checkout(tmp_path, restore_cwd):
    os.chdir(tmp_path)
    # Prefect passes "" for an unset $TKA_PROJECT_DIR.
    assert set_project_directory("") == {"directory": str(INSTALLED_PROJECT_DIR)}
    assert Path.cwd() == INSTALLED_PROJECT_DIR == ROOT


def test_pull_step_uses_tka_project_dir(tmp_path, restore_cwd):
    other = tmp_path / "checkout"
    (other / "flows").mkdir(parents=True)
    (other / "flows" / "monthly_ingest.py").write_text("")
    assert set_project_directory(str(other)) == {"directory": str(other.resolve())}
    assert Path.cwd() == other.resolve()


def test_pull_step_names_a_folder_without_the_project(tmp_path, restore_cwd):
    with pytest.raises(FileNotFoundError, match="TKA_PROJECT_DIR"):
        set_project_directory(str(tmp_path))


def test_io_retries_default_to_three_with_exponential_backoff(monkeypatch):
    monkeypatch.delenv("TKA_IO_RETRIES", raising=False)
    monkeypatch.delenv("TKA_IO_RETRY_DELAY", raising=False)
    options = io_retries(Settings(_env_file=None))
    assert options["retries"] == 3
    assert options["retry_delay_seconds"](3) == [2.0, 4.0, 8.0]
    assert options["retry_jitter_factor"] == 0.5


def test_io_retries_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("TKA_IO_RETRIES", "1")
    monkeypatch.setenv("TKA_IO_RETRY_DELAY", "0.5")
    options = io_retries()
    assert options["retries"] == 1
    assert options["retry_delay_seconds"](1) == [0.5]
