"""PostgreSQL without a health-check round trip on every request of a busy connection.

Django checks a reused connection (`SELECT 1`) at the first query of every request, so a
connection the server dropped is replaced instead of failing the request. On a busy worker that
is one round trip per request for a connection that answered a moment ago. Here the check is
skipped while the connection is proven: the previous request used it without a database error
less than PROVEN_SECONDS ago. A server restart inside that window fails at most one request per
connection, as with health checks off; after it, checks run as Django's do.
"""

import time

from django.db.backends.postgresql import base

PROVEN_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
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
