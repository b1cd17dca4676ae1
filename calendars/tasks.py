"""Calendar work that runs on the worker: refreshing subscriptions and CalDAV calendars."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from workers.periodic import periodic


@task
def calendar_sync_task(calendar_id: int) -> str:
    """Syncs one calendar now (a new subscription, or the user's "sync now"); its status."""
    from calendars import services

    return services.calendar_sync_by_id(calendar_id=calendar_id)


@periodic(every=timedelta(minutes=15))
@task
def calendars_refresh_task() -> int:
    """Syncs every calendar not synced in the last refresh period; how many it synced."""
    from calendars import services

    return services.calendars_refresh_due(now=timezone.now())
