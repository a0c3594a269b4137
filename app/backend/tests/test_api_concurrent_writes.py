"""Two writers racing on one trip never silently overwrite each other.

Real threads, each with its own PostgreSQL connection (transaction=True: nothing
is wrapped in a test transaction, so the writes really interleave)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from trips.models import Trip

ROUNDS = 15


def race(*calls):
    """Runs each call in its own thread, released together; returns their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call(APIClient())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.mark.django_db(transaction=True)
def test_racing_patches_of_different_fields_both_land(make_trip):
    for round_no in range(ROUNDS):
        trip = make_trip(title="Before", notes="before")
        url = f"/api/trips/{trip.id}/"
        title, notes = race(
            lambda c, url=url, n=round_no: c.patch(url, {"title": f"Title {n}"}, format="json"),
            lambda c, url=url, n=round_no: c.patch(url, {"notes": f"Notes {n}"}, format="json"),
        )
        assert (title.status_code, notes.status_code) == (200, 200), (title.content, notes.content)
        trip.refresh_from_db()
        assert (trip.title, trip.notes) == (f"Title {round_no}", f"Notes {round_no}"), f"round {round_no}"
        assert trip.version == 3


@pytest.mark.django_db(transaction=True)
def test_racing_writers_of_the_same_version_get_one_200_and_one_409_never_two_200s(make_trip):
    for round_no in range(ROUNDS):
        trip = make_trip(title="Before", notes="before", travellers=2)
        body_a = {"version": 1, "title": f"A {round_no}"}
        body_b = {"version": 1, "notes": f"B {round_no}", "travellers": 5}
        url = f"/api/trips/{trip.id}/"
        a, b = race(
            lambda c, url=url, body=body_a: c.patch(url, body, format="json"),
            lambda c, url=url, body=body_b: c.patch(url, body, format="json"),
        )
        assert sorted([a.status_code, b.status_code]) == [200, 409], (a.content, b.content)
        trip.refresh_from_db()
        assert trip.version == 2
        if a.status_code == 200:
            assert (trip.title, trip.notes, trip.travellers) == (f"A {round_no}", "before", 2)
            loser = b
        else:
            assert (trip.title, trip.notes, trip.travellers) == ("Before", f"B {round_no}", 5)
            loser = a
        assert loser.json()["current"]["version"] == 2


@pytest.mark.django_db
def test_a_stale_put_is_a_409_with_a_clear_message_and_the_current_trip(api, make_trip, destination):
    trip = make_trip(title="Original")
    first = {
        "version": 1,
        "title": "First editor",
        "destination": destination.id,
        "start_date": "2027-05-01",
        "end_date": "2027-05-08",
        "travellers": 2,
    }
    assert api.put(f"/api/trips/{trip.id}/", first, format="json").status_code == 200
    second = {**first, "title": "Second editor"}
    response = api.put(f"/api/trips/{trip.id}/", second, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "This trip was changed by someone else after you loaded it (you sent version 1, it is now at "
        "version 2). Reload it to see the changes, then make yours again."
    )
    assert body["current"]["title"] == "First editor"
    trip.refresh_from_db()
    assert (trip.title, trip.version) == ("First editor", 2)


@pytest.mark.django_db
def test_every_write_moves_the_version_on_and_the_api_shows_it(api, make_trip):
    trip = make_trip()
    assert api.get(f"/api/trips/{trip.id}/").json()["version"] == 1
    body = api.patch(f"/api/trips/{trip.id}/", {"travellers": 3}, format="json").json()
    assert body["version"] == 2
    body = api.patch(f"/api/trips/{trip.id}/", {"version": 2, "travellers": 4}, format="json").json()
    assert body["version"] == 3
    assert api.get("/api/trips/").json()["results"][0]["version"] == 3


@pytest.mark.django_db
def test_put_without_a_version_is_refused_naming_the_field(api, make_trip, destination):
    trip = make_trip(title="Keep")
    payload = {
        "title": "Blind overwrite",
        "destination": destination.id,
        "start_date": "2027-05-01",
        "end_date": "2027-05-08",
        "travellers": 2,
    }
    response = api.put(f"/api/trips/{trip.id}/", payload, format="json")
    assert response.status_code == 400
    assert "version" in response.json()["version"][0]
    trip.refresh_from_db()
    assert trip.title == "Keep"


@pytest.mark.django_db
@pytest.mark.parametrize("value", [0, -1, "two", 1.5, None])
def test_a_malformed_version_is_a_400_naming_the_value(api, make_trip, value):
    trip = make_trip()
    response = api.patch(f"/api/trips/{trip.id}/", {"version": value, "travellers": 3}, format="json")
    assert response.status_code == 400, response.content
    assert "version" in response.json()
    assert Trip.objects.get(pk=trip.id).travellers == 2


@pytest.mark.django_db
def test_a_version_sent_on_create_is_ignored_and_the_trip_starts_at_1(api, destination):
    payload = {
        "version": 7,
        "title": "New",
        "destination": destination.id,
        "start_date": "2027-05-01",
        "end_date": "2027-05-08",
        "travellers": 2,
    }
    body = api.post("/api/trips/", payload, format="json").json()
    assert body["version"] == 1
