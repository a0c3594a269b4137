"""The list's written-out statement (trips/views.py) answers what the ORM's queryset answers, and
stays cheap as trips pile up."""

import datetime as dt
import json

import pytest
from django.db import connection

from trips.models import Trip
from trips.pagination import with_total
from trips.serializers import TRIP_COLUMNS
from trips.views import ALL_TRIPS, trip_page, trips_of

pytestmark = pytest.mark.django_db


def orm_page(destination_id, limit, offset) -> list[tuple]:
    trips = trips_of(destination_id)
    return list(with_total(trips.values_list(*TRIP_COLUMNS), counted=trips)[offset : offset + limit])


@pytest.mark.parametrize(("limit", "offset"), [(20, 0), (4, 8), (5, 10), (3, 9)])
def test_every_page_of_the_statement_is_the_orms_page_with_its_total(
    make_trip, destination, other_destination, limit, offset
):
    start = dt.date(2027, 3, 1)
    for i in range(12):
        # Same start dates in pairs and in reverse id order: the order falls back on the id.
        make_trip(
            title=f"Trip {i}",
            destination=destination if i % 3 else other_destination,
            start_date=start + dt.timedelta(days=(11 - i) // 2),
            end_date=start + dt.timedelta(days=10),
            notes="x" * i,
        )
    for destination_id in (None, destination.id, other_destination.id, 987654):
        assert trip_page(destination_id, limit, offset) == orm_page(destination_id, limit, offset)


def plan_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def test_the_count_is_not_a_window_over_the_join_and_joins_nothing(destination):
    # A window count (COUNT(*) OVER ()) made PostgreSQL join every trip to its destination
    # before the LIMIT: 22 ms a page at 20,000 trips, against 1.4 ms for a count of the trips alone.
    start = dt.date(2027, 1, 1)
    Trip.objects.bulk_create(
        Trip(title=f"T{i}", destination=destination, start_date=start, end_date=start, travellers=1)
        for i in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + ALL_TRIPS, [20, 40])
        [explained] = cursor.fetchone()
    plan = (explained if isinstance(explained, list) else json.loads(explained))[0]["Plan"]
    nodes = list(plan_nodes(plan))
    assert not [n for n in nodes if n["Node Type"] == "WindowAgg"], json.dumps(plan)[:1500]
    [count] = [n for n in nodes if n.get("Parent Relationship") == "InitPlan"]
    assert {n["Node Type"] for n in plan_nodes(count)} <= {
        "Aggregate",
        "Seq Scan",
        "Index Only Scan",
        "Index Scan",
    }
    assert count["Actual Rows"] == 1
