#!/bin/sh
# Run by the nginx image's entrypoint before it renders the templates:
# BACKEND_HOST has no default, so stop with a clear message if it is missing.
set -eu
if [ -z "${BACKEND_HOST:-}" ]; then
    echo "travel-app frontend: BACKEND_HOST is not set; set it to the backend Service name (e.g. BACKEND_HOST=backend)" >&2
    exit 1
fi
case "${BACKEND_PORT:-}" in
    ''|*[!0-9]*) echo "travel-app frontend: BACKEND_PORT must be a port number, got '${BACKEND_PORT:-}'" >&2; exit 1 ;;
esac
case "${NGINX_PORT:-}" in
    ''|*[!0-9]*) echo "travel-app frontend: NGINX_PORT must be a port number, got '${NGINX_PORT:-}'" >&2; exit 1 ;;
esac
echo "travel-app frontend: listening on ${NGINX_PORT}, proxying /api/ to http://${BACKEND_HOST}:${BACKEND_PORT}"
