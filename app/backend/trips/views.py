from django.db import transaction
from django.http import JsonResponse
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView

from trips.models import Destination, Trip
from trips.pagination import with_total
from trips.serializers import TRIP_COLUMNS, DestinationSerializer, TripSerializer, trip_json


def trips_of(destination_id: int | None):
    trips = Trip.objects.all()
    return trips if destination_id is None else trips.filter(destination_id=destination_id)


def trip_list_rows(destination_id: int | None):
    """The list's trips as TRIP_COLUMNS, each row ending with their total: one statement for a
    page and its count. The count is over the trips alone: the join to destinations only adds
    columns (tests/test_list_query.py checks the plan)."""
    trips = trips_of(destination_id)
    return with_total(trips.values_list(*TRIP_COLUMNS), counted=trips)


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
                lambda limit, offset: list(trip_list_rows(destination_id)[offset : offset + limit]),
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
    """A bare Django JSON view (no DRF, no database) for scripts/app-bench.sh;
    routed only when BENCH_ENDPOINTS=1."""
    return JsonResponse({"pong": True})
