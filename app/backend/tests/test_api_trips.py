import datetime as dt

import pytest

from tests.payloads import valid_payload
from trips.models import Trip

pytestmark = pytest.mark.django_db


# --- happy paths ----------------------------------------------------------------


def test_create_trip_stores_it_and_returns_201_with_the_trip(api, destination):
    response = api.post("/api/trips/", valid_payload(destination), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    trip = Trip.objects.get(pk=body["id"])
    assert trip.title == "Spring in Testville"
    assert trip.destination == destination
    assert trip.start_date == dt.date(2027, 4, 10)
    assert trip.end_date == dt.date(2027, 4, 17)
    assert trip.travellers == 3
    assert body["destination_name"] == "Testville"
    assert body["destination_country"] == "Testland"
    assert body["created_at"] and body["updated_at"]


def test_same_day_trip_is_valid(api, destination):
    payload = valid_payload(destination, start_date="2027-04-10", end_date="2027-04-10")
    assert api.post("/api/trips/", payload, format="json").status_code == 201


def test_notes_are_optional(api, destination):
    payload = valid_payload(destination)
    del payload["notes"]
    response = api.post("/api/trips/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["notes"] == ""


def test_read_trip_returns_stored_fields(api, make_trip):
    trip = make_trip(title="Read me", travellers=4)
    response = api.get(f"/api/trips/{trip.id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == trip.id
    assert body["title"] == "Read me"
    assert body["travellers"] == 4
    assert body["start_date"] == "2027-05-01"


def test_unknown_trip_is_404(api):
    assert api.get("/api/trips/999999/").status_code == 404


def test_put_replaces_every_field(api, make_trip, other_destination):
    trip = make_trip()
    payload = valid_payload(other_destination, title="Replaced", travellers=1, notes="", version=1)
    response = api.put(f"/api/trips/{trip.id}/", payload, format="json")
    assert response.status_code == 200, response.content
    trip.refresh_from_db()
    assert trip.title == "Replaced"
    assert trip.destination == other_destination
    assert trip.travellers == 1
    assert trip.start_date == dt.date(2027, 4, 10)


def test_patch_changes_only_given_fields(api, make_trip):
    trip = make_trip(title="Before", travellers=2)
    response = api.patch(f"/api/trips/{trip.id}/", {"travellers": 5}, format="json")
    assert response.status_code == 200
    trip.refresh_from_db()
    assert trip.travellers == 5
    assert trip.title == "Before"


def test_patch_end_date_before_stored_start_date_is_rejected(api, make_trip):
    trip = make_trip(start_date=dt.date(2027, 5, 1), end_date=dt.date(2027, 5, 8))
    response = api.patch(f"/api/trips/{trip.id}/", {"end_date": "2027-04-30"}, format="json")
    assert response.status_code == 400
    assert "end_date" in response.json()
    trip.refresh_from_db()
    assert trip.end_date == dt.date(2027, 5, 8)


def test_delete_removes_the_trip(api, make_trip):
    trip = make_trip()
    response = api.delete(f"/api/trips/{trip.id}/")
    assert response.status_code == 204
    assert not Trip.objects.filter(pk=trip.id).exists()
    assert api.get(f"/api/trips/{trip.id}/").status_code == 404


# --- validation: every error is a 400 with field-level messages, nothing stored ----

MISSING = object()

INVALID_CASES = [
    ("end_before_start", {"start_date": "2027-04-10", "end_date": "2027-04-09"}, "end_date"),
    ("zero_travellers", {"travellers": 0}, "travellers"),
    ("twenty_one_travellers", {"travellers": 21}, "travellers"),
    ("negative_travellers", {"travellers": -3}, "travellers"),
    ("travellers_not_a_number", {"travellers": "many"}, "travellers"),
    ("travellers_a_list", {"travellers": [2]}, "travellers"),
    ("title_missing", {"title": MISSING}, "title"),
    ("title_null", {"title": None}, "title"),
    ("title_blank", {"title": "   "}, "title"),
    ("title_201_chars", {"title": "x" * 201}, "title"),
    ("title_not_a_string", {"title": {"a": 1}}, "title"),
    ("unknown_destination", {"destination": 999999}, "destination"),
    ("destination_wrong_type", {"destination": "Lisbon"}, "destination"),
    ("destination_missing", {"destination": MISSING}, "destination"),
    ("destination_null", {"destination": None}, "destination"),
    ("start_date_null", {"start_date": None}, "start_date"),
    ("end_date_empty_string", {"end_date": ""}, "end_date"),
    ("travellers_null", {"travellers": None}, "travellers"),
    ("travellers_fractional", {"travellers": 2.5}, "travellers"),
    ("start_date_malformed", {"start_date": "10/04/2027"}, "start_date"),
    ("end_date_impossible", {"end_date": "2027-02-30"}, "end_date"),
    ("start_date_wrong_type", {"start_date": 20270410}, "start_date"),
    ("notes_too_long", {"notes": "n" * 5001}, "notes"),
]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [pytest.param(o, f, id=name) for name, o, f in INVALID_CASES],
)
def test_invalid_trip_is_400_with_a_message_on_the_field_and_nothing_stored(
    api, destination, overrides, field
):
    payload = valid_payload(destination)
    for key, value in overrides.items():
        if value is MISSING:
            payload.pop(key)
        else:
            payload[key] = value
    before = Trip.objects.count()
    response = api.post("/api/trips/", payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert isinstance(body[field], list) and body[field] and all(isinstance(m, str) for m in body[field])
    assert Trip.objects.count() == before


def test_end_date_error_message_names_the_rule(api, destination):
    payload = valid_payload(destination, start_date="2027-04-10", end_date="2027-04-01")
    response = api.post("/api/trips/", payload, format="json")
    assert response.json() == {"end_date": ["End date cannot be before the start date."]}


def test_every_missing_required_field_is_reported_at_once(api):
    response = api.post("/api/trips/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"title", "destination", "start_date", "end_date", "travellers"}
    assert Trip.objects.count() == 0


def test_malformed_json_is_400_and_nothing_stored(api, destination):
    response = api.generic("POST", "/api/trips/", '{"title": "Broken", ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert Trip.objects.count() == 0


def test_json_that_is_not_an_object_is_400(api):
    response = api.generic("POST", "/api/trips/", "[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert Trip.objects.count() == 0


def test_non_json_content_type_is_415_and_nothing_stored(api, destination):
    response = api.generic("POST", "/api/trips/", "title=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert Trip.objects.count() == 0


def test_invalid_put_leaves_the_trip_unchanged(api, make_trip, destination):
    trip = make_trip(title="Keep me", travellers=2)
    payload = valid_payload(destination, title="Changed", travellers=99)
    response = api.put(f"/api/trips/{trip.id}/", payload, format="json")
    assert response.status_code == 400
    assert "travellers" in response.json()
    trip.refresh_from_db()
    assert (trip.title, trip.travellers) == ("Keep me", 2)


def test_database_refuses_an_invalid_trip_even_without_the_api(destination):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Trip.objects.create(
            title="Bad",
            destination=destination,
            start_date=dt.date(2027, 1, 2),
            end_date=dt.date(2027, 1, 1),
            travellers=2,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Trip.objects.create(
            title="Bad",
            destination=destination,
            start_date=dt.date(2027, 1, 1),
            end_date=dt.date(2027, 1, 1),
            travellers=21,
        )
    assert Trip.objects.count() == 0


def test_destination_used_by_a_trip_cannot_be_deleted(make_trip, destination):
    from django.db.models import ProtectedError

    make_trip()
    with pytest.raises(ProtectedError):
        destination.delete()


# --- list: pagination and filter ---------------------------------------------------


def test_trip_list_is_paginated_20_per_page(api, make_trip):
    for i in range(45):
        make_trip(
            title=f"Trip {i:02d}",
            start_date=dt.date(2027, 1, 1) + dt.timedelta(days=i),
            end_date=dt.date(2027, 1, 1) + dt.timedelta(days=i + 1),
        )
    page1 = api.get("/api/trips/").json()
    assert page1["count"] == 45
    assert len(page1["results"]) == 20
    assert page1["previous"] is None and "page=2" in page1["next"]
    page3 = api.get("/api/trips/", {"page": 3}).json()
    assert len(page3["results"]) == 5
    assert page3["next"] is None
    ids = [t["id"] for p in (1, 2, 3) for t in api.get("/api/trips/", {"page": p}).json()["results"]]
    assert len(ids) == len(set(ids)) == 45


def test_trip_list_is_ordered_by_start_date(api, make_trip):
    make_trip(title="Later", start_date=dt.date(2027, 9, 1), end_date=dt.date(2027, 9, 2))
    make_trip(title="Sooner", start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 2))
    titles = [t["title"] for t in api.get("/api/trips/").json()["results"]]
    assert titles == ["Sooner", "Later"]


def test_page_size_parameter_is_capped_at_100(api, make_trip):
    for i in range(3):
        make_trip(title=f"T{i}")
    assert len(api.get("/api/trips/", {"page_size": 2}).json()["results"]) == 2
    body = api.get("/api/trips/", {"page_size": 1000}).json()
    assert len(body["results"]) == 3


def test_page_past_the_end_is_404(api, make_trip):
    make_trip()
    assert api.get("/api/trips/", {"page": 5}).status_code == 404


def test_filter_by_destination_returns_only_its_trips(api, make_trip, destination, other_destination):
    make_trip(title="Here 1")
    make_trip(title="Here 2")
    make_trip(title="Elsewhere", destination=other_destination)
    body = api.get("/api/trips/", {"destination": destination.id}).json()
    assert body["count"] == 2
    assert {t["title"] for t in body["results"]} == {"Here 1", "Here 2"}
    body = api.get("/api/trips/", {"destination": other_destination.id}).json()
    assert [t["title"] for t in body["results"]] == ["Elsewhere"]


def test_filter_with_a_malformed_or_unknown_destination_is_400(api):
    response = api.get("/api/trips/", {"destination": "abc"})
    assert response.status_code == 400
    assert "destination" in response.json()
    response = api.get("/api/trips/", {"destination": 999999})
    assert response.status_code == 400
    assert response.json() == {"destination": ["Unknown destination 999999."]}
