from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from schedules.models import Event, EventChange
from tests.factories import add_event as add

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def event(user):
    return add(user, "Dentist", datetime(2030, 3, 7, 14, tzinfo=UTC))


def admin_form(owner, **overrides) -> dict:
    data = {
        "owner": owner.pk,
        "title": "Board meeting",
        "start_0": "2030-03-07",
        "start_1": "09:00:00",
        "end_0": "2030-03-07",
        "end_1": "10:00:00",
        "location": "Room 4",
        "notes": "",
        "show_as": "busy",
    }
    return {**data, **overrides}


def test_event_changelist_search_and_filters(admin_client, event, django_assert_max_num_queries):
    url = reverse("admin:schedules_event_changelist")
    for n in range(20):
        add(event.owner, f"Extra {n}", event.start + timedelta(days=n + 1))
    with django_assert_max_num_queries(10):
        response = admin_client.get(url)
    assert response.status_code == 200 and "Dentist" in response.content.decode()
    assert "Dentist" in admin_client.get(url, {"q": "alice"}).content.decode()
    assert "Dentist" not in admin_client.get(url, {"q": "nobody"}).content.decode()
    assert admin_client.get(url, {"status__exact": "cancelled"}).status_code == 200


def test_adding_an_event_goes_through_the_service(admin_client, user, staff_user, event):
    # Overlapping Dentist is fine from the admin: conflicts are allowed there.
    data = admin_form(user, start_1="15:00:00", end_1="16:00:00")
    response = admin_client.post(reverse("admin:schedules_event_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Event.objects.get(title="Board meeting")
    assert created.source == Event.Source.ADMIN and created.owner == user
    change = EventChange.objects.get(event=created)
    assert change.action == "create" and change.actor == staff_user and change.source == "admin"


def test_admin_form_refuses_what_the_service_would(admin_client, user):
    data = admin_form(user, end_1="08:00:00")
    response = admin_client.post(reverse("admin:schedules_event_add"), data)
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()
    assert not Event.objects.filter(title="Board meeting").exists()


def test_changing_an_event_goes_through_the_service(admin_client, event):
    url = reverse("admin:schedules_event_change", args=[event.pk])
    assert admin_client.get(url).status_code == 200
    data = admin_form(event.owner, title="Dentist", start_1="16:00:00", end_1="17:00:00")
    del data["owner"]  # read-only once the event exists
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event.refresh_from_db()
    assert event.start == datetime(2030, 3, 7, 15, tzinfo=UTC)  # 16:00 in the admin's Berlin
    assert EventChange.objects.filter(event=event, source="admin").exclude(action="create").exists()


def test_deleting_goes_through_the_service_and_is_logged(admin_client, event):
    url = reverse("admin:schedules_event_delete", args=[event.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()
    assert EventChange.objects.filter(
        action="delete", source="admin", before__title="Dentist"
    ).exists()


def test_bulk_delete_and_cancel_go_through_the_service(admin_client, user, event):
    other = add(user, "Other", event.start + timedelta(days=1))
    url = reverse("admin:schedules_event_changelist")
    admin_client.post(url, {"action": "cancel_events", "_selected_action": [other.pk]})
    other.refresh_from_db()
    assert other.status == Event.Status.CANCELLED
    assert EventChange.objects.filter(event=other, action="cancel", source="admin").exists()
    admin_client.post(
        url, {"action": "delete_selected", "_selected_action": [event.pk, other.pk], "post": "yes"}
    )
    assert not Event.objects.exists()
    assert EventChange.objects.filter(action="delete", source="admin").count() == 2


def test_change_log_is_read_only(admin_client, event):
    change = EventChange.objects.get(event=event)
    changelist = reverse("admin:schedules_eventchange_changelist")
    response = admin_client.get(changelist)
    assert response.status_code == 200 and "Dentist" in response.content.decode()
    assert "Dentist" in admin_client.get(changelist, {"q": "Dentist"}).content.decode()
    assert admin_client.get(changelist, {"action__exact": "create"}).status_code == 200
    detail = reverse("admin:schedules_eventchange_change", args=[change.pk])
    assert admin_client.get(detail).status_code == 200
    assert admin_client.post(detail, {"utterance": "rewritten"}).status_code == 403
    assert admin_client.get(reverse("admin:schedules_eventchange_add")).status_code == 403
    delete = reverse("admin:schedules_eventchange_delete", args=[change.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    change.refresh_from_db()
    assert change.utterance == ""
