"""Hostile and odd request bodies get a 400 with a JSON message naming the problem, never a 500."""

import pytest

from trips.models import Trip

pytestmark = pytest.mark.django_db

DEPTHS = [1000, 100_000]


def nested(kind: str, depth: int) -> str:
    if kind == "arrays":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("kind", ["arrays", "objects"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_deeply_nested_json_is_a_400_with_a_json_message_not_a_500(api, make_trip, method, kind, depth):
    trip = make_trip()
    path = "/api/trips/" if method == "POST" else f"/api/trips/{trip.id}/"
    response = api.generic(method, path, nested(kind, depth), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert "nested too deeply" in response.json()["detail"]
    assert Trip.objects.count() == 1
