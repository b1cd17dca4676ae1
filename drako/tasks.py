"""The project base's own housekeeping, as periodic tasks."""

from datetime import timedelta

from django.tasks import task

from drako import counters
from workers.periodic import periodic


@periodic(every=timedelta(hours=1))
@task
def rate_counters_prune() -> int:
    """Deletes rate-limit windows that have ended from the database (Redis expires its own)."""
    return counters.prune()
