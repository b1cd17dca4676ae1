"""Read tools: list events, find free slots."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.factories import add_event, days_ahead

pytestmark = pytest.mark.django_db


def test_list_events_bounded_and_spoken(call, user):
    for hour in range(8, 22):
        add_event(user, f"Block {hour}", days_ahead(user, 2, hour))
    day = (timezone.localtime(timezone.now(), user.tz) + timedelta(days=2)).date().isoformat()
    result = call("list_schedule_events", {"when": day})
    assert result["ok"] and len(result["events"]) == 12 and result["truncated"] is True
    assert result["say"].startswith("For ") and "more than 12 events" in result["say"]
    assert all("id" in e and "when" in e for e in result["events"])


def test_list_empty_day(call):
    result = call("list_schedule_events", {"when": "2031-02-03"})
    assert result == {
        "ok": True,
        "say": "Nothing is scheduled for Monday, February 3, 2031.",
        "events": [],
    }


def test_find_free_slots(call, user):
    add_event(user, "Dentist", days_ahead(user, 2, 10))
    day = (timezone.localtime(timezone.now(), user.tz) + timedelta(days=2)).date().isoformat()
    result = call("find_free_slots", {"duration_minutes": "an hour", "when": day})
    assert result["ok"] and result["slots"][0]["when"].endswith("9 to 10 AM")
    assert "You're free" in result["say"]
    assert call("find_free_slots", {"duration_minutes": "forever", "when": ""})["ok"] is False


def test_a_list_over_several_days_names_each_day(call, user):
    add_event(user, "Gym", days_ahead(user, 2, 9))
    add_event(user, "Swim", days_ahead(user, 3, 9))
    first, last = days_ahead(user, 2, 9).date(), days_ahead(user, 3, 9).date()
    result = call("list_schedule_events", {"when": f"{first} to {last}"})
    assert f"Gym on {first:%A} at 9 AM" in result["say"]
    assert f"Swim on {last:%A} at 9 AM" in result["say"]


def test_free_slots_skip_days_off_unless_asked_for_one(call, user):
    from accounts.models import User

    start = timezone.localtime(timezone.now(), user.tz).date()
    saturday = start + timedelta(days=(5 - start.weekday()) % 7 or 7)
    monday = saturday + timedelta(days=2)
    week = call("find_free_slots", {"duration_minutes": "60", "when": f"{saturday} to {monday}"})
    days = {datetime.fromisoformat(s["start"]).date() for s in week["slots"]}
    assert days == {monday}  # the weekend is off by default
    weekend = call("find_free_slots", {"duration_minutes": "60", "when": f"{saturday}"})
    assert {datetime.fromisoformat(s["start"]).date() for s in weekend["slots"]} == {saturday}
    User.objects.filter(pk=user.pk).update(working_days="0123456")
    again = call("find_free_slots", {"duration_minutes": "60", "when": f"{saturday} to {monday}"})
    assert {datetime.fromisoformat(s["start"]).date() for s in again["slots"]} >= {saturday}
