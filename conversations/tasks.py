"""Conversation work that runs on the worker (manage.py run_worker) instead of cron."""

from dataclasses import asdict
from datetime import timedelta

from django.tasks import task
from django.utils import timezone

from conversations.sweep import conversation_sweep
from conversations.webhooks import events_apply_pending
from workers.periodic import periodic
from workers.retries import retry


@periodic(every=timedelta(minutes=1))
@task
def conversation_sweep_task() -> dict:
    """Ends overdue calls, fails stuck starts and fetches missing transcripts, every minute."""
    return asdict(conversation_sweep(now=timezone.now()))


@task
@retry(attempts=5, backoff=timedelta(seconds=5))
def conversation_events_apply_task(conversation_id: int) -> int:
    """Applies a conversation's acknowledged webhooks (webhooks.event_receive queues it)."""
    return events_apply_pending(conversation_id=conversation_id)
