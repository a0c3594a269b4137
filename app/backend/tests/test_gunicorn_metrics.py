"""/metrics under gunicorn with several workers (prometheus_client multiprocess mode)."""

import time

import pytest
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from tests.gunicorn_server import Gunicorn, get

COUNTER = "django_http_responses_total_by_status_view_method_total"


def count(metrics_text: str, **labels) -> float:
    return sum(
        s.value
        for f in text_string_to_metric_families(metrics_text)
        for s in f.samples
        if s.name == COUNTER and all(s.labels.get(k) == v for k, v in labels.items())
    )


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
