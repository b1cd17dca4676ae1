"""CalDAV when it goes wrong: a wrong or outdated app password (a Radicale that checks
passwords), and a sync token the server no longer accepts (a real Radicale's refusal)."""

import base64
import logging
import shutil
from datetime import timedelta

import caldav
import pytest

from calendars import services
from calendars.models import Calendar, EventLink
from schedules import services as schedule_services
from schedules.models import Event, EventChange
from tests.calendars.conftest import NEW_PASSWORD, OLD_PASSWORD
from tests.calendars.test_caldav import _on_server, _sync, _vevent
from tests.factories import add_event, days_ahead

pytestmark = pytest.mark.django_db

REFUSED = "The CalDAV server refused the username or app password."


def _secrets(user) -> list[str]:
    """Every form the password could leak in: as typed, and inside a Basic auth header."""
    found = []
    for password in (OLD_PASSWORD, NEW_PASSWORD):
        basic = base64.b64encode(f"{user.username}:{password}".encode()).decode()
        found += [password, basic]
    return found


def test_connecting_with_a_wrong_password_is_a_400_in_words(
    caldav_on, radicale_auth, locked_phone, user_api, user, caplog
):
    caplog.set_level(logging.DEBUG)
    response = user_api.post(
        "/api/calendars/",
        {"kind": "caldav", "url": radicale_auth.url, "username": user.username,
         "password": NEW_PASSWORD, "calendar": locked_phone.get_display_name()},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["detail"] == REFUSED
    assert not Calendar.objects.exists()
    for secret in _secrets(user):
        assert secret not in response.content.decode() and secret not in caplog.text


def test_connecting_on_the_page_with_a_wrong_password_says_why(
    caldav_on, radicale_auth, locked_phone, client, user
):
    client.force_login(user)
    page = client.post(
        "/calendars/caldav/",
        {"url": radicale_auth.url, "username": user.username, "password": NEW_PASSWORD},
    ).content.decode()
    assert REFUSED.replace("'", "&#x27;") in page
    assert NEW_PASSWORD not in page
    assert not Calendar.objects.exists()


def test_a_password_that_stops_working_fails_in_words_and_changes_nothing(
    caldav_on, radicale_auth, locked_phone, user_api, user, admin_client, client, caplog
):
    name = locked_phone.get_display_name()
    calendar = services.caldav_connect(
        owner=user, url=radicale_auth.url, username=user.username, password=OLD_PASSWORD,
        calendar=name,
    )  # fmt: skip
    dentist = add_event(user, "Dentist", days_ahead(user, 3, 9))
    _sync(calendar)
    # The user makes a new app password on the server; DRAKO still has the old one. Meanwhile
    # both sides change: neither change may cross while DRAKO can't get in.
    radicale_auth.password_set(user.username, NEW_PASSWORD)
    phone = caldav.DAVClient(
        url=radicale_auth.url, username=user.username, password=NEW_PASSWORD
    ).calendar(url=locked_phone.url)
    start = days_ahead(user, 4, 15)
    phone.save_event(_vevent("phone-1", "Haircut", start, start + timedelta(minutes=45)))
    schedule_services.event_update(
        event=dentist, changes={"title": "Dentist (DRAKO)"},
        context=schedule_services.ChangeContext(),
    )  # fmt: skip
    before = list(Event.objects.filter(owner=user).values())
    changes, links = EventChange.objects.count(), list(EventLink.objects.values())

    caplog.set_level(logging.DEBUG)
    synced = user_api.post(f"/api/calendars/{calendar.pk}/sync/")
    assert synced.status_code == 200
    assert synced.json()["status"] == "error" and synced.json()["last_error"] == REFUSED
    shown = user_api.get(f"/api/calendars/{calendar.pk}/").json()
    assert shown["status"] == "error" and shown["last_error"] == REFUSED
    assert list(Event.objects.filter(owner=user).values()) == before
    assert EventChange.objects.count() == changes
    assert list(EventLink.objects.values()) == links
    assert set(_on_server(phone)) == {"Dentist", "Haircut"}  # DRAKO's edit not sent either

    client.force_login(user)
    words = REFUSED.replace("'", "&#x27;")
    profile = client.get("/accounts/profile/").content.decode()
    page = client.get("/calendars/").content.decode()
    assert words in profile and words in page
    admin = admin_client.get(f"/admin/calendars/calendar/{calendar.pk}/change/").content.decode()
    assert words in admin
    for secret in _secrets(user):
        for where, text in [("api", synced.content.decode()), ("logs", caplog.text),
                            ("profile", profile), ("page", page), ("admin", admin)]:  # fmt: skip
            assert secret not in text, where

    # The user gives DRAKO the new password by reconnecting: what DRAKO sent before is linked
    # again, not copied (the server's version wins, as in any conflict).
    services.calendar_disconnect(calendar=calendar)
    again = services.caldav_connect(
        owner=user, url=radicale_auth.url, username=user.username, password=NEW_PASSWORD,
        calendar=name,
    )  # fmt: skip
    _sync(again)
    titles = sorted(Event.objects.filter(owner=user).values_list("title", flat=True))
    assert titles == ["Dentist", "Haircut"] and sorted(_on_server(phone)) == titles
    assert Event.objects.filter(pk=dentist.pk, title="Dentist").exists()


def test_restoring_the_password_lets_the_next_sync_catch_up(
    caldav_on, radicale_auth, locked_phone, user
):
    calendar = services.caldav_connect(
        owner=user, url=radicale_auth.url, username=user.username, password=OLD_PASSWORD,
        calendar=locked_phone.get_display_name(),
    )  # fmt: skip
    _sync(calendar)
    radicale_auth.password_set(user.username, NEW_PASSWORD)
    start = days_ahead(user, 4, 15)
    phone = caldav.DAVClient(
        url=radicale_auth.url, username=user.username, password=NEW_PASSWORD
    ).calendar(url=locked_phone.url)
    phone.save_event(_vevent("phone-2", "Haircut", start, start + timedelta(hours=1)))
    failed = services.calendar_sync(calendar=calendar)
    assert failed.status == "error" and not Event.objects.filter(owner=user).exists()
    radicale_auth.password_set(user.username, OLD_PASSWORD)  # a typo on the server, fixed
    _sync(calendar)
    assert list(Event.objects.filter(owner=user).values_list("title", flat=True)) == ["Haircut"]


def _sync_token_scenario(calendar: Calendar, phone, user, *, forget) -> None:
    """Both sides change while the token goes bad; the next sync must converge, once."""
    dentist = add_event(user, "Dentist", days_ahead(user, 3, 9))
    start = days_ahead(user, 4, 15)
    phone.save_event(_vevent("phone-haircut", "Haircut", start, start + timedelta(hours=1)))
    _sync(calendar)
    calendar.refresh_from_db()
    assert calendar.sync_token
    haircut = next(o for o in phone.objects(load_objects=True) if o.data and "Haircut" in o.data)
    haircut.delete()
    phone.save_event(_vevent("phone-yoga", "Yoga", start + timedelta(days=1),
                             start + timedelta(days=1, hours=1)))  # fmt: skip
    schedule_services.event_update(
        event=dentist, changes={"title": "Dentist (DRAKO)"},
        context=schedule_services.ChangeContext(),
    )  # fmt: skip
    forget(calendar)

    _sync(calendar)
    titles = sorted(Event.objects.filter(owner=user).values_list("title", flat=True))
    assert titles == ["Dentist (DRAKO)", "Yoga"]
    assert sorted(_on_server(phone)) == ["Dentist (DRAKO)", "Yoga"]
    assert EventLink.objects.filter(calendar=calendar).count() == 2
    calendar.refresh_from_db()
    assert calendar.sync_token.startswith("http://radicale.org/ns/sync/")
    # And it stays converged: the new token works, nothing moves either way.
    changes = EventChange.objects.count()
    etags = {str(obj.url): obj.props for obj in phone.objects()}
    _sync(calendar)
    assert EventChange.objects.count() == changes
    assert {str(obj.url): obj.props for obj in phone.objects()} == etags


def test_a_garbage_sync_token_falls_back_to_a_full_sync(connected, phone, user):
    def garbage(calendar):
        Calendar.objects.filter(pk=calendar.pk).update(sync_token="not-a-token")
        calendar.sync_token = "not-a-token"

    _sync_token_scenario(connected, phone, user, forget=garbage)


def test_a_token_the_server_forgot_falls_back_to_a_full_sync(connected, phone, user, radicale):
    collection = str(phone.url).rstrip("/").rsplit("/", 1)[-1]

    def forget(_calendar):
        # Radicale keeps each token's state here (and drops them after a month): gone.
        folders = list(radicale.storage.glob(f"**/{collection}/.Radicale.cache/sync-token"))
        assert folders
        for folder in folders:
            shutil.rmtree(folder)

    _sync_token_scenario(connected, phone, user, forget=forget)
