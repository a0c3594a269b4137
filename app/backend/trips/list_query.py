"""The trip list's one SQL statement, built and compiled by the ORM once per process.

Building the values_list/annotate queryset and compiling it to SQL took about a
third of the list's CPU time per request (docs/benchmarks.md), for a statement
that only differs between requests in the destination filter and LIMIT/OFFSET.
Those go in as parameters here; the SQL itself is still the ORM's.
"""

from functools import cache

import psycopg
from django.db import connection
from psycopg.pq import Format

from trips.models import Trip
from trips.pagination import with_total
from trips.serializers import TRIP_COLUMNS

_FILTER_PLACEHOLDER = 0
# psycopg's own timestamptz loader (in C with psycopg-binary). Django registers a
# subclass of the pure-Python one on every connection, to pin the tzinfo, which
# trip_json converts to UTC anyway; with 40 timestamps a page, parsing them was a
# third of the time spent on the query (docs/benchmarks.md).
_TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid
_FAST_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


@cache
def _statement(filtered: bool) -> tuple[str, int]:
    """The SQL, and how many of its parameters are the destination filter (the page
    and its count each filter); LIMIT and OFFSET come last."""
    trips = Trip.objects.all()
    if filtered:
        trips = trips.filter(destination_id=_FILTER_PLACEHOLDER)
    # The count over the trips alone: the join to destinations only adds columns.
    sql, params = with_total(trips.values_list(*TRIP_COLUMNS), counted=trips).query.sql_with_params()
    if any(param != _FILTER_PLACEHOLDER for param in params) or filtered != bool(params):
        raise RuntimeError(f"the trip list's SQL has unexpected parameters {params!r}: {sql}")
    return sql + " LIMIT %s OFFSET %s", len(params)


def trip_rows(destination_id: int | None, limit: int, offset: int) -> list[tuple]:
    """One page of trips as TRIP_COLUMNS, then the total number of trips (of that destination)."""
    sql, filter_slots = _statement(destination_id is not None)
    with connection.prepared_cursor() as cursor:
        cursor.cursor.adapters.register_loader(_TIMESTAMPTZ, _FAST_TIMESTAMPTZ_LOADER)
        cursor.execute(sql, [destination_id] * filter_slots + [limit, offset])
        return cursor.fetchall()


def trip_count(destination_id: int | None) -> int:
    trips = Trip.objects.all()
    return trips.count() if destination_id is None else trips.filter(destination_id=destination_id).count()
