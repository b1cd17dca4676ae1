"""Queueing a task together with the writes that call for it."""

import copy
from dataclasses import dataclass, replace
from functools import partial

from django.db import router, transaction
from django.db.models.base import ModelState
from django.db.models.signals import post_save, pre_save
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.utils import normalize_uuid


def enqueue_with_transaction(task, *args, **kwargs) -> None:
    """Queues `task` so that it exists exactly when the current transaction commits: inside the
    transaction on the database queue (its row commits, or rolls back, with the writes, in one
    commit), after the commit on Redis (a job must not run before the writes it reads)."""
    if _database_queue(task):
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))


def _database_queue(task) -> DatabaseBackend | None:
    """The task's backend when it is the database queue on the default database."""
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == "default":
        return backend
    return None


class QueueRow:
    """The database queue's row for `task(*args)`, for a statement that writes it together with
    the write that calls for it (conversations.webhook_sql): one round trip, and none of the
    ORM's INSERT compiling, on the busiest path.

    It is the row `task.enqueue(*args)` writes (DatabaseBackend._task_to_db_task; compared
    column by column in tests/workers/test_queueing.py). The columns every call shares are
    prepared once per task, from an instance built as the backend builds it, through its
    pre_save receivers (the package's own sets run_after) and each field's own preparation;
    a call prepares only its own id, arguments and enqueued_at. `written()` then sends
    post_save and task_enqueued, as an enqueue does. `QueueRow.for_task` is None when the task
    doesn't go to the database queue: queue it with enqueue_with_transaction then.
    """

    def __init__(self, backend: DatabaseBackend, task, args: tuple) -> None:
        self.backend, self.task = backend, task
        self.own = {
            "id": backend._get_id(),
            "args_kwargs": normalize_json({"args": args, "kwargs": {}}),
            "enqueued_at": timezone.now(),
        }

    @classmethod
    def for_task(cls, task, *args) -> "QueueRow | None":
        backend = _database_queue(task)
        return cls(backend, task, args) if backend else None

    @property
    def model(self):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult

    @property
    def id(self):
        return self.own["id"]

    def values(self, connection) -> list:
        """The model's concrete fields' values, in their order, prepared for `connection` as
        Model.save prepares them."""
        shared = _shared(self.task, self.backend, connection)
        values = list(shared.values)
        for name, value in self.own.items():
            index, field = shared.own[name]
            values[index] = field.get_db_prep_save(value, connection)
        return values

    def written(self, connection) -> None:
        """What an enqueue does once its row is written: post_save for the row, then
        task_enqueued with its TaskResult (the one `DBTaskResult.task_result` builds; that
        property imports the task and rebuilds it, which is the same for every row of the task,
        so only the row's own fields are put into the shared one)."""
        shared = _shared(self.task, self.backend, connection)
        instance = shared.row(self.own)
        post_save.send(self.model, instance=instance, created=True, update_fields=None,
                       raw=False, using="default")  # fmt: skip
        task_result = replace(
            shared.task_result,
            db_result=instance,
            id=normalize_uuid(instance.id),
            enqueued_at=instance.enqueued_at,
            args=instance.args_kwargs["args"],
            kwargs=instance.args_kwargs["kwargs"],
            errors=[],
            worker_ids=instance.worker_ids,
        )
        task_enqueued.send(type(self.backend), task_result=task_result)


@dataclass(frozen=True)
class _Shared:
    instance: object  # as the backend builds it, after pre_save, the call's own columns aside
    values: list  # every column's prepared value; the call's own columns are replaced
    own: dict  # the call's own columns: name -> (index, field)
    mutable: tuple  # the instance's other fields that hold a list or a dict
    task_result: object  # the instance's TaskResult, as the package builds it

    def row(self, own: dict):
        """The written row as a saved instance: the template's fields, a list or dict of its
        own for each mutable one, and the call's own columns."""
        instance = self.instance.__class__.__new__(self.instance.__class__)
        instance.__dict__.update(self.instance.__dict__)
        instance._state = ModelState()
        instance._state.adding, instance._state.db = False, "default"
        for name in self.mutable:
            setattr(instance, name, copy.deepcopy(getattr(self.instance, name)))
        for name, value in own.items():
            setattr(instance, name, value)
        return instance


_SHARED: dict[tuple, _Shared] = {}


def _shared(task, backend: DatabaseBackend, connection) -> _Shared:
    key = (task, backend, connection.vendor)  # a backend is built again when TASKS changes
    if (shared := _SHARED.get(key)) is None:
        shared = _SHARED[key] = _prepared_once(task, backend, connection)
    return shared


def _prepared_once(task, backend: DatabaseBackend, connection) -> _Shared:
    from django_tasks_db.models import DBTaskResult

    backend.validate_task(task)
    instance = DBTaskResult(  # as DatabaseBackend._task_to_db_task builds it
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": [], "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,
        backend_name=backend.alias,
    )
    pre_save.send(DBTaskResult, instance=instance, raw=False, using="default", update_fields=None)
    fields = DBTaskResult._meta.concrete_fields
    values = [
        field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields
    ]
    own = {
        name: next((i, f) for i, f in enumerate(fields) if f.name == name)
        for name in ("id", "args_kwargs", "enqueued_at")
    }
    mutable = tuple(
        field.attname
        for field in fields
        if field.name not in own and isinstance(getattr(instance, field.attname), (list, dict))
    )
    return _Shared(instance=instance, values=values, own=own, mutable=mutable,
                   task_result=instance.task_result)  # fmt: skip
