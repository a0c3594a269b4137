"""A real gunicorn master with the image's gunicorn.conf.py, for the tests that need one."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(url: str, host: str = "backend") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 (http on loopback only)
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, response.read().decode()


class Gunicorn:
    def __init__(self, multiproc_dir: Path, db_name: str, env: dict | None = None, log=subprocess.DEVNULL):
        self.port = free_port()
        env = {
            **os.environ,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir),
            "DB_NAME": db_name,
            "ALLOWED_HOSTS": "backend",
            **(env or {}),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "travelapp.wsgi:application"],
            cwd=BACKEND,
            env={k: v for k, v in env.items() if v is not None},
            stdout=log,
            stderr=subprocess.STDOUT if log is not subprocess.DEVNULL else subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                if get(self.url("/healthz"))[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("gunicorn did not come up")
            time.sleep(0.2)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
