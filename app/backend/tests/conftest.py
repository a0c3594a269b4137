import datetime as dt

import pytest
from rest_framework.test import APIClient

from travelapp import probes
from trips.models import Destination, Trip


@pytest.fixture(autouse=True)
def _fresh_readiness_cache():
    probes.reset_readiness_cache()
    yield
    probes.reset_readiness_cache()


@pytest.fixture
def api():
    # The test client sends Host: testserver; list it like a real deployment would.
    return APIClient()


@pytest.fixture(autouse=True)
def _allowed_hosts(settings):
    settings.ALLOWED_HOSTS = ["testserver", "travel.example"]


@pytest.fixture
def destination(db):
    return Destination.objects.create(name="Testville", country="Testland", description="A test city.")


@pytest.fixture
def other_destination(db):
    return Destination.objects.create(name="Otherburg", country="Otherland", description="")


@pytest.fixture
def make_trip(destination):
    def _make(**overrides):
        values = {
            "title": "A trip",
            "destination": destination,
            "start_date": dt.date(2027, 5, 1),
            "end_date": dt.date(2027, 5, 8),
            "travellers": 2,
            "notes": "",
        }
        values.update(overrides)
        return Trip.objects.create(**values)

    return _make
