"""Ports, HTTP waits and the processes a suite starts (stopped by their own PID, never by name)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 2, headers: dict | None = None) -> int | None:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def wait_http(url: str, seconds: float, want: int = 200, process: subprocess.Popen | None = None) -> None:
    """Waits until url answers want; fails early when process (the server) has exited."""
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        last = http_status(url)
        if last == want:
            return
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode} before {url} answered")
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer {want} within {seconds}s (last: {last})")


def stop(process: subprocess.Popen | None, grace: float = 5) -> None:
    """TERM, then KILL after grace seconds: the one process we started, by its PID."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def started(argv: list, log: Path, **popen):
    """A process whose output goes to log, stopped on leaving the block."""
    with open(log, "ab") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **popen)
    try:
        yield process
    finally:
        stop(process)


@contextmanager
def workdir(prefix: str, keep_env: str = "KEEP_WORKDIR"):
    """A temp dir every user may traverse (postgres, nobody and UID 10001 work under it); removed
    afterwards unless the environment variable keep_env is set."""
    path = Path(tempfile.mkdtemp(prefix=prefix + "."))
    path.chmod(0o755)
    try:
        yield path
    finally:
        if os.environ.get(keep_env):
            print(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return f"({path.name}: no file)"
    return f"----- last lines of {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
