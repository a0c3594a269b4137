from django.db import transaction
from django.http import HttpResponse, JsonResponse
from rest_framework import mixins, viewsets
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.routers import APIRootView

from trips.list_query import trip_count, trip_rows
from trips.models import Destination, Trip
from trips.serializers import DestinationSerializer, TripSerializer, trip_json

_JSON = JSONRenderer()
# Accept headers that DRF's negotiation answers with JSON for certain (no header at
# all, or asking for JSON or anything); any other goes through DRF.
_PLAIN_ACCEPTS = frozenset(("", "*/*", "application/json"))


def _plain_json_request(request) -> bool:
    return request.headers.get("Accept", "").strip() in _PLAIN_ACCEPTS and "format" not in request.GET


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

    def dispatch(self, request, *args, **kwargs):
        # The trip list is the API's busiest answer. A plain GET of it skips DRF's
        # request wrapper, content negotiation and Response (a third of its CPU
        # time, docs/benchmarks.md): same bytes and headers, which
        # tests/test_list_fast_path.py holds equal to DRF's. Anything else, errors
        # included, goes through DRF as before.
        if (
            request.method == "GET"
            and self.action_map.get("get") == "list"
            and self._drf_checks_nothing()
            and _plain_json_request(request)
        ):
            try:
                return self._plain_list()
            except APIException:
                pass
        return super().dispatch(request, *args, **kwargs)

    def _drf_checks_nothing(self) -> bool:
        """The fast path skips DRF's authentication, permission and throttling: only while
        this view has none to do (a public API today; adding any turns the fast path off)."""
        return (
            not self.authentication_classes
            and not self.throttle_classes
            and all(permission is AllowAny for permission in self.permission_classes)
        )

    def _plain_list(self) -> HttpResponse:
        data = self.paginator.paginated_data(self._page())
        response = HttpResponse(_JSON.render(data), content_type=_JSON.media_type)
        response["Allow"] = ", ".join(self.allowed_methods)
        return response

    def list(self, request, *args, **kwargs):
        return self.get_paginated_response(self._page())

    def _page(self) -> "list[dict]":
        # The page's columns straight from one precompiled query (the count
        # included), turned into JSON by trip_json: no model instances, no
        # per-field serializer machinery (docs/benchmarks.md).
        request = self.request
        destination_id = self._destination_filter()
        try:
            rows = self.paginator.paginate(
                lambda limit, offset: trip_rows(destination_id, limit, offset),
                lambda: trip_count(destination_id),
                Trip._meta.verbose_name_plural,
                request,
            )
        except NotFound:
            self._require_known_destination()
            raise
        if not rows:
            self._require_known_destination()
        return [trip_json(row) for row in rows]

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
