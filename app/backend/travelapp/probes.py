"""Liveness, readiness and metrics endpoints for Kubernetes and Prometheus.

Kubelet probes and Prometheus scrapes address the pod by IP, so their Host
header is something like ``10.244.1.7:8000`` which ALLOWED_HOSTS does not
list. Django validates the Host header lazily, in ``request.get_host()``,
which CommonMiddleware calls. ProbeMiddleware sits before CommonMiddleware
and answers exactly these three paths itself, so host validation never runs
for them; every other path keeps the full ALLOWED_HOSTS protection.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django_prometheus.exports import ExportToDjangoView

logger = logging.getLogger(__name__)

HEALTHZ = "/healthz"
READYZ = "/readyz"
METRICS = "/metrics"
PROBE_PATHS = frozenset({HEALTHZ, READYZ, METRICS})

# Once every migration has been seen applied, a process keeps believing it:
# migrations only move forward while a pod lives (a newer release's Job may
# add more, which this pod's code does not know about anyway). This spares
# readiness probes from loading the migration graph every few seconds.
_migrations_seen_applied = False


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Deliberately no database access."""
    return JsonResponse({"status": "ok"})


def pending_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def reset_readiness_cache() -> None:
    global _migrations_seen_applied
    _migrations_seen_applied = False


def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers and no migration is left unapplied."""
    global _migrations_seen_applied
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure to reach the database means "not ready"
        logger.warning("readiness: database unreachable: %s", exc)
        # Drop the broken connection so the next probe reconnects from scratch.
        try:
            connection.close()
        except Exception as close_exc:
            logger.debug("readiness: closing the broken connection failed: %s", close_exc)
        return JsonResponse(
            {"status": "unavailable", "reason": "database unreachable", "error": str(exc)[:300]},
            status=503,
        )

    if not _migrations_seen_applied:
        try:
            pending = pending_migrations()
        except Exception as exc:
            logger.warning("readiness: cannot inspect migrations: %s", exc)
            return JsonResponse(
                {"status": "unavailable", "reason": "cannot inspect migrations", "error": str(exc)[:300]},
                status=503,
            )
        if pending:
            return JsonResponse(
                {"status": "unavailable", "reason": "unapplied migrations", "pending": pending},
                status=503,
            )
        _migrations_seen_applied = True

    return JsonResponse({"status": "ok"})


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition. With PROMETHEUS_MULTIPROC_DIR set, django-prometheus
    aggregates the samples of every gunicorn worker (multiprocess mode)."""
    return ExportToDjangoView(request)


_VIEWS = {HEALTHZ: healthz, READYZ: readyz, METRICS: metrics}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = _VIEWS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"detail": "Method not allowed."}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        return view(request)
