"""A series' exceptions from elsewhere (EXDATE, RECURRENCE-ID overrides) made DRAKO's own:
cancelled occurrences and moved or changed ones, through the schedules series services."""

import logging
from datetime import datetime

from django.http import Http404

from calendars import ical
from schedules import selectors, series
from schedules.errors import ScheduleError
from schedules.models import Event

logger = logging.getLogger(__name__)


def _exdates(component, tz) -> list[datetime]:
    found = component.get("EXDATE")
    if found is None:
        return []
    moments = []
    for entry in found if isinstance(found, list) else [found]:
        for value in getattr(entry, "dts", []):
            try:
                moments.append(ical.moment(value.dt, tz))
            except (ValueError, TypeError, AttributeError):
                continue
    return moments


def _occurrence(event: Event, moment: datetime) -> Event | None:
    try:
        return selectors.occurrence_get_for_user(
            user=event.owner, event_id=event.pk, recurrence_id=moment
        )
    except Http404:
        return None


def series_exceptions_apply(*, event: Event, components: list, context) -> None:
    """Cancels the series' EXDATEs and cancelled overrides, and moves or changes its occurrences
    as its overrides say; one that doesn't fit (not an occurrence, refused) is left as it is."""
    if not event.recurrence or not components:
        return
    tz = event.owner.tz
    master = next((c for c in components if c.get("RECURRENCE-ID") is None), None)
    cancelled = _exdates(master, tz) if master is not None else []
    overrides = [c for c in components if c.get("RECURRENCE-ID") is not None]
    for component in overrides:
        if str(component.get("STATUS", "")).upper() == "CANCELLED":
            cancelled.append(ical.moment(component["RECURRENCE-ID"].dt, tz))
    for moment in cancelled:
        occurrence = _occurrence(event, moment)
        if occurrence is None or occurrence.status == Event.Status.CANCELLED:
            continue
        _try(series.occurrence_cancel, occurrence=occurrence, context=context)
    for component in overrides:
        read = ical.occurrence_of(component, tz)
        occurrence = _occurrence(event, read.recurrence_id) if read is not None else None
        if occurrence is None:
            continue
        changes = {"title": read.title, "start": read.start, "end": read.end,
                   "location": read.location}  # fmt: skip
        _try(series.occurrence_update, occurrence=occurrence, changes=changes,
             allow_conflict=True, context=context)  # fmt: skip


def _try(service, **arguments) -> None:
    try:
        service(**arguments)
    except ScheduleError as refusal:
        logger.info("series exception not applied: %s", refusal.message)
