"""Repeating events through the assistant: "every weekday at 9 standup", "move just this
Thursday's standup", "cancel the standups next week", "stop the gym series after December" —
each read back with the occurrences it changes, confirmed and undone like any change."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conversations.models import Proposal
from schedules import selectors
from schedules.models import Event
from tests.conversations.assistant.speakable import speakable_problem
from tests.factories import add_event

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")  # the `user` fixture's zone


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def week(user, monday: date) -> list[tuple[str, str]]:
    found = selectors.event_list_for_user(
        user=user, start=local(monday, 0), end=local(monday + timedelta(days=7), 0)
    )
    return [(o.title, o.start.astimezone(BERLIN).strftime("%a %H:%M")) for o in found]


def spoken(answer: dict) -> str:
    assert speakable_problem(answer["say"]) is None, answer["say"]
    return answer["say"]


@pytest.fixture
def standup(user):
    return add_event(
        user,
        "Standup",
        local(date(2030, 1, 7), 9),
        local(date(2030, 1, 7), 9, 15),
        recurrence="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
    )


def test_every_weekday_at_9_standup(call, user):
    proposed = call(
        "add_schedule_event",
        {
            "title": "Standup",
            "start_time": "2030-01-05T09:00",
            "duration_minutes": "15",
            "repeat": "every weekday",
        },
    )
    assert proposed["ok"] and proposed["state"] == "proposed", proposed
    # Asked on a Saturday: the first one is Monday, and the person hears so.
    assert "every weekday" in spoken(proposed) and "Monday, January 7" in proposed["say"]
    assert not Event.objects.filter(owner=user).exists()
    confirmed = call("confirm_change", {})
    assert confirmed["ok"] and "every weekday" in spoken(confirmed), confirmed
    series = Event.objects.get(owner=user)
    assert series.recurrence == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert week(user, date(2030, 1, 14)) == [
        ("Standup", f"{d} 09:00") for d in ("Mon", "Tue", "Wed", "Thu", "Fri")
    ]
    undone = call("undo_last_change", {})
    assert undone["ok"] and not Event.objects.filter(owner=user).exists()


def test_a_repeat_said_as_an_rrule_with_an_end(call, user):
    proposed = call(
        "add_schedule_event",
        {
            "title": "Course",
            "start_time": "2030-01-08T18:00",
            "repeat": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
        },
    )
    assert "4 times" in spoken(proposed)
    call("confirm_change", {})
    assert Event.objects.get(owner=user).recurrence == "FREQ=WEEKLY;BYDAY=TU;COUNT=4"


def test_a_new_series_hears_of_a_clash_on_one_of_its_days(call, user):
    add_event(user, "Dentist", local(date(2030, 1, 22), 18))
    proposed = call(
        "add_schedule_event",
        {"title": "Gym", "start_time": "2030-01-08T18:00", "repeat": "every Tuesday"},
    )
    assert "overlaps Dentist" in spoken(proposed), proposed["say"]


def test_the_list_names_each_occurrence(call, standup):
    listed = call("list_schedule_events", {"when": "2030-01-14 to 2030-01-18"})
    occurrences = [e["occurrence"] for e in listed["events"]]
    assert occurrences[3] == "2030-01-17T09:00:00+01:00"
    assert {e["id"] for e in listed["events"]} == {standup.pk}
    assert listed["events"][0]["repeats"] == "every weekday"


def test_move_just_this_thursdays_standup(call, user, standup):
    proposed = call(
        "update_schedule_event",
        {"event_id": standup.pk, "occurrence": "2030-01-17", "start_time": "11am", "scope": "this"},
    )
    assert proposed["ok"], proposed
    said = spoken(proposed)
    assert "just the Standup on Thursday, January 17" in said and "the others stay" in said
    assert week(user, date(2030, 1, 14))[3] == ("Standup", "Thu 09:00")  # only proposed
    assert call("confirm_change", {})["ok"]
    assert [t for _s, t in week(user, date(2030, 1, 14))] == [
        "Mon 09:00",
        "Tue 09:00",
        "Wed 09:00",
        "Thu 11:00",
        "Fri 09:00",
    ]
    assert ("Standup", "Thu 09:00") in week(user, date(2030, 1, 21))
    assert call("undo_last_change", {})["ok"]
    assert ("Standup", "Thu 09:00") in week(user, date(2030, 1, 14))
    assert not Event.objects.filter(series=standup).exists()


def test_moving_this_and_following_splits_and_says_so(call, user, standup):
    proposed = call(
        "update_schedule_event",
        {
            "event_id": standup.pk,
            "occurrence": "2030-01-16",
            "start_time": "9:30am",
            "scope": "following",
        },
    )
    said = spoken(proposed)
    assert "from Wednesday, January 16, 2030 on" in said and "earlier ones stay" in said, said
    assert call("confirm_change", {})["ok"]
    assert [t for _s, t in week(user, date(2030, 1, 14))] == [
        "Mon 09:00",
        "Tue 09:00",
        "Wed 09:30",
        "Thu 09:30",
        "Fri 09:30",
    ]
    assert call("undo_last_change", {})["ok"]
    assert Event.objects.filter(owner=user).count() == 1
    assert [t for _s, t in week(user, date(2030, 1, 14))][2:] == [
        "Wed 09:00",
        "Thu 09:00",
        "Fri 09:00",
    ]


def test_cancel_the_standups_next_week(call, user, standup):
    proposed = call(
        "cancel_schedule_event", {"event_id": standup.pk, "occurrence": "2030-01-14 to 2030-01-18"}
    )
    said = spoken(proposed)
    assert "the 5 Standup occurrences on Monday, January 14" in said, said
    assert "Friday, January 18" in said
    confirmed = call("confirm_change", {})
    assert confirmed["ok"] and "Cancel the 5 Standup occurrences" in confirmed["say"]
    assert week(user, date(2030, 1, 14)) == []
    assert len(week(user, date(2030, 1, 21))) == 5
    assert call("undo_last_change", {})["ok"]  # one undo, all five back
    assert len(week(user, date(2030, 1, 14))) == 5


def test_stop_the_gym_series_after_december(call, user):
    monday = timezone.localtime(timezone.now(), BERLIN).date()
    monday += timedelta(days=7 - monday.weekday())
    gym = add_event(user, "Gym", local(monday, 18), recurrence="FREQ=WEEKLY;BYDAY=MO")
    last_monday = date(monday.year, 12, 31)
    last_monday -= timedelta(days=last_monday.weekday())
    if last_monday < monday:  # asked in late December: next year's
        last_monday = date(monday.year + 1, 12, 31) - timedelta(
            days=date(monday.year + 1, 12, 31).weekday()
        )
    proposed = call("update_schedule_event", {"event_id": gym.pk, "repeat": "after December"})
    said = spoken(proposed)
    assert proposed["ok"] and f"{last_monday:%B} {last_monday.day}" in said, said
    assert "is the last one" in said
    assert call("confirm_change", {})["ok"]
    gym.refresh_from_db()
    assert gym.recurrence_end == local(last_monday, 19)
    after = last_monday + timedelta(days=7)
    assert week(user, after) == []
    assert call("undo_last_change", {})["ok"]
    gym.refresh_from_db()
    assert gym.recurrence == "FREQ=WEEKLY;BYDAY=MO" and gym.recurrence_end is None


def test_a_series_update_without_an_occurrence_that_exists_is_a_question(call, standup):
    answer = call(
        "update_schedule_event",
        {"event_id": standup.pk, "occurrence": "2030-01-19", "start_time": "10am"},
    )
    assert answer["ok"] is False and "doesn't happen then" in spoken(answer)
    assert "occurrence" in answer["hint"]
    assert not Proposal.objects.exists()
