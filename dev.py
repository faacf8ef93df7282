#!/usr/bin/env python3
"""The project's two commands, with no prerequisite beyond Python 3.11+ and git.

    python3 dev.py demo   # set up .venv, generate a sample drive, run the monthly ingest, print the summary
    python3 dev.py test   # set up .venv, then ruff, mypy and the test suite (in parallel)
    python3 dev.py bench  # set up .venv, run the benchmarks (see bench/README.md)

Each command creates or updates the local virtual environment (.venv) and installs the project with the
pinned versions of requirements.lock before it runs. Extra arguments are passed on (e.g. `test -k reader`;
for `test` they go to pytest, after the lint and type checks, which always cover the whole tree).
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
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on the system python3 before any venv
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


LINT_PATHS = ["tka", "tasks", "flows", "tests", "bench", "dev.py"]
# One worker per core; all tests of a file go to one worker, so a module-scoped flow run or Prefect server is
# made once, not once per worker (xdist 3.8's xdist_group marks are not honoured under pytest 9).
PYTEST_WORKERS = ["-n", "auto", "--dist", "loadfile"]


def _chooses_workers(args: list[str]) -> bool:
    """True if the pytest arguments set the worker count or turn xdist off (``-p no:xdist``)."""
    return any(a.startswith(("-n", "--numprocesses")) or a.endswith("no:xdist") for a in args)


def run_tests(rest: list[str], env: dict[str, str]) -> int:
    """Ruff, then mypy, then pytest on every core; the first failing step ends the run and is named."""
    checks = [("ruff", [str(BIN / "ruff"), "check", *LINT_PATHS]), ("mypy", [str(BIN / "mypy")])]
    for name, cmd in checks:
        print(f"== {name}", flush=True)
        code = subprocess.call(cmd, cwd=ROOT, env=env)
        if code != 0:
            print(f"dev.py test: step '{name}' failed (exit {code}); pytest was not run.", file=sys.stderr)
            return code
    print("== pytest", flush=True)
    workers = [] if _chooses_workers(rest) else PYTEST_WORKERS
    code = subprocess.call([str(PY), "-m", "pytest", *workers, *rest], cwd=ROOT, env=env)
    if code == 5 and rest:
        return 0  # 5 = a -k filter (or a path) selected nothing
    if code != 0:
        print(f"dev.py test: step 'pytest' failed (exit {code}).", file=sys.stderr)
    return code


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
        return run_tests(rest, env)
    return subprocess.call([str(PY), str(ROOT / "bench" / "run.py"), *rest], cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
