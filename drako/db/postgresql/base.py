"""PostgreSQL without a health-check round trip on every request of a busy connection, and with
statements PostgreSQL keeps prepared per connection for the hottest queries.

Django checks a reused connection (`SELECT 1`) at the first query of every request, so a
connection the server dropped is replaced instead of failing the request. On a busy worker that
is one round trip per request for a connection that answered a moment ago. Here the check is
skipped while the connection is proven: the previous request used it without a database error
less than PROVEN_SECONDS ago. A server restart inside that window fails at most one request per
connection, as with health checks off; after it, checks run as Django's do.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base
from django.utils.asyncio import async_unsafe
from psycopg import errors

PROVEN_SECONDS = 5.0


class DatabaseOperations(base.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # A statement cursor's query is logged as every other query is, values in place.
        if isinstance(cursor, base.ServerBindingCursor):
            try:
                return self.compose_sql(sql, params)
            except errors.DataError:
                pass
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
    _proven_at = float("-inf")

    def close_if_unusable_or_obsolete(self) -> None:
        # Called at the start and the end of each request; `health_check_done` is set only
        # once the request has used the connection, so only the end of a request that used it
        # without an error proves it.
        if self.connection is not None and self.health_check_done and not self.errors_occurred:
            self._proven_at = time.monotonic()
        super().close_if_unusable_or_obsolete()

    def close_if_health_check_failed(self) -> None:
        proven = time.monotonic() - self._proven_at < PROVEN_SECONDS
        if self.connection is not None and self.health_check_enabled and proven:
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    @async_unsafe
    def statement_cursor(self):
        """A cursor whose statements PostgreSQL keeps prepared on this connection.

        Django binds values into the SQL text (client-side binding), so PostgreSQL parses and
        plans every query anew; for the schedule window's UNION that took three times as long
        as running it. This cursor binds server-side, so psycopg prepares a statement at its
        first run on the connection, and PostgreSQL (its default plan_cache_mode) settles on
        one plan for it after a few runs; drako.prepared writes a query's constants into its
        SQL so that plan can use the partial indexes. Only drako.prepared's fixed statements go
        through it: the ORM's own queries keep Django's client-side binding, which psycopg
        never prepares. Behind a pooler in transaction mode that can't keep prepared
        statements, DATABASE_PREPARED_STATEMENTS=false binds server-side without preparing.
        """
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            # Django turns preparing off for the connection (prepare_threshold None); only
            # server-binding cursors, i.e. this one, ever prepare, so 0 means "at first use".
            self.connection.prepare_threshold = 0 if settings.DATABASE_PREPARED_STATEMENTS else None
            cursor = base.ServerBindingCursor(self.connection)
            return self._prepare_cursor(cursor)
