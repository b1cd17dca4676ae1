"""Conversation work that runs on the worker (manage.py run_worker) instead of cron."""

from dataclasses import asdict
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from conversations.sweep import conversation_sweep
from workers.periodic import periodic


@periodic(every=timedelta(minutes=1))
@task
def conversation_sweep_task() -> dict:
    """Ends overdue calls, fails stuck starts and fetches missing transcripts, every minute."""
    return asdict(conversation_sweep(now=timezone.now()))
