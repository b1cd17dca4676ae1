"""The worker's own housekeeping, as periodic tasks."""

from datetime import timedelta

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from workers.periodic import periodic


@periodic(every=timedelta(hours=1))
@task
def task_results_prune() -> int:
    """Deletes finished task results older than TASKS_RESULT_RETENTION_DAYS (database queue)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=settings.TASKS_RESULT_RETENTION_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
