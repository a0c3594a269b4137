from django.http import JsonResponse
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError

from trips.models import Destination, Trip
from trips.serializers import DestinationSerializer, TripSerializer


class DestinationViewSet(viewsets.ReadOnlyModelViewSet):
    """GET /api/destinations/ and /api/destinations/<id>/."""

    queryset = Destination.objects.all()
    serializer_class = DestinationSerializer


class TripViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """CRUD on /api/trips/; the list filters with ?destination=<id>."""

    serializer_class = TripSerializer

    def get_queryset(self):
        queryset = Trip.objects.select_related("destination")
        if self.action != "list":
            return queryset
        raw = self.request.query_params.get("destination")
        if raw is None or raw == "":
            return queryset
        try:
            destination_id = int(raw)
        except ValueError:
            raise ValidationError({"destination": [f"Destination must be an integer id, got {raw!r}."]})
        if not Destination.objects.filter(pk=destination_id).exists():
            raise ValidationError({"destination": [f"Unknown destination {destination_id}."]})
        return queryset.filter(destination_id=destination_id)


def bench_ping(request):
    """A bare Django JSON view (no DRF, no database) for scripts/app-bench.sh;
    routed only when BENCH_ENDPOINTS=1."""
    return JsonResponse({"pong": True})
