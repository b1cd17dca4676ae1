"""The Redis backend (TASKS_URL=redis://...): django-tasks-rq on a real Redis, RQ's own worker."""

import os
from datetime import timedelta

import pytest
import redis
from django.tasks import TaskResultStatus
from django.utils import timezone

from tests.workers import jobs
from workers.models import PeriodicTaskState
from workers.periodic import PeriodicScheduler

REDIS_URL = os.environ.get("DRAKO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
RQ_TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def _redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


@pytest.fixture
def rq_backend(settings):
    client = _redis_or_skip()
    client.flushdb()
    # django_rq stays out of INSTALLED_APPS: adding it here would leave its admin registered.
    settings.RQ_QUEUES = {"default": {"URL": REDIS_URL}}
    settings.TASKS = RQ_TASKS
    yield client
    client.flushdb()


def _work_burst() -> None:
    """RQ's worker, in this process, until the queue is empty (what run_worker runs, forked)."""
    import django_rq
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker

    django_rq.get_worker("default", job_class=Job, worker_class=SimpleWorker).work(burst=True)


def test_enqueued_task_runs_on_an_rq_worker(rq_backend):
    result = jobs.add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY
    _work_burst()
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


def test_failed_task_on_rq_keeps_its_error_and_schedules_a_retry(rq_backend):
    from django_rq import get_queue
    from rq.registry import ScheduledJobRegistry

    result = jobs.always_fails.enqueue("calendar down")
    before = timezone.now()
    _work_burst()
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert "calendar down" in result.errors[-1].traceback

    registry = ScheduledJobRegistry(queue=get_queue("default"))
    (job_id,) = registry.get_job_ids()
    retry = jobs.always_fails.get_result(job_id)
    assert retry.kwargs == {"_attempt": 2}
    # RQ keeps scheduled times to the second.
    assert retry.task.run_after >= before.replace(microsecond=0) + timedelta(seconds=30)


@pytest.mark.django_db
def test_periodic_tick_enqueues_into_redis_once_and_rq_runs_it(rq_backend, only_periodic):
    from django_rq import get_queue

    only_periodic((jobs.heartbeat, timedelta(minutes=1)))
    now = timezone.now()
    assert PeriodicScheduler().tick(now) == [jobs.heartbeat.module_path]
    assert PeriodicScheduler().tick(now) == []
    assert get_queue("default").count == 1

    _work_burst()
    state = PeriodicTaskState.objects.get(name=jobs.heartbeat.module_path)
    result = jobs.heartbeat.get_result(state.last_result_id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "beat"


@pytest.mark.django_db
def test_tick_with_the_queue_down_claims_nothing_and_tries_again(settings, only_periodic):
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:9/0"}}  # nothing listens there
    settings.TASKS = RQ_TASKS
    only_periodic((jobs.heartbeat, timedelta(minutes=1)))
    scheduler = PeriodicScheduler()
    now = timezone.now()

    assert scheduler.tick(now) == []
    assert PeriodicTaskState.objects.get(name=jobs.heartbeat.module_path).last_period_start is None

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert scheduler.tick(now) == [jobs.heartbeat.module_path]  # the same period, not skipped
