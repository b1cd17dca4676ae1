"""A new app password without reconnecting, and a reconnect that doubles nothing."""

import logging
from datetime import timedelta

import caldav
import pytest

from calendars import services
from calendars.models import Calendar, EventLink, FormerLink
from schedules.models import Event, EventChange
from tests.calendars.conftest import NEW_PASSWORD, OLD_PASSWORD
from tests.calendars.test_caldav import _on_server, _sync, _vevent
from tests.calendars.test_caldav_failures import REFUSED, _secrets
from tests.factories import add_event, days_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(caldav_on, radicale_auth, locked_phone, user):
    """The password-checking phone calendar, connected with OLD_PASSWORD and synced once."""
    calendar = services.caldav_connect(
        owner=user, url=radicale_auth.url, username=user.username, password=OLD_PASSWORD,
        calendar=locked_phone.get_display_name(),
    )  # fmt: skip
    add_event(user, "Dentist", days_ahead(user, 3, 9))
    return _sync(calendar)


def _new_password_on_server(radicale_auth, locked_phone, user):
    radicale_auth.password_set(user.username, NEW_PASSWORD)
    return caldav.DAVClient(
        url=radicale_auth.url, username=user.username, password=NEW_PASSWORD
    ).calendar(url=locked_phone.url)


def test_a_new_app_password_through_the_api_lets_sync_resume_without_copies(
    locked,
    radicale_auth,
    locked_phone,
    user_api,
    user,
    caplog,
):
    phone = _new_password_on_server(radicale_auth, locked_phone, user)
    start = days_ahead(user, 4, 15)
    phone.save_event(_vevent("phone-1", "Haircut", start, start + timedelta(minutes=45)))
    assert services.calendar_sync(calendar=locked).status == "error"
    links = set(EventLink.objects.values_list("pk", "uid"))

    caplog.set_level(logging.DEBUG)
    response = user_api.patch(
        f"/api/calendars/{locked.pk}/", {"password": NEW_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["id"] == locked.pk and response.json()["kind"] == "caldav"
    for secret in _secrets(user):
        assert secret not in response.content.decode() and secret not in caplog.text
    calendar = Calendar.objects.get(pk=locked.pk)
    assert NEW_PASSWORD not in calendar.password_encrypted
    _sync(calendar)
    titles = sorted(Event.objects.filter(owner=user).values_list("title", flat=True))
    assert titles == ["Dentist", "Haircut"] and sorted(_on_server(phone)) == titles
    assert links <= set(EventLink.objects.values_list("pk", "uid"))  # the same links, kept


def test_a_wrong_new_password_is_a_400_in_words_and_changes_nothing(
    locked,
    radicale_auth,
    locked_phone,
    user_api,
    user,
    caplog,
):
    _new_password_on_server(radicale_auth, locked_phone, user)
    before = list(Calendar.objects.values())
    caplog.set_level(logging.DEBUG)
    response = user_api.patch(
        f"/api/calendars/{locked.pk}/", {"password": OLD_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == REFUSED
    assert list(Calendar.objects.values()) == before
    for secret in _secrets(user):
        assert secret not in response.content.decode() and secret not in caplog.text


def test_a_password_change_needs_a_password_and_a_caldav_calendar(locked, user_api, user):
    before = list(Calendar.objects.values())
    empty = user_api.patch(f"/api/calendars/{locked.pk}/", {"password": ""}, format="json")
    assert empty.status_code == 400 and "password" in empty.json()["detail"]
    feed = Calendar.objects.create(
        owner=user, kind="subscription", name="Work", url="https://example.com/work.ics"
    )
    refused = user_api.patch(f"/api/calendars/{feed.pk}/", {"password": "x"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Only a CalDAV calendar has an app password."
    assert list(Calendar.objects.exclude(pk=feed.pk).values()) == before
    assert Calendar.objects.get(pk=feed.pk).password_encrypted == ""


def test_another_users_calendar_password_is_a_404(locked, user_api, user):
    from tests.factories import UserFactory

    other = UserFactory()
    theirs = services.caldav_connect(
        owner=other, url=locked.url, username=user.username, password=OLD_PASSWORD,
        calendar="",
    )  # fmt: skip
    stored = theirs.password_encrypted
    response = user_api.patch(f"/api/calendars/{theirs.pk}/", {"password": "x"}, format="json")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.password_encrypted == stored


def test_the_calendars_page_changes_the_password_and_says_when_it_is_refused(
    locked,
    radicale_auth,
    locked_phone,
    client,
    user,
):
    client.force_login(user)
    page = client.get("/calendars/").content.decode()
    assert f'action="/calendars/{locked.pk}/password/"' in page
    _new_password_on_server(radicale_auth, locked_phone, user)
    stored = Calendar.objects.get(pk=locked.pk).password_encrypted

    wrong = client.post(f"/calendars/{locked.pk}/password/", {"password": OLD_PASSWORD},
                        follow=True).content.decode()  # fmt: skip
    assert REFUSED.replace("'", "&#x27;") in wrong and OLD_PASSWORD not in wrong
    assert Calendar.objects.get(pk=locked.pk).password_encrypted == stored

    right = client.post(f"/calendars/{locked.pk}/password/", {"password": NEW_PASSWORD},
                        follow=True).content.decode()  # fmt: skip
    assert "has its new app password" in right and NEW_PASSWORD not in right
    assert _sync(Calendar.objects.get(pk=locked.pk)).last_error == ""


def test_a_password_unreadable_after_a_key_change_is_given_again(connected, user_api):
    Calendar.objects.filter(pk=connected.pk).update(password_encrypted="made-with-an-old-key")
    failed = services.calendar_sync(calendar=Calendar.objects.get(pk=connected.pk))
    assert failed.status == "error" and "can't be read" in failed.last_error
    response = user_api.patch(
        f"/api/calendars/{connected.pk}/", {"password": "app-pass"}, format="json"
    )
    assert response.status_code == 200
    assert _sync(Calendar.objects.get(pk=connected.pk)).last_error == ""


def _snapshot(user, phone) -> tuple:
    events = sorted(Event.objects.filter(owner=user).values_list("pk", "title"))
    return events, sorted(_on_server(phone))


def test_reconnecting_after_a_disconnect_doubles_nothing_on_either_side(
    caldav_on, radicale, phone, connected, user
):
    dentist = add_event(user, "Dentist", days_ahead(user, 3, 9))
    start = days_ahead(user, 4, 15)
    phone.save_event(_vevent("phone-haircut", "Haircut", start, start + timedelta(hours=1)))
    phone.save_event(_vevent("phone-yoga", "Yoga", start + timedelta(days=1),
                             start + timedelta(days=1, hours=1)))  # fmt: skip
    _sync(connected)
    before = _snapshot(user, phone)
    assert [t for _pk, t in before[0]] == ["Dentist", "Haircut", "Yoga"]
    assert before[1] == ["Dentist", "Haircut", "Yoga"]

    services.calendar_disconnect(calendar=connected)
    assert FormerLink.objects.filter(owner=user).count() == 3
    again = services.caldav_connect(
        owner=user, url=radicale.url, username=user.username, password="app-pass",
        calendar=phone.get_display_name(),
    )  # fmt: skip
    _sync(again)
    assert _snapshot(user, phone) == before  # the same DRAKO events, the same server objects
    assert Event.objects.filter(pk=dentist.pk).exists()
    assert EventLink.objects.filter(calendar=again).count() == 3
    assert not FormerLink.objects.exists()

    changes = EventChange.objects.count()
    etags = {str(obj.url): obj.props for obj in phone.objects()}
    _sync(again)
    assert EventChange.objects.count() == changes
    assert {str(obj.url): obj.props for obj in phone.objects()} == etags
    assert _snapshot(user, phone) == before
