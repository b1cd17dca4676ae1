"""Reminders on the worker: the periodic task through the real database backend, and two workers
racing for the same reminder on PostgreSQL."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from schedules import reminders, services
from schedules.models import Notice
from schedules.tasks import reminders_send_task
from tests.factories import UserFactory
from tests.workers.conftest import run_until_idle
from workers import periodic
from workers.worker import Worker

CONTEXT = services.ChangeContext()
START = datetime(2030, 3, 12, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.mark.django_db
def test_the_worker_sends_a_due_reminder_with_no_cron(monkeypatch, mailoutbox):
    entry = periodic.PeriodicTask(task=reminders_send_task, every=timedelta(minutes=1))
    monkeypatch.setattr(periodic, "_registry", {entry.name: entry})  # only this one ticks
    user = UserFactory(email_verified=True)
    soon = timezone.now() + timedelta(minutes=5)  # its 10-minute reminder is 5 minutes late
    services.event_create(owner=user, title="Standup", start=soon, end=soon + timedelta(hours=1),
                          context=CONTEXT)  # fmt: skip
    worker = Worker()
    assert worker.scheduler.tick(timezone.now()) == [reminders_send_task.module_path]
    assert run_until_idle(worker) == 1
    result = DBTaskResult.objects.get(task_path=reminders_send_task.module_path)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"reminders": 1, "summaries": 0}
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Reminder"]


@pytest.mark.django_db
def test_a_reminder_another_worker_claimed_meanwhile_is_not_sent_again(mailoutbox):
    """Worker B found the reminder due, then worker A claimed and sent it: B's claim fails."""
    user = UserFactory(email_verified=True)
    services.event_create(owner=user, title="Standup", start=START,
                          end=START + timedelta(hours=1), context=CONTEXT)  # fmt: skip
    now = START - timedelta(minutes=10)
    seen_by_b = reminders.reminders_due(now=now)
    assert reminders.reminders_send_due(now=now) == 1  # worker A
    assert reminders.reminders_send(seen_by_b, now=now) == 0  # worker B, a moment late
    assert len(mailoutbox) == 1 and Notice.objects.count() == 1


def _race(*functions) -> list:
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def run(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except BaseException as error:  # reported below
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


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite lets one writer in at a time, so two workers cannot race on it",
)
def test_two_workers_racing_send_each_reminder_once():
    """Both see the same ten reminders due at once; the claim rows let each through once."""
    users = [UserFactory(email_verified=True) for _ in range(2)]
    for n in range(10):
        start = START + timedelta(minutes=n)
        services.event_create(owner=users[n % 2], title=f"Event {n}", start=start,
                              end=start + timedelta(minutes=30), allow_conflict=True,
                              context=CONTEXT)  # fmt: skip
    now = START + timedelta(minutes=5)  # every 10-minute reminder (09:50 to 09:59) is due
    due = reminders.reminders_due(now=now)
    assert len(due) == 10
    mail.outbox = []
    sent = _race(*(lambda: reminders.reminders_send_due(now=now) for _ in range(2)))
    assert sum(sent) == 10
    assert len(mail.outbox) == 10
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"Reminder: Event {n} at 11:{n:02d} AM"
        for n in range(10)  # Berlin
    )
    assert Notice.objects.filter(outcome="sent").count() == 10
    # Racing again later changes nothing: each was claimed once.
    assert _race(*(lambda: reminders.reminders_send_due(now=now) for _ in range(2))) == [0, 0]
