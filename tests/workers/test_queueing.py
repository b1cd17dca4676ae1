"""QueueRow: the database queue's row for a task, written by another module's statement, must be
the row the backend's own enqueue writes."""

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult

from tests.workers import jobs
from workers.queueing import QueueRow

pytestmark = pytest.mark.django_db


def _insert(row: QueueRow) -> None:
    """Writes the row as a statement of its own (conversations.webhook_sql writes it inside
    one of its statements, with the same values)."""
    fields = row.model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {row.model._meta.db_table} ({columns}) VALUES ({placeholders})",
            row.values(connection),
        )
    row.written(connection)


def _columns(result: DBTaskResult) -> dict:
    return {f.attname: getattr(result, f.attname) for f in DBTaskResult._meta.concrete_fields}


@pytest.mark.parametrize(
    "task,args",
    [(jobs.add, (2, 3)), (jobs.always_fails.using(priority=7), ("x",))],
)
def test_the_row_is_the_one_enqueue_writes(task, args):
    enqueued = DBTaskResult.objects.get(id=task.enqueue(*args).id)
    row = QueueRow.for_task(task, *args)
    _insert(row)
    written = DBTaskResult.objects.get(id=row.id)
    mine, theirs = _columns(written), _columns(enqueued)
    assert mine.pop("id") != theirs.pop("id")
    assert abs(mine.pop("enqueued_at") - theirs.pop("enqueued_at")).total_seconds() < 5
    assert mine == theirs
    assert written.task_result.args == list(args)


def test_two_rows_of_one_task_differ_in_their_own_columns_only():
    first, second = QueueRow.for_task(jobs.add, 1, 2), QueueRow.for_task(jobs.add, 3, 4)
    _insert(first)
    _insert(second)
    a, b = (DBTaskResult.objects.get(id=row.id) for row in (first, second))
    assert a.args_kwargs == {"args": [1, 2], "kwargs": {}}
    assert b.args_kwargs == {"args": [3, 4], "kwargs": {}}
    assert a.run_after == b.run_after and a.status == b.status == "READY"


@pytest.mark.parametrize(
    "task,args",
    [(jobs.add, (2, 3)), (jobs.always_fails.using(priority=7), ("x",))],
)
def test_a_written_row_is_announced_as_an_enqueue_is(task, args):
    announced, saved = [], []

    def on_enqueued(sender, task_result, **kwargs):
        announced.append(task_result)

    def on_saved(sender, instance, created, **kwargs):
        saved.append((instance, created, instance._state.adding))

    task_enqueued.connect(on_enqueued)
    post_save.connect(on_saved, sender=DBTaskResult)
    try:
        rows = [QueueRow.for_task(task, *args), QueueRow.for_task(task, *args)]
        for row in rows:
            _insert(row)
    finally:
        task_enqueued.disconnect(on_enqueued)
        post_save.disconnect(on_saved, sender=DBTaskResult)
    # Each row's TaskResult is the one the package builds from the stored row, field by field
    # (its row included), and the rows share no list or dict.
    stored = [DBTaskResult.objects.get(id=row.id) for row in rows]
    assert announced == [row.task_result for row in stored]
    assert [_columns(instance) for instance, _, _ in saved] == [_columns(r) for r in stored]
    assert [(created, adding) for _, created, adding in saved] == [(True, False)] * 2
    assert announced[0].task == task
    first, second = (instance for instance, _, _ in saved)
    first.worker_ids.append("changed")
    first.args_kwargs["args"].append("changed")
    assert second.worker_ids == [] and second.args_kwargs["args"] == list(args)


def test_there_is_no_row_when_the_task_goes_to_redis(settings):
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/7"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    assert QueueRow.for_task(jobs.add, 2, 3) is None


def test_receivers_get_the_row_as_saved_and_cannot_change_the_next_one():
    from django.db.models.signals import post_save

    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance.id, created, instance._state.adding, list(instance.worker_ids)))
        instance.worker_ids.append("meddled")

    post_save.connect(receiver, sender=DBTaskResult)
    try:
        first, second = QueueRow.for_task(jobs.add, 1, 2), QueueRow.for_task(jobs.add, 3, 4)
        _insert(first)
        _insert(second)
    finally:
        post_save.disconnect(receiver, sender=DBTaskResult)
    assert seen == [(first.id, True, False, []), (second.id, True, False, [])]
