"""Subscribing to a calendar's iCalendar address: real-world feeds from a loopback server."""

import socket
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from calendars import fetch, services
from calendars.models import Calendar, CalendarEvent
from tests.calendars.conftest import feed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def owner():
    return UserFactory(username="sub", time_zone="Europe/Berlin")


def _subscribed(owner, server, path: str, body: bytes, **options) -> Calendar:
    server.ics(path, body, **options)
    return Calendar.objects.create(
        owner=owner, kind=Calendar.Kind.SUBSCRIPTION, url=server.url(path), name=""
    )


def _stored(calendar) -> dict[str, list[tuple[datetime, datetime]]]:
    found: dict = {}
    for e in CalendarEvent.objects.filter(calendar=calendar).order_by("start"):
        found.setdefault(e.title, []).append((e.start, e.end))
    return found


def test_google_export_reads_its_series_in_the_x_wr_timezone(owner, feed_server, local_calendars):
    calendar = _subscribed(owner, feed_server, "/google.ics", feed("google.ics"))
    services.calendar_sync(calendar=calendar, now=NOW)
    assert calendar.status == Calendar.Status.OK, calendar.last_error
    stored = _stored(calendar)
    assert stored["Board call"] == [
        (datetime(2026, 12, 3, 15, tzinfo=UTC), datetime(2026, 12, 3, 16, tzinfo=UTC))
    ]
    # Google writes the series in UTC and means New York: 9 AM stays 9 AM after DST ends.
    starts = [s.astimezone(ZoneInfo("America/New_York")).hour for s, _ in stored["Team sync"]]
    assert starts == [9, 9, 9, 9]
    assert "Called off" not in stored
    holiday = CalendarEvent.objects.get(calendar=calendar, title="Company holiday")
    assert holiday.all_day and holiday.show_as == "free"
    assert holiday.start == datetime(2026, 12, 4, tzinfo=BERLIN)


def test_outlook_windows_zone_names_resolve(owner, feed_server, local_calendars):
    calendar = _subscribed(owner, feed_server, "/outlook.ics", feed("outlook.ics"))
    services.calendar_sync(calendar=calendar, now=NOW)
    assert calendar.status == Calendar.Status.OK, calendar.last_error
    stored = _stored(calendar)
    assert stored["Quarterly review"] == [
        (datetime(2026, 12, 7, 10, tzinfo=BERLIN), datetime(2026, 12, 7, 11, 30, tzinfo=BERLIN))
    ]
    seattle = ZoneInfo("America/Los_Angeles")
    assert stored["Call with Seattle"][0][0] == datetime(2026, 12, 8, 9, tzinfo=seattle)
    lunch = CalendarEvent.objects.get(calendar=calendar, title="Lunch (tentative)")
    assert lunch.show_as == "free"


def test_a_series_with_exceptions_keeps_moves_exdates_and_cancellations(
    owner, feed_server, local_calendars
):
    calendar = _subscribed(owner, feed_server, "/series.ics", feed("series.ics"))
    services.calendar_sync(calendar=calendar, now=NOW)
    stored = _stored(calendar)
    assert [s.astimezone(BERLIN) for s, _ in stored["Standup"]] == [
        datetime(2026, 12, 1, 9, tzinfo=BERLIN),
        datetime(2026, 12, 2, 9, tzinfo=BERLIN),
    ]
    assert [s.astimezone(BERLIN) for s, _ in stored["Standup (moved)"]] == [
        datetime(2026, 12, 4, 11, tzinfo=BERLIN)
    ]


def test_an_unchanged_feed_is_not_read_again(owner, feed_server, local_calendars):
    calendar = _subscribed(owner, feed_server, "/series.ics", feed("series.ics"), etag='"v1"')
    services.calendar_sync(calendar=calendar, now=NOW)
    assert calendar.etag == '"v1"'
    services.calendar_sync(calendar=calendar, now=NOW.replace(hour=13))
    assert feed_server.served[-1][1].get("If-None-Match") == '"v1"'
    assert calendar.status == Calendar.Status.OK
    assert len(_stored(calendar)["Standup"]) == 2  # kept, not emptied by the 304


def test_a_slow_feed_fails_in_words(owner, feed_server, local_calendars, monkeypatch):
    monkeypatch.setattr(fetch, "READ_TIMEOUT", 0.5)
    feed_server.slow("/slow.ics")
    calendar = Calendar.objects.create(
        owner=owner, kind="subscription", url=feed_server.url("/slow.ics"), name="Slow"
    )
    services.calendar_sync(calendar=calendar, now=NOW)
    assert calendar.status == Calendar.Status.ERROR
    assert "took too long" in calendar.last_error


def test_a_huge_feed_is_refused_in_words(owner, feed_server, local_calendars):
    feed_server.endless("/huge.ics")
    calendar = Calendar.objects.create(
        owner=owner, kind="subscription", url=feed_server.url("/huge.ics"), name="Huge"
    )
    services.calendar_sync(calendar=calendar, now=NOW)
    assert calendar.status == Calendar.Status.ERROR
    assert "larger than 5 MB" in calendar.last_error
    assert not CalendarEvent.objects.filter(calendar=calendar).exists()


def test_a_declared_huge_feed_is_refused_before_reading(owner, feed_server, local_calendars):
    def answer(handler):
        handler.send_response(200)
        handler.send_header("Content-Length", str(fetch.MAX_BYTES + 1))
        handler.end_headers()

    feed_server.routes["/declared.ics"] = answer
    calendar = Calendar.objects.create(
        owner=owner, kind="subscription", url=feed_server.url("/declared.ics"), name="Huge"
    )
    services.calendar_sync(calendar=calendar, now=NOW)
    assert "larger than 5 MB" in calendar.last_error


def _resolving(monkeypatch, names: dict[str, str]) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (names[host], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_redirect_to_a_private_address_is_refused(owner, feed_server, monkeypatch, settings):
    """The feed itself is public (by name); its redirect points at a name on 10.x."""
    _resolving(monkeypatch, {"calendar.example.com": "127.0.0.1", "intranet.example": "10.1.2.3"})
    monkeypatch.setattr("drako.netguard._is_public", lambda address: not address.startswith("10."))
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    port = feed_server.httpd.server_address[1]
    feed_server.redirect("/feed.ics", "http://intranet.example/secret.ics")
    calendar = Calendar.objects.create(
        owner=owner, kind="subscription", url=f"http://calendar.example.com:{port}/feed.ics",
        name="Work",
    )  # fmt: skip
    services.calendar_sync(calendar=calendar, now=NOW)
    assert calendar.status == Calendar.Status.ERROR
    assert "private network" in calendar.last_error
    assert [path for path, _ in feed_server.served] == ["/feed.ics"]  # never followed


def test_subscribing_to_a_private_address_is_refused(owner, monkeypatch, settings):
    _resolving(monkeypatch, {"nas.home.example": "10.0.0.5"})
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(services.CalendarError, match="private network"):
        services.calendar_subscribe(owner=owner, url="webcal://nas.home.example/cal.ics")
    assert not Calendar.objects.exists()


def test_too_many_redirects_fail_in_words(owner, feed_server, local_calendars):
    for hop in range(6):
        feed_server.redirect(f"/r{hop}", f"/r{hop + 1}")
    calendar = Calendar.objects.create(
        owner=owner, kind="subscription", url=feed_server.url("/r0"), name="Loop"
    )
    services.calendar_sync(calendar=calendar, now=NOW)
    assert "redirects too many times" in calendar.last_error


def test_a_page_that_is_not_a_calendar_fails_in_words(owner, feed_server, local_calendars):
    calendar = _subscribed(owner, feed_server, "/page", b"<html>Sign in</html>")
    services.calendar_sync(calendar=calendar, now=NOW)
    assert calendar.status == Calendar.Status.ERROR
    assert "not an iCalendar" in calendar.last_error


def test_a_gone_feed_says_so(owner, feed_server, local_calendars):
    calendar = Calendar.objects.create(
        owner=owner, kind="subscription", url=feed_server.url("/gone.ics"), name="Gone"
    )
    services.calendar_sync(calendar=calendar, now=NOW)
    assert "HTTP 404" in calendar.last_error


def test_a_sync_started_meanwhile_elsewhere_is_not_run_twice(owner, feed_server, local_calendars):
    calendar = _subscribed(owner, feed_server, "/series.ics", feed("series.ics"))
    stale = Calendar.objects.get(pk=calendar.pk)
    services.calendar_sync(calendar=calendar, now=NOW)
    services.calendar_sync(calendar=stale, now=NOW)  # read before the first one ran
    assert len(feed_server.served) == 1
    assert stale.status == Calendar.Status.OK
