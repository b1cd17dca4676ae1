"""System checks for how DRAKO is deployed."""

import os

from django.conf import settings
from django.core import checks

PER_PROCESS_BACKENDS = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


def _workers() -> int:
    try:
        return int(os.environ.get("GUNICORN_WORKERS", "2"))
    except ValueError:
        return 2


@checks.register(checks.Tags.caches)
def shared_cache_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Rate limits must be counted in a cache every gunicorn worker shares."""
    backend = settings.CACHES["default"]["BACKEND"]
    workers = _workers()
    # DEBUG means runserver: one process, so a per-process cache still sees every request.
    if settings.DEBUG or workers <= 1 or backend not in PER_PROCESS_BACKENDS:
        return []
    return [
        checks.Error(
            f"CACHE_URL names a per-process cache ({backend.rsplit('.', 1)[-1]}) while "
            f"GUNICORN_WORKERS is {workers}: each worker would count sign-in attempts and "
            "other rate limits on its own, multiplying every limit.",
            hint="Leave CACHE_URL unset (the database cache) or point it at Redis "
            "(redis://127.0.0.1:6379/1); or run one worker (GUNICORN_WORKERS=1).",
            id="drako.E001",
        )
    ]
