"""The secret iCalendar feed: a user's confirmed events, for calendar apps to subscribe to."""

import hmac
import re
from datetime import UTC, datetime, timedelta

import icalendar

from accounts.models import User
from schedules import selectors
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


def _vevent(event: Event, *, tz, stamp: datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", f"event-{event.pk}@drako")
    vevent.add("dtstamp", stamp)
    if event.all_day:
        vevent.add("dtstart", event.start.astimezone(tz).date())
        last = (event.end - timedelta(microseconds=1)).astimezone(tz).date()
        vevent.add("dtend", last + timedelta(days=1))
    else:
        vevent.add("dtstart", event.start.astimezone(UTC))
        vevent.add("dtend", event.end.astimezone(UTC))
    vevent.add("summary", event.title)
    if event.location:
        vevent.add("location", event.location)
    if event.notes:
        vevent.add("description", event.notes)
    vevent.add("last-modified", event.updated_at.astimezone(UTC))
    vevent.add("created", event.created_at.astimezone(UTC))
    vevent.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    vevent.add("transp", "OPAQUE" if event.show_as == Event.ShowAs.BUSY else "TRANSPARENT")
    return vevent


def calendar_build(*, user: User, events, now: datetime) -> bytes:
    """`events` of `user` as an iCalendar document (the feed, and the data export)."""
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
    for event in events:
        calendar.add_component(_vevent(event, tz=user.tz, stamp=stamp))
    return calendar.to_ical()


def calendar_feed_build(*, user: User, now: datetime) -> bytes:
    """The user's confirmed events from 30 days ago to a year ahead, as an iCalendar document."""
    events = selectors.event_list_for_user(user=user, start=now - FEED_PAST, end=now + FEED_FUTURE)
    return calendar_build(user=user, events=events[:FEED_MAX_EVENTS], now=now)
