"""Readiness (`/readyz`): can this node serve, and is the rest of the system there to serve with?

`/healthz` stays liveness: one query, so a process manager restarts only what is really stuck.
`/readyz` checks every shared part a node depends on — the database, the shared cache, the task
queue — and that some worker is alive, and answers 503 naming what is missing. It says words
("ok", "unreachable"), never an error's text: an exception can carry a URL with its password.
"""

import logging

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

OK = "ok"
UNREACHABLE = "unreachable"
# A probe must answer faster than the load balancer gives up on it.
_REDIS_TIMEOUT_SECONDS = 1.0
_PROBE_KEY = "readyz:probe"


def database_check() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def cache_check() -> str:
    # A get is a real round trip on every backend (Redis, the database cache).
    caches["default"].get(_PROBE_KEY)
    return OK


def queue_check() -> str:
    """The Redis queue answers a PING; the database queue is the database, already checked."""
    if not settings.TASKS_URL:
        return OK
    client = redis.Redis.from_url(
        settings.TASKS_URL,
        socket_connect_timeout=_REDIS_TIMEOUT_SECONDS,
        socket_timeout=_REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()
    return OK


# Each part's check, by dotted path: the workers' lives in the workers app, which drako doesn't
# import (tests/drako/test_layers.py), as settings name middleware.
CHECKS = {
    "database": "drako.readiness.database_check",
    "cache": "drako.readiness.cache_check",
    "queue": "drako.readiness.queue_check",
    "workers": "workers.readiness.workers_check",
}
# Words that mean "ready" for a component; any other word makes the node not ready.
_READY_WORDS = frozenset({OK, "not checked"})


def readiness_check() -> dict[str, str]:
    """Runs every check; each component maps to "ok" or a short reason it is not ready."""
    results = {}
    for name, path in CHECKS.items():
        try:
            results[name] = import_string(path)()
        except Exception as error:
            # Any failure of a dependency means "not ready"; its class name is enough to log.
            logger.warning("readyz %s check failed: %s", name, type(error).__name__)
            results[name] = UNREACHABLE
    return results


@never_cache
@require_GET
def readyz_view(request):
    """200 when the database, the shared cache, the task queue and a worker are all there."""
    checks = readiness_check()
    ready = all(word in _READY_WORDS for word in checks.values())
    body = {"status": "ready" if ready else "unavailable", "checks": checks}
    return JsonResponse(body, status=200 if ready else 503)
