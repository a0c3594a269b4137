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

prepared_cursor(): for a statement the ORM compiled once and that only takes values
as parameters (the trip list's, trips/list_query.py), PostgreSQL parses and plans it
once per connection instead of at every request: 0.25 ms of the server's CPU a page
down to 0.11 ms (docs/benchmarks.md). Not for every query: Django's own SQL is not
always valid with parameters bound on the server (Django ticket #20516).
"""

import select
from functools import cached_property

from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.utils.asyncio import async_unsafe
from django_prometheus.db.backends.postgresql import base
from django_prometheus.db.common import ExportingCursorWrapper


class PreparedStatementCursor(ServerBindingCursor):
    """Parameters bound on the server, and each statement prepared on its first execution
    (psycopg keeps up to prepared_max of them per connection, and re-prepares on a new one)."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class DatabaseOperations(PostgresOperations):
    def last_executed_query(self, cursor, sql, params):
        # Django reads back the text a client-binding cursor sent; a prepared statement's
        # has placeholders only, so log it as Django would have sent it (DEBUG, tests).
        if isinstance(cursor, PreparedStatementCursor):
            return self.compose_sql(sql, params)
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
        if not poller.poll(0):
            return True
        return super().is_usable()

    @cached_property
    def _prepared_cursor_class(self):
        # With django-prometheus's query metrics, like every other cursor of this backend.
        return ExportingCursorWrapper(PreparedStatementCursor, self.alias, self.vendor)

    @async_unsafe
    def prepared_cursor(self):
        """Like cursor() (same health check, query logging and metrics), with prepared statements."""
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            return self._prepare_cursor(self._prepared_cursor_class(self.connection))
