import os

from django.urls import include, path

from travelapp import probes

urlpatterns = [
    path("api/", include("trips.urls")),
    # Also routed normally (ProbeMiddleware answers them first, before host
    # validation; these entries keep reverse() and the URL map honest).
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", probes.metrics, name="metrics"),
]

# Django's error pages are HTML; every answer of this API is JSON (travelapp.errors).
handler400 = "travelapp.errors.bad_request"
handler403 = "travelapp.errors.permission_denied"
handler404 = "travelapp.errors.page_not_found"
handler500 = "travelapp.errors.server_error"

if os.environ.get("BENCH_ENDPOINTS") == "1":
    # Only for scripts/app-bench.py: a bare Django JSON view on the same stack.
    from trips.views import bench_ping

    urlpatterns.append(path("api/bench/ping", bench_ping, name="bench-ping"))
