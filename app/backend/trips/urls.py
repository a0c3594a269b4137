from django.urls import re_path
from rest_framework.routers import DefaultRouter

from trips.views import DestinationViewSet, RelativeAPIRootView, TripViewSet


class Router(DefaultRouter):
    APIRootView = RelativeAPIRootView


router = Router()
router.register("destinations", DestinationViewSet, basename="destination")
router.register("trips", TripViewSet, basename="trip")


def without_trailing_slash(patterns):
    """The same routes without their trailing slash, under the same names.

    Django's APPEND_SLASH answers "POST /api/trips" with a 301 to /api/trips/, which
    clients follow with a GET and without the body. These twins serve the request
    as it came; they go first so that reverse() keeps giving the slashed URL
    (the last pattern of a name wins), and metrics keep the same view names."""
    twins = []
    for pattern in patterns:
        regex = pattern.pattern.regex.pattern
        if regex.endswith("/$") and regex != "^/$":
            twins.append(re_path(regex[: -len("/$")] + "$", pattern.callback, name=pattern.name))
    return twins


urlpatterns = without_trailing_slash(router.urls) + router.urls
