"""A reconnect that doubles nothing."""

from datetime import timedelta

import pytest

from calendars import services
from calendars.models import EventLink, FormerLink
from schedules.models import Event, EventChange
from tests.calendars.test_caldav import _on_server, _sync, _vevent
from tests.factories import add_event, days_ahead

pytestmark = pytest.mark.django_db


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
