"""The trip list's one SQL statement, built and compiled by the ORM once per process.

Building the values_list/annotate queryset and compiling it to SQL took about a
third of the list's CPU time per request (docs/benchmarks.md), for a statement
that only differs between requests in the destination filter and LIMIT/OFFSET.
Those go in as parameters here; the SQL itself is still the ORM's.
"""

from functools import cache

import psycopg
from django.db import connection
from django.db.models import Count, Window
from psycopg.pq import Format

from trips.models import Trip
from trips.serializers import TRIP_COLUMNS

_FILTER_PLACEHOLDER = 0
# psycopg's own timestamptz loader (in C with psycopg-binary). Django registers a
# subclass of the pure-Python one on every connection, to pin the tzinfo, which
# trip_json converts to UTC anyway; with 40 timestamps a page, parsing them was a
# third of the time spent on the query (docs/benchmarks.md).
_TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid
_FAST_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


@cache
def _statement(filtered: bool) -> str:
    trips = Trip.objects.all()
    if filtered:
        trips = trips.filter(destination_id=_FILTER_PLACEHOLDER)
    # COUNT(*) OVER (): the total comes with the page's rows, no separate COUNT query.
    sql, params = (
        trips.values_list(*TRIP_COLUMNS).annotate(total_count=Window(Count("*"))).query.sql_with_params()
    )
    expected = (_FILTER_PLACEHOLDER,) if filtered else ()
    if tuple(params) != expected:
        raise RuntimeError(f"the trip list's SQL has parameters {params!r}, expected {expected!r}: {sql}")
    return sql + " LIMIT %s OFFSET %s"


def trip_rows(destination_id: int | None, limit: int, offset: int) -> list[tuple]:
    """One page of trips as TRIP_COLUMNS, then the total number of trips (of that destination)."""
    filtered = destination_id is not None
    params = [destination_id, limit, offset] if filtered else [limit, offset]
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader(_TIMESTAMPTZ, _FAST_TIMESTAMPTZ_LOADER)
        cursor.execute(_statement(filtered), params)
        return cursor.fetchall()


def trip_count(destination_id: int | None) -> int:
    trips = Trip.objects.all()
    return trips.count() if destination_id is None else trips.filter(destination_id=destination_id).count()
