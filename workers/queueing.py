"""Queueing a task together with the writes that call for it."""

from functools import partial

from django.db import router, transaction
from django_tasks_db.backend import DatabaseBackend


def enqueue_with_transaction(task, *args, **kwargs) -> None:
    """Queues `task` so that it exists exactly when the current transaction commits: inside the
    transaction on the database queue (its row commits, or rolls back, with the writes, in one
    commit), after the commit on Redis (a job must not run before the writes it reads)."""
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if isinstance(backend, DatabaseBackend) and router.db_for_write(DBTaskResult) == "default":
        task.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(partial(task.enqueue, *args, **kwargs))
