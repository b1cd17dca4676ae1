"""Tasks the worker tests enqueue (module level, as django.tasks requires)."""

from datetime import timedelta

from django.core.cache import cache
from django.tasks import task

from workers.retries import retry


@task
def add(a: int, b: int) -> int:
    return a + b


@task
@retry(attempts=3, backoff=timedelta(seconds=30))
def always_fails(reason: str) -> None:
    raise RuntimeError(reason)


@task
@retry(attempts=3, backoff=timedelta(seconds=30))
def fails_first_run(key: str) -> int:
    runs = cache.get(key, 0) + 1
    cache.set(key, runs)
    if runs == 1:
        raise ConnectionError("calendar server unreachable")
    return runs


@task
def heartbeat() -> str:
    return "beat"
