from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from schedules import services
from schedules.models import Event, EventChange
from tests.factories import EventFactory, UserFactory, add_event

pytestmark = pytest.mark.django_db
WINDOW = "start=2030-01-07T00:00&end=2030-01-14T00:00"


def january(day=8, hour=14) -> datetime:
    return datetime(2030, 1, day, hour, tzinfo=UTC)


def test_create_reads_times_without_offset_in_the_users_zone(user_api, user):
    response = user_api.post(
        "/api/events/",
        {"title": "Standup", "start": "2030-01-08T09:00", "end": "2030-01-08T09:15"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["start"] == "2030-01-08T09:00:00+01:00"  # Europe/Berlin in winter
    event = Event.objects.get(pk=body["id"])
    assert event.start == datetime(2030, 1, 8, 8, tzinfo=UTC)
    assert event.source == Event.Source.API
    assert EventChange.objects.get(event=event).actor == user


def test_create_accepts_spoken_phrases(user_api):
    response = user_api.post(
        "/api/events/",
        {"title": "Gym", "start": "2030-01-08 18:00", "end": "2030-01-08 19:00"},
        format="json",
    )
    assert response.status_code == 201


def test_same_utc_event_reads_in_each_users_own_zone(api_client):
    kolkata = UserFactory(time_zone="Asia/Kolkata")
    la = UserFactory(time_zone="America/Los_Angeles")
    for owner in (kolkata, la):
        add_event(owner, "Dentist", january(8, 14))
    expected = {kolkata: "2030-01-08T19:30:00+05:30", la: "2030-01-08T06:00:00-08:00"}
    for owner, local in expected.items():
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {owner.api_key}")
        events = api_client.get(f"/api/events/?{WINDOW}").json()
        assert [e["start"] for e in events] == [local]


def test_conflict_is_409_with_conflicts_and_alternatives(user_api, user):
    dentist = add_event(user, "Dentist", january(8, 14))
    response = user_api.post(
        "/api/events/",
        {"title": "Call", "start": "2030-01-08T15:30", "end": "2030-01-08T16:30"},
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["conflicts"][0]["id"] == dentist.pk
    assert body["alternatives"]
    assert "Dentist" in body["detail"]
    assert Event.objects.count() == 1


def test_conflict_can_be_overridden(user_api, user):
    add_event(user, "Dentist", january(8, 14))
    response = user_api.post(
        "/api/events/",
        {
            "title": "Call",
            "start": "2030-01-08T15:30",
            "end": "2030-01-08T16:30",
            "allow_conflict": True,
        },
        format="json",
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"title": "x", "start": "garbage", "end": "2030-01-08T10:00"},
        {"title": "x", "start": "2030-01-08T10:00", "end": "2030-01-08T09:00"},
        {"title": "", "start": "2030-01-08T10:00", "end": "2030-01-08T11:00"},
        {"title": "x" * 500, "start": "2030-01-08T10:00", "end": "2030-01-08T11:00"},
        {"title": "x", "start": 12, "end": None},
        {"title": ["x"], "start": "2030-01-08T10:00", "end": "2030-01-08T11:00"},
        {"title": "x", "start": "9999-12-31T23:59", "end": "9999-12-31T23:59:59"},
        {"title": "x", "start": "2030-01-08T10:00", "end": "2030-02-08T11:00"},
        {"title": "x", "start": "2030-01-08T10:00", "end": "2030-01-08T11:00", "show_as": "maybe"},
        ["not", "an", "object"],
    ],
)
def test_bad_input_is_400_with_a_readable_detail_and_writes_nothing(user_api, body):
    response = user_api.post("/api/events/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"]
    assert not Event.objects.exists()


def test_malformed_json_is_400(user_api):
    response = user_api.post("/api/events/", b"{", content_type="application/json")
    assert response.status_code == 400


def test_list_needs_a_valid_window(user_api):
    for query in (
        "",
        "start=2030-01-01",
        "start=x&end=y",
        "start=2030-01-02T00:00&end=2030-01-01T00:00",
        "start=2030-01-01T00:00&end=2031-01-01T00:00",
    ):
        response = user_api.get(f"/api/events/?{query}")
        assert response.status_code == 400, query
        assert response.json()["detail"]


def test_list_returns_overlapping_confirmed_events_only(user_api, user):
    inside = add_event(user, "Dentist", january(8, 14))
    add_event(user, "Later", january(20, 14))
    cancelled = add_event(user, "Cancelled", january(9, 14))
    services.event_cancel(event=cancelled, context=services.ChangeContext())
    ids = [e["id"] for e in user_api.get(f"/api/events/?{WINDOW}").json()]
    assert ids == [inside.pk]


def test_patch_moves_keeping_the_length(user_api, user):
    event = add_event(user, "Dentist", january(8, 14))
    response = user_api.patch(
        f"/api/events/{event.pk}/", {"start": "2030-01-09T10:00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    event.refresh_from_db()
    assert event.end - event.start == timedelta(hours=1)
    assert event.start == datetime(2030, 1, 9, 9, tzinfo=UTC)


def test_patch_cancel(user_api, user):
    event = add_event(user, "Dentist", january(8, 14))
    response = user_api.patch(f"/api/events/{event.pk}/", {"status": "cancelled"}, format="json")
    assert response.json()["status"] == "cancelled"


def test_delete_then_undo_through_the_change_log(user_api, user):
    event = add_event(user, "Dentist", january(8, 14))
    assert user_api.delete(f"/api/events/{event.pk}/").status_code == 204
    deletion = EventChange.objects.get(action=EventChange.Action.DELETE)
    response = user_api.post(f"/api/changes/{deletion.pk}/undo/")
    assert response.status_code == 200
    assert Event.objects.filter(owner=user, title="Dentist").count() == 1
    again = user_api.post(f"/api/changes/{deletion.pk}/undo/")
    assert again.status_code == 409


def test_free_slots(user_api, user):
    add_event(user, "Dentist", january(8, 10))  # 11:00-12:00 Berlin
    response = user_api.get(
        "/api/events/free-slots/?duration=60&start=2030-01-08T00:00&end=2030-01-09T00:00"
    )
    assert response.status_code == 200
    slots = response.json()
    assert [(s["start"][11:16], s["end"][11:16]) for s in slots] == [
        ("09:00", "11:00"),
        ("12:00", "18:00"),
    ]
    assert slots[0]["minutes"] == 120


@pytest.mark.parametrize("duration", ["0", "-5", "abc", "100000", ""])
def test_free_slots_bad_duration_is_400(user_api, duration):
    response = user_api.get(
        f"/api/events/free-slots/?duration={duration}&start=2030-01-08T00:00&end=2030-01-09T00:00"
    )
    assert response.status_code == 400


# --- Isolation matrix: owner, other user, anonymous, staff x read, write ---


@pytest.fixture
def alices_event(user):
    return add_event(user, "Dentist", january(8, 14))


@pytest.mark.parametrize(
    "who,expected_read,expected_write",
    [
        ("owner", 200, 200),
        ("other", 404, 404),
        ("anonymous", 401, 401),
        ("staff", 404, 404),
    ],
)
def test_event_isolation_matrix(
    api_client, user, other_user, staff_user, alices_event, who, expected_read, expected_write
):
    principal = {"owner": user, "other": other_user, "staff": staff_user}.get(who)
    if principal:
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {principal.api_key}")
    url = f"/api/events/{alices_event.pk}/"
    assert api_client.get(url).status_code == expected_read
    assert api_client.patch(url, {"title": "Hijacked"}, format="json").status_code == expected_write
    if who != "owner":
        assert api_client.delete(url).status_code == expected_write
        change = EventChange.objects.filter(owner=user).first()
        assert api_client.post(f"/api/changes/{change.pk}/undo/").status_code == expected_write
        alices_event.refresh_from_db()
        assert alices_event.title == "Dentist"
    listing = api_client.get(f"/api/events/?{WINDOW}")
    if who in ("other", "staff"):
        assert listing.json() == []
        assert api_client.get("/api/changes/").json() == []


@pytest.mark.parametrize("event_id", ["999999", "99999999999999999999999"])
def test_missing_or_absurd_ids_are_404(user_api, event_id):
    assert user_api.get(f"/api/events/{event_id}/").status_code == 404


def test_list_query_count_is_constant(user_api, user):
    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert user_api.get(f"/api/events/?{WINDOW}").status_code == 200
        return len(ctx.captured_queries)

    EventFactory(owner=user)
    one = count_queries()
    EventFactory.create_batch(499, owner=user)
    assert count_queries() == one


def test_moving_an_all_day_event_keeps_it_one_day(user_api, user):
    event, _ = services.event_create(
        owner=user, title="Holiday", start=datetime(2030, 1, 8, 12, tzinfo=UTC),
        end=datetime(2030, 1, 8, 13, tzinfo=UTC), all_day=True, context=services.ChangeContext(),
    )  # fmt: skip
    response = user_api.patch(
        f"/api/events/{event.pk}/", {"start": "2030-01-10T23:00"}, format="json"
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.start.astimezone(user.tz).date().isoformat() == "2030-01-10"
    assert event.end - event.start == timedelta(days=1)


def test_all_day_end_before_start_is_refused_not_rounded(user_api, user):
    event, _ = services.event_create(
        owner=user, title="Holiday", start=datetime(2030, 1, 8, 12, tzinfo=UTC),
        end=datetime(2030, 1, 8, 13, tzinfo=UTC), all_day=True, context=services.ChangeContext(),
    )  # fmt: skip
    response = user_api.patch(
        f"/api/events/{event.pk}/",
        {"start": "2030-01-10T10:00", "end": "2030-01-09T10:00"},
        format="json",
    )
    assert response.status_code == 400


def test_an_all_day_event_is_free_unless_said_otherwise(user_api):
    day = {"start": "2030-01-08T00:00", "end": "2030-01-08T23:00", "all_day": True}
    free = user_api.post("/api/events/", {"title": "Holiday", **day}, format="json")
    assert free.status_code == 201 and free.json()["show_as"] == "free"
    busy = user_api.post("/api/events/", {"title": "Trip", **day, "show_as": "busy"}, format="json")
    assert busy.status_code == 201 and busy.json()["show_as"] == "busy"
    timed = {"title": "Call", "start": "2030-01-09T10:00", "end": "2030-01-09T11:00"}
    assert user_api.post("/api/events/", timed, format="json").json()["show_as"] == "busy"
