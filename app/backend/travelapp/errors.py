"""Django's own error answers as JSON (handler400/403/404/500 in travelapp.urls).

This process serves only the API and its probes, and DRF already answers its
own errors as JSON; these are the rest: a path no route matches, a Host header
not in ALLOWED_HOSTS, an exception nothing handled. Django's defaults are HTML
pages, which API clients (and the frontend) cannot read.
"""

from django.core.exceptions import DisallowedHost
from django.http import JsonResponse


def _path(request) -> str:
    path = request.path
    return path if len(path) <= 200 else path[:200] + "…"


def bad_request(request, exception=None):
    if isinstance(exception, DisallowedHost):
        message = "Bad request: this API does not answer to the Host header it was sent."
    else:
        message = "Bad request: the request could not be read (malformed or too large)."
    return JsonResponse({"detail": message}, status=400)


def permission_denied(request, exception=None):
    return JsonResponse({"detail": f"Access to {_path(request)} is not allowed."}, status=403)


def page_not_found(request, exception=None):
    return JsonResponse(
        {"detail": f"There is no API endpoint at {_path(request)}; GET /api/ lists the endpoints."},
        status=404,
    )


def server_error(request):
    # Never the exception itself: it is in the log (django.request), not for clients.
    return JsonResponse(
        {"detail": "The server had an unexpected problem; it has been logged. Please try again."},
        status=500,
    )
