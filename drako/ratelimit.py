"""A small fixed-window rate limiter on Django's cache, shared by every process that shares it."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    allowed: bool
    remaining: int


def _cache_key(scope: str, key: str) -> str:
    # Hashed: keys hold user input (account names) that a cache backend may refuse as a key.
    return f"ratelimit:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"


def hit(*, scope: str, key: str, limit: int, window_seconds: int) -> Limit:
    """Counts one attempt for (scope, key) and says whether it is still within `limit`."""
    cache_key = _cache_key(scope, key)
    # add() is atomic on every backend: only the first attempt of a window sets the expiry.
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return Limit(allowed=count <= limit, remaining=max(limit - count, 0))


def is_limited(*, scope: str, key: str, limit: int) -> bool:
    """True when (scope, key) has used up its attempts, without counting a new one."""
    return (cache.get(_cache_key(scope, key)) or 0) >= limit


def reset(*, scope: str, key: str) -> None:
    """Forgets the attempts of (scope, key), e.g. after a successful sign-in."""
    cache.delete(_cache_key(scope, key))


def client_address(request) -> str:
    """The client's address: X-Forwarded-For is believed only from a proxy in TRUSTED_PROXIES."""
    remote = request.META.get("REMOTE_ADDR", "unknown")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        # The last hop was added by our own proxy; earlier ones are the client's to forge.
        return forwarded.split(",")[-1].strip()[:64] or remote
    return remote
