"""Idempotent installs, quick when everything is already there."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from . import ROOT

_apt_updated = False


def log(message: str) -> None:
    print(f"[install] {message}", flush=True)


def _present(probe: str) -> bool:
    return Path(probe).exists() if probe.startswith("/") else shutil.which(probe) is not None


def apt(*items: str) -> None:
    """apt("nginx:nginx-light", "/usr/bin/x:pkg"): installs each package whose probe (a command or
    an absolute path) is missing. Package scripts may not start services (policy-rc.d)."""
    global _apt_updated
    missing = [item.split(":", 1)[1] for item in items if not _present(item.split(":", 1)[0])]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"need Debian packages {' '.join(missing)} (run as root or install them)")
    log("apt: installing " + " ".join(missing))
    if not _apt_updated:
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        _apt_updated = True
    policy = Path("/usr/sbin/policy-rc.d")
    ours = not policy.exists()
    if ours:
        policy.write_text("#!/bin/sh\nexit 101\n")
        policy.chmod(0o755)
    try:
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True,
                       stdout=subprocess.DEVNULL, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    finally:
        if ours:
            policy.unlink()


def pg_bindir() -> Path | None:
    for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin")):
        if (bindir / "postgres").exists() and (bindir / "initdb").exists():
            return bindir
    return None


def postgresql() -> Path:
    if pg_bindir() is None:
        apt("/usr/lib/postgresql/15/bin/postgres:postgresql")
    bindir = pg_bindir()
    if bindir is None:
        sys.exit("PostgreSQL server binaries not found after install")
    return bindir


def _digest(*files: Path) -> str:
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()[:16]


def venv_with(path: Path, requirements: Path, *more: Path, wheels_only: bool = True) -> Path:
    """A venv at path holding requirements (wheels only unless told otherwise: checkov's pins need
    sdists); rebuilt when a file or Python changed."""
    stamp, python = path / ".installed", path / "bin" / "python"
    want = f"{_digest(requirements, *more)}-Python {sys.version.split()[0]}-every file"
    if python.exists() and stamp.exists() and stamp.read_text().strip() == want:
        return python
    log(f"python: creating {path.relative_to(ROOT)} from " + ", ".join(str(f.relative_to(ROOT)) for f in (requirements, *more)))
    shutil.rmtree(path, ignore_errors=True)
    venv.create(path, with_pip=True)
    subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-input",
                    *(["--only-binary=:all:"] if wheels_only else []),
                    *(arg for file in (requirements, *more) for arg in ("-r", file))], check=True)
    stamp.write_text(want + "\n")
    return python


def npm_ci(directory: Path) -> None:
    """`npm ci` unless node_modules already matches package-lock.json (stamp node_modules/.app-installed)."""
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    stamp = directory / "node_modules" / ".app-installed"
    want = f"{_digest(directory / 'package-lock.json')}-{node}"
    if stamp.exists() and stamp.read_text().strip() == want:
        return
    log(f"npm: npm ci in {directory.relative_to(ROOT)}")
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=directory, check=True,
                   stdout=subprocess.DEVNULL)
    stamp.write_text(want + "\n")
