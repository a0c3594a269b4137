"""Every /api/ answer is JSON with a message, and links are right for the client that asked."""

import datetime as dt

import pytest
from django.test import Client

from tests.payloads import valid_payload
from trips.models import Trip
from trips.views import TripViewSet

pytestmark = pytest.mark.django_db

# What nginx sends: Host is the backend Service (proxy_host), the browser's host is forwarded.
BEHIND_NGINX = {
    "HTTP_HOST": "testserver",
    "HTTP_X_FORWARDED_HOST": "travel.example:3000",
    "HTTP_X_FORWARDED_PROTO": "https",
}


def assert_json_message(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    message = response.json()["detail"]
    assert isinstance(message, str) and message


# --- links ---------------------------------------------------------------------------


@pytest.fixture
def forty_five_trips(make_trip):
    for i in range(45):
        make_trip(
            title=f"Trip {i:02d}",
            start_date=dt.date(2027, 1, 1) + dt.timedelta(days=i),
            end_date=dt.date(2027, 1, 1) + dt.timedelta(days=i + 1),
        )


def test_pagination_links_are_relative_so_they_work_for_the_client_behind_the_proxy(api, forty_five_trips):
    page1 = api.get("/api/trips/", **BEHIND_NGINX).json()
    assert page1["next"] == "/api/trips/?page=2"
    page2 = api.get("/api/trips/", {"page": 2}, **BEHIND_NGINX).json()
    assert page2["previous"] == "/api/trips/"
    assert page2["next"] == "/api/trips/?page=3"


def test_pagination_links_keep_the_filter_and_page_size(api, forty_five_trips, destination):
    body = api.get("/api/trips/", {"destination": destination.id, "page_size": 10, "page": 2}).json()
    assert body["next"] == f"/api/trips/?destination={destination.id}&page=3&page_size=10"
    assert body["previous"] == f"/api/trips/?destination={destination.id}&page_size=10"


def test_api_root_links_are_relative(api):
    body = api.get("/api/", **BEHIND_NGINX).json()
    assert body == {"destinations": "/api/destinations/", "trips": "/api/trips/"}


# --- JSON errors -------------------------------------------------------------------------


def test_an_unknown_api_path_is_a_json_404_that_points_at_the_api_root(api):
    response = api.get("/api/nope/")
    assert_json_message(response, 404)
    assert "/api/nope/" in response.json()["detail"]
    assert "/api/" in response.json()["detail"]


def test_an_unknown_path_outside_the_api_is_a_json_404_too(api):
    assert_json_message(api.get("/wp-login.php"), 404)


def test_an_unexpected_server_error_is_a_json_500_without_a_traceback(monkeypatch):
    def explode(self, request, *args, **kwargs):
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(TripViewSet, "list", explode)
    response = Client(raise_request_exception=False).get("/api/trips/")
    assert_json_message(response, 500)
    assert "secret internals" not in response.content.decode()


def test_a_host_not_in_allowed_hosts_is_a_json_400(settings):
    settings.ALLOWED_HOSTS = ["travel.example"]
    response = Client(HTTP_HOST="evil.example").get("/api/trips/")
    assert_json_message(response, 400)


def test_a_page_past_the_end_is_a_404_naming_the_page_and_the_pages_there_are(api, forty_five_trips):
    response = api.get("/api/trips/", {"page": 999})
    assert_json_message(response, 404)
    assert response.json()["detail"] == "Page 999 does not exist: there are 3 pages of trips (1 to 3)."


def test_a_page_that_is_not_a_number_is_a_404_saying_what_is_allowed(api, forty_five_trips):
    response = api.get("/api/trips/", {"page": "abc"})
    assert_json_message(response, 404)
    assert "abc" in response.json()["detail"]
    assert "1 to 3" in response.json()["detail"]


# --- no trailing slash ---------------------------------------------------------------------


def test_post_without_the_trailing_slash_creates_the_trip_instead_of_dropping_the_body(api, destination):
    payload = valid_payload(destination, title="No slash", travellers=2)
    response = api.post("/api/trips", payload, format="json")
    assert response.status_code == 201, response.content
    assert Trip.objects.get().title == "No slash"


def test_every_api_route_answers_without_the_trailing_slash_too(api, make_trip):
    trip = make_trip()
    assert api.get("/api/trips").status_code == 200
    assert api.get("/api/destinations").status_code == 200
    assert api.get(f"/api/trips/{trip.id}").json()["id"] == trip.id
    assert api.delete(f"/api/trips/{trip.id}").status_code == 204
