"""Small fixed-window rate limits that every worker shares (drako/counters.py counts them).

Counting is one atomic statement, so a parallel burst cannot overshoot a limit, and one round
trip, so even the tool-call relay, the hottest path, counts in the shared store.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from drako import counters


@dataclass(frozen=True)
class Limit:
    allowed: bool
    remaining: int


def _key(scope: str, key: str) -> str:
    # Hashed: keys hold user input (account names) of any length and alphabet.
    return f"{scope}:{hashlib.sha256(key.encode()).hexdigest()}"


def count(*, scope: str, key: str, window_seconds: int) -> int:
    """Counts one attempt of (scope, key) and returns how many its window now holds."""
    return counters.count(_key(scope, key), window_seconds=window_seconds)


def hit(*, scope: str, key: str, limit: int, window_seconds: int) -> Limit:
    """Counts one attempt for (scope, key) and says whether it is still within `limit`."""
    used = count(scope=scope, key=key, window_seconds=window_seconds)
    return Limit(allowed=used <= limit, remaining=max(limit - used, 0))


def give_back(*, scope: str, key: str) -> None:
    """Uncounts one attempt of (scope, key), e.g. one that turned out not to be a failure."""
    counters.give_back(_key(scope, key))


def is_limited(*, scope: str, key: str, limit: int) -> bool:
    """True when (scope, key) has used up its attempts, without counting a new one."""
    return counters.current(_key(scope, key)) >= limit


def reset(*, scope: str, key: str) -> None:
    """Forgets the attempts of (scope, key), e.g. after a successful sign-in."""
    counters.forget(_key(scope, key))


def claim(*, scope: str, key: str, value, seconds: int) -> bool:
    """Takes (scope, key) for `seconds` if nobody holds it: True for exactly one caller."""
    return cache.add(f"ratelimit:{_key(scope, key)}", value, timeout=seconds)


def release(*, scope: str, key: str) -> None:
    """Ends the claim on (scope, key) before its time, e.g. after a successful sign-in."""
    cache.delete(f"ratelimit:{_key(scope, key)}")


def holder(*, scope: str, key: str):
    """What the current claim on (scope, key) holds, or None."""
    return cache.get(f"ratelimit:{_key(scope, key)}")


def client_address(request) -> str:
    """The client's address: X-Forwarded-For is believed only from a proxy in TRUSTED_PROXIES."""
    remote = request.META.get("REMOTE_ADDR", "unknown")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.TRUSTED_PROXIES:
        # The last hop was added by our own proxy; earlier ones are the client's to forge.
        return forwarded.split(",")[-1].strip()[:64] or remote
    return remote
