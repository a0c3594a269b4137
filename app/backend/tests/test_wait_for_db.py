import os
import socket
import subprocess
import sys
import time
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_wait_for_db_gives_up_after_db_wait_timeout_with_a_clear_message():
    env = {**os.environ, "DB_HOST": "127.0.0.1", "DB_PORT": str(closed_port()), "DB_WAIT_TIMEOUT": "3"}
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "wait_for_db", "--interval", "0.5"],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert result.returncode != 0
    assert "waiting up to 3s" in result.stdout
    assert "attempt 1 failed" in result.stdout
    assert "giving up (DB_WAIT_TIMEOUT=3)" in result.stderr
    assert elapsed < 20


def test_wait_for_db_returns_once_the_database_answers():
    result = subprocess.run(
        [sys.executable, "manage.py", "wait_for_db", "--timeout", "20"],
        cwd=BACKEND,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "is up after" in result.stdout
