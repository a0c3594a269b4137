#!/usr/bin/env python3
"""Runs one suite of tests/ci or tests/scan in a virtualenv of its own, installed first from the
suite's pinned requirements.txt (kept in SUITE/.venv, git-ignored; rebuilt only when that file or
the Python version changed). Everything else a suite needs it installs itself, in its conftest.py.

    python3 tests/ci/run.py workflows [pytest args]   # tests/ci: actionlint, shellcheck, workflows
    python3 tests/ci/run.py scan [pytest args]        # tests/scan: the rendered objects, scanned

The last line is pytest's summary; the exit code is pytest's (non-zero when anything failed or
errored; a skipped test says why in the short summary, -rfEs)."""

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SUITES = {"workflows": ROOT / "tests" / "ci", "scan": ROOT / "tests" / "scan"}


def suite_python(suite: Path) -> Path:
    requirements, env_dir = suite / "requirements.txt", suite / ".venv"
    python, stamp = env_dir / "bin" / "python", env_dir / ".installed"
    want = f"{hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]} Python {sys.version.split()[0]}"
    if python.exists() and stamp.exists() and stamp.read_text() == want:
        return python
    print(f"[run] creating {env_dir.relative_to(ROOT)} from {requirements.relative_to(ROOT)}", flush=True)
    shutil.rmtree(env_dir, ignore_errors=True)
    venv.create(env_dir, with_pip=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-input",
                    "-r", requirements], check=True)
    stamp.write_text(want)
    return python


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in SUITES:
        sys.exit(f"usage: python3 tests/ci/run.py {{{'|'.join(SUITES)}}} [pytest args...]")
    suite = SUITES[sys.argv[1]]
    python = suite_python(suite)
    os.chdir(ROOT)
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"
    os.execv(python, [str(python), "-m", "pytest", "-p", "no:cacheprovider", "-rfEs",
                      str(suite.relative_to(ROOT)), *sys.argv[2:]])
