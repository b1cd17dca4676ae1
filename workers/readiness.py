"""The workers' part of /readyz (drako/readiness.py names it by its dotted path)."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from workers.models import PeriodicTaskState


def workers_check() -> str:
    """Is some worker alive? Every worker enqueues the minutely sweep, so one ticked lately."""
    max_age = settings.READYZ_WORKER_MAX_AGE_SECONDS
    if max_age <= 0:
        return "not checked"
    last = PeriodicTaskState.objects.aggregate(last=Max("last_enqueued_at"))["last"]
    if last is None or last < timezone.now() - timedelta(seconds=max_age):
        return f"no worker has ticked in the last {max_age} seconds"
    return "ok"
