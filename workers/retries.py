"""Retries with exponential backoff for django.tasks tasks, on any backend that supports run_after.

Each attempt is its own task result: a failed attempt keeps its error (the admin shows it) and,
while attempts remain, enqueues the next one to run after the backoff.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Travels in the next attempt's kwargs; the wrapper takes it out before calling the function.
ATTEMPT_KWARG = "_attempt"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    backoff: timedelta
    factor: float

    def delay(self, attempt: int) -> timedelta:
        """How long to wait after failed attempt number `attempt` (1-based)."""
        return self.backoff * self.factor ** (attempt - 1)


def retry(*, attempts: int, backoff: timedelta, factor: float = 2.0) -> Callable:
    """Run the task up to `attempts` times, waiting backoff, backoff*factor, ... after failures."""
    if attempts < 1 or backoff <= timedelta(0) or factor < 1:
        raise ValueError("retry needs attempts >= 1, a positive backoff and factor >= 1.")
    policy = RetryPolicy(attempts=attempts, backoff=backoff, factor=factor)

    def decorate(func: Callable) -> Callable:
        if hasattr(func, "enqueue"):
            raise TypeError("Put @retry below @task: it wraps the task's function.")

        @functools.wraps(func)
        def run(*args, **kwargs):
            attempt = kwargs.pop(ATTEMPT_KWARG, 1)
            try:
                return func(*args, **kwargs)
            except Exception:
                if attempt < policy.attempts:
                    _enqueue_next_attempt(run, policy, attempt, args, kwargs)
                raise

        run.retry_policy = policy
        return run

    return decorate


def _enqueue_next_attempt(run: Callable, policy: RetryPolicy, attempt: int, args, kwargs) -> None:
    # The module-level name is the Task object that @task made of `run`.
    task = import_string(f"{run.__module__}.{run.__qualname__}")
    run_after = timezone.now() + policy.delay(attempt)
    task.using(run_after=run_after).enqueue(*args, **kwargs, **{ATTEMPT_KWARG: attempt + 1})
    logger.warning(
        "task=%s attempt=%d/%d failed; next attempt after %s",
        task.module_path,
        attempt,
        policy.attempts,
        run_after.isoformat(),
    )
