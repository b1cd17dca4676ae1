"""Write tools: add, update, cancel propose changes (or apply them when the persona doesn't ask)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from conversations.models import Conversation, Proposal
from schedules.models import Event, EventChange
from tests.factories import add_event, days_ahead, future

pytestmark = pytest.mark.django_db


def test_add_proposes_then_confirm_applies(call, user):
    result = call(
        "add_schedule_event",
        {
            "title": "Gym",
            "start_time": future(hour=18),
            "end_time": "",
            "location": "",
            "notes": "",
        },
    )
    assert result["ok"] and result["state"] == "proposed"
    assert (
        "Gym" in result["say"]
        and "6 to 7 PM" in result["say"]
        and "Shall I go ahead?" in result["say"]
    )
    assert result["proposal"]["fields"][0] == {"label": "Title", "before": "", "after": "Gym"}
    assert not Event.objects.filter(title="Gym").exists()
    confirmed = call("confirm_change", {"change_id": result["change_id"]})
    assert confirmed["ok"] and confirmed["state"] == "applied"
    event = Event.objects.get(title="Gym")
    assert event.source == Event.Source.ASSISTANT
    assert event.start.astimezone(user.tz).hour == 18
    assert event.end - event.start == timedelta(hours=1)
    change = EventChange.objects.get(event=event)
    # The change log says the assistant made it; the proposal says in which conversation.
    assert change.source == "assistant"
    assert Proposal.objects.get(change=change).pk == result["change_id"]


def test_add_reads_phrases_in_the_users_zone(call, user):
    result = call(
        "add_schedule_event",
        {"title": "Call", "start_time": "tomorrow at 3pm", "end_time": "tomorrow at 3:30pm"},
    )
    call("confirm_change", {"change_id": 0})
    event = Event.objects.get(title="Call")
    local = event.start.astimezone(user.tz)
    assert (local.hour, local.minute) == (15, 0)
    assert local.date() == (timezone.localtime(timezone.now(), user.tz) + timedelta(days=1)).date()
    assert "3 to 3:30 PM" in result["say"]


def test_add_with_conflict_warns_and_confirming_books_anyway(call, user):
    add_event(user, "Dentist", days_ahead(user, 2, 14))
    result = call(
        "add_schedule_event", {"title": "Call", "start_time": future(hour=14), "end_time": ""}
    )
    assert result["ok"] and "overlaps Dentist" in result["say"]
    assert result["proposal"]["conflicts"]
    alternatives = result["alternatives"]
    assert 1 <= len(alternatives) <= 3
    # The nearest free time, on the same day, offered by its times alone.
    assert f"; {alternatives[0]['when'].split(', ')[-1]} is free." in result["say"]
    assert all(not a["start"].endswith("T14:00:00+01:00") for a in alternatives)
    call("confirm_change", {"change_id": result["change_id"]})
    assert Event.objects.filter(owner=user, status="confirmed").count() == 2


@pytest.mark.parametrize(
    "arguments,words",
    [
        ({"title": "X", "start_time": "blorp"}, "'blorp' as a time. When does it start?"),
        (
            {"title": "X", "start_time": "2030-01-01T10:00", "end_time": "2030-01-01T09:00"},
            "can't end at 9",
        ),
        ({"start_time": "tomorrow at 3pm"}, "What should I call it?"),
        ({"title": "", "start_time": "tomorrow at 3pm"}, "What should I call it?"),
    ],
)
def test_add_bad_arguments_say_what_to_do(call, arguments, words):
    result = call("add_schedule_event", arguments)
    assert result["ok"] is False and words in result["say"]
    assert not Proposal.objects.exists()


def test_update_moves_and_keeps_length(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    result = call(
        "update_schedule_event",
        {"event_id": event.pk, "title": "", "start_time": future(days=3, hour=9), "end_time": ""},
    )
    assert result["state"] == "proposed" and "I'll move Dentist to" in result["say"]
    call("confirm_change", {"change_id": result["change_id"]})
    event.refresh_from_db()
    assert event.start.astimezone(user.tz).hour == 9 and event.duration == timedelta(hours=1)


def test_update_and_cancel_of_unknown_or_other_users_event(call, other_user):
    theirs = add_event(other_user, "Dentist", days_ahead(other_user, 2, 14))
    for name in ("update_schedule_event", "cancel_schedule_event"):
        for event_id in (theirs.pk, 999999):
            result = call(name, {"event_id": event_id, "title": "Mine now"})
            assert result["ok"] is False and "Call list_schedule_events" in result["hint"]
            assert (
                "list_schedule_events" not in result["say"] and str(event_id) not in result["say"]
            )
    theirs.refresh_from_db()
    assert theirs.title == "Dentist" and theirs.status == "confirmed"


def test_writes_apply_at_once_when_the_persona_does_not_ask(call, live_conversation):
    Conversation.objects.filter(pk=live_conversation.pk).update(writes_need_confirmation=False)
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    assert result["state"] == "applied" and result["say"].startswith("Added Gym")
    assert Event.objects.filter(title="Gym").exists()


def test_moving_an_event_to_where_it_is_proposes_nothing_and_keeps_undo_working(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    moved = call(
        "update_schedule_event", {"event_id": event.pk, "start_time": future(days=4, hour=10)}
    )
    call("confirm_change", {"change_id": moved["change_id"]})
    event.refresh_from_db()
    same = event.start.astimezone(user.tz).strftime("%Y-%m-%dT%H:%M")
    result = call("update_schedule_event", {"event_id": event.pk, "start_time": same})
    assert result["ok"] is False and "already looks like that" in result["say"]
    assert call("undo_last_change", {})["ok"] is True
    event.refresh_from_db()
    assert event.start.astimezone(user.tz).hour == 14


def test_a_clash_is_named_briefly_and_the_same_days_free_time_offered_first(call, user):
    add_event(
        user, "Standup", days_ahead(user, 2, 10), days_ahead(user, 2, 10) + timedelta(minutes=15)
    )
    result = call("add_schedule_event", {"title": "Review", "start_time": future(hour=10)})
    assert "overlaps Standup, 10 to 10:15 AM" in result["say"]
    first = datetime.fromisoformat(result["alternatives"][0]["start"])
    assert first.astimezone(user.tz).date() == days_ahead(user, 2, 10).date()
    assert len(result["say"].split()) <= 40


def test_a_day_off_is_a_free_all_day_event(call, user):
    result = call("add_schedule_event", {"title": "Day off", "start_time": future(4)[:10],
                                         "all_day": True})  # fmt: skip
    assert result["ok"] and "all day" in result["say"]
    call("confirm_change", {})
    event = Event.objects.get(title="Day off")
    assert event.all_day and event.show_as == "free"
    assert event.end - event.start == timedelta(days=1)
    # Free by default: it doesn't block the day.
    meeting = call("add_schedule_event", {"title": "Meeting", "start_time": future(4, 11)})
    assert "overlaps" not in meeting["say"]


def test_lengths_are_accepted_wherever_an_end_is(call, user):
    added = call("add_schedule_event", {"title": "Workshop", "start_time": future(hour=9),
                                        "duration_minutes": "an hour and a half"})  # fmt: skip
    assert "9 to 10:30 AM" in added["say"]
    call("confirm_change", {})
    event = Event.objects.get(title="Workshop")
    resized = call("update_schedule_event", {"event_id": event.pk, "duration_minutes": "45"})
    call("confirm_change", {})
    event.refresh_from_db()
    assert event.end - event.start == timedelta(minutes=45) and resized["ok"]


def test_a_repeat_no_one_can_read_is_a_question_not_a_guess(call):
    result = call("add_schedule_event", {"title": "Standup", "start_time": future(hour=9),
                                         "repeat": "whenever it suits"})  # fmt: skip
    assert result["ok"] is False and "repeats" in result["say"] and "RRULE" in result["hint"]
    assert not Proposal.objects.exists()


def test_a_time_in_the_past_is_said_to_be_in_the_past(call):
    yesterday = (timezone.localtime(timezone.now()) - timedelta(days=1)).strftime("%Y-%m-%dT09:00")
    result = call("add_schedule_event", {"title": "Late note", "start_time": yesterday})
    assert "in the past" in result["say"]


def test_a_rename_reads_back_the_day_and_time(call, user):
    event = add_event(user, "Dentist", days_ahead(user, 2, 14))
    result = call("update_schedule_event", {"event_id": event.pk, "title": "Orthodontist"})
    assert "rename Dentist to Orthodontist" in result["say"] and "2 to 3 PM" in result["say"]
    weekday = days_ahead(user, 2, 14).strftime("%A")
    assert weekday in result["say"]
