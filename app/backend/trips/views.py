from django.db import connection, transaction
from django.http import JsonResponse
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView

from trips.models import Destination, Trip
from trips.serializers import DestinationSerializer, TripSerializer, trip_json

# The list's page and its total in one statement, the columns of trips.serializers.TRIP_COLUMNS
# then the total. Written out: building and compiling the same statement with the ORM took most
# of the list's CPU time at every request (docs/benchmarks.md). The total counts the trips alone
# (the join only adds columns), as a scalar subquery, not a window over the join
# (tests/test_list_query.py holds the rows equal to the ORM's and checks the plan). The values
# are parameters: PostgreSQL prepares each of the two statements once per connection
# (server_side_binding and prepare_threshold in settings.DATABASES).
_TRIP_PAGE = """SELECT t.id, t.title, t.destination_id, d.name, d.country, t.start_date, t.end_date,
    t.travellers, t.notes, t.version, t.created_at, t.updated_at,
    (SELECT count(*) FROM trips_trip c{count_filter})
FROM trips_trip t JOIN trips_destination d ON d.id = t.destination_id{page_filter}
ORDER BY t.start_date, t.id LIMIT %s OFFSET %s"""
ALL_TRIPS = _TRIP_PAGE.format(count_filter="", page_filter="")
TRIPS_TO_DESTINATION = _TRIP_PAGE.format(
    count_filter=" WHERE c.destination_id = %s", page_filter="\nWHERE t.destination_id = %s"
)


def trip_page(destination_id: int | None, limit: int, offset: int) -> list[tuple]:
    """One page of the list (of one destination's trips), each row ending with their total."""
    with connection.cursor() as cursor:
        if destination_id is None:
            cursor.execute(ALL_TRIPS, [limit, offset])
        else:
            cursor.execute(TRIPS_TO_DESTINATION, [destination_id, destination_id, limit, offset])
        return cursor.fetchall()


def trips_of(destination_id: int | None):
    trips = Trip.objects.all()
    return trips if destination_id is None else trips.filter(destination_id=destination_id)


class DestinationViewSet(viewsets.ReadOnlyModelViewSet):
    """GET /api/destinations/ and /api/destinations/<id>/."""

    queryset = Destination.objects.all()
    serializer_class = DestinationSerializer


class TripViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD on /api/trips/; the list filters with ?destination=<id>."""

    serializer_class = TripSerializer

    def get_queryset(self):
        queryset = Trip.objects.select_related("destination")
        if self.action in ("update", "partial_update"):
            # Writers of one trip take turns: each validates against, and bumps, the
            # version the one before it stored (see update()).
            queryset = queryset.select_for_update(of=("self",))
        return queryset

    def list(self, request, *args, **kwargs):
        # The page's columns as tuples (the count included), turned into JSON by
        # trip_json: no model instances, no per-field serializer machinery
        # (docs/benchmarks.md).
        destination_id = self._destination_filter()
        try:
            rows = self.paginator.paginate(
                lambda limit, offset: trip_page(destination_id, limit, offset),
                trips_of(destination_id).count,
                Trip._meta.verbose_name_plural,
                request,
            )
        except NotFound:
            self._require_known_destination()
            raise
        if not rows:
            self._require_known_destination()
        return self.get_paginated_response([trip_json(row) for row in rows])

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().update(request, *args, **kwargs)

    def _destination_filter(self) -> int | None:
        raw = self.request.GET.get("destination")
        if raw is None or raw == "":
            return None
        try:
            return int(raw)
        except ValueError:
            raise ValidationError({"destination": [f"Destination must be an integer id, got {raw!r}."]})

    def _require_known_destination(self) -> None:
        """An empty page for ?destination=<id>: say so if that destination does not exist at all
        (only asked then: a page with trips proves the destination exists)."""
        destination_id = self._destination_filter()
        if destination_id is not None and not Destination.objects.filter(pk=destination_id).exists():
            raise ValidationError({"destination": [f"Unknown destination {destination_id}."]})


class RelativeAPIRootView(APIRootView):
    """GET /api/: the endpoints as relative links (absolute ones would name the backend
    Service that nginx proxies to, useless to any client outside)."""

    def get(self, request, *args, **kwargs):
        return Response({key: reverse(name) for key, name in self.api_root_dict.items()})


def bench_ping(request):
    """A bare Django JSON view (no DRF, no database) for scripts/app-bench.py;
    routed only when BENCH_ENDPOINTS=1."""
    return JsonResponse({"pong": True})
