"""Schedule work that runs on the worker (manage.py run_worker): reminders and the summaries."""

from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from schedules import reminders
from workers.periodic import periodic


@periodic(every=timedelta(minutes=1))
@task
def reminders_send_task() -> dict:
    """Sends the reminders and morning summaries that are due, every minute."""
    now = timezone.now()
    return {
        "reminders": reminders.reminders_send_due(now=now),
        "summaries": reminders.summaries_send_due(now=now),
    }
