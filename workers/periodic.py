"""Periodic tasks without cron: a task declares its interval, workers enqueue it once per period.

    @periodic(every=timedelta(minutes=1))
    @task
    def conversation_sweep_task() -> dict: ...

Periods are aligned to the Unix epoch in UTC (every minute starts at :00). Every worker ticks; a
conditional UPDATE on the task's PeriodicTaskState row decides which one enqueues a period, so
any number of workers enqueue it exactly once. A period that passed while no worker ran is not
caught up: the next tick enqueues the current period only.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Q

from workers.models import PeriodicTaskState

logger = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PeriodicTask:
    task: object  # a django.tasks Task (the backport's Task under the RQ backend)
    every: timedelta

    @property
    def name(self) -> str:
        return self.task.module_path

    def period_start(self, now: datetime) -> datetime:
        """The start of the period that `now` falls in."""
        return now - (now - _EPOCH) % self.every


_registry: dict[str, PeriodicTask] = {}


def periodic(*, every: timedelta) -> Callable:
    """Register the decorated task (put it above @task) to be enqueued once every `every`."""
    if every < timedelta(seconds=1):
        raise ValueError("A periodic task's interval must be at least one second.")

    def decorate(task):
        if not hasattr(task, "enqueue"):
            raise TypeError("Put @periodic above @task: it registers the task itself.")
        _registry[task.module_path] = PeriodicTask(task=task, every=every)
        return task

    return decorate


def periodic_tasks() -> list[PeriodicTask]:
    """Every registered periodic task, by name."""
    return [_registry[name] for name in sorted(_registry)]


def periodic_task_enqueue_if_due(*, entry: PeriodicTask, now: datetime) -> bool:
    """Enqueue `entry` for the period of `now` unless a worker already did; True if we did."""
    start = entry.period_start(now)
    PeriodicTaskState.objects.get_or_create(name=entry.name)
    with transaction.atomic():
        # Under a concurrent claim the row lock makes the loser re-check last_period_start.
        won = (
            PeriodicTaskState.objects.filter(name=entry.name)
            .filter(Q(last_period_start__isnull=True) | Q(last_period_start__lt=start))
            .update(last_period_start=start, last_enqueued_at=now, every=entry.every)
        )
        if not won:
            return False
        result = entry.task.enqueue()
        PeriodicTaskState.objects.filter(name=entry.name).update(last_result_id=str(result.id))
    return True


class PeriodicScheduler:
    """Ticks from a worker's loop; remembers decided periods so idle loops cost no queries."""

    def __init__(self) -> None:
        self._decided: dict[str, datetime] = {}

    def tick(self, now: datetime) -> list[str]:
        """Enqueue every periodic task whose current period nobody has claimed yet."""
        enqueued = []
        for entry in periodic_tasks():
            start = entry.period_start(now)
            if self._decided.get(entry.name) == start:
                continue
            try:
                if periodic_task_enqueue_if_due(entry=entry, now=now):
                    enqueued.append(entry.name)
            except Exception:
                # The queue or database is down: log it and try again on the next tick.
                logger.exception("periodic task=%s could not be enqueued", entry.name)
                continue
            self._decided[entry.name] = start
        return enqueued
