#!/usr/bin/env python3
"""Runs one suite, installing what it needs first (idempotent, quick when already installed).

  python3 tests/run.py app         lint and the e2e of the whole app (tests/app), after the
                                   backend's pytest on a real PostgreSQL and the frontend's vitest
  python3 tests/run.py monitoring  promtool checks and the live Prometheus checks (tests/monitoring)
  python3 tests/run.py backup      the backup pods' scripts on a real PostgreSQL (tests/backup)
  python3 tests/run.py workflows   actionlint, shellcheck and the workflows' structure (tests/ci)
  python3 tests/run.py scan        the stack's objects rendered without a cluster, scanned (tests/scan)

Further arguments go to the last pytest run (e.g. -k, -x). Every runner runs even when an earlier
one failed; the last line is pytest's own summary; the exit code is non-zero if any runner failed.
KEEP_WORKDIR=1 keeps the temp dirs (logs, data) of the servers the tests start.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BACKEND, E2E, FRONTEND, ROOT, install, postgres, procs

TESTS = ROOT / "tests"


def tests_python() -> Path:
    return install.venv_with(TESTS / ".venv", TESTS / "requirements.txt")


def app_python() -> Path:
    """The backend's venv (runtime and dev requirements), which gunicorn and the backend tests use."""
    return install.venv_with(BACKEND / ".venv", BACKEND / "requirements.txt", BACKEND / "requirements-dev.txt")


def pytest(suite: str, extra: list[str], python: Path | None = None) -> int:
    argv = [python or tests_python(), "-m", "pytest", "-v", "-ra", "-p", "no:cacheprovider", f"--rootdir={ROOT}",
            "-o", "pythonpath=tests", f"tests/{suite}", *extra]
    return subprocess.run(argv, cwd=ROOT, check=False).returncode


def runner(name: str, argv: list, **kw) -> int:
    print(f"\n===== {name}", flush=True)
    rc = subprocess.run(argv, check=False, **kw).returncode
    print(f"===== {name}: {'ok' if rc == 0 else f'FAILED (exit {rc})'}", flush=True)
    return rc


def backend_pytest(python: Path) -> int:
    with procs.workdir("backend-pytest") as work, postgres.PostgresServer(work) as db:
        env = {**os.environ, **db.env, "SECRET_KEY": f"pytest-{os.getpid()}", "DEBUG": "false",
               "ALLOWED_HOSTS": "testserver", "PROMETHEUS_MULTIPROC_DIR": str(work / "prometheus-multiproc"),
               "PYTHONDONTWRITEBYTECODE": "1"}
        return runner("backend: pytest on PostgreSQL", [python, "-m", "pytest", "-p", "no:cacheprovider"],
                      cwd=BACKEND, env=env)


def app(extra: list[str]) -> int:
    install.postgresql()
    install.apt("nginx:nginx-light", "chromium:chromium", "envsubst:gettext-base", "unshare:util-linux",
                "setpriv:util-linux")
    python = app_python()
    tests_python()
    install.npm_ci(FRONTEND)
    install.npm_ci(E2E)
    failed = backend_pytest(python) != 0
    failed |= runner("frontend: vitest", ["npx", "--no-install", "vitest", "run", "--reporter=default"],
                     cwd=FRONTEND) != 0
    if failed:
        print("\napp: the backend pytest or vitest above FAILED; the exit code will say so", flush=True)
    return max(int(failed), pytest("app", extra))


def monitoring(extra: list[str]) -> int:
    install.postgresql()
    install.apt("unshare:util-linux", "setpriv:util-linux", "promtool:prometheus",
                "javac:openjdk-17-jdk-headless", "mvn:maven")
    app_python()
    tests_python()
    return pytest("monitoring", extra)


def backup(extra: list[str]) -> int:
    install.postgresql()
    tests_python()
    return pytest("backup", extra)


def own_venv(suite: str) -> Path:
    """tests/SUITE/.venv from the suite's own pinned requirements.txt; its conftest.py installs the rest."""
    return install.venv_with(TESTS / suite / ".venv", TESTS / suite / "requirements.txt", wheels_only=False)


def workflows(extra: list[str]) -> int:
    return pytest("ci", extra, own_venv("ci"))


def scan(extra: list[str]) -> int:
    return pytest("scan", extra, own_venv("scan"))


SUITES = {"app": app, "monitoring": monitoring, "backup": backup, "workflows": workflows, "scan": scan}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in SUITES:
        sys.exit(f"usage: python3 tests/run.py {{{'|'.join(SUITES)}}} [pytest args...]")
    sys.exit(SUITES[sys.argv[1]](sys.argv[2:]))
