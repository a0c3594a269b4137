from rest_framework.routers import DefaultRouter

from trips.views import DestinationViewSet, TripViewSet

router = DefaultRouter()
router.register("destinations", DestinationViewSet, basename="destination")
router.register("trips", TripViewSet, basename="trip")

urlpatterns = router.urls
