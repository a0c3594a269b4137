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

if os.environ.get("BENCH_ENDPOINTS") == "1":
    # Only for scripts/app-bench.sh: a bare Django JSON view on the same stack.
    from trips.views import bench_ping

    urlpatterns.append(path("api/bench/ping", bench_ping, name="bench-ping"))
