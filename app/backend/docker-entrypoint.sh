#!/bin/sh
# Default command of the backend image: wait (bounded) for the database, then
# exec gunicorn. Migrations are NOT run here: a Kubernetes Job per release runs
# `python manage.py migrate --noinput`, and /readyz stays 503 until it has.
set -eu

echo "start: travel-app backend, waiting for the database (DB_WAIT_TIMEOUT=${DB_WAIT_TIMEOUT:-60}s)"
python manage.py wait_for_db
echo "start: exec gunicorn on ${GUNICORN_BIND:-0.0.0.0:8000} with ${WEB_CONCURRENCY:-2} workers"
exec gunicorn --config gunicorn.conf.py travelapp.wsgi:application
