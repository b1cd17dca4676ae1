"""Calendar work that runs on the worker: refreshing subscriptions and CalDAV calendars."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from calendars import services
from workers.periodic import periodic


@periodic(every=timedelta(minutes=15))
@task
def calendars_refresh_task() -> int:
    """Syncs every calendar not synced in the last refresh period; how many it synced."""
    return services.calendars_refresh_due(now=timezone.now())
