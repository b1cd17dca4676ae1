from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_calendar_token_regenerate
from schedules import services
from tests.factories import UserFactory
from tests.factories import add_event as add

pytestmark = pytest.mark.django_db


def feed_url(user) -> str:
    return reverse("schedules:calendar-feed", args=[user.calendar_token])


def parsed(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(vevent["summary"]): vevent for vevent in calendar.walk("VEVENT")}


@pytest.fixture
def owner():
    return UserFactory(username="priya", display_name="Priya", time_zone="Asia/Kolkata")


def soon(days: int, hour: int, zone: str = "Asia/Kolkata") -> datetime:
    day = timezone.now().astimezone(ZoneInfo(zone)).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone))


def test_feed_is_a_calendar_of_the_owners_events_in_utc(client, owner):
    event = add(owner, "Dentist", soon(3, 15), location="Main St 4", notes="Bring the form")
    response = client.get(feed_url(owner))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Priya · DRAKO"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Kolkata"
    vevent = parsed(response)["Dentist"]
    assert str(vevent["uid"]) == f"event-{event.pk}@drako"
    assert vevent.decoded("dtstart") == event.start
    assert vevent.decoded("dtstart").tzinfo == UTC or vevent.decoded(
        "dtstart"
    ).utcoffset() == timedelta(0)
    assert vevent.decoded("dtend") == event.end
    assert b"DTSTART:" in response.content and b"Z\r\n" in response.content
    assert str(vevent["location"]) == "Main St 4"
    assert str(vevent["description"]) == "Bring the form"
    assert vevent.decoded("last-modified").replace(microsecond=0) == event.updated_at.replace(
        microsecond=0
    )


def test_all_day_events_are_dates_in_the_owners_zone(client, owner):
    add(owner, "Holiday", soon(5, 0), all_day=True)
    vevent = parsed(client.get(feed_url(owner)))["Holiday"]
    start, end = vevent.decoded("dtstart"), vevent.decoded("dtend")
    assert type(start) is date and type(end) is date
    assert start == soon(5, 0).date() and end == start + timedelta(days=1)
    assert b"DTSTART;VALUE=DATE:" in client.get(feed_url(owner)).content


def test_feed_leaves_out_cancelled_events_other_users_and_the_distant_past_and_future(
    client, owner
):
    add(owner, "Kept", soon(1, 10))
    cancelled = add(owner, "Cancelled", soon(2, 10))
    services.event_cancel(event=cancelled, context=services.ChangeContext(actor=owner))
    add(owner, "Last year", soon(-60, 10))
    add(owner, "Far away", soon(400, 10))
    add(owner, "Recent", soon(-10, 10))
    add(UserFactory(username="mallory"), "Not yours", soon(1, 10))
    titles = set(parsed(client.get(feed_url(owner))))
    assert titles == {"Kept", "Recent"}


def test_unknown_token_is_404_and_says_nothing(client, owner):
    for token in ["nope", owner.calendar_token[:-1], owner.calendar_token.upper(), "x" * 300]:
        response = client.get(reverse("schedules:calendar-feed", args=[token]))
        assert response.status_code == 404
        assert owner.username.encode() not in response.content


def test_a_new_link_retires_the_old_one(client, owner):
    old = feed_url(owner)
    user_calendar_token_regenerate(user=owner)
    assert client.get(old).status_code == 404
    assert client.get(feed_url(owner)).status_code == 200


def test_inactive_users_have_no_feed(client, owner):
    owner.is_active = False
    owner.save()
    assert client.get(feed_url(owner)).status_code == 404


def test_feed_needs_no_sign_in_and_refuses_writes(client, owner):
    assert client.head(feed_url(owner)).status_code == 200
    assert client.post(feed_url(owner)).status_code == 405


def test_feed_queries_do_not_grow_with_events(client, owner, django_assert_num_queries):
    add(owner, "One", soon(1, 9))
    with django_assert_num_queries(2):  # the owner by token, then the events
        client.get(feed_url(owner))
    for n in range(50):
        add(owner, f"Event {n}", soon(2, 0) + timedelta(minutes=30 * n), allow_conflict=True)
    with django_assert_num_queries(2):
        assert len(parsed(client.get(feed_url(owner)))) == 51
