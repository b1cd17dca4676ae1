from datetime import timedelta

import pytest

from workers import periodic
from workers.periodic import PeriodicTask
from workers.worker import Worker


@pytest.fixture
def only_periodic(monkeypatch):
    """Replaces the registry of periodic tasks with the given ones for one test."""

    def register(*entries: tuple[object, timedelta]) -> None:
        registry = {
            task.module_path: PeriodicTask(task=task, every=every) for task, every in entries
        }
        monkeypatch.setattr(periodic, "_registry", registry)

    register()
    return register


@pytest.fixture
def worker(only_periodic):
    return Worker()


def run_until_idle(worker: Worker, limit: int = 20) -> int:
    """Turns the worker's loop until it finds nothing to run; returns how many tasks ran."""
    for ran in range(limit):
        if not worker.run_once():
            return ran
    raise AssertionError(f"the worker still had work after {limit} tasks")
