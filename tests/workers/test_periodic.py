from datetime import UTC, datetime, timedelta

import pytest
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conversations.tasks import conversation_sweep_task
from tests.workers import jobs
from tests.workers.conftest import run_until_idle
from workers.models import PeriodicTaskState
from workers.periodic import PeriodicScheduler, PeriodicTask, periodic, periodic_tasks
from workers.worker import Worker

MINUTE = timedelta(minutes=1)
NOON = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "every", "start"),
    [
        (
            datetime(2026, 3, 29, 12, 34, 56, 700, tzinfo=UTC),
            MINUTE,
            datetime(2026, 3, 29, 12, 34, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 29, 12, 34, 56, tzinfo=UTC),
            timedelta(hours=1),
            datetime(2026, 3, 29, 12, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 29, 12, 34, tzinfo=UTC),
            timedelta(minutes=15),
            datetime(2026, 3, 29, 12, 30, tzinfo=UTC),
        ),
        (NOON, MINUTE, NOON),
    ],
)
def test_periods_are_aligned_to_the_epoch_in_utc(now, every, start):
    assert PeriodicTask(task=jobs.add, every=every).period_start(now) == start


def test_period_start_is_the_same_instant_whatever_the_zone():
    from zoneinfo import ZoneInfo

    berlin = NOON.astimezone(ZoneInfo("Europe/Berlin"))  # 14:00 local, the DST change day
    entry = PeriodicTask(task=jobs.add, every=timedelta(hours=1))
    assert entry.period_start(berlin + timedelta(minutes=59)) == NOON


def test_the_sweep_is_registered_to_run_every_minute():
    entries = {entry.name: entry for entry in periodic_tasks()}
    assert entries[conversation_sweep_task.module_path].every == MINUTE


def test_periodic_must_sit_above_task_and_needs_a_sensible_interval():
    with pytest.raises(TypeError, match="above @task"):
        periodic(every=MINUTE)(jobs.add.func)
    with pytest.raises(ValueError):
        periodic(every=timedelta(milliseconds=10))


def _enqueued(task) -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path=task.module_path))


@pytest.mark.django_db
def test_tick_enqueues_a_periodic_task_once_per_period(only_periodic):
    only_periodic((jobs.heartbeat, MINUTE))
    scheduler = PeriodicScheduler()

    assert scheduler.tick(NOON) == [jobs.heartbeat.module_path]
    assert scheduler.tick(NOON + timedelta(seconds=59)) == []
    assert len(_enqueued(jobs.heartbeat)) == 1
    assert scheduler.tick(NOON + MINUTE) == [jobs.heartbeat.module_path]
    assert len(_enqueued(jobs.heartbeat)) == 2

    state = PeriodicTaskState.objects.get(name=jobs.heartbeat.module_path)
    assert state.last_period_start == NOON + MINUTE
    assert state.every == MINUTE
    assert state.last_result_id == str(_enqueued(jobs.heartbeat)[-1].id)


@pytest.mark.django_db
def test_another_worker_in_the_same_period_enqueues_nothing(only_periodic):
    only_periodic((jobs.heartbeat, MINUTE))
    assert PeriodicScheduler().tick(NOON + timedelta(seconds=5)) == [jobs.heartbeat.module_path]
    assert PeriodicScheduler().tick(NOON + timedelta(seconds=40)) == []
    assert len(_enqueued(jobs.heartbeat)) == 1


@pytest.mark.django_db
def test_a_period_missed_while_no_worker_ran_is_not_caught_up(only_periodic):
    only_periodic((jobs.heartbeat, MINUTE))
    PeriodicScheduler().tick(NOON)
    assert PeriodicScheduler().tick(NOON + 30 * MINUTE) == [jobs.heartbeat.module_path]
    assert len(_enqueued(jobs.heartbeat)) == 2


@pytest.mark.django_db
def test_the_worker_loop_enqueues_and_runs_periodic_tasks(only_periodic):
    only_periodic((jobs.heartbeat, MINUTE))
    worker = Worker()
    assert run_until_idle(worker) == 1
    (result,) = _enqueued(jobs.heartbeat)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "beat"
