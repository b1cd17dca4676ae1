"""Small fixed-window rate limits on a cache every worker shares (see drako/cache.py).

Counting is one atomic `add` + `incr`, so a parallel burst cannot overshoot a limit. The tool-call
relay's per-minute guard alone counts per process: it sits on the hottest path, where a shared
count would cost a database query per call, and a loop guard that lets twice through is still one.
"""

import contextlib
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

PER_PROCESS_SCOPES = frozenset({"tool-call"})


@dataclass(frozen=True)
class Limit:
    allowed: bool
    remaining: int


def _store(scope: str):
    return caches["local" if scope in PER_PROCESS_SCOPES else "default"]


def _cache_key(scope: str, key: str) -> str:
    # Hashed: keys hold user input (account names) that a cache backend may refuse as a key.
    return f"ratelimit:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"


def count(*, scope: str, key: str, window_seconds: int) -> int:
    """Counts one attempt of (scope, key) and returns how many its window now holds."""
    store, cache_key = _store(scope), _cache_key(scope, key)
    # add() is atomic on every backend: only the first attempt of a window sets the expiry.
    store.add(cache_key, 0, timeout=window_seconds)
    try:
        return store.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        store.set(cache_key, 1, timeout=window_seconds)
        return 1


def hit(*, scope: str, key: str, limit: int, window_seconds: int) -> Limit:
    """Counts one attempt for (scope, key) and says whether it is still within `limit`."""
    used = count(scope=scope, key=key, window_seconds=window_seconds)
    return Limit(allowed=used <= limit, remaining=max(limit - used, 0))


def give_back(*, scope: str, key: str) -> None:
    """Uncounts one attempt of (scope, key), e.g. one that turned out not to be a failure."""
    with contextlib.suppress(ValueError):  # its window ended meanwhile: nothing to give back
        _store(scope).decr(_cache_key(scope, key))


def is_limited(*, scope: str, key: str, limit: int) -> bool:
    """True when (scope, key) has used up its attempts, without counting a new one."""
    return (_store(scope).get(_cache_key(scope, key)) or 0) >= limit


def reset(*, scope: str, key: str) -> None:
    """Forgets the attempts of (scope, key), e.g. after a successful sign-in."""
    _store(scope).delete(_cache_key(scope, key))


def claim(*, scope: str, key: str, value, seconds: int) -> bool:
    """Takes (scope, key) for `seconds` if nobody holds it: True for exactly one caller."""
    return _store(scope).add(_cache_key(scope, key), value, timeout=seconds)


def holder(*, scope: str, key: str):
    """What the current claim on (scope, key) holds, or None."""
    return _store(scope).get(_cache_key(scope, key))


def client_address(request) -> str:
    """The client's address: X-Forwarded-For is believed only from a proxy in TRUSTED_PROXIES."""
    remote = request.META.get("REMOTE_ADDR", "unknown")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        # The last hop was added by our own proxy; earlier ones are the client's to forge.
        return forwarded.split(",")[-1].strip()[:64] or remote
    return remote
