"""The secret iCalendar feed: a user's confirmed events, for calendar apps to subscribe to."""

import hmac
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from accounts.models import User
from schedules import recurrence, selectors
from schedules.models import Event

FEED_PAST = timedelta(days=30)
FEED_FUTURE = timedelta(days=365)
FEED_MAX_EVENTS = 5000
# What new_calendar_token() makes (token_urlsafe), up to the column's length: anything else,
# a NUL byte included (PostgreSQL refuses it in a query), cannot match and never reaches one.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def calendar_owner_for_token(token: str) -> User | None:
    """The active user whose feed `token` opens, or None; a miss says nothing about anyone."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    # One lookup on the unique column: its cost doesn't depend on how much of the token is right.
    owner = User.objects.filter(calendar_token=token, is_active=True).first()
    # A case-insensitive collation (MySQL) would match a token in the wrong case; refuse that.
    if owner is None or not hmac.compare_digest(owner.calendar_token, token):
        return None
    return owner


def _common(vevent: icalendar.Event, event: Event, stamp: datetime) -> None:
    vevent.add("dtstamp", stamp)
    vevent.add("summary", event.title)
    if event.location:
        vevent.add("location", event.location)
    if event.notes:
        vevent.add("description", event.notes)
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("created", event.created_at.astimezone(UTC))
    vevent.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    vevent.add("transp", "OPAQUE" if event.show_as == Event.ShowAs.BUSY else "TRANSPARENT")


def _days(event: Event, tz) -> tuple[date, date]:
    first = event.start.astimezone(tz).date()
    last = (event.end - timedelta(microseconds=1)).astimezone(tz).date()
    return first, last + timedelta(days=1)


def _vevent(event: Event, *, tz, stamp: datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event.pk}@drako")
    if event.all_day:
        first, after = _days(event, tz)
        vevent.add("dtstart", first)
        vevent.add("dtend", after)
    else:
        vevent.add("dtstart", event.start.astimezone(UTC))
        vevent.add("dtend", event.end.astimezone(UTC))
    _common(vevent, event, stamp)
    return vevent


def _rrule(series: Event, zone: ZoneInfo) -> icalendar.vRecur:
    parts = recurrence.rule_parts(series.recurrence)
    if series.all_day and "UNTIL" in parts:
        # With a DATE start, RFC 5545 wants UNTIL as a DATE too: the series' last local day.
        until = datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        parts["UNTIL"] = until.astimezone(zone).strftime("%Y%m%d")
    return icalendar.vRecur.from_ical(recurrence.rule_join(parts))


def _series_vevent(series: Event, exceptions: list[Event], *, stamp) -> icalendar.Event:
    """A series: DTSTART in its own zone (so the wall time repeats), RRULE, and an EXDATE for
    every occurrence cancelled on its own."""
    zone = ZoneInfo(series.time_zone)
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{series.pk}@drako")
    if series.all_day:
        first, after = _days(series, zone)
        vevent.add("dtstart", first)
        vevent.add("dtend", after)
    else:
        vevent.add("dtstart", series.start.astimezone(zone))
        vevent.add("dtend", series.end.astimezone(zone))
    vevent.add("rrule", _rrule(series, zone))
    cancelled = [e.recurrence_id for e in exceptions if e.status == Event.Status.CANCELLED]
    if cancelled:
        if series.all_day:
            vevent.add("exdate", [moment.astimezone(zone).date() for moment in cancelled])
        else:
            vevent.add("exdate", [moment.astimezone(zone) for moment in cancelled])
    _common(vevent, series, stamp)
    return vevent


def _exception_vevent(exception: Event, series: Event, *, stamp) -> icalendar.Event:
    """One occurrence changed on its own: the series' UID, RECURRENCE-ID its original start."""
    zone = ZoneInfo(series.time_zone)
    vevent = _vevent(exception, tz=zone, stamp=stamp)
    vevent["uid"] = icalendar.vText(f"event-{series.pk}@drako")
    original = exception.recurrence_id.astimezone(zone)
    vevent.add("recurrence-id", original.date() if series.all_day else original)
    return vevent


def calendar_build(*, user: User, events, now: datetime) -> bytes:
    """`events` of `user` as an iCalendar document (the feed, and the data export): single
    events as they are, each series once with its rule, and its changed occurrences."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//DRAKO//Schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{user.name} · DRAKO")
    calendar.add("x-wr-timezone", user.tz.key)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    stamp = now.astimezone(UTC).replace(microsecond=0)
    events = list(events)
    series = {event.pk: event for event in events if event.recurrence}
    exceptions: dict[int, list[Event]] = {}
    for event in events:
        if event.series_id in series:
            exceptions.setdefault(event.series_id, []).append(event)
    for event in events:
        if event.recurrence:
            vevent = _series_vevent(event, exceptions.get(event.pk, []), stamp=stamp)
        elif event.series_id is None:
            vevent = _vevent(event, tz=user.tz, stamp=stamp)
        elif event.series_id in series and event.status == Event.Status.CONFIRMED:
            vevent = _exception_vevent(event, series[event.series_id], stamp=stamp)
        else:
            continue
        calendar.add_component(vevent)
    if series:
        calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_feed_build(*, user: User, now: datetime) -> bytes:
    """The user's confirmed events from 30 days ago to a year ahead, as an iCalendar document;
    a series running then is there whole, with its rule."""
    rows = selectors.calendar_rows_for_user(user=user, start=now - FEED_PAST, end=now + FEED_FUTURE)
    return calendar_build(user=user, events=rows[:FEED_MAX_EVENTS], now=now)
