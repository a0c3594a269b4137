"""Persistent connections (CONN_MAX_AGE): a connection the database dropped is replaced before a
request uses it (CONN_HEALTH_CHECKS), and the list's statement is prepared once per connection
(server_side_binding, prepare_threshold)."""

import psycopg
import pytest
from django.db import close_old_connections, connection

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


def prepared_list_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%JOIN trips_destination%"],
        )
        return [statement for (statement,) in cursor.fetchall()]


def test_the_list_statement_is_prepared_once_per_connection_and_then_reused(api, make_trip):
    make_trip()
    prepare_threshold = connection.settings_dict["OPTIONS"]["prepare_threshold"]
    for _ in range(prepare_threshold + 1):
        assert next_request(api, "/api/trips/?page_size=4").status_code == 200
    [statement] = prepared_list_statements()
    assert "LIMIT" in statement
    backend_pid = connection.connection.info.backend_pid
    for page_size in (5, 6, 4):
        assert next_request(api, f"/api/trips/?page_size={page_size}").status_code == 200
    assert prepared_list_statements() == [statement]  # LIMIT is a parameter: the same statement
    assert connection.connection.info.backend_pid == backend_pid
