#!/usr/bin/env python3
"""The project's two commands, with no prerequisite beyond Python 3.11+ and git.

    python3 dev.py demo   # set up .venv, generate a sample drive, run the monthly ingest, print the summary
    python3 dev.py test   # set up .venv, run the test suite
    python3 dev.py bench  # set up .venv, run the benchmarks (see bench/README.md)

Each command creates or updates the local virtual environment (.venv) and installs the project with the
pinned versions of requirements.lock before it runs. Extra arguments are passed on (e.g. `test -k reader`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".tka-installed"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("pyproject.toml", "requirements.lock"):
        path = ROOT / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_venv() -> None:
    """Create .venv and install the project (with dev extras) unless it is already up to date."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print(f"Creating virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    want = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == want:
        return
    print("Installing the project and its dependencies (first run takes a few minutes) ...", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    cmd = [*pip, "-e", f"{ROOT}[dev]"]
    if (ROOT / "requirements.lock").exists():
        cmd += ["-c", str(ROOT / "requirements.lock")]
    subprocess.run(cmd, check=True)
    STAMP.write_text(want)


def main(argv: list[str]) -> int:
    """Dispatch ``demo``, ``test`` or ``bench``."""
    if not argv or argv[0] not in {"demo", "test", "bench"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if command == "demo":
        return subprocess.call([str(BIN / "tka"), "demo", *rest], cwd=ROOT, env=env)
    if command == "test":
        code = subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT, env=env)
        return 0 if code == 5 and rest else code  # 5 = a -k filter selected nothing
    return subprocess.call([str(PY), str(ROOT / "bench" / "run.py"), *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
