"""Fixed-window counters that every process shares, each operation one round trip.

Rate limits count here: in Redis when the shared cache (CACHE_URL) is Redis, otherwise in the
database's `drako_ratecounter` table (unlogged on PostgreSQL: a count needs no durable commit,
and a crash forgets at most one window). Counting is one atomic statement — `INSERT … ON CONFLICT
… RETURNING` or a Redis `INCR` + `EXPIRE NX` pipeline — so a parallel burst can never overshoot,
and the check costs one round trip on the hottest path (a tool call).
"""

import functools
import time

import redis
from django.conf import settings
from django.db import connection

from drako.prepared import statement_cursor

_REDIS_PREFIX = "drako:rate:"
# Decrements only a live window's count, never below zero, and never creates a key.
_REDIS_GIVE_BACK = """
local hits = redis.call('GET', KEYS[1])
if hits and tonumber(hits) > 0 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@functools.cache
def _redis_client(location: str) -> redis.Redis:
    # One connection pool per process, made on first use from CACHE_URL's own address.
    return redis.Redis.from_url(location)


def _redis() -> redis.Redis | None:
    cache = settings.CACHES["default"]
    if cache["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        return None
    location = cache["LOCATION"]
    return _redis_client(location[0] if isinstance(location, list | tuple) else location)


def _table() -> str:
    return connection.ops.quote_name("drako_ratecounter")


def count(name: str, *, window_seconds: int) -> int:
    """Counts one hit of `name` and returns how many its current window now holds."""
    if (client := _redis()) is not None:
        pipe = client.pipeline(transaction=False)
        pipe.incr(_REDIS_PREFIX + name)
        pipe.expire(_REDIS_PREFIX + name, window_seconds, nx=True)
        hits, _ = pipe.execute()
        return int(hits)
    now = _now_ms()
    table = _table()
    with statement_cursor(connection) as cursor:
        cursor.execute(
            # A quoted table name and bound values: nothing here comes from a request.
            f"INSERT INTO {table} (name, hits, resets_at) VALUES (%s, 1, %s) "  # noqa: S608
            f"ON CONFLICT (name) DO UPDATE SET "
            f"hits = CASE WHEN {table}.resets_at <= %s THEN 1 ELSE {table}.hits + 1 END, "
            f"resets_at = CASE WHEN {table}.resets_at <= %s "
            f"THEN excluded.resets_at ELSE {table}.resets_at END "
            f"RETURNING hits",
            [name, now + window_seconds * 1000, now, now],
        )
        return cursor.fetchone()[0]


def give_back(name: str) -> None:
    """Uncounts one hit of `name` in its current window (nothing if the window has ended)."""
    if (client := _redis()) is not None:
        client.eval(_REDIS_GIVE_BACK, 1, _REDIS_PREFIX + name)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_table()} SET hits = hits - 1 "  # noqa: S608
            f"WHERE name = %s AND hits > 0 AND resets_at > %s",
            [name, _now_ms()],
        )


def current(name: str) -> int:
    """How many hits `name`'s current window holds, without counting one."""
    if (client := _redis()) is not None:
        return int(client.get(_REDIS_PREFIX + name) or 0)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT hits FROM {_table()} WHERE name = %s AND resets_at > %s",  # noqa: S608
            [name, _now_ms()],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def forget(name: str) -> None:
    """Drops `name`'s count, e.g. after a successful sign-in."""
    if (client := _redis()) is not None:
        client.delete(_REDIS_PREFIX + name)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table()} WHERE name = %s", [name])  # noqa: S608


def prune() -> int:
    """Deletes the database's ended windows (Redis expires its own); returns how many."""
    from drako.models import RateCounter

    deleted, _ = RateCounter.objects.filter(resets_at__lte=_now_ms()).delete()
    return deleted
