"""The hand-written trip JSON (trips.serializers.trip_json) is exactly what DRF's own fields make."""

import datetime as dt

import pytest
from rest_framework import serializers

from trips.models import Trip

pytestmark = pytest.mark.django_db


class DRFTripSerializer(serializers.ModelSerializer):
    """The representation as DRF's generic fields build it (the list used this before)."""

    destination_name = serializers.CharField(source="destination.name")
    destination_country = serializers.CharField(source="destination.country")

    class Meta:
        model = Trip
        fields = [
            "id",
            "title",
            "destination",
            "destination_name",
            "destination_country",
            "start_date",
            "end_date",
            "travellers",
            "notes",
            "version",
            "created_at",
            "updated_at",
        ]


@pytest.fixture
def varied_trips(make_trip, other_destination):
    make_trip(title="Plain")
    make_trip(title='Ünïcödé \u2603 \U0001f30d "quoted" <b>', notes="line 1\nline 2\t\\", travellers=20)
    make_trip(title="Other place", destination=other_destination, start_date=dt.date(1, 1, 1),
              end_date=dt.date(9999, 12, 31))  # fmt: skip
    exact = make_trip(title="Whole second")
    # A timestamp without microseconds: isoformat() leaves them out, DRF too.
    Trip.objects.filter(pk=exact.pk).update(
        created_at=dt.datetime(2027, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        updated_at=dt.datetime(2027, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
        version=41,
    )


def test_list_json_equals_drf_fields_for_every_trip(api, varied_trips):
    body = api.get("/api/trips/").json()
    expected = DRFTripSerializer(Trip.objects.select_related("destination"), many=True).data
    assert body["count"] == 4
    assert body["results"] == [dict(t) for t in expected]


def test_one_trip_json_equals_drf_fields_and_the_list_entry(api, varied_trips):
    listed = {t["id"]: t for t in api.get("/api/trips/").json()["results"]}
    for trip in Trip.objects.select_related("destination"):
        one = api.get(f"/api/trips/{trip.id}/").json()
        assert one == dict(DRFTripSerializer(trip).data) == listed[trip.id]


def test_list_is_one_query_per_page(api, varied_trips, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        assert api.get("/api/trips/").status_code == 200
    with django_assert_max_num_queries(1):
        assert api.get("/api/trips/", {"page_size": 2, "page": 2}).status_code == 200
