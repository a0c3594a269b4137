"""Values that look plausible but are not: refused with a message naming them, never stored altered."""

import pytest

from tests.payloads import valid_payload
from trips.models import Trip

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "title",
    [
        "\u200b",
        "\u200b\u200c\u200d\u2060\ufeff",
        " \u200b \u200b ",
        "\u00ad\u200e\u200f",
    ],
)
def test_a_title_of_only_invisible_characters_is_refused(api, destination, title):
    payload = valid_payload(destination, title=title, travellers=2)
    response = api.post("/api/trips/", payload, format="json")
    assert response.status_code == 400, response.content
    [message] = response.json()["title"]
    assert "visible" in message
    assert "U+" in message  # names the invisible characters it got
    assert Trip.objects.count() == 0


def test_a_title_with_a_zero_width_joiner_inside_real_text_is_fine(api, destination):
    payload = valid_payload(
        destination, title="Family \U0001f468\u200d\U0001f469\u200d\U0001f467 trip", travellers=3
    )
    response = api.post("/api/trips/", payload, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("value", [7.5, 1.0000001, True, "7.5", [7], {"id": 7}])
def test_a_destination_that_is_not_a_whole_number_is_refused_not_truncated(api, destination, value):
    payload = valid_payload(destination, destination=value, title="Fractional", travellers=2)
    response = api.post("/api/trips/", payload, format="json")
    assert response.status_code == 400, response.content
    [message] = response.json()["destination"]
    assert "whole number" in message
    assert Trip.objects.count() == 0


def test_a_destination_id_given_as_a_float_without_fraction_is_that_destination(api, destination):
    payload = valid_payload(destination, destination=float(destination.id), title="Whole float", travellers=2)
    response = api.post("/api/trips/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["destination"] == destination.id


def test_a_fractional_destination_message_names_the_value(api, destination):
    payload = valid_payload(destination, destination=7.5, title="Fractional", travellers=2)
    response = api.post("/api/trips/", payload, format="json")
    assert response.json()["destination"] == [
        "Destination must be a destination id (a whole number), got 7.5."
    ]
