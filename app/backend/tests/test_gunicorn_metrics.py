"""/metrics under gunicorn with several workers (prometheus_client multiprocess mode)."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

BACKEND = Path(__file__).resolve().parent.parent
COUNTER = "django_http_responses_total_by_status_view_method_total"


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


def count(metrics_text: str, **labels) -> float:
    return sum(
        s.value
        for f in text_string_to_metric_families(metrics_text)
        for s in f.samples
        if s.name == COUNTER and all(s.labels.get(k) == v for k, v in labels.items())
    )


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


@pytest.mark.django_db
def test_metrics_add_up_every_gunicorn_worker_and_restart_from_zero(tmp_path):
    multiproc_dir = tmp_path / "prometheus-multiproc"
    db_name = connection.settings_dict["NAME"]  # the test database, migrated and seeded
    server = Gunicorn(multiproc_dir, db_name)
    try:
        for _ in range(30):
            assert get(server.url("/api/destinations/"))[0] == 200
        # Every scrape, whichever worker answers it, sees all 30 requests.
        for _ in range(6):
            status, text = get(server.url("/metrics"), host="10.244.1.7:8000")
            assert status == 200
            assert count(text, view="destination-list", method="GET", status="200") == 30
    finally:
        server.stop()

    # A new master empties the directory at start: the old samples don't leak in.
    server = Gunicorn(multiproc_dir, db_name)
    try:
        for _ in range(5):
            get(server.url("/api/destinations/"))
        _status, text = get(server.url("/metrics"))
        assert count(text, view="destination-list", method="GET", status="200") == 5
    finally:
        server.stop()


@pytest.mark.django_db
def test_control_socket_lives_in_the_writable_tmp_dir_not_under_an_unwritable_home(tmp_path):
    # The pod's root filesystem is read-only and its HOME unwritable; /proc stands in
    # for that here (not even root can create a directory in it).
    worker_tmp = tmp_path / "tmp"
    worker_tmp.mkdir()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = Gunicorn(
            tmp_path / "prometheus-multiproc",
            connection.settings_dict["NAME"],
            env={
                "HOME": "/proc/travel-app-no-home",
                "XDG_RUNTIME_DIR": None,
                "GUNICORN_WORKER_TMP_DIR": str(worker_tmp),
            },
            log=log,
        )
        try:
            deadline = time.monotonic() + 10
            while "Control socket" not in log_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            server.stop()
    text = log_path.read_text()
    assert "Control server error" not in text
    assert f"Control socket listening at {worker_tmp / 'gunicorn.ctl'}" in text
