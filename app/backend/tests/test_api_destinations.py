import pytest

pytestmark = pytest.mark.django_db


def test_migrate_alone_seeds_the_starter_destinations(api):
    response = api.get("/api/destinations/", {"page_size": 100})
    assert response.status_code == 200
    names = {d["name"] for d in response.json()["results"]}
    assert {"Lisbon", "Kyoto", "Reykjavik"} <= names
    assert response.json()["count"] >= 12


def test_destination_list_is_paginated_with_count_and_links(api, destination):
    response = api.get("/api/destinations/", {"page_size": 5})
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"count", "next", "previous", "results"}
    assert len(body["results"]) == 5
    assert body["next"] is not None
    assert set(body["results"][0]) == {"id", "name", "country", "description"}


def test_destination_detail_returns_one_destination(api, destination):
    response = api.get(f"/api/destinations/{destination.id}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": destination.id,
        "name": "Testville",
        "country": "Testland",
        "description": "A test city.",
    }


def test_unknown_destination_detail_is_404(api):
    assert api.get("/api/destinations/999999/").status_code == 404


def test_destinations_are_read_only(api, destination):
    assert api.post("/api/destinations/", {"name": "X", "country": "Y"}, format="json").status_code == 405
    assert api.delete(f"/api/destinations/{destination.id}/").status_code == 405
