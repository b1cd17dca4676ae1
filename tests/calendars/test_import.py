"""Importing an .ics file once: the API, duplicates by UID, bad files."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from calendars import imports
from schedules.models import Event, EventChange
from tests.calendars.conftest import feed

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


def _upload(user_api, body: bytes, name="calendar.ics"):
    upload = SimpleUploadedFile(name, body, content_type="text/calendar")
    return user_api.post("/api/events/import/", {"file": upload}, format="multipart")


def test_import_creates_own_events_and_skips_them_the_second_time(user_api, user):
    first = _upload(user_api, feed("outlook.ics"))
    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 3, "skipped": 0}
    review = Event.objects.get(owner=user, title="Quarterly review")
    assert review.start == datetime(2026, 12, 7, 10, tzinfo=BERLIN)
    assert review.location == "Room 4" and review.source == "api"
    assert Event.objects.get(owner=user, title="Lunch (tentative)").show_as == "free"
    assert EventChange.objects.filter(owner=user, action="create").count() == 3
    again = _upload(user_api, feed("outlook.ics"))
    assert again.json() == {"created": 0, "skipped": 3}
    assert Event.objects.filter(owner=user).count() == 3


def test_a_series_is_imported_with_its_exceptions(user_api, user):
    from schedules.selectors import event_list_for_user

    assert _upload(user_api, feed("series.ics")).json() == {"created": 1, "skipped": 0}
    series = Event.objects.get(owner=user, series=None)
    assert series.recurrence.startswith("FREQ=DAILY") and "COUNT=5" in series.recurrence
    assert series.start == datetime(2026, 12, 1, 8, tzinfo=UTC)
    listed = event_list_for_user(
        user=user, start=datetime(2026, 11, 30, tzinfo=UTC), end=datetime(2026, 12, 7, tzinfo=UTC)
    )
    # The EXDATE (3rd) and the cancelled override (5th) are gone; the 4th moved to 11:00.
    assert [(e.title, e.start.astimezone(BERLIN).replace(tzinfo=None)) for e in listed] == [
        ("Standup", datetime(2026, 12, 1, 9)),
        ("Standup", datetime(2026, 12, 2, 9)),
        ("Standup (moved)", datetime(2026, 12, 4, 11)),
    ]


def test_google_export_imports_in_its_zone(user_api, user):
    assert _upload(user_api, feed("google.ics")).json() == {"created": 3, "skipped": 0}
    holiday = Event.objects.get(owner=user, title="Company holiday")
    assert holiday.all_day and holiday.show_as == "free"


@pytest.mark.parametrize(
    "body",
    [b"", b"not a calendar", b"<html></html>", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
     b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"],
)  # fmt: skip
def test_bad_files_are_a_clear_400_and_import_nothing(user_api, user, body):
    response = _upload(user_api, body)
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not Event.objects.filter(owner=user).exists()


def test_a_file_over_the_bound_is_a_400(user_api, user, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 1000)
    response = _upload(user_api, feed("outlook.ics"))
    assert response.status_code == 400 and "larger than" in response.json()["detail"]


def test_import_without_a_file_is_a_400(user_api):
    assert user_api.post("/api/events/import/", {}, format="multipart").status_code == 400


def test_an_imported_event_deleted_since_can_be_imported_again(user_api, user):
    from schedules import services

    assert _upload(user_api, feed("series.ics")).json() == {"created": 1, "skipped": 0}
    series = Event.objects.get(owner=user, series=None)
    services.event_delete(event=series, context=services.ChangeContext())
    assert _upload(user_api, feed("series.ics")).json() == {"created": 1, "skipped": 0}
