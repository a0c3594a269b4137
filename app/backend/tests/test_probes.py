import socket

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

POD_IP_HOST = "10.244.1.7:8000"


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there any more
    return port


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django makes any database access raise here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_probe_paths_answer_a_pod_ip_host_header_not_in_allowed_hosts(path, settings):
    settings.ALLOWED_HOSTS = ["travel.example"]
    response = Client(HTTP_HOST=POD_IP_HOST).get(path)
    assert response.status_code == 200, response.content


@pytest.mark.django_db
def test_api_paths_still_reject_a_host_not_in_allowed_hosts(settings):
    settings.ALLOWED_HOSTS = ["travel.example"]
    assert Client(HTTP_HOST=POD_IP_HOST).get("/api/destinations/").status_code == 400
    assert Client(HTTP_HOST="travel.example").get("/api/destinations/").status_code == 200


def test_probe_paths_refuse_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_readyz_is_200_when_database_is_up_and_migrated(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_with_a_reason_while_the_database_is_unreachable(client, monkeypatch):
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", str(closed_port()))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "database unreachable"
    # Liveness does not depend on the database.
    assert client.get("/healthz").status_code == 200
    monkeypatch.undo()
    connection.close()
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_while_a_migration_is_unapplied(client):
    call_command("migrate", "trips", "0001", verbosity=0)
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["reason"] == "unapplied migrations"
        assert response.json()["pending"][0] == "trips.0002_seed_destinations"
    finally:
        call_command("migrate", "trips", verbosity=0)
    assert client.get("/readyz").status_code == 200


def _sample(metrics_text: str, name: str, **labels) -> float:
    total = 0.0
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


@pytest.mark.django_db
def test_metrics_count_requests_by_view_method_and_status(api, destination):
    name = "django_http_responses_total_by_status_view_method_total"
    before = api.get("/metrics").content.decode()
    created = _sample(before, name, view="trip-list", method="POST", status="201")
    rejected = _sample(before, name, view="trip-list", method="POST", status="400")
    payload = {
        "title": "Counted",
        "destination": destination.id,
        "start_date": "2027-01-01",
        "end_date": "2027-01-02",
        "travellers": 1,
    }
    for _ in range(3):
        assert api.post("/api/trips/", payload, format="json").status_code == 201
    assert api.post("/api/trips/", {**payload, "travellers": 0}, format="json").status_code == 400
    after = api.get("/metrics").content.decode()
    assert _sample(after, name, view="trip-list", method="POST", status="201") == created + 3
    assert _sample(after, name, view="trip-list", method="POST", status="400") == rejected + 1
    # and the latency histogram has a _count that moved by the same 4 POSTs
    hist = "django_http_requests_latency_seconds_by_view_method_count"
    assert _sample(after, hist, view="trip-list", method="POST") == (
        _sample(before, hist, view="trip-list", method="POST") + 4
    )
