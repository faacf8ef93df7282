"""Deployment pull step: where a worker finds the flow code (used by prefect.yaml's ``pull`` section)."""

from __future__ import annotations

import os
from pathlib import Path

# The checkout this package was imported from: a worker runs in the project's .venv (editable install), so its
# flows are the ones beside this file.
INSTALLED_PROJECT_DIR = Path(__file__).resolve().parents[1]
ENTRYPOINT_FILE = Path("flows") / "monthly_ingest.py"


def set_project_directory(directory: str | None = None) -> dict[str, str]:
    """Change to the project checkout and return it as ``{"directory": ...}`` (Prefect's pull-step contract).

    ``directory`` comes from ``$TKA_PROJECT_DIR`` in prefect.yaml; Prefect passes an empty string when that
    variable is not set, and then the checkout of the worker's own environment is used.
    """
    chosen = Path(directory).expanduser().resolve() if directory else INSTALLED_PROJECT_DIR
    if not (chosen / ENTRYPOINT_FILE).is_file():
        source = "TKA_PROJECT_DIR" if directory else "the installed tka-pipeline package"
        raise FileNotFoundError(
            f"No TKA project at {chosen} (from {source}): {ENTRYPOINT_FILE} is missing. Set TKA_PROJECT_DIR on "
            "the worker to the checkout the worker's virtual environment was installed from.")
    os.chdir(chosen)
    return {"directory": str(chosen)}
