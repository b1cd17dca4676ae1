"""Subscriptions refresh on the worker: on a schedule (no cron) and on demand."""

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calendars import services
from calendars.models import Calendar, CalendarEvent
from calendars.services import calendar_sync_task
from calendars.tasks import calendars_refresh_task
from tests.calendars.conftest import feed
from workers.periodic import periodic_tasks
from workers.worker import Worker

pytestmark = pytest.mark.django_db


def test_the_refresh_is_a_periodic_task():
    entries = {entry.name: entry.every for entry in periodic_tasks()}
    assert entries[calendars_refresh_task.module_path] == timedelta(minutes=15)


def test_a_new_subscription_is_fetched_on_the_worker(
    user, feed_server, local_calendars, django_capture_on_commit_callbacks
):
    feed_server.ics("/series.ics", feed("series.ics"))
    with django_capture_on_commit_callbacks(execute=True):
        calendar = services.calendar_subscribe(owner=user, url=feed_server.url("/series.ics"))
    assert calendar.status == "pending"
    assert not CalendarEvent.objects.exists()  # nothing fetched in the request
    Worker().run_once()
    calendar.refresh_from_db()
    assert calendar.status == "ok", calendar.last_error
    result = DBTaskResult.objects.get(task_path=calendar_sync_task.module_path)
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == "ok"


def test_the_periodic_refresh_syncs_only_calendars_due(user, feed_server, local_calendars):
    feed_server.ics("/a.ics", feed("series.ics"))
    due = Calendar.objects.create(owner=user, kind="subscription", url=feed_server.url("/a.ics"),
                                  name="Due")  # fmt: skip
    fresh = Calendar.objects.create(
        owner=user, kind="subscription", url=feed_server.url("/b.ics"), name="Fresh",
        last_attempt_at=timezone.now() - timedelta(minutes=2),
    )  # fmt: skip
    result = calendars_refresh_task.enqueue()
    Worker().run_once()
    result.refresh()
    assert result.return_value == 1
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert due.status == "ok" and fresh.status == "pending"


def test_a_calendar_disconnected_before_its_sync_ran_is_no_error(user):
    calendar = Calendar.objects.create(owner=user, kind="subscription", url="https://x", name="X")
    result = calendar_sync_task.enqueue(calendar_id=calendar.pk)
    calendar.delete()
    Worker().run_once()
    result.refresh()
    assert result.return_value == "gone"
