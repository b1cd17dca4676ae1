"""Several workers at once, on PostgreSQL (SQLite serialises writers, so it cannot race)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.workers import jobs
from workers.models import PeriodicTaskState
from workers.periodic import PeriodicScheduler
from workers.worker import Worker

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL"),
]

MINUTE = timedelta(minutes=1)
START = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)


def _in_threads(*functions) -> list:
    """Runs each function in its own thread and database connection, started together."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)
    errors: list[BaseException] = []

    def run(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_two_workers_racing_enqueue_each_period_once_and_run_it_once(only_periodic):
    only_periodic((jobs.heartbeat, MINUTE))
    workers = [Worker(), Worker()]
    periods = [START + n * MINUTE for n in range(10)]

    for now in periods:
        won = _in_threads(*(lambda w=w, now=now: w.scheduler.tick(now) for w in workers))
        assert sorted(map(len, won)) == [0, 1], f"period {now}: {won}"

    only_periodic()  # from here on the workers only run what was enqueued
    ran = _in_threads(*(lambda w=w: _drain(w) for w in workers))
    assert sum(ran) == len(periods)
    results = DBTaskResult.objects.filter(task_path=jobs.heartbeat.module_path)
    assert results.count() == len(periods)
    assert all(r.status == TaskResultStatus.SUCCESSFUL for r in results)
    assert all(len(r.worker_ids) == 1 for r in results)  # each ran once, on one worker
    state = PeriodicTaskState.objects.get(name=jobs.heartbeat.module_path)
    assert state.last_period_start == periods[-1]


def _drain(worker: Worker) -> int:
    ran = 0
    while worker.run_once():
        ran += 1
    return ran


def test_a_worker_claiming_while_another_holds_the_period_enqueues_nothing(only_periodic):
    only_periodic((jobs.heartbeat, MINUTE))
    first_claimed = threading.Event()
    second_started = threading.Event()

    def first():
        with transaction.atomic():  # holds the row lock until the second one has started
            claimed = PeriodicScheduler().tick(START)
            first_claimed.set()
            second_started.wait(timeout=30)
        return claimed

    def second():
        first_claimed.wait(timeout=30)
        second_started.set()
        return PeriodicScheduler().tick(START + timedelta(seconds=30))

    assert _in_threads(first, second) == [[jobs.heartbeat.module_path], []]
    assert DBTaskResult.objects.filter(task_path=jobs.heartbeat.module_path).count() == 1
