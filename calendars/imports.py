"""Importing an .ics file once into DRAKO's own events: read it, show it, then import it."""

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from calendars import ical
from calendars.errors import CalendarError
from calendars.models import EventLink
from calendars.occurrences import series_exceptions_apply
from schedules import services as schedule_services
from schedules.errors import ScheduleError
from schedules.models import NOTES_MAX, RULE_MAX, Event

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_EVENTS = 2000


@dataclass(frozen=True)
class ImportItem:
    uid: str
    title: str
    start: datetime
    end: datetime
    all_day: bool
    location: str
    notes: str
    busy: bool
    recurrence: str
    duplicate: bool = False


def _rule(component) -> str:
    rule = component.get("RRULE")
    if rule is None:
        return ""
    rule = rule[0] if isinstance(rule, list) else rule
    return rule.to_ical().decode()[:RULE_MAX]


def import_item(component, tz) -> ImportItem | None:
    """One VEVENT as DRAKO would hold it (its rule, notes, busy or free); None if it can't."""
    occurrence = ical.occurrence_of(component, tz)
    if occurrence is None:
        return None
    uid = occurrence.uid or hashlib.sha256(component.to_ical()).hexdigest()
    return ImportItem(
        uid=uid,
        title=occurrence.title,
        start=occurrence.start,
        end=occurrence.end,
        all_day=occurrence.all_day,
        location=occurrence.location,
        notes=str(component.get("DESCRIPTION", "")).strip()[:NOTES_MAX],
        busy=occurrence.busy,
        recurrence=_rule(component),
    )


def ics_read(*, owner, data: bytes) -> list[ImportItem]:
    """The events of an .ics file as they would be imported, those already imported marked."""
    return _read(owner, data)[0]


def _read(owner, data: bytes) -> tuple[list[ImportItem], dict[str, list]]:
    if len(data) > MAX_IMPORT_BYTES:
        raise CalendarError(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    parsed = ical.calendar_parse(data)
    # A series' moved or cancelled occurrences (RECURRENCE-ID) come with their series.
    every = parsed.walk("VEVENT")
    components = [c for c in every if c.get("RECURRENCE-ID") is None]
    if len(components) > MAX_IMPORT_EVENTS:
        raise CalendarError(
            _("The file has more than %(count)s events.") % {"count": MAX_IMPORT_EVENTS}
        )
    items = [item for c in components if (item := import_item(c, owner.tz)) is not None]
    if not items:
        raise CalendarError(_("The file has no events DRAKO can import."))
    still_there = Exists(Event.objects.filter(pk=OuterRef("event_id")))
    seen = set(
        EventLink.objects.filter(
            still_there, owner=owner, calendar=None, uid__in=[i.uid for i in items]
        ).values_list("uid", flat=True)
    )
    marked = []
    for item in items:
        marked.append(replace(item, duplicate=item.uid in seen))
        seen.add(item.uid)
    by_uid: dict[str, list] = {}
    for component in every:
        by_uid.setdefault(str(component.get("UID", "")).strip()[:500], []).append(component)
    return marked, by_uid


@transaction.atomic
def ics_import(*, owner, data: bytes, context) -> tuple[int, int]:
    """Imports an .ics file's events as the user's own: (created, skipped). Events already
    imported (by UID) and events DRAKO can't hold are skipped."""
    created = skipped = 0
    items, by_uid = _read(owner, data)
    for item in items:
        if item.duplicate:
            skipped += 1
            continue
        try:
            event, _change = schedule_services.event_create(
                owner=owner, title=item.title, start=item.start, end=item.end,
                all_day=item.all_day, location=item.location, notes=item.notes,
                show_as=Event.ShowAs.BUSY if item.busy else Event.ShowAs.FREE,
                recurrence=item.recurrence, allow_conflict=True, context=context,
            )  # fmt: skip
        except ScheduleError:
            skipped += 1
            continue
        series_exceptions_apply(event=event, components=by_uid.get(item.uid, []), context=context)
        EventLink.objects.update_or_create(
            owner=owner, calendar=None, uid=item.uid, defaults={"event": event}
        )
        created += 1
    return created, skipped
