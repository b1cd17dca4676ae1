"""The calendars page, the import preview, the profile's card, and the grid's read-only blocks."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calendars.models import Calendar, CalendarEvent
from schedules.models import Event
from tests.calendars.conftest import feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_import_shows_a_preview_then_imports_once(signed_in, user):
    upload = SimpleUploadedFile("work.ics", feed("outlook.ics"), content_type="text/calendar")
    preview = signed_in.post("/calendars/import/", {"file": upload})
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Quarterly review" in page and "Import 3 events" in page
    assert not Event.objects.filter(owner=user).exists()  # nothing before the confirmation
    done = signed_in.post("/calendars/import/confirm/")
    assert done.status_code == 302
    assert Event.objects.filter(owner=user).count() == 3
    assert signed_in.post("/calendars/import/confirm/").status_code == 302  # nothing left
    assert Event.objects.filter(owner=user).count() == 3
    again = SimpleUploadedFile("work.ics", feed("outlook.ics"), content_type="text/calendar")
    page = signed_in.post("/calendars/import/", {"file": again}).content.decode()
    assert "Already imported" in page and "Import 0 events" in page


def test_a_bad_import_file_is_shown_in_words(signed_in, user):
    upload = SimpleUploadedFile("x.ics", b"hello", content_type="text/calendar")
    page = signed_in.post("/calendars/import/", {"file": upload}).content.decode()
    assert "not an iCalendar" in page


def test_profile_shows_a_failing_calendar_in_words(signed_in, user):
    Calendar.objects.create(
        owner=user, kind="subscription", url="https://x.example/a.ics", name="Work",
        status="error", last_error="The calendar's server took too long to answer.",
    )  # fmt: skip
    page = signed_in.get("/accounts/profile/").content.decode()
    assert "Work" in page and "took too long to answer" in page


def test_subscribing_on_the_page_refuses_a_private_address_in_words(signed_in, settings):
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    page = signed_in.post("/calendars/subscribe/", {"url": "https://127.0.0.1/a.ics"})
    assert "private network" in page.content.decode()
    assert not Calendar.objects.exists()


def test_caldav_without_a_key_says_why(signed_in, settings):
    settings.CALENDAR_SECRET_KEY = ""
    assert "CALENDAR_SECRET_KEY" in signed_in.get("/calendars/").content.decode()


def test_the_grid_shows_another_calendars_event_read_only_with_its_name(signed_in, user):
    calendar = Calendar.objects.create(
        owner=user, kind="subscription", url="https://x", name="Work"
    )
    start = timezone.localtime(timezone.now(), user.tz).replace(
        hour=10, minute=0, second=0, microsecond=0
    ) + timedelta(days=1)
    CalendarEvent.objects.create(
        owner=user, calendar=calendar, uid="u", title="Board call",
        start=start, end=start + timedelta(hours=1),
    )  # fmt: skip
    for view in ("day", "week", "month"):
        page = signed_in.get(f"/schedule/?view={view}&date={start.date()}").content.decode()
        assert "Board call" in page, view
        assert "is-other-calendar" in page, view
        assert f"/calendars/#calendar-{calendar.pk}" in page, view
    page = signed_in.get(f"/schedule/?view=day&date={start.date()}").content.decode()
    assert '<span class="event-calendar">Work</span>' in page


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/gone.ics", "refused the address (HTTP 404)"),  # the feed server has nothing there
        ("/page.ics", "not an iCalendar (.ics) calendar DRAKO can read"),
    ],
)
def test_a_subscription_that_fails_to_fetch_says_why_on_both_pages(
    signed_in, user, feed_server, local_calendars, path, words
):
    feed_server.ics("/page.ics", b"<html>Sign in to see this calendar</html>")
    calendar = Calendar.objects.create(
        owner=user, kind="subscription", url=feed_server.url(path), name="Team"
    )
    signed_in.post(f"/calendars/{calendar.pk}/sync/")
    calendar.refresh_from_db()
    assert calendar.status == "error" and words in calendar.last_error
    assert not CalendarEvent.objects.filter(calendar=calendar).exists()
    for page in ("/calendars/", "/accounts/profile/"):
        shown = signed_in.get(page).content.decode().replace("&#x27;", "'")
        assert "Team" in shown and words in shown, page
