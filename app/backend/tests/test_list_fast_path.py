"""A plain GET of the trip list skips DRF's request/response machinery (trips/views.py)
and answers exactly what DRF answers; everything else about the list still goes through DRF.
Its one statement is prepared on the server once per connection, and still counted."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_prometheus.db import execute_total
from rest_framework.authentication import BasicAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.throttling import AnonRateThrottle

from trips import views

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "?page=2&page_size=5",
    "?page=3&page_size=4",
    "?page=last&page_size=4",
    "?page_size=abc",
    "?page_size=0",
    "?page_size=-3",
    "?page_size=1000",
    "?destination={destination}",
    "?destination={destination}&page_size=2&page=2",
    "?destination=&page=1",
]


@pytest.fixture
def ten_trips(make_trip, destination, other_destination):
    start = dt.date(2027, 3, 1)
    for i in range(10):
        make_trip(
            title=f'Trip {i} "quoted" \u2028 \u00e9',
            destination=destination if i % 3 else other_destination,
            start_date=start + dt.timedelta(days=i),
            end_date=start + dt.timedelta(days=i + 2),
            notes="line\nbreak\ttab" if i % 2 else "",
        )


@pytest.fixture
def plain_list_calls(monkeypatch):
    """How many requests the fast path answered."""
    calls = []
    original = views.TripViewSet._plain_list

    def spy(self):
        calls.append(self.request.get_full_path())
        return original(self)

    monkeypatch.setattr(views.TripViewSet, "_plain_list", spy)
    return calls


def answer(api, url, **headers):
    response = api.get(url, **headers)
    return response.status_code, sorted(response.items()), response.content


@pytest.mark.parametrize("query", QUERIES)
def test_a_plain_get_of_the_list_skips_drf_and_answers_byte_for_byte_what_drf_answers(
    api, ten_trips, destination, plain_list_calls, monkeypatch, query
):
    url = "/api/trips/" + query.format(destination=destination.id)
    fast = answer(api, url)
    assert plain_list_calls == [url]
    monkeypatch.setattr(views, "_plain_json_request", lambda request: False)
    through_drf = answer(api, url)
    assert plain_list_calls == [url]
    assert fast == through_drf
    assert fast[0] == 200


@pytest.mark.parametrize("accept", ["application/json", "*/*", " application/json "])
def test_the_fast_path_serves_clients_that_accept_json(api, ten_trips, plain_list_calls, accept):
    response = api.get("/api/trips/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response.json()["count"] == 10
    assert len(plain_list_calls) == 1


@pytest.mark.parametrize(
    ("headers", "query", "status"),
    [
        ({"HTTP_ACCEPT": "text/html"}, "", 406),
        ({"HTTP_ACCEPT": "text/html, application/json;q=0.9"}, "", 200),
        ({}, "?format=json", 200),
        ({}, "?format=xml", 404),
    ],
)
def test_content_negotiation_other_than_plain_json_is_left_to_drf(
    api, ten_trips, plain_list_calls, headers, query, status
):
    response = api.get("/api/trips/" + query, **headers)
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert plain_list_calls == []


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("?page=99", 404, "detail"),
        ("?page=0", 404, "detail"),
        ("?destination=abc", 400, "destination"),
        ("?destination=987654", 400, "destination"),
    ],
)
def test_an_error_on_the_fast_path_is_answered_by_drf_as_before(
    api, ten_trips, plain_list_calls, query, status, field
):
    response = api.get("/api/trips/" + query)
    assert response.status_code == status
    assert field in response.json()
    assert response["Content-Type"] == "application/json"
    assert len(plain_list_calls) == 1  # tried, then left to DRF


@pytest.mark.parametrize(
    ("attribute", "value", "status"),
    [
        ("permission_classes", [IsAuthenticated], 403),
        ("throttle_classes", [AnonRateThrottle], 200),
        ("authentication_classes", [BasicAuthentication], 200),
    ],
)
def test_the_fast_path_is_off_as_soon_as_the_view_has_a_check_for_drf_to_make(
    api, ten_trips, plain_list_calls, monkeypatch, attribute, value, status
):
    monkeypatch.setattr(views.TripViewSet, attribute, value)
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000/min"})
    response = api.get("/api/trips/")
    assert response.status_code == status, response.content[:200]
    assert plain_list_calls == []


def test_head_and_post_of_the_list_still_go_through_drf(api, ten_trips, destination, plain_list_calls):
    assert api.head("/api/trips/").status_code == 200
    created = api.post(
        "/api/trips/",
        {
            "title": "Posted",
            "destination": destination.id,
            "start_date": "2027-09-01",
            "end_date": "2027-09-02",
            "travellers": 1,
        },
        format="json",
    )
    assert created.status_code == 201
    assert plain_list_calls == []


def prepared_list_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ['%"trips_trip"%']
        )
        return cursor.fetchone()[0]


def test_the_list_statement_is_prepared_once_per_connection_and_reused(api, ten_trips):
    assert prepared_list_statements() == 0
    for page in (1, 2, 1):
        assert api.get(f"/api/trips/?page={page}&page_size=4").status_code == 200
    assert prepared_list_statements() == 1
    assert api.get(f"/api/trips/?destination={views.Trip.objects.first().destination_id}").status_code == 200
    assert prepared_list_statements() == 2  # the filtered statement is another one


def test_django_cursors_other_than_the_lists_are_never_prepared(api, ten_trips):
    trip = views.Trip.objects.first()
    for _ in range(8):  # more than the prepare_threshold of 5
        assert api.get(f"/api/trips/{trip.id}/").status_code == 200
        assert api.get("/api/destinations/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        assert cursor.fetchall() == []


def test_the_prepared_list_query_is_logged_and_counted_like_any_other(api, ten_trips):
    counter = execute_total.labels("default", "postgresql")
    before = counter._value.get()
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/trips/").status_code == 200
    assert [q["sql"] for q in queries.captured_queries if '"trips_trip"' in q["sql"]] != []
    assert len(queries.captured_queries) == 1
    assert counter._value.get() == before + 1
