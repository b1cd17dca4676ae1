"""Two-way sync of DRAKO's own events with a CalDAV calendar (RFC 4791), through `caldav`.

Each sync pulls first, then pushes:
- **Pull**: an RFC 6578 sync-collection report with the last sync token lists what changed on
  the server (everything, the first time or when the server forgot the token). An object
  whose ETag is the one we last saw is ours, already applied. A changed object updates (or
  creates) its DRAKO event; a deleted one deletes it. Every incoming change goes through the
  schedules services, so it is in the change log like any other.
- **Push**: a DRAKO event whose state differs from the one last in step with the server is
  PUT (If-Match its ETag, or If-None-Match * when new); an event deleted or cancelled in DRAKO
  is DELETEd there.

Conflict rule: when an event changed on both sides since the last sync, **the server's version
wins** (the pull runs first); DRAKO's own edit stays in the change log, where undo brings it
back for the next sync to send. A PUT refused with 412 (the server changed it meanwhile) is
left for the next pull, by the same rule.

A sync token the server refuses (expired, or its storage reset) is dropped for a full listing.
After a disconnect and reconnect of the same collection, an object whose UID was linked to one
of DRAKO's events before (the FormerLinks the disconnect left, or the event id in a UID DRAKO
gave) is linked back to that event rather than copied, on either side.

A series goes both ways with its RRULE, its cancelled occurrences (EXDATE, or a cancelled
override) and its moved or changed ones (RECURRENCE-ID overrides).
"""

import logging
import re
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta

import caldav
import icalendar
import requests
from caldav.lib import error as caldav_error
from caldav.lib.url import URL
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from calendars import fetch, ical, imports, secrets
from calendars.errors import CalendarError
from calendars.models import Calendar, EventLink, FormerLink
from calendars.occurrences import series_exceptions_apply
from drako import netguard
from schedules import feed
from schedules import services as schedule_services
from schedules.errors import ScheduleError
from schedules.models import Event

logger = logging.getLogger(__name__)

TIMEOUT = 15
# DRAKO's events pushed: those not over a month ago, and series still running then.
PUSH_PAST = timedelta(days=31)
PUSH_MAX = 2000
# PUTs per sync: a first sync of a long schedule goes out over a few runs, never one long request.
PUSH_BATCH = 200
# The UID DRAKO gives an event it sends (_send_put): its id, then a random part.
_OUR_UID = re.compile(r"event-(\d+)-[0-9a-f]{8}@drako")
_FEED_ONLY = ("METHOD", "X-WR-CALNAME", "X-WR-TIMEZONE", "REFRESH-INTERVAL", "X-PUBLISHED-TTL")


def _client(*, url: str, username: str, password: str) -> caldav.DAVClient:
    client = caldav.DAVClient(url=url, username=username, password=password, timeout=TIMEOUT)
    # Every request, redirects included, through the SSRF guard.
    client.session = netguard.session(allow_private=settings.CALENDAR_ALLOW_PRIVATE_HOSTS)
    return client


@contextmanager
def _speaking(url: str):
    """The library's and the network's failures, in words for the calendars page."""
    try:
        yield
    except CalendarError:
        raise
    except netguard.UnsafeAddress:
        raise CalendarError(fetch.unsafe_words(url)) from None
    except caldav_error.AuthorizationError:
        raise CalendarError(_("The CalDAV server refused the username or app password.")) from None
    except caldav_error.NotFoundError:
        raise CalendarError(_("The CalDAV server has no calendar at that address.")) from None
    except requests.Timeout:
        raise CalendarError(_("The CalDAV server took too long to answer.")) from None
    except (requests.RequestException, caldav_error.DAVError, ValueError) as failure:
        logger.info("caldav url=%s failed: %r", url, failure)
        raise CalendarError(
            _("The CalDAV server could not be reached or answered with an error. Check the "
              "address.")
        ) from None  # fmt: skip


def _canonical(url) -> str:
    return str(URL.objectify(url).canonical())


def remote_calendar_pick(*, url: str, username: str, password: str, wanted: str) -> tuple:
    """(url, name) of the calendar on the server named (or addressed) `wanted`; the first
    one when `wanted` is empty."""
    with _speaking(url):
        found = _client(url=url, username=username, password=password).principal().calendars()
        named = [(_canonical(c.url), c.get_display_name() or "") for c in found]
    if not named:
        raise CalendarError(_("That CalDAV account has no calendars."))
    if not wanted.strip():
        return named[0]
    want = wanted.strip().lower()
    for address, name in named:
        if name.lower() == want or address.rstrip("/").lower() == want.rstrip("/"):
            return address, name
    names = ", ".join(name or address for address, name in named)
    raise CalendarError(
        _("No calendar called %(wanted)s on that server. It has: %(names)s.")
        % {"wanted": wanted, "names": names}
    )


def remote_calendar_check(*, url: str, username: str, password: str, remote_url: str) -> None:
    """Refuses, in words, a password the server does not take for that calendar."""
    with _speaking(url):
        _client(url=url, username=username, password=password).calendar(
            url=remote_url
        ).get_display_name()


def caldav_sync(*, calendar: Calendar, now: datetime) -> None:
    """Pulls the server's changes into DRAKO, then pushes DRAKO's to the server."""
    password = secrets.password_decrypt(calendar.password_encrypted)
    with _speaking(calendar.url):
        client = _client(url=calendar.url, username=calendar.username, password=password)
        remote = client.calendar(url=calendar.remote_url)
        token = _pull(calendar, remote)
        _push(calendar, client, now)
    calendar.sync_token = token or ""


def _changes(calendar: Calendar, remote):
    if calendar.sync_token:
        try:
            return remote.objects_by_sync_token(sync_token=calendar.sync_token), False
        except caldav_error.DAVError:
            logger.info("calendar=%s sync token refused; listing everything", calendar.pk)
    return remote.objects_by_sync_token(sync_token=None), True


def _pull(calendar: Calendar, remote) -> str:
    found, everything = _changes(calendar, remote)
    links = {
        link.href: link
        for link in EventLink.objects.filter(calendar=calendar).select_related("event")
    }
    seen = set()
    for obj in found:
        href, etag = _canonical(obj.url), obj.props.get("{DAV:}getetag") or ""
        seen.add(href)
        link = links.get(href)
        if link is not None and etag and link.etag == etag:
            continue  # what we last saw (or last sent)
        if not etag:
            _remote_deleted(calendar, link)
            continue
        try:
            obj.load()
        except caldav_error.NotFoundError:
            _remote_deleted(calendar, link)
            continue
        _remote_changed(calendar, link, href=href, etag=etag, data=obj.data)
    if everything:  # a full listing: what isn't in it any more was deleted there
        for href, link in links.items():
            if href not in seen:
                _remote_deleted(calendar, link)
    return found.sync_token


def _context(calendar: Calendar, words: str) -> schedule_services.ChangeContext:
    # The change log's `utterance` says where the change came from, for the assistant to tell.
    return schedule_services.ChangeContext(
        source=Event.Source.API, utterance=words % {"calendar": calendar.name}
    )


def _remote_deleted(calendar: Calendar, link: EventLink | None) -> None:
    if link is None:
        return
    if link.event is not None:
        context = _context(calendar, _("Deleted on your %(calendar)s calendar"))
        schedule_services.event_delete(event=link.event, context=context)
    link.delete()


def _fields(calendar: Calendar, data: str) -> tuple[str, dict, list] | None:
    parsed = ical.calendar_parse(data.encode() if isinstance(data, str) else data)
    components = parsed.walk("VEVENT")
    masters = [c for c in components if c.get("RECURRENCE-ID") is None]
    item = imports.import_item(masters[0], calendar.owner.tz) if masters else None
    if item is None:
        return None
    show_as = Event.ShowAs.BUSY if item.busy else Event.ShowAs.FREE
    fields = {"title": item.title, "start": item.start, "end": item.end, "all_day": item.all_day,
              "location": item.location, "notes": item.notes, "show_as": show_as,
              "recurrence": item.recurrence}  # fmt: skip
    return item.uid, fields, components


def _remote_changed(calendar: Calendar, link, *, href: str, etag: str, data) -> None:
    try:
        read = _fields(calendar, data)
    except CalendarError:
        logger.info("calendar=%s object %s is not iCalendar DRAKO can read", calendar.pk, href)
        return
    if read is None:
        return  # a to-do, or an event DRAKO can't hold: left on the server as it is
    uid, fields, components = read
    existing = link.event if link is not None else _linked_before(calendar, uid)
    try:
        if existing is None:
            context = _context(calendar, _("Added on your %(calendar)s calendar"))
            event, _change = schedule_services.event_create(
                owner=calendar.owner, allow_conflict=True, context=context, **fields
            )
        else:
            context = _context(calendar, _("Changed on your %(calendar)s calendar"))
            event, _change = schedule_services.event_update(
                event=existing, changes=fields, allow_conflict=True, context=context
            )
    except ScheduleError as refusal:
        logger.info("calendar=%s object %s not applied: %s", calendar.pk, href, refusal.message)
        return
    series_exceptions_apply(event=event, components=components, context=context)
    EventLink.objects.update_or_create(
        calendar=calendar,
        uid=uid,
        defaults={"owner_id": calendar.owner_id, "event": event, "href": href, "etag": etag,
                  "synced_state": _state(event)},
    )  # fmt: skip
    if link is None:
        FormerLink.objects.filter(
            owner_id=calendar.owner_id, remote_url=calendar.remote_url, uid=uid
        ).delete()


def _linked_before(calendar: Calendar, uid: str) -> Event | None:
    """DRAKO's event that an earlier connection to this calendar linked to `uid` (the user
    reconnected): linked again instead of copied. Known by the FormerLink its disconnect left,
    or, for one DRAKO sent, by the event id in the UID."""
    former = FormerLink.objects.filter(
        owner_id=calendar.owner_id, remote_url=calendar.remote_url, uid=uid
    ).values("event_id")
    match = _OUR_UID.fullmatch(uid)
    ours = Q(pk__in=former) | Q(pk=int(match[1])) if match else Q(pk__in=former)
    linked = EventLink.objects.filter(calendar=calendar, event__isnull=False).values("event_id")
    return (
        Event.objects.filter(ours, owner=calendar.owner, series=None)
        .exclude(pk__in=linked)
        .order_by("-pk")
        .first()
    )


def _exceptions(event: Event) -> list[Event]:
    if not event.recurrence:
        return []
    return list(Event.objects.filter(series=event).order_by("recurrence_id"))


def _state(event: Event) -> dict:
    """What the server was last sent (or last sent us): the event and its exceptions."""
    return {
        "event": schedule_services.event_state(event),
        "exceptions": [schedule_services.event_state(e) for e in _exceptions(event)],
    }


def _object(calendar: Calendar, event: Event, uid: str, now: datetime) -> str:
    """The event (a series with its exceptions) as a calendar object resource, under `uid`."""
    built = icalendar.Calendar.from_ical(
        feed.calendar_build(user=calendar.owner, events=[event, *_exceptions(event)], now=now)
    )
    for name in _FEED_ONLY:  # a stored object carries no METHOD (RFC 4791 4.1), nor feed hints
        built.pop(name, None)
    for component in built.walk("VEVENT"):
        component["UID"] = icalendar.vText(uid)
    return built.to_ical().decode()


def _push(calendar: Calendar, client, now: datetime) -> None:
    links = list(EventLink.objects.filter(calendar=calendar))
    ids = [link.event_id for link in links if link.event_id]
    existing = set(Event.objects.filter(pk__in=ids).values_list("pk", flat=True))
    for link in [link for link in links if link.event_id not in existing]:  # deleted in DRAKO
        _send_delete(client, link)
    linked = {link.event_id: link for link in links if link.event_id in existing}
    recent = Q(recurrence="", end__gt=now - PUSH_PAST) | (
        ~Q(recurrence="") & (Q(recurrence_end__isnull=True) | Q(recurrence_end__gt=now - PUSH_PAST))
    )
    events = Event.objects.filter(recent | Q(pk__in=linked), owner=calendar.owner, series=None)
    sent = 0
    for event in events.select_related("owner").order_by("start")[:PUSH_MAX]:
        link = linked.get(event.pk)
        if event.status == Event.Status.CANCELLED:
            if link is not None:
                _send_delete(client, link)
            continue
        state = _state(event)
        if link is not None and link.synced_state == state:
            continue
        if sent == PUSH_BATCH:
            break  # the rest on the next sync
        _send_put(calendar, client, event, link, state, now)
        sent += 1


def _send_put(calendar, client, event: Event, link, state: dict, now: datetime) -> None:
    uid = link.uid if link else f"event-{event.pk}-{uuid.uuid4().hex[:8]}@drako"
    new_href = calendar.remote_url.rstrip("/") + f"/{uuid.uuid4()}.ics"
    href = link.href if link else _canonical(new_href)
    headers = {"Content-Type": "text/calendar; charset=utf-8"}
    if link is not None and link.etag:
        headers["If-Match"] = link.etag
    else:
        headers["If-None-Match"] = "*"
    response = client.put(href, _object(calendar, event, uid, now), headers)
    if response.status == 412:
        return  # changed on the server meanwhile: the next pull brings it (the server wins)
    if response.status >= 300:
        raise CalendarError(
            _("The CalDAV server refused an event (HTTP %(status)s).") % {"status": response.status}
        )
    EventLink.objects.update_or_create(
        calendar=calendar,
        uid=uid,
        defaults={"owner_id": calendar.owner_id, "event": event, "href": href,
                  "etag": response.headers.get("ETag", ""), "synced_state": state},
    )  # fmt: skip


def _send_delete(client, link: EventLink) -> None:
    if link.href:
        headers = {"If-Match": link.etag} if link.etag else {}
        response = client.request(link.href, "DELETE", "", headers)
        if response.status == 412:
            return  # changed there since: the next pull brings it back (the server wins)
        if response.status >= 300 and response.status != 404:
            raise CalendarError(
                _("The CalDAV server refused to delete an event (HTTP %(status)s).")
                % {"status": response.status}
            )
    link.delete()
