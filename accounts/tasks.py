"""Accounts' housekeeping, as periodic tasks."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from accounts.models import Session
from workers.periodic import periodic


@periodic(every=timedelta(hours=6))
@task
def sessions_prune() -> int:
    """Deletes sessions that have expired: Django keeps them until someone runs clearsessions,
    and a signed-in browser that never came back would otherwise stay in the table for good."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
