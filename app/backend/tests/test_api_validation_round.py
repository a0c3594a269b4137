"""A form is fixed in one round: the API reports every field problem at once."""

import pytest

from tests.payloads import valid_payload
from trips.models import Trip

pytestmark = pytest.mark.django_db


def test_end_before_start_is_reported_together_with_the_other_field_errors(api, destination):
    payload = valid_payload(destination, title="", end_date="2027-04-01", travellers=0)
    response = api.post("/api/trips/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"title", "travellers", "end_date"}
    assert body["end_date"] == ["End date cannot be before the start date."]
    assert Trip.objects.count() == 0


def test_end_before_start_is_reported_with_an_unknown_destination(api, destination):
    payload = valid_payload(
        destination, destination=999999, title="Backwards", end_date="2027-04-01", travellers=2
    )
    body = api.post("/api/trips/", payload, format="json").json()
    assert set(body) == {"destination", "end_date"}


def test_a_malformed_end_date_is_not_also_compared_with_the_start(api, destination):
    payload = valid_payload(destination, title="", end_date="yesterday", travellers=2)
    body = api.post("/api/trips/", payload, format="json").json()
    assert body["end_date"] == ["Enter a date as YYYY-MM-DD."]
    assert set(body) == {"title", "end_date"}


def test_patch_reports_the_date_order_together_with_other_errors(api, make_trip):
    trip = make_trip()
    response = api.patch(
        f"/api/trips/{trip.id}/", {"end_date": "2027-04-01", "travellers": 99}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"end_date", "travellers"}
