import bisect
import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.http import Http404

from calendars.selectors import event_rows_with_other_calendars, events_from_rows
from drako.prepared import PreparedQuery, row_id
from schedules import recurrence
from schedules.models import MAX_EVENT_LENGTH, Event, EventChange

SLOT_STEP = timedelta(minutes=15)
MAX_SLOTS = 50


def _window_q(start: datetime, end: datetime, earliest: datetime | None = None) -> Q:
    """Rows that matter for [start, end): single events and exceptions overlapping it, series
    running during it, and exceptions replacing an occurrence that would have been in it.
    (`earliest`: `start` less the longest event, given when the query is prepared.)"""
    earliest = start - MAX_EVENT_LENGTH if earliest is None else earliest
    single = Q(recurrence="", start__lt=end, end__gt=start, start__gt=earliest)
    running = (
        ~Q(recurrence="")
        & Q(start__lt=end)
        & (Q(recurrence_end__isnull=True) | Q(recurrence_end__gt=start))
    )
    replacing = Q(series__isnull=False, recurrence_id__gt=earliest, recurrence_id__lt=end)
    return single | running | replacing


def occurrence_copy(series: Event, start: datetime, end: datetime) -> Event:
    """One occurrence of `series` as an (unsaved, read-only) Event: the series' fields, the
    occurrence's own times, `recurrence_id` its original start; `pk` stays the series'."""
    occurrence = copy.copy(series)
    occurrence.start, occurrence.end, occurrence.recurrence_id = start, end, start
    return occurrence


def series_occurrences(series: Event, *, start: datetime, end: datetime) -> list[Event]:
    """The occurrences of `series` overlapping [start, end), before exceptions replace any."""
    tz = ZoneInfo(series.time_zone)
    lower = start - series.duration - timedelta(days=1)  # an occurrence may be longer by DST
    found = []
    for begin in recurrence.occurrence_starts(
        rule=series.recurrence, first=series.start, tz=tz, after=lower, before=end
    ):
        finish = recurrence.occurrence_end(begin, first=series.start, first_end=series.end, tz=tz)
        if finish > start:
            found.append(occurrence_copy(series, begin.astimezone(UTC), finish))
    return found


@dataclass(frozen=True)
class Excluding:
    """What a conflict check leaves out: the event being changed, in whichever form it has."""

    event_id: int | None = None
    series_id: int | None = None  # a whole series: its occurrences and its exceptions
    occurrence: tuple[int, datetime] | None = None  # (series id, recurrence id)

    def drops(self, event: Event) -> bool:
        if event.read_only:  # another calendar's: its id is not one of ours
            return False
        if self.event_id is not None and event.pk == self.event_id and not event.is_series:
            return True
        if self.series_id is not None and event.series_key == self.series_id:
            return True
        return (
            self.occurrence is not None
            and (
                event.series_key,
                event.recurrence_id,
            )
            == self.occurrence
        )


def _window_rows(*, owner_id: int, start: datetime, end: datetime, earliest: datetime):
    ours = Event.objects.filter(_window_q(start, end, earliest), owner_id=owner_id)
    return event_rows_with_other_calendars(
        ours, owner_id=owner_id, start=start, end=end, earliest=earliest
    )


# Every tool call that reads the schedule runs this query: compiled once (drako.prepared).
_WINDOW_ROWS = PreparedQuery(
    _window_rows, owner_id=int, start=datetime, end=datetime, earliest=datetime
)


def event_list_for_user(
    *,
    user,
    start: datetime,
    end: datetime,
    include_cancelled: bool = False,
    busy_only: bool = False,
) -> list[Event]:
    """The user's events overlapping [start, end), earliest first, a series once per
    occurrence (an Event copy with its own start, end and `recurrence_id`). One query, whatever
    the number of series; expansion is bounded by the window."""
    # Subscribed calendars' events come in the same query: they count as busy like ours.
    rows = _WINDOW_ROWS.rows(
        owner_id=user.pk, start=start, end=end, earliest=start - MAX_EVENT_LENGTH
    )
    found = _occurrences(events_from_rows(rows), start=start, end=end)
    if not include_cancelled:
        found = [e for e in found if e.status == Event.Status.CONFIRMED]
    if busy_only:
        found = [e for e in found if e.show_as == Event.ShowAs.BUSY]
    found.sort(key=lambda e: (e.start, e.series_key, e.end))
    return found


def _occurrences(rows: list[Event], *, start: datetime, end: datetime) -> list[Event]:
    """`rows` (from _window_q) as events overlapping [start, end): single events, exceptions,
    and each confirmed series' occurrences that no exception replaces."""
    replaced = {(row.series_id, row.recurrence_id) for row in rows if row.series_id}
    found = []
    for row in rows:
        if row.is_series:
            if row.status == Event.Status.CONFIRMED:
                found.extend(
                    o
                    for o in series_occurrences(row, start=start, end=end)
                    if (row.pk, o.recurrence_id) not in replaced
                )
        elif row.start < end and row.end > start:
            found.append(row)
    return found


def event_starts_everyone(*, start: datetime, end: datetime) -> list[Event]:
    """Every user's confirmed events and occurrences starting in [start, end), with their owner
    (for the reminders, which look at all users at once). One query."""
    rows = list(
        Event.objects.filter(_window_q(start, end), owner__is_active=True)
        .select_related("owner")
        .order_by("owner_id", "start", "id")
    )
    found = _occurrences(rows, start=start, end=end)
    return [e for e in found if e.status == Event.Status.CONFIRMED and start <= e.start < end]


def calendar_rows_for_user(*, user, start: datetime, end: datetime) -> QuerySet[Event]:
    """The rows a calendar of [start, end) is made of: confirmed single events in it, confirmed
    series running then, and every exception of those series (a cancelled one is an EXDATE)."""
    confirmed = Event.Status.CONFIRMED
    single = Q(recurrence="", series__isnull=True, status=confirmed, start__lt=end, end__gt=start,
               start__gt=start - MAX_EVENT_LENGTH)  # fmt: skip
    running = (
        ~Q(recurrence="")
        & Q(status=confirmed, start__lt=end)
        & (Q(recurrence_end__isnull=True) | Q(recurrence_end__gt=start))
    )
    of_running = Q(series__status=confirmed, series__start__lt=end) & (
        Q(series__recurrence_end__isnull=True) | Q(series__recurrence_end__gt=start)
    )
    return Event.objects.filter(single | running | of_running, owner=user).order_by("start", "id")


# Every write tool call and every event page looks one event up by id: compiled once.
_EVENT_FIELDS = [f.attname for f in Event._meta.concrete_fields]
_EVENT_BY_ID = PreparedQuery(
    lambda owner_id, event_id: (
        Event.objects.filter(owner_id=owner_id, pk=event_id).order_by().values_list(*_EVENT_FIELDS)
    ),
    owner_id=int,
    event_id=int,
)


def event_of_owner(*, owner_id: int, event_id) -> Event | None:
    """The owner's event with this id, or None (someone else's, none, an id no row can have)."""
    pk = row_id(event_id)
    rows = _EVENT_BY_ID.rows(owner_id=owner_id, event_id=pk) if pk is not None else []
    return Event.from_db("default", _EVENT_FIELDS, rows[0]) if rows else None


def event_get_for_user(*, user, event_id) -> Event:
    """One of the user's events; anyone else's (or none, or an id no row can have) is a 404."""
    event = event_of_owner(owner_id=user.pk, event_id=event_id)
    if event is None:
        raise Http404("No such event.")
    return event


def occurrence_own_row(*, series_id: int, recurrence_id: datetime) -> Event | None:
    """The row an occurrence of series `series_id` became when it was first changed, if any."""
    return Event.objects.filter(series_id=series_id, recurrence_id=recurrence_id).first()


def occurrence_get_for_user(*, user, event_id, recurrence_id: datetime) -> Event:
    """One occurrence of the user's series `event_id`: its exception row if it has one, else an
    unsaved copy (series set, so saving it makes the exception). 404 when it has no such one."""
    series = event_get_for_user(user=user, event_id=event_id)
    if not series.is_series:
        raise Http404("That event doesn't repeat.")
    exception = occurrence_own_row(series_id=series.pk, recurrence_id=recurrence_id)
    if exception is not None:
        exception.series = series
        return exception
    tz = ZoneInfo(series.time_zone)
    if not recurrence.is_occurrence(
        rule=series.recurrence, first=series.start, tz=tz, start=recurrence_id
    ):
        raise Http404("The series has no occurrence then.")
    end = recurrence.occurrence_end(recurrence_id, first=series.start, first_end=series.end, tz=tz)
    return Event(
        owner=series.owner,
        title=series.title,
        start=recurrence_id.astimezone(UTC),
        end=end,
        all_day=series.all_day,
        location=series.location,
        notes=series.notes,
        status=series.status,
        show_as=series.show_as,
        source=series.source,
        reminders=list(series.reminders),
        series=series,
        recurrence_id=recurrence_id.astimezone(UTC),
    )


def event_conflicts_for_user(
    *, user, start: datetime, end: datetime, excluding: Excluding = Excluding()
) -> list[Event]:
    """The user's busy, confirmed events (occurrences included) that overlap [start, end)."""
    return series_conflicts_for_user(user=user, spans=[(start, end)], excluding=excluding)


def series_conflicts_for_user(
    *, user, spans: list[tuple[datetime, datetime]], excluding: Excluding = Excluding()
) -> list[Event]:
    """The user's busy, confirmed events that overlap any of `spans` (one query for all)."""
    if not spans:
        return []
    busy = event_list_for_user(
        user=user, start=min(s for s, _ in spans), end=max(e for _, e in spans), busy_only=True
    )
    ordered = sorted(spans)
    conflicts = []
    for event in busy:
        if excluding.drops(event):
            continue
        at = bisect.bisect_left(ordered, (event.end,))
        if any(s < event.end and event.start < e for s, e in ordered[max(at - 50, 0) : at]):
            conflicts.append(event)
        if len(conflicts) == 20:
            break
    return conflicts


def event_change_get_for_user(*, user, change_id) -> EventChange:
    """One of the user's changes; anyone else's (or none) is a 404."""
    try:
        return EventChange.objects.select_related("event").get(owner=user, pk=int(change_id))
    except (EventChange.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such change.") from None


def event_change_list_for_user(*, user, limit: int = 50) -> QuerySet[EventChange]:
    """The user's most recent changes, newest first."""
    return EventChange.objects.filter(owner=user).order_by("-created_at", "-id")[:limit]


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    # A wall time skipped by DST is normalised forward by the round trip through UTC.
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _round_up(moment: datetime) -> datetime:
    # In UTC, where adding a timedelta is absolute; every zone's offset is a multiple of 15 min.
    epoch = datetime(2000, 1, 1, tzinfo=UTC)
    steps = -(-(moment - epoch) // SLOT_STEP)
    return epoch + steps * SLOT_STEP


def _day_windows(*, tz, start, end, day_start: time, day_end: time, weekdays: frozenset[int]):
    day = start.astimezone(tz).date() - timedelta(days=1)
    while (lower := _local(day, day_start, tz)) < end:
        upper = _local(day, day_end, tz)
        if upper > start and day.weekday() in weekdays:
            yield max(lower, start), min(upper, end)
        day += timedelta(days=1)


def _weekdays_searched(user, start: datetime, end: datetime) -> frozenset[int]:
    """The user's working days; every day when the span holds none of them (a person asking
    for free time on Saturday means Saturday, day off or not)."""
    tz, worked = user.tz, user.weekdays_worked
    first, last = (
        start.astimezone(tz).date(),
        (end - timedelta(microseconds=1)).astimezone(tz).date(),
    )
    span = {(first + timedelta(days=n)).weekday() for n in range(min((last - first).days + 1, 7))}
    return worked if span & worked else frozenset(range(7))


def free_slots_for_user(
    *,
    user,
    start: datetime,
    end: datetime,
    duration: timedelta,
    now: datetime,
    day_start: time | None = None,
    day_end: time | None = None,
) -> list[Slot]:
    """Free stretches of at least `duration` in [start, end), within the user's working days and
    hours, never past."""
    tz = user.tz
    start = _round_up(max(start, now))
    busy = [
        (e.start, e.end)
        for e in event_list_for_user(user=user, start=start, end=end, busy_only=True)
    ]
    slots: list[Slot] = []
    windows = _day_windows(
        tz=tz,
        start=start,
        end=end,
        day_start=day_start or user.working_day_start,
        day_end=day_end or user.working_day_end,
        weekdays=_weekdays_searched(user, start, end),
    )
    for lower, upper in windows:
        slots.extend(_gaps(lower=_round_up(lower), upper=upper, busy=busy, duration=duration))
        if len(slots) >= MAX_SLOTS:
            return slots[:MAX_SLOTS]
    return slots


def _gaps(*, lower: datetime, upper: datetime, busy, duration: timedelta) -> list[Slot]:
    gaps, cursor = [], lower
    for busy_start, busy_end in sorted(busy):
        if busy_end <= cursor or busy_start >= upper:
            continue
        if busy_start - cursor >= duration:
            gaps.append(Slot(cursor, busy_start))
        cursor = max(cursor, _round_up(busy_end))
    if upper - cursor >= duration:
        gaps.append(Slot(cursor, upper))
    return gaps


def event_exists_for_user(*, user) -> bool:
    """Whether the user has any event at all, cancelled ones included (the first-run check)."""
    return Event.objects.filter(owner=user).exists()


def event_search_for_user(*, user, query: str) -> QuerySet[Event]:
    """The user's confirmed events whose title, location or notes contain `query`, any case."""
    words = Q(title__icontains=query) | Q(location__icontains=query) | Q(notes__icontains=query)
    return Event.objects.filter(words, owner=user, status=Event.Status.CONFIRMED)
