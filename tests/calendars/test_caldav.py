"""Two-way CalDAV sync against a real Radicale server on loopback."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendars import services
from calendars.models import Calendar, EventLink
from schedules import services as schedule_services
from schedules.models import Event, EventChange
from tests.calendars.conftest import KEY
from tests.factories import add_event, days_ahead

pytestmark = pytest.mark.django_db


def _sync(calendar: Calendar) -> Calendar:
    calendar = services.calendar_sync(calendar=calendar)
    assert calendar.status == "ok", calendar.last_error
    return calendar


def _on_server(phone) -> dict[str, object]:
    found = {}
    for obj in phone.objects(load_objects=True):
        if obj.data is None:  # Radicale lists a deleted object (no ETag) in a full sync report
            continue
        component = obj.icalendar_instance.walk("VEVENT")[0]
        found[str(component["SUMMARY"])] = component
    return found


def _vevent(uid: str, summary: str, start, end, extra: str = "") -> str:
    stamp = "%Y%m%dT%H%M%SZ"
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//iOS 18//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start.astimezone(timezone.UTC).strftime(stamp)}\r\n"
        f"DTEND:{end.astimezone(timezone.UTC).strftime(stamp)}\r\n"
        f"SUMMARY:{summary}\r\n{extra}END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_connecting_stores_the_password_encrypted_and_never_shows_it(
    caldav_on, radicale, phone, user_api, user
):
    response = user_api.post(
        "/api/calendars/",
        {"kind": "caldav", "url": radicale.url, "username": user.username,
         "password": "app-pass-123", "calendar": phone.get_display_name()},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    assert "app-pass-123" not in response.content.decode()
    assert response.json()["kind"] == "caldav"
    stored = Calendar.objects.get(pk=response.json()["id"])
    assert stored.password_encrypted and "app-pass-123" not in stored.password_encrypted
    assert stored.remote_url.rstrip("/") == str(phone.url).rstrip("/")


def test_without_the_key_caldav_is_unavailable_in_words(user_api, settings, radicale, user):
    settings.CALENDAR_SECRET_KEY = ""
    response = user_api.post(
        "/api/calendars/",
        {"kind": "caldav", "url": radicale.url, "username": "u", "password": "p"},
        format="json",
    )
    assert response.status_code == 503
    assert "CALENDAR_SECRET_KEY" in response.json()["detail"]
    assert not Calendar.objects.exists()


def test_a_calendar_name_the_server_does_not_have_is_a_400(caldav_on, radicale, user_api, user):
    response = user_api.post(
        "/api/calendars/",
        {"kind": "caldav", "url": radicale.url, "username": user.username, "password": "p",
         "calendar": "No such calendar"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "No calendar called" in response.json()["detail"]


def test_created_in_drako_appears_on_the_server(connected, phone, user):
    add_event(user, "Dentist", days_ahead(user, 3, 9), location="Main St")
    _sync(connected)
    on_server = _on_server(phone)
    assert str(on_server["Dentist"]["LOCATION"]) == "Main St"
    assert on_server["Dentist"].decoded("DTSTART") == days_ahead(user, 3, 9)


def test_edited_on_the_server_appears_in_drako_in_the_change_log(connected, phone, user):
    start = days_ahead(user, 3, 9)
    event = add_event(user, "Dentist", start)
    _sync(connected)
    obj = next(iter(phone.objects(load_objects=True)))
    later = start + timedelta(hours=2)
    uid = str(obj.icalendar_instance.walk("VEVENT")[0]["UID"])
    obj.data = _vevent(uid, "Dentist (moved)", later, later + timedelta(hours=1))
    obj.save()
    _sync(connected)
    event.refresh_from_db()
    assert event.title == "Dentist (moved)" and event.start == later
    change = EventChange.objects.filter(event=event).order_by("-id").first()
    assert change.utterance == f"Changed on your {connected.name} calendar"
    assert change.before["title"] == "Dentist" and change.after["title"] == "Dentist (moved)"


def test_added_on_the_server_appears_in_drako(connected, phone, user):
    start = days_ahead(user, 4, 15)
    phone.save_event(_vevent("phone-1", "Haircut", start, start + timedelta(minutes=45)))
    _sync(connected)
    event = Event.objects.get(owner=user, title="Haircut")
    assert event.start == start and event.end == start + timedelta(minutes=45)
    assert EventChange.objects.filter(event=event, action="create").exists()


def test_deleted_on_the_server_is_deleted_in_drako(connected, phone, user):
    event = add_event(user, "Dentist", days_ahead(user, 3, 9))
    _sync(connected)
    next(iter(phone.objects())).delete()
    _sync(connected)
    assert not Event.objects.filter(pk=event.pk).exists()
    deleted = EventChange.objects.get(owner=user, action="delete")
    assert deleted.utterance == f"Deleted on your {connected.name} calendar"


def test_deleted_in_drako_is_deleted_on_the_server(connected, phone, user):
    event = add_event(user, "Dentist", days_ahead(user, 3, 9))
    _sync(connected)
    assert "Dentist" in _on_server(phone)
    schedule_services.event_delete(event=event, context=schedule_services.ChangeContext())
    _sync(connected)
    assert _on_server(phone) == {}
    assert not EventLink.objects.filter(calendar=connected).exists()


def test_a_series_made_in_drako_repeats_on_the_server(connected, phone, user):
    add_event(user, "Yoga", days_ahead(user, 2, 7), recurrence="FREQ=WEEKLY;COUNT=3")
    _sync(connected)
    yoga = _on_server(phone)["Yoga"]
    assert yoga["RRULE"].to_ical().decode() == "FREQ=WEEKLY;COUNT=3"
    # The server itself expands it: three Tuesdays (or whichever day) at 7 in the user's zone.
    expanded = phone.search(
        start=timezone.now(), end=timezone.now() + timedelta(days=30), event=True, expand=True
    )
    starts = sorted(o.icalendar_instance.walk("VEVENT")[0].decoded("DTSTART") for o in expanded)
    first = days_ahead(user, 2, 7)
    assert starts == [first + timedelta(weeks=n) for n in range(3)]


def test_a_series_made_on_the_server_repeats_in_drako(connected, phone, user):
    start = days_ahead(user, 2, 8)
    phone.save_event(_vevent("phone-series", "Standup", start, start + timedelta(minutes=15),
                             extra="RRULE:FREQ=DAILY;COUNT=4\r\n"))  # fmt: skip
    _sync(connected)
    series = Event.objects.get(owner=user, title="Standup")
    assert series.recurrence == "FREQ=DAILY;COUNT=4"
    from schedules.selectors import event_list_for_user

    listed = event_list_for_user(user=user, start=start, end=start + timedelta(days=10))
    assert [e.start for e in listed] == [start + timedelta(days=n) for n in range(4)]


def test_when_both_sides_changed_the_server_wins(connected, phone, user):
    start = days_ahead(user, 3, 9)
    event = add_event(user, "Dentist", start)
    _sync(connected)
    schedule_services.event_update(
        event=event, changes={"title": "Dentist (DRAKO)"}, context=schedule_services.ChangeContext()
    )
    obj = next(iter(phone.objects(load_objects=True)))
    uid = str(obj.icalendar_instance.walk("VEVENT")[0]["UID"])
    obj.data = _vevent(uid, "Dentist (phone)", start, start + timedelta(hours=1))
    obj.save()
    _sync(connected)
    event.refresh_from_db()
    assert event.title == "Dentist (phone)"
    assert list(_on_server(phone)) == ["Dentist (phone)"]
    # DRAKO's own edit is still in the change log (undo can bring it back).
    assert EventChange.objects.filter(event=event, after__title="Dentist (DRAKO)").exists()


def test_a_second_sync_with_nothing_changed_changes_nothing(connected, phone, user):
    add_event(user, "Dentist", days_ahead(user, 3, 9))
    _sync(connected)
    changes = EventChange.objects.count()
    etags = {str(obj.url): obj.props for obj in phone.objects()}
    _sync(connected)
    assert EventChange.objects.count() == changes
    assert {str(obj.url): obj.props for obj in phone.objects()} == etags


def test_a_caldav_server_on_a_private_network_is_refused(user_api, settings):
    settings.CALENDAR_SECRET_KEY = KEY
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    response = user_api.post(
        "/api/calendars/",
        {"kind": "caldav", "url": "https://10.0.0.7/dav/", "username": "u", "password": "p"},
        format="json",
    )
    assert response.status_code == 400 and "private network" in response.json()["detail"]
    assert not Calendar.objects.exists()


def test_an_occurrence_cancelled_or_moved_in_drako_reaches_the_server(connected, phone, user):
    from schedules import series
    from schedules.selectors import occurrence_get_for_user

    first = days_ahead(user, 2, 7)
    yoga = add_event(user, "Yoga", first, recurrence="FREQ=DAILY;COUNT=4")
    _sync(connected)
    context = schedule_services.ChangeContext()
    second = occurrence_get_for_user(
        user=user, event_id=yoga.pk, recurrence_id=first + timedelta(days=1)
    )
    series.occurrence_cancel(occurrence=second, context=context)
    third = occurrence_get_for_user(
        user=user, event_id=yoga.pk, recurrence_id=first + timedelta(days=2)
    )
    series.occurrence_update(
        occurrence=third, changes={"start": first + timedelta(days=2, hours=2)}, context=context
    )
    _sync(connected)
    obj = next(o for o in phone.objects(load_objects=True) if o.data)
    vevents = obj.icalendar_instance.walk("VEVENT")
    master = next(v for v in vevents if "RECURRENCE-ID" not in v)
    assert [d.dt for d in master["EXDATE"].dts] == [first + timedelta(days=1)]
    moved = next(v for v in vevents if "RECURRENCE-ID" in v)
    assert moved.decoded("RECURRENCE-ID") == first + timedelta(days=2)
    assert moved.decoded("DTSTART") == first + timedelta(days=2, hours=2)


def test_a_series_from_the_server_brings_its_exdates_and_moved_occurrences(connected, phone, user):
    from schedules.selectors import event_list_for_user

    start = days_ahead(user, 2, 8)
    stamp = "%Y%m%dT%H%M%SZ"
    moved_from, moved_to = start + timedelta(days=2), start + timedelta(days=2, hours=3)
    body = _vevent(
        "phone-ex",
        "Standup",
        start,
        start + timedelta(minutes=15),
        extra="RRULE:FREQ=DAILY;COUNT=4\r\n"
        f"EXDATE:{(start + timedelta(days=1)).astimezone(timezone.UTC).strftime(stamp)}\r\n",
    )
    override = (
        "BEGIN:VEVENT\r\nUID:phone-ex\r\nDTSTAMP:20260101T000000Z\r\n"
        f"RECURRENCE-ID:{moved_from.astimezone(timezone.UTC).strftime(stamp)}\r\n"
        f"DTSTART:{moved_to.astimezone(timezone.UTC).strftime(stamp)}\r\n"
        f"DTEND:{(moved_to + timedelta(minutes=15)).astimezone(timezone.UTC).strftime(stamp)}\r\n"
        "SUMMARY:Standup (late)\r\nEND:VEVENT\r\n"
    )  # fmt: skip
    phone.save_event(body.replace("END:VCALENDAR", override + "END:VCALENDAR"))
    _sync(connected)
    listed = event_list_for_user(user=user, start=start, end=start + timedelta(days=10))
    assert [(e.title, e.start) for e in listed] == [
        ("Standup", start),
        ("Standup (late)", moved_to),
        ("Standup", start + timedelta(days=3)),
    ]
    changes = _sync(connected)  # nothing new on either side: nothing sent back, nothing changed
    assert changes.status == "ok"
    assert len(event_list_for_user(user=user, start=start, end=start + timedelta(days=10))) == 3
