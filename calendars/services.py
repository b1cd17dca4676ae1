"""Connecting, syncing and disconnecting the user's other calendars."""

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from calendars import fetch, ical
from calendars.errors import CalendarError
from calendars.models import NAME_MAX, URL_MAX, Calendar, CalendarEvent, FormerLink
from drako import netguard
from workers.queueing import enqueue_with_transaction

logger = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(minutes=15)
# The stretch of a subscribed calendar kept (series expanded): what schedules, conflicts and
# free slots ask about.
KEPT_BEFORE, KEPT_AFTER = timedelta(days=31), timedelta(days=400)
# A 304 keeps what we have, but the kept stretch slides with time: expand afresh daily.
REEXPAND_EVERY = timedelta(days=1)
REFRESH_BATCH = 200


def feed_url_normalised(url: str) -> str:
    """webcal:// as https://; only https (or http to a local server, when allowed)."""
    url = url.strip()
    scheme, _sep, rest = url.partition("://")
    scheme = scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    allowed = ("https", "http") if settings.CALENDAR_ALLOW_PRIVATE_HOSTS else ("https",)
    if not rest or scheme not in allowed or len(url) > URL_MAX:
        raise CalendarError(
            _("Give the calendar's https:// or webcal:// address (its secret iCal address).")
        )
    return f"{scheme}://{rest}"


def url_check(url: str) -> None:
    """Refuses an address DRAKO must not reach (a private network), in words."""
    try:
        netguard.check_url(url, allow_private=settings.CALENDAR_ALLOW_PRIVATE_HOSTS)
    except netguard.UnsafeAddress:
        raise CalendarError(fetch.unsafe_words(url)) from None


def calendar_subscribe(*, owner, url: str, name: str = "") -> Calendar:
    """Subscribes the user to an iCalendar address; the first fetch runs on the worker."""
    url = feed_url_normalised(url)
    url_check(url)
    name = name.strip()[:NAME_MAX] or (urlsplit(url).hostname or url)[:NAME_MAX]
    try:
        with transaction.atomic():
            calendar = Calendar.objects.create(
                owner=owner, kind=Calendar.Kind.SUBSCRIPTION, url=url, name=name
            )
    except IntegrityError:
        raise CalendarError(_("You're already subscribed to that calendar."), status=409) from None
    calendar_sync_enqueue(calendar=calendar)
    return calendar


def calendar_sync_enqueue(*, calendar: Calendar) -> None:
    """Syncs the calendar on the worker, queued with this transaction's writes."""
    enqueue_with_transaction(calendar_sync_task, calendar_id=calendar.pk)


@task
def calendar_sync_task(calendar_id: int) -> str:
    """Syncs one calendar now (a new subscription, or the user's "sync now"); its status."""
    return calendar_sync_by_id(calendar_id=calendar_id)


@transaction.atomic
def calendar_disconnect(*, calendar: Calendar) -> None:
    """Disconnects a calendar: it and its read-only events are gone from DRAKO; a CalDAV
    calendar's links are kept as FormerLinks, so reconnecting it relinks instead of copying."""
    if calendar.kind == Calendar.Kind.CALDAV:
        links = list(calendar.links.filter(event__isnull=False).values_list("uid", "event_id"))
        FormerLink.objects.filter(
            owner_id=calendar.owner_id,
            remote_url=calendar.remote_url,
            uid__in=[u for u, _e in links],
        ).delete()
        FormerLink.objects.bulk_create(
            FormerLink(owner_id=calendar.owner_id, remote_url=calendar.remote_url, uid=uid,
                       event_id=event_id)
            for uid, event_id in links
        )  # fmt: skip
    calendar.delete()


def calendar_sync(*, calendar: Calendar, now: datetime | None = None) -> Calendar:
    """Syncs one calendar now and records how it went (its error in the owner's words)."""
    now = now or timezone.now()
    # Claim the run (compare-and-set on the last attempt): a second sync of the same calendar
    # started meanwhile (the periodic one and a "sync now") skips instead of doubling its work.
    claimed = Calendar.objects.filter(
        pk=calendar.pk, last_attempt_at=calendar.last_attempt_at
    ).update(last_attempt_at=now)
    if not claimed:
        calendar.refresh_from_db()
        return calendar
    with translation.override(calendar.owner.speech_language):
        try:
            if calendar.kind == Calendar.Kind.SUBSCRIPTION:
                _subscription_sync(calendar, now)
            else:
                from calendars import caldav_sync

                caldav_sync.caldav_sync(calendar=calendar, now=now)
        except CalendarError as error:
            logger.info("calendar=%s sync failed: %s", calendar.pk, error.message)
            calendar.status, calendar.last_error = Calendar.Status.ERROR, error.message
        else:
            calendar.status, calendar.last_error = Calendar.Status.OK, ""
            calendar.last_synced_at = now
    calendar.last_attempt_at = now
    calendar.save()
    return calendar


def _subscription_sync(calendar: Calendar, now: datetime) -> None:
    fresh = calendar.last_synced_at and now - calendar.last_synced_at < REEXPAND_EVERY
    fetched = fetch.feed_fetch(
        url=calendar.url,
        etag=calendar.etag if fresh else "",
        last_modified=calendar.last_modified if fresh else "",
    )
    if fetched.body is None:
        return
    parsed = ical.calendar_parse(fetched.body)
    occurrences = ical.occurrences_between(
        parsed, tz=calendar.owner.tz, start=now - KEPT_BEFORE, end=now + KEPT_AFTER
    )
    with transaction.atomic():
        CalendarEvent.objects.filter(calendar=calendar).delete()
        CalendarEvent.objects.bulk_create(
            CalendarEvent(
                owner_id=calendar.owner_id,
                calendar=calendar,
                uid=o.uid,
                title=o.title,
                start=o.start,
                end=o.end,
                all_day=o.all_day,
                location=o.location,
                show_as=CalendarEvent.ShowAs.BUSY if o.busy else CalendarEvent.ShowAs.FREE,
            )
            for o in occurrences
        )
    calendar.etag, calendar.last_modified = fetched.etag[:500], fetched.last_modified[:100]


def calendar_sync_by_id(*, calendar_id: int) -> str:
    """Syncs the calendar with this id, if it is still connected; its status."""
    calendar = Calendar.objects.select_related("owner").filter(pk=calendar_id).first()
    if calendar is None:
        return "gone"
    return calendar_sync(calendar=calendar).status


def calendars_refresh_due(*, now: datetime) -> int:
    """Syncs the calendars whose last attempt is a refresh period old (or never made)."""
    due = Calendar.objects.select_related("owner").filter(
        last_attempt_at__isnull=True
    ) | Calendar.objects.select_related("owner").filter(
        last_attempt_at__lte=now - REFRESH_EVERY + timedelta(minutes=1)
    )
    count = 0
    for calendar in due.order_by("last_attempt_at", "id")[:REFRESH_BATCH]:
        calendar_sync(calendar=calendar, now=now)
        count += 1
    return count


def caldav_connect(*, owner, url: str, username: str, password: str, calendar: str) -> Calendar:
    """Connects a CalDAV calendar for two-way sync: checks the account, picks the calendar,
    stores the password encrypted; the first sync runs on the worker."""
    from calendars import caldav_sync, secrets

    encrypted = secrets.password_encrypt(password)  # refuses first when there is no key
    url = _server_url(url)
    url_check(url)
    remote_url, remote_name = caldav_sync.remote_calendar_pick(
        url=url, username=username, password=password, wanted=calendar
    )
    connected = Calendar.objects.create(
        owner=owner,
        kind=Calendar.Kind.CALDAV,
        url=url,
        username=username,
        password_encrypted=encrypted,
        remote_url=remote_url,
        name=(remote_name or urlsplit(url).hostname or url)[:NAME_MAX],
    )
    calendar_sync_enqueue(calendar=connected)
    return connected


def caldav_password_change(*, calendar: Calendar, password: str) -> Calendar:
    """Gives a connected CalDAV calendar a new app password, once the server has accepted it;
    a refused one changes nothing. The next sync runs on the worker."""
    from calendars import caldav_sync, secrets

    if calendar.kind != Calendar.Kind.CALDAV:
        raise CalendarError(_("Only a CalDAV calendar has an app password."))
    encrypted = secrets.password_encrypt(password)  # refuses first when there is no key
    caldav_sync.remote_calendar_check(
        url=calendar.url, username=calendar.username, password=password,
        remote_url=calendar.remote_url,
    )  # fmt: skip
    calendar.password_encrypted = encrypted
    calendar.save(update_fields=["password_encrypted"])
    calendar_sync_enqueue(calendar=calendar)
    return calendar


def _server_url(url: str) -> str:
    url = url.strip()
    allowed = ("https://", "http://") if settings.CALENDAR_ALLOW_PRIVATE_HOSTS else ("https://",)
    if not url.lower().startswith(allowed) or len(url) > URL_MAX:
        raise CalendarError(_("Give the CalDAV server's https:// address."))
    return url
