"""The Calendars API, and other calendars' events in the Events API."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from calendars.models import Calendar, CalendarEvent
from tests.calendars.conftest import feed
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _window(start, days=1) -> str:
    end = start + timedelta(days=days)
    return urlencode({"start": start.isoformat(), "end": end.isoformat()})


def _calendar(owner, name: str) -> Calendar:
    return Calendar.objects.create(owner=owner, kind="subscription", url="https://x", name=name)


def test_subscribe_then_sync_then_disconnect(
    user_api, user, feed_server, local_calendars, django_capture_on_commit_callbacks
):
    feed_server.ics("/series.ics", feed("series.ics"))
    with django_capture_on_commit_callbacks(execute=True):
        response = user_api.post(
            "/api/calendars/",
            {"kind": "subscription", "url": feed_server.url("/series.ics"), "name": "Projects"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"id", "kind", "name", "status", "last_synced_at", "last_error"}
    assert body["kind"] == "subscription" and body["name"] == "Projects"
    synced = user_api.post(f"/api/calendars/{body['id']}/sync/").json()
    assert synced["status"] == "ok" and synced["last_synced_at"]
    assert [c["id"] for c in user_api.get("/api/calendars/").json()] == [body["id"]]
    assert user_api.get(f"/api/calendars/{body['id']}/").json()["name"] == "Projects"
    assert user_api.delete(f"/api/calendars/{body['id']}/").status_code == 204
    assert not Calendar.objects.exists() and not CalendarEvent.objects.exists()


def test_subscribing_twice_to_one_address_is_a_409(user_api, feed_server, local_calendars):
    data = {"kind": "subscription", "url": feed_server.url("/a.ics")}
    assert user_api.post("/api/calendars/", data, format="json").status_code == 201
    again = user_api.post("/api/calendars/", data, format="json")
    assert again.status_code == 409 and "already subscribed" in again.json()["detail"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "ftp", "url": "https://x.example/a.ics"},
        {"kind": "subscription"},
        {"kind": "subscription", "url": "ftp://x.example/a.ics"},
        {"kind": "subscription", "url": "http://x.example/a.ics"},  # plain http: public hosts no
        {"kind": "subscription", "url": "https://"},
        {"kind": "subscription", "url": "https://x.example/" + "a" * 3000},
    ],
)
def test_bad_subscriptions_are_a_400_and_change_nothing(user_api, data):
    response = user_api.post("/api/calendars/", data, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"] or response.json()
    assert not Calendar.objects.exists()


def test_other_calendars_events_are_listed_read_only(user_api, user):
    calendar = Calendar.objects.create(
        owner=user, kind="subscription", url="https://x", name="Work"
    )
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    own = EventFactory(owner=user, title="Gym", start=start, end=start + timedelta(hours=1))
    theirs = CalendarEvent.objects.create(
        owner=user, calendar=calendar, uid="u1", title="Board call",
        start=start + timedelta(hours=2), end=start + timedelta(hours=3),
    )  # fmt: skip
    listed = user_api.get(f"/api/events/?{_window(start - timedelta(hours=1))}").json()
    assert [(e["title"], e["calendar"], e["read_only"]) for e in listed] == [
        ("Gym", None, False),
        ("Board call", calendar.pk, True),
    ]
    assert listed[1]["id"] == -theirs.pk and own.pk == listed[0]["id"]


def test_other_calendars_busy_events_are_conflicts_for_the_api(user_api, user):
    calendar = Calendar.objects.create(
        owner=user, kind="subscription", url="https://x", name="Work"
    )
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    CalendarEvent.objects.create(
        owner=user, calendar=calendar, uid="u1", title="Board call",
        start=start, end=start + timedelta(hours=1),
    )  # fmt: skip
    response = user_api.post(
        "/api/events/",
        {"title": "Dentist", "start": start.isoformat(),
         "end": (start + timedelta(minutes=30)).isoformat()},
        format="json",
    )  # fmt: skip
    assert response.status_code == 409
    assert response.json()["conflicts"][0]["title"] == "Board call"
    assert response.json()["conflicts"][0]["read_only"] is True


def test_a_calendar_of_someone_else_is_a_404(user_api, other_user):
    theirs = Calendar.objects.create(
        owner=other_user, kind="subscription", url="https://x", name="B"
    )
    for method, path in [
        ("get", f"/api/calendars/{theirs.pk}/"),
        ("delete", f"/api/calendars/{theirs.pk}/"),
        ("post", f"/api/calendars/{theirs.pk}/sync/"),
    ]:
        assert getattr(user_api, method)(path).status_code == 404
    assert user_api.get("/api/calendars/").json() == []
    assert Calendar.objects.filter(pk=theirs.pk).exists()


def test_list_query_count_does_not_grow_with_other_calendars_events(user_api, user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    calendar = Calendar.objects.create(owner=user, kind="subscription", url="https://x", name="W")
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert user_api.get(f"/api/events/?{_window(start, days=30)}").status_code == 200
        return len(captured.captured_queries)

    EventFactory(owner=user, start=start, end=start + timedelta(hours=1))
    one = count()
    CalendarEvent.objects.bulk_create(
        CalendarEvent(owner=user, calendar=calendar, uid=f"u{i}", title=f"T{i}",
                      start=start + timedelta(hours=i), end=start + timedelta(hours=i, minutes=30))
        for i in range(200)
    )  # fmt: skip
    assert count() == one
