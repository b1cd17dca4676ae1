"""Reminders by voice: "remind me 30 minutes before" becomes the tools' `reminder`, read back."""

import pytest

from schedules.models import Event
from tests.factories import add_event, days_ahead, future

pytestmark = pytest.mark.django_db


def test_add_with_a_reminder_reads_it_back_and_keeps_it(call, user):
    added = call("add_schedule_event", {"title": "Dentist", "start_time": future(days=3, hour=15),
                                        "reminder": "30 minutes"})  # fmt: skip
    assert added["ok"] and added["state"] == "proposed"
    assert "I'll remind you 30 minutes before." in added["say"]
    call("confirm_change", {"change_id": added["change_id"]})
    assert Event.objects.get(title="Dentist").reminders == [30]


def test_add_without_a_reminder_takes_the_users_usual_one(call, user):
    added = call("add_schedule_event", {"title": "Gym", "start_time": future(days=3, hour=18)})
    assert "remind" not in added["say"]
    call("confirm_change", {"change_id": added["change_id"]})
    assert Event.objects.get(title="Gym").reminders == [10]


SAID = [("none", []), ("1 hour", [60]), ("0", [0]), ("an hour before", [60]), ("2880", [2880])]


@pytest.mark.parametrize(("said", "minutes"), SAID)
def test_update_changes_only_the_reminder(call, user, said, minutes):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    proposed = call("update_schedule_event", {"event_id": event.pk, "reminder": said})
    assert proposed["ok"], proposed
    assert "Dentist" in proposed["say"]
    call("confirm_change", {"change_id": proposed["change_id"]})
    event.refresh_from_db()
    assert event.reminders == minutes
    assert event.start.astimezone(user.tz).hour == 14  # nothing else moved


def test_a_reminder_said_with_a_move_is_read_back_with_it(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    moved = call("update_schedule_event", {"event_id": event.pk, "reminder": "15",
                                           "start_time": future(days=4, hour=10)})  # fmt: skip
    assert "I'll remind you 15 minutes before." in moved["say"]
    call("confirm_change", {"change_id": moved["change_id"]})
    event.refresh_from_db()
    assert event.reminders == [15] and event.start.astimezone(user.tz).hour == 10


def test_a_series_reminder_is_changed_for_every_occurrence(call, user):
    added = call("add_schedule_event", {"title": "Standup", "start_time": future(days=1, hour=9),
                                        "repeat": "every weekday"})  # fmt: skip
    call("confirm_change", {"change_id": added["change_id"]})
    standup = Event.objects.get(title="Standup")
    proposed = call("update_schedule_event", {"event_id": standup.pk, "reminder": "5"})
    assert proposed["ok"] and "5 minutes before" in proposed["say"]
    call("confirm_change", {"change_id": proposed["change_id"]})
    standup.refresh_from_db()
    assert standup.reminders == [5] and standup.recurrence


@pytest.mark.parametrize("said", ["forever", "-5", "99999", "ten years"])
def test_a_reminder_that_makes_no_sense_is_a_question(call, user, said):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    answer = call("update_schedule_event", {"event_id": event.pk, "reminder": said})
    assert answer["ok"] is False
    assert answer["say"] == "How long before should I remind you?"
    assert "10080" in answer["hint"]
    event.refresh_from_db()
    assert event.reminders == [10]
