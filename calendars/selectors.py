from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import F, QuerySet, Value
from django.http import Http404

from calendars.models import Calendar, CalendarEvent
from schedules.models import Event


@dataclass(frozen=True)
class OtherCalendar:
    """What an event of another calendar carries: which calendar, by id and by name."""

    id: int
    name: str


def calendar_list_for_user(*, user) -> QuerySet[Calendar]:
    """The user's connected calendars, by name."""
    return Calendar.objects.filter(owner=user).order_by("name", "id")


def calendar_get_for_user(*, user, calendar_id) -> Calendar:
    """One of the user's calendars; anyone else's (or none) is a 404."""
    try:
        return Calendar.objects.get(owner=user, pk=int(calendar_id))
    except (Calendar.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such calendar.") from None


def calendar_event_get_for_user(*, user, event_id) -> CalendarEvent:
    """One of the user's other calendars' events, with its calendar; anyone else's is a 404."""
    try:
        return CalendarEvent.objects.select_related("calendar").get(owner=user, pk=int(event_id))
    except (CalendarEvent.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such event.") from None


def _as_event_columns() -> dict:
    """CalendarEvent columns shaped as Event's: its own where the names match, Event's
    defaults where it has none (so the two tables read as one in a UNION)."""
    theirs = {f.attname for f in CalendarEvent._meta.concrete_fields}
    columns = {}
    for field in Event._meta.concrete_fields:
        if field.attname in theirs:
            continue
        if field.is_relation:
            columns[field.attname] = Value(None, output_field=models.IntegerField())
        else:
            default = field.get_default() if field.has_default() else None
            columns[field.attname] = Value(default, output_field=field.clone())
    return columns


def event_rows_with_other_calendars(
    ours: QuerySet[Event], *, owner_id: int, start: datetime, end: datetime, earliest: datetime
) -> QuerySet:
    """`ours` (rows of the user's own events) plus the user's subscribed calendars' events
    overlapping [start, end) (starting after `earliest`, the window's start less the longest
    event), as one query of Event's columns, the other calendar's id and name; read its rows
    with `events_from_rows`."""
    mine = ours.order_by().annotate(
        other_id=Value(None, output_field=models.IntegerField()),
        other_name=Value("", output_field=models.CharField()),
    )
    theirs = (
        CalendarEvent.objects.filter(
            owner_id=owner_id, start__lt=end, end__gt=start, start__gt=earliest
        )
        .order_by()
        .annotate(**_as_event_columns(), other_id=F("calendar_id"), other_name=F("calendar__name"))
    )
    return mine.values_list(*_EVENT_COLUMNS, "other_id", "other_name").union(
        theirs.values_list(*_EVENT_COLUMNS, "other_id", "other_name"), all=True
    )


_EVENT_COLUMNS = [f.attname for f in Event._meta.concrete_fields]


def events_from_rows(rows, *, db: str = "default") -> list[Event]:
    """Events from `event_rows_with_other_calendars`'s rows; the others carry `other_calendar`."""
    width = len(_EVENT_COLUMNS)
    found = []
    for row in rows:
        event = Event.from_db(db, _EVENT_COLUMNS, row[:width])
        if row[-2] is not None:
            event.other_calendar = OtherCalendar(id=row[-2], name=row[-1])
        found.append(event)
    return found
