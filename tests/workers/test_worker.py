from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.workers import jobs
from tests.workers.conftest import run_until_idle

pytestmark = pytest.mark.django_db


def test_enqueued_task_runs_on_the_worker_and_its_result_is_stored(worker):
    result = jobs.add.enqueue(2, 3)
    assert result.status == TaskResultStatus.READY

    assert worker.run_once() is True

    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5
    assert result.worker_ids == [worker.worker_id]
    assert worker.run_once() is False


def test_task_waits_until_its_run_after(worker):
    result = jobs.add.using(run_after=timezone.now() + timedelta(minutes=5)).enqueue(1, 1)
    assert worker.run_once() is False
    result.refresh()
    assert result.status == TaskResultStatus.READY


def _attempts(task_path: str) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task_path).order_by("enqueued_at"))


def _bring_forward(db_result: DBTaskResult) -> None:
    """Stands in for waiting out a backoff: the attempt becomes due now."""
    DBTaskResult.objects.filter(pk=db_result.pk).update(run_after=timezone.now())


def test_failed_task_is_retried_with_exponential_backoff_and_keeps_each_error(worker):
    jobs.always_fails.enqueue("calendar down")
    before = timezone.now()
    assert worker.run_once() is True
    after = timezone.now()

    first, second = _attempts(jobs.always_fails.module_path)
    assert first.status == TaskResultStatus.FAILED
    assert first.exception_class_path == "builtins.RuntimeError"
    assert "calendar down" in first.traceback
    assert second.status == TaskResultStatus.READY
    assert second.args_kwargs == {"args": ["calendar down"], "kwargs": {"_attempt": 2}}
    assert before + timedelta(seconds=30) <= second.run_after <= after + timedelta(seconds=30)
    assert worker.run_once() is False  # the backoff holds it back

    _bring_forward(second)
    before = timezone.now()
    assert worker.run_once() is True
    third = _attempts(jobs.always_fails.module_path)[2]
    assert third.run_after >= before + timedelta(seconds=60)  # doubled
    assert third.args_kwargs["kwargs"] == {"_attempt": 3}

    _bring_forward(third)
    assert run_until_idle(worker) == 1
    attempts = _attempts(jobs.always_fails.module_path)
    assert [a.status for a in attempts] == [TaskResultStatus.FAILED] * 3  # and no fourth


def test_task_that_fails_once_then_succeeds_stops_retrying(worker):
    result = jobs.fails_first_run.enqueue("calendar-7")
    worker.run_once()
    result.refresh()
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "builtins.ConnectionError"

    _bring_forward(_attempts(jobs.fails_first_run.module_path)[1])
    assert run_until_idle(worker) == 1
    statuses = [a.status for a in _attempts(jobs.fails_first_run.module_path)]
    assert statuses == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    assert _attempts(jobs.fails_first_run.module_path)[1].return_value == 2


def test_task_admin_shows_the_last_error(worker, staff_user, client):
    jobs.always_fails.enqueue("calendar down")
    worker.run_once()
    failed = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    client.force_login(staff_user)

    listing = client.get("/admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert listing.status_code == 200
    assert "builtins.RuntimeError" in listing.text
    page = client.get(f"/admin/django_tasks_database/dbtaskresult/{failed.pk}/change/")
    assert page.status_code == 200
    assert "RuntimeError: calendar down" in page.text


def test_task_admin_is_staff_only(client, user):
    client.force_login(user)
    response = client.get("/admin/django_tasks_database/dbtaskresult/")
    assert response.status_code == 302
