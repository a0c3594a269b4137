"""WSGI entry point used by gunicorn (travelapp.wsgi:application)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "travelapp.settings")

application = get_wsgi_application()
