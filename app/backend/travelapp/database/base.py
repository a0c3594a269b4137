"""PostgreSQL (psycopg 3) with django-prometheus's query metrics and a health check
that costs no round trip.

CONN_HEALTH_CHECKS makes Django call is_usable() before a persistent connection's
first query in each request. Django's own sends "SELECT 1": a round trip to the
database per request, about a tenth of the trip list's whole cost through nginx
(docs/benchmarks.md). A connection the server has dropped (a restart, a failover,
pg_terminate_backend, idle timeouts) has something to read: the server's FATAL
message or the end of the stream, while a healthy idle one has nothing, as the
server never speaks unasked between queries. So: nothing to read, usable; anything
to read, ask the server as Django does. Either way a dead connection is replaced
before the request uses it (tests/test_database.py).
"""

import select

from django_prometheus.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        if not poller.poll(0):
            return True
        return super().is_usable()
