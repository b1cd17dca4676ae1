"""The assistant sees the user's subscribed calendars: lists, free slots, conflicts; and
refuses, in words, to change their events."""

from datetime import UTC, timedelta

import pytest

from calendars import services
from calendars.models import Calendar
from tests.calendars.feed_server import FeedServer
from tests.factories import add_event, days_ahead

pytestmark = pytest.mark.django_db


def _stamp(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@pytest.fixture
def work_calendar(user, settings):
    """A Google-shaped feed on a loopback server with the board call, two days ahead 10-11."""
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = True
    start = days_ahead(user, 2, 10)
    body = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
        "X-WR-CALNAME:Work\r\nX-WR-TIMEZONE:Europe/Berlin\r\nBEGIN:VEVENT\r\n"
        f"DTSTART:{_stamp(start)}\r\nDTEND:{_stamp(start + timedelta(hours=1))}\r\n"
        "DTSTAMP:20260101T000000Z\r\nUID:board@google.com\r\nSUMMARY:the board call\r\n"
        "TRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    server = FeedServer().start()
    server.ics("/work.ics", body)
    calendar = Calendar.objects.create(
        owner=user, kind="subscription", url=server.url("/work.ics"), name="work"
    )
    services.calendar_sync(calendar=calendar)
    assert calendar.status == "ok", calendar.last_error
    yield start
    server.stop()


def test_free_slots_go_around_the_subscribed_calendars_event(call, user, work_calendar):
    day = work_calendar.date().isoformat()
    result = call("find_free_slots", {"duration_minutes": "an hour", "when": day})
    assert result["ok"]
    assert result["slots"][0]["when"].endswith("9 to 10 AM")
    assert result["slots"][1]["start"].startswith(f"{day}T11:00")


def test_the_list_names_the_calendar_and_marks_it_read_only(call, user, work_calendar):
    add_event(user, "Gym", days_ahead(user, 2, 8))
    result = call("list_schedule_events", {"when": work_calendar.date().isoformat()})
    assert "the board call from your work calendar at 10 AM" in result["say"]
    board = next(e for e in result["events"] if e["title"] == "the board call")
    assert board["read_only"] is True and board["calendar"] == "work" and board["id"] < 0


def test_a_booking_over_it_says_you_have_the_board_call_then(call, user, work_calendar):
    start = work_calendar.replace(tzinfo=None) + timedelta(minutes=30)
    result = call("add_schedule_event", {"title": "Dentist", "start_time": start.isoformat()})
    assert result["ok"]
    assert "It overlaps the board call from your work calendar, 10 to 11 AM" in result["say"]


def test_the_tools_refuse_to_change_its_events_in_words(call, user, work_calendar):
    listed = call("list_schedule_events", {"when": work_calendar.date().isoformat()})
    board_id = listed["events"][0]["id"]
    ours = add_event(user, "Ours", days_ahead(user, 5, 9))  # never touched by a negative id
    for name, arguments in [
        ("cancel_schedule_event", {"event_id": board_id}),
        ("update_schedule_event", {"event_id": board_id, "title": "Skip it"}),
    ]:
        result = call(name, arguments)
        assert result["ok"] is False
        assert "The board call is on your work calendar, which I can only read" in result["say"]
    ours.refresh_from_db()
    assert ours.title == "Ours" and ours.status == "confirmed"


def test_the_persona_is_told_which_events_are_read_only(user, work_calendar):
    from django.utils import timezone

    from conversations.context import conversation_context_build

    context = conversation_context_build(user=user, now=timezone.now())
    line = next(line for line in context.splitlines() if "the board call" in line)
    assert "read-only" in line and "work" in line and line.startswith("- id -")
