"""Persistent connections (CONN_MAX_AGE) are health-checked per request without a round trip,
and a connection the database dropped is still replaced before a request uses it."""

import psycopg
import pytest
from django.db import close_old_connections, connection
from django_prometheus.db.backends.postgresql.base import DatabaseWrapper as QueryingHealthCheck

pytestmark = pytest.mark.django_db(transaction=True)


def next_request(api, path="/api/trips/"):
    # What Django does as every real request starts (request_started), and the test
    # client leaves out: mark the persistent connection for a health check.
    close_old_connections()
    return api.get(path)


def terminate_server_side_of(conn) -> None:
    """Ends the database's side of Django's connection, as a restart or failover would."""
    settings = conn.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        autocommit=True,
    ) as admin:
        # With a timeout, it returns once the backend has exited (and closed its socket),
        # not as soon as it has been signalled.
        admin.execute("SELECT pg_terminate_backend(%s, 10000)", [conn.connection.info.backend_pid])


def test_a_connection_the_database_dropped_is_replaced_before_the_next_request(api, make_trip):
    make_trip()
    assert next_request(api).status_code == 200
    terminate_server_side_of(connection)
    response = next_request(api)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["count"] == 1


def test_a_healthy_connection_is_reused_without_a_health_check_query(api, make_trip, monkeypatch):
    make_trip()
    assert next_request(api).status_code == 200
    backend_pid = connection.connection.info.backend_pid
    queried = []
    monkeypatch.setattr(QueryingHealthCheck, "is_usable", lambda self: queried.append("SELECT 1") or True)
    for _ in range(3):
        assert next_request(api).status_code == 200
    assert queried == []
    assert connection.connection.info.backend_pid == backend_pid
