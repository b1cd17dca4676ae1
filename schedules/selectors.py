from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.http import Http404

from schedules.models import MAX_EVENT_LENGTH, Event, EventChange

SLOT_STEP = timedelta(minutes=15)
MAX_SLOTS = 50


def _overlapping(qs: QuerySet, *, start: datetime, end: datetime) -> QuerySet:
    # The lower bound on start turns "overlaps" into one range scan of (owner, start).
    return qs.filter(start__lt=end, end__gt=start, start__gt=start - MAX_EVENT_LENGTH)


def event_list_for_user(
    *, user, start: datetime, end: datetime, include_cancelled: bool = False
) -> QuerySet[Event]:
    """The user's events overlapping [start, end), earliest first."""
    qs = _overlapping(Event.objects.filter(owner=user), start=start, end=end)
    if not include_cancelled:
        qs = qs.filter(status=Event.Status.CONFIRMED)
    return qs.order_by("start", "id")


def event_get_for_user(*, user, event_id) -> Event:
    """One of the user's events; anyone else's (or none) is a 404."""
    try:
        return Event.objects.get(owner=user, pk=int(event_id))
    except (Event.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such event.") from None


def event_conflicts_for_user(
    *, user, start: datetime, end: datetime, exclude_id: int | None = None
) -> list[Event]:
    """The user's busy, confirmed events that overlap [start, end)."""
    qs = _overlapping(
        Event.objects.filter(owner=user, status=Event.Status.CONFIRMED, show_as=Event.ShowAs.BUSY),
        start=start,
        end=end,
    )
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("start", "id")[:20])


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
        for e in _overlapping(
            Event.objects.filter(
                owner=user, status=Event.Status.CONFIRMED, show_as=Event.ShowAs.BUSY
            ),
            start=start,
            end=end,
        ).only("start", "end")
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
