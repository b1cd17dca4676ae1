"""Every write to a schedule goes through here, whatever the interface: pages, API, tools, admin."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import REMINDER_MINUTES_MAX, User
from drako import prepared
from drako.prepared import PreparedQuery
from drako.transactions import atomic_or_joined
from schedules import recurrence, selectors
from schedules.errors import EventConflictError, EventInvalidError, UndoError
from schedules.models import (
    FIRST_DAY,
    LAST_DAY,
    LOCATION_MAX,
    MAX_EVENT_LENGTH,
    NOTES_MAX,
    TITLE_MAX,
    Event,
    EventChange,
)

EDITABLE_FIELDS = (
    "title", "start", "end", "all_day", "location", "notes", "show_as", "recurrence", "reminders"
)  # fmt: skip
# An event reminds at most this many times, each at most REMINDER_MINUTES_MAX before it starts.
REMINDERS_MOST = 5
# A new or changed series is checked for conflicts over this much of its future, at most.
SERIES_CHECK_SPAN = timedelta(days=92)
SERIES_CHECK_MOST = 100


@dataclass(frozen=True)
class ChangeContext:
    """Who or what makes a change, recorded with it in the change log."""

    source: str = Event.Source.WEB
    actor: User | None = None
    utterance: str = ""


def event_state(event: Event) -> dict:
    """The event as the change log stores it: JSON-safe, times in UTC ISO 8601. A series adds
    its rule and zone, an exception its series and original start (only then, so a single
    event's state reads as it always has)."""
    state = {
        "id": event.pk,
        "title": event.title,
        "start": event.start.astimezone(UTC).isoformat(),
        "end": event.end.astimezone(UTC).isoformat(),
        "all_day": event.all_day,
        "location": event.location,
        "notes": event.notes,
        "status": event.status,
        "show_as": event.show_as,
    }
    if event.recurrence:
        state.update(recurrence=event.recurrence, time_zone=event.time_zone)
    if event.series_id:
        state.update(
            series=event.series_id, recurrence_id=event.recurrence_id.astimezone(UTC).isoformat()
        )
    if event.reminders:  # only then, so entries logged before reminders existed still match
        state["reminders"] = list(event.reminders)
    return state


def _apply_state(event: Event, state: dict) -> None:
    """Sets `event`'s fields to a state from the log (the inverse of event_state)."""
    for field in ("title", "location", "notes", "all_day", "status", "show_as"):
        setattr(event, field, state[field])
    event.start = datetime.fromisoformat(state["start"])
    event.end = datetime.fromisoformat(state["end"])
    event.recurrence = state.get("recurrence", "")
    event.time_zone = state.get("time_zone", "")
    event.series_id = state.get("series")
    rid = state.get("recurrence_id")
    event.recurrence_id = datetime.fromisoformat(rid) if rid else None
    event.reminders = list(state.get("reminders", []))
    _series_bounds(event)


# Every write runs it: compiled once (drako.prepared).
_OWNER_LOCK = PreparedQuery(
    lambda owner_id: User.objects.select_for_update().filter(pk=owner_id).values_list("pk"),
    owner_id=int,
)


_LOCKED_BY_CALLER: ContextVar[int | None] = ContextVar("owner_locked_by_caller", default=None)


@contextmanager
def owner_locked_by_caller(owner_id: int):
    """For a caller whose own statement has locked the owner's row in its transaction (a
    proposal's decision finds the proposal and locks its owner in one): the services it calls
    inside this block take that lock as held, and send no statement for it."""
    token = _LOCKED_BY_CALLER.set(owner_id)
    try:
        yield
    finally:
        _LOCKED_BY_CALLER.reset(token)


def _lock_owner(owner_id: int) -> None:
    # One row lock per owner serialises that owner's writes on PostgreSQL, so two requests
    # racing for one slot cannot both pass the conflict check (SQLite runs BEGIN IMMEDIATE).
    if _LOCKED_BY_CALLER.get() == owner_id and transaction.get_connection().in_atomic_block:
        return  # held since the caller's statement, until its transaction ends
    if not _OWNER_LOCK.rows(owner_id=owner_id):
        raise User.DoesNotExist(f"No user {owner_id}.")


def _whole_days(event: Event, tz) -> None:
    start_day = event.start.astimezone(tz).date()
    end_day = max(start_day, (event.end - timedelta(microseconds=1)).astimezone(tz).date())
    event.start = datetime.combine(start_day, time(0), tzinfo=tz)
    event.end = datetime.combine(end_day + timedelta(days=1), time(0), tzinfo=tz)


def event_changes_resolved(event: Event, changes: dict) -> dict:
    """`changes` as event_update applies them: a new start without a new end keeps the length."""
    if "start" in changes and "end" not in changes:
        return {**changes, "end": _moved_end(event, changes["start"])}
    return changes


def _moved_end(event: Event, new_start: datetime) -> datetime:
    """Where an event moved to `new_start` ends: same length; an all-day event keeps its days."""
    if not event.all_day:
        return new_start + event.duration
    tz = event.owner.tz
    days = (event.end.astimezone(tz).date() - event.start.astimezone(tz).date()).days
    first = new_start.astimezone(tz).date()
    return datetime.combine(first + timedelta(days=max(days, 1)), time(0), tzinfo=tz)


def event_problems(event: Event, *, tz: ZoneInfo | None = None) -> list[tuple[str, str]]:
    """What stops `event` being saved, as (field, message) pairs; none means it is fine.

    The one statement of what a schedule may hold: the services refuse with the first problem,
    and the event form and the admin show them all beside their fields. An all-day event is
    first rounded to whole days in `tz`; text fields are stripped.
    """
    event.title = (event.title or "").strip()
    event.location = (event.location or "").strip()
    event.notes = event.notes or ""
    problems = [
        (field, message)
        for failed, field, message in (
            (not event.title, "title", _("An event needs a title.")),
            (len(event.title) > TITLE_MAX, "title",
             _("Titles are at most %(most)s characters.") % {"most": TITLE_MAX}),
            (len(event.location) > LOCATION_MAX, "location",
             _("Locations are at most %(most)s characters.") % {"most": LOCATION_MAX}),
            (len(event.notes) > NOTES_MAX, "notes",
             _("Notes are at most %(most)s characters.") % {"most": NOTES_MAX}),
            (event.show_as not in Event.ShowAs.values, "show_as", "show_as is 'busy' or 'free'."),
        )
        if failed
    ]  # fmt: skip
    return (
        problems + _reminder_problems(event) + _time_problems(event, tz) + _rule_problems(event, tz)
    )


def reminders_normalized(value) -> list[int]:
    """`value` (minutes before the start) as stored: whole numbers, each once, nearest first.
    Raises EventInvalidError for anything else."""
    if value is None:
        return []
    if not isinstance(value, list | tuple) or not all(
        isinstance(m, int) and not isinstance(m, bool) for m in value
    ):
        raise EventInvalidError(
            _("Reminders are a list of minutes before the start."), field="reminders"
        )
    minutes = sorted(set(value))
    if len(minutes) > REMINDERS_MOST:
        raise EventInvalidError(
            _("An event can have at most %(most)s reminders.") % {"most": REMINDERS_MOST},
            field="reminders",
        )
    if minutes and not 0 <= minutes[0] <= minutes[-1] <= REMINDER_MINUTES_MAX:
        raise EventInvalidError(
            _("A reminder is from 0 to %(most)s minutes (a week) before the start.")
            % {"most": REMINDER_MINUTES_MAX},
            field="reminders",
        )
    return minutes


def _reminder_problems(event: Event) -> list[tuple[str, str]]:
    try:
        event.reminders = reminders_normalized(event.reminders)
    except EventInvalidError as exc:
        return [("reminders", exc.message)]
    return []


def _rule_problems(event: Event, tz: ZoneInfo | None) -> list[tuple[str, str]]:
    if not event.recurrence:
        return []
    if event.series_id:
        return [("recurrence", _("One occurrence of a series can't repeat on its own."))]
    zone = ZoneInfo(event.time_zone) if event.time_zone else (tz or ZoneInfo("UTC"))
    try:
        event.recurrence = recurrence.rule_normalize(event.recurrence, tz=zone)
    except recurrence.RecurrenceError as exc:
        return [("recurrence", exc.message)]
    return []


def _series_bounds(event: Event) -> None:
    """recurrence_end from the rule: where the last occurrence ends (None: never)."""
    if not event.recurrence:
        event.time_zone, event.recurrence_end = "", None
        return
    zone = ZoneInfo(event.time_zone)
    last = recurrence.last_start(event.recurrence, event.start, zone)
    event.recurrence_end = (
        None
        if last is None
        else recurrence.occurrence_end(last, first=event.start, first_end=event.end, tz=zone)
    )


def _series_fields(event: Event, tz: ZoneInfo) -> None:
    """A series' zone (the owner's, when new), its first occurrence as its start (a start the
    rule doesn't match moves to the first day it does), and where its last one ends."""
    if not event.recurrence:
        _series_bounds(event)
        return
    event.time_zone = event.time_zone or tz.key
    zone = ZoneInfo(event.time_zone)
    first = recurrence.first_start(event.recurrence, event.start, zone)
    if first is None:
        raise EventInvalidError(
            _("That series would have no occurrences: its end is before its start."),
            field="recurrence",
        )
    if first != event.start:
        event.end = recurrence.occurrence_end(
            first, first=event.start, first_end=event.end, tz=zone
        )
        event.start = first.astimezone(UTC)
    _series_bounds(event)


def _time_problems(event: Event, tz: ZoneInfo | None) -> list[tuple[str, str]]:
    if event.start is None or event.end is None:
        return []  # the form reports the missing field itself
    if timezone.is_naive(event.start) or timezone.is_naive(event.end):
        return [("start", "Times must carry a time zone.")]
    for moment, field in ((event.start, "start"), (event.end, "end")):
        if not FIRST_DAY <= moment.date() <= LAST_DAY:
            years = {"first": FIRST_DAY.year, "last": LAST_DAY.year}
            return [(field, _("Dates run from %(first)s to %(last)s.") % years)]
    if event.all_day and tz is not None:
        _whole_days(event, tz)
    if event.end <= event.start:
        return [("end", _("The end must be after the start."))]
    if event.end - event.start > MAX_EVENT_LENGTH:
        return [("end", _("An event can last at most 14 days."))]
    return []


def reminders_default(user: User) -> list[int]:
    """What a new event of `user`'s reminds, unless told: their profile's choice."""
    return [] if user.reminder_minutes is None else [user.reminder_minutes]


def _validate(event: Event, tz: ZoneInfo) -> None:
    if problems := event_problems(event, tz=tz):
        field, message = problems[0]
        raise EventInvalidError(message, field=field)
    _series_fields(event, tz)


def event_alternatives(event: Event) -> list[tuple[datetime, datetime]]:
    """Up to three free times of the same length as `event`: the same day first, then nearest."""
    tz, length = event.owner.tz, event.duration
    local_start, local_end = event.start.astimezone(tz), event.end.astimezone(tz)
    owner = event.owner
    day_start = min(owner.working_day_start, local_start.time())
    day_end = owner.working_day_end
    if local_end.date() == local_start.date():
        day_end = max(day_end, local_end.time())
    slots = selectors.free_slots_for_user(
        user=owner,
        start=event.start - timedelta(days=1),
        end=event.end + timedelta(days=2),
        duration=length,
        now=timezone.now(),
        day_start=day_start,
        day_end=day_end,
    )
    candidates = set()
    for slot in slots:
        candidates.add(slot.start)
        candidates.add(slot.end - length)
        if slot.start <= event.start and event.end <= slot.end:
            candidates.add(event.start)
    asked_day = local_start.date()

    def preference(moment: datetime) -> tuple:
        # The same day first (people rarely want their dentist moved to another day), then
        # the nearest to the time asked for.
        return (moment.astimezone(tz).date() != asked_day, abs(moment - event.start), moment)

    return [(moment, moment + length) for moment in sorted(candidates, key=preference)[:3]]


def series_spans(event: Event, *, now: datetime) -> list[tuple[datetime, datetime]]:
    """The occurrences of a series a conflict check looks at: the next SERIES_CHECK_SPAN of it
    (from its start, or now if later), at most SERIES_CHECK_MOST, its cancelled or moved ones
    left out. A single event is its one span."""
    if not event.recurrence:
        return [(event.start, event.end)]
    zone = ZoneInfo(event.time_zone)
    lower = max(event.start, now)
    starts = recurrence.occurrence_starts(
        rule=event.recurrence, first=event.start, tz=zone, after=lower,
        before=lower + SERIES_CHECK_SPAN,
    )[:SERIES_CHECK_MOST]  # fmt: skip
    replaced = set()
    if event.pk and starts:
        replaced = set(Event.objects.filter(series=event).values_list("recurrence_id", flat=True))
    return [
        (s, recurrence.occurrence_end(s, first=event.start, first_end=event.end, tz=zone))
        for s in starts
        if s not in replaced
    ]


def _excluding(event: Event) -> selectors.Excluding:
    if event.recurrence:
        return selectors.Excluding(series_id=event.pk)
    occurrence = (event.series_id, event.recurrence_id) if event.series_id else None
    return selectors.Excluding(event_id=event.pk, occurrence=occurrence)


def _check_conflicts(event: Event, *, allow_conflict: bool) -> None:
    if allow_conflict or not event.is_busy:
        return
    conflicts = selectors.series_conflicts_for_user(
        user=event.owner,
        spans=series_spans(event, now=timezone.now()),
        excluding=_excluding(event),
    )
    if not conflicts:
        return
    if event.recurrence:
        tz = event.owner.tz
        titles = ", ".join(
            f"'{c.title}' ({c.start.astimezone(tz):%a %b} {c.start.astimezone(tz).day})"
            for c in conflicts[:3]
        )
        raise EventConflictError(
            _("Some of its times overlap %(titles)s.") % {"titles": titles},
            conflicts=conflicts,
            alternatives=[],
        )
    titles = ", ".join(f"'{c.title}'" for c in conflicts[:3])
    raise EventConflictError(
        _("That time overlaps %(titles)s.") % {"titles": titles},
        conflicts=conflicts,
        alternatives=event_alternatives(event),
    )


def _record(
    event: Event, *, action: str, before, after, context: ChangeContext, reverts=None, part_of=None
):
    change = EventChange(
        owner=event.owner,
        event=event if event.pk else None,
        action=action,
        before=before,
        after=after,
        source=context.source,
        actor=context.actor,
        utterance=context.utterance[:2000],
        reverts=reverts,
        part_of=part_of,
    )
    prepared.insert(change)  # as EventChange.objects.create(), compiled once: every change logs
    return change


@atomic_or_joined()
def event_create(
    *,
    owner: User,
    title: str,
    start: datetime,
    end: datetime,
    all_day: bool = False,
    location: str = "",
    notes: str = "",
    show_as: str = Event.ShowAs.BUSY,
    recurrence: str | None = "",
    reminders: list[int] | None = None,
    allow_conflict: bool = False,
    context: ChangeContext,
) -> tuple[Event, EventChange]:
    """Creates an event (a series when `recurrence` is an RRULE), refusing an overlap with a
    busy event unless `allow_conflict`; `reminders` None takes the owner's default."""
    event = Event(
        owner=owner,
        title=title,
        start=start,
        end=end,
        all_day=all_day,
        location=location,
        notes=notes,
        show_as=show_as,
        source=context.source,
        recurrence=recurrence or "",
        reminders=reminders_default(owner) if reminders is None else reminders,
    )
    _validate(event, owner.tz)
    _lock_owner(owner.pk)
    _check_conflicts(event, allow_conflict=allow_conflict)
    prepared.insert(event)  # as event.save(), compiled once
    change = _record(
        event,
        action=EventChange.Action.CREATE,
        before=None,
        after=event_state(event),
        context=context,
    )
    return event, change


@atomic_or_joined()
def event_update(
    *, event: Event, changes: dict, allow_conflict: bool = False, context: ChangeContext
) -> tuple[Event, EventChange | None]:
    """Renames, moves or resizes an event (a move keeps its length); None when nothing differs."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise EventInvalidError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    _lock_owner(event.owner_id)
    event.refresh_from_db()
    before = event_state(event)
    changes = event_changes_resolved(event, changes)
    for field, value in changes.items():
        setattr(event, field, value)
    if event.end <= event.start:  # before rounding to whole days, which would hide it
        raise EventInvalidError(_("The end must be after the start."), field="end")
    if before.get("recurrence") and not event.recurrence:
        raise EventInvalidError(
            _("To stop a series, give it an end date, or cancel it."), field="recurrence"
        )
    _validate(event, event.owner.tz)
    after = event_state(event)
    if after == before:
        return event, None
    if any(before.get(f) != after.get(f) for f in ("start", "end", "show_as", "recurrence")):
        _check_conflicts(event, allow_conflict=allow_conflict)
    event.save()
    moved_only = {k for k in after if before.get(k) != after[k]} <= {"start", "end"}
    action = EventChange.Action.MOVE if moved_only else EventChange.Action.UPDATE
    change = _record(event, action=action, before=before, after=after, context=context)
    if event.recurrence:
        _carry_exceptions(event, before=before, change=change, context=context)
    return event, change


def _carry_exceptions(series: Event, *, before: dict, change: EventChange, context) -> None:
    """A whole series changed: its exceptions follow. Each keeps replacing the same occurrence
    (its recurrence_id moves by the series' shift in wall time), and takes the new title,
    place, notes or show-as where it had the series' old one. Each is part of `change`."""
    zone = ZoneInfo(series.time_zone)
    old_first = datetime.fromisoformat(before["start"]).astimezone(zone).replace(tzinfo=None)
    shift = series.start.astimezone(zone).replace(tzinfo=None) - old_first
    shared = [f for f in ("title", "location", "notes", "show_as")
              if before[f] != getattr(series, f)]  # fmt: skip
    ended = series.recurrence_end
    old_reminders = before.get("reminders", [])
    reminding = old_reminders != series.reminders
    if not shift and not shared and ended is None and not reminding:
        return
    for exception in Event.objects.filter(series=series).order_by("recurrence_id"):
        exception.owner = series.owner
        was = event_state(exception)
        if ended is not None and exception.recurrence_id >= ended:
            exception.status = Event.Status.CANCELLED  # past the series' new end
        if shift:
            local = exception.recurrence_id.astimezone(zone).replace(tzinfo=None) + shift
            exception.recurrence_id = local.replace(tzinfo=zone).astimezone(UTC)
        for field in shared:
            if getattr(exception, field) == before[field]:
                setattr(exception, field, getattr(series, field))
        if reminding and exception.reminders == old_reminders:
            exception.reminders = list(series.reminders)
        if event_state(exception) != was:
            exception.save()
            _record(exception, action=EventChange.Action.UPDATE, before=was,
                    after=event_state(exception), context=context, part_of=change)  # fmt: skip


@atomic_or_joined()
def event_cancel(*, event: Event, context: ChangeContext) -> tuple[Event, EventChange | None]:
    """Marks an event cancelled (it stays in the log and can be restored by undo)."""
    _lock_owner(event.owner_id)
    event.refresh_from_db()
    if event.status == Event.Status.CANCELLED:
        return event, None
    before = event_state(event)
    event.status = Event.Status.CANCELLED
    event.save(update_fields=["status", "updated_at"])
    change = _record(
        event,
        action=EventChange.Action.CANCEL,
        before=before,
        after=event_state(event),
        context=context,
    )
    if event.recurrence:  # its moved occurrences go with it
        exceptions = Event.objects.filter(series=event, status=Event.Status.CONFIRMED)
        for exception in exceptions.order_by("recurrence_id"):
            exception.owner = event.owner
            was = event_state(exception)
            exception.status = Event.Status.CANCELLED
            exception.save(update_fields=["status", "updated_at"])
            _record(exception, action=EventChange.Action.CANCEL, before=was,
                    after=event_state(exception), context=context, part_of=change)  # fmt: skip
    return event, change


@atomic_or_joined()
def event_delete(*, event: Event, context: ChangeContext) -> EventChange:
    """Deletes an event (a series with its exceptions) for good; the log keeps what it was, so
    undo can bring it back."""
    _lock_owner(event.owner_id)
    change = _record(
        event,
        action=EventChange.Action.DELETE,
        before=event_state(event),
        after=None,
        context=context,
    )
    if event.recurrence:
        for exception in Event.objects.filter(series=event).order_by("recurrence_id"):
            exception.owner = event.owner
            _record(exception, action=EventChange.Action.DELETE, before=event_state(exception),
                    after=None, context=context, part_of=change)  # fmt: skip
    _delete(event)
    return change


def _delete(event: Event) -> None:
    if event.recurrence:  # its exceptions first, through Django, so the log's links are cleared
        Event.objects.filter(series=event).delete()
    prepared.delete(event)  # as event.delete(): its log entries and proposals keep no link


def event_change_undo_refusal(
    change: EventChange, *, current_state: dict | None, undone: bool
) -> str | None:
    """Why `change` can't be undone now, or None when it can: the one undo rule, which the undo
    itself and every page offering Undo ask."""
    if change.action == EventChange.Action.UNDO:
        return _("That change was itself an undo; make the change again instead.")
    if undone:
        return _("That change has already been undone.")
    if change.action != EventChange.Action.DELETE and current_state != change.after:
        return _("'%(title)s' has changed since, so that change can't be undone on its own.") % {
            "title": change.title
        }
    return None


def _is_series_change(change: EventChange) -> bool:
    state = change.after or change.before or {}
    return "recurrence" in state or "series" in state


@atomic_or_joined()
def event_change_undo(
    *, change: EventChange, allow_conflict: bool = False, context: ChangeContext
) -> EventChange:
    """Reverts one change (with every part of it, for a change to a series), if each event is
    still as that change left it."""
    _lock_owner(change.owner_id)
    if change.part_of_id is not None:  # a part is undone with the whole it belongs to
        change = EventChange.objects.select_related("owner").get(
            pk=change.part_of_id, owner_id=change.owner_id
        )
    members = [change]
    if _is_series_change(change):
        members += list(change.parts.order_by("id"))
    ids = [(m.after or m.before or {}).get("id") for m in members]
    if len(ids) == 1:  # one event, the usual undo: compiled once
        found = selectors.event_of_owner(owner_id=change.owner_id, event_id=ids[0])
        events = {found.pk: found} if found is not None else {}
    else:
        events = {e.pk: e for e in Event.objects.filter(pk__in=ids, owner_id=change.owner_id)}
    for event in events.values():
        event.owner = change.owner  # one user for all: loaded once, whichever uses it first
    # A log entry is never edited, so the caller's copy is current; what can change is whether
    # it has been undone, read here under the owner's lock.
    undone = bool(_REVERTED.rows(change_id=change.pk))
    for member, event_id in zip(members, ids, strict=True):
        event = events.get(event_id)
        refusal = event_change_undo_refusal(
            member,
            current_state=event_state(event) if event is not None else None,
            undone=undone,
        )
        if refusal:
            raise UndoError(refusal)
    if len(members) == 1:
        event = events.get(ids[0])
        return _undo_one(change, event, allow_conflict=allow_conflict, context=context)
    return _undo_group(members, ids, events, allow_conflict=allow_conflict, context=context)


# Every undo asks it: compiled once.
_REVERTED = PreparedQuery(
    lambda change_id: (
        EventChange.objects.filter(reverts_id=change_id).order_by().values_list("pk")[:1]
    ),
    change_id=int,
)


def _undo_handler(change: EventChange):
    if change.before is not None and change.before.get("id") is None:
        return _undo_create  # an occurrence that had no row of its own before the change
    return _UNDO[change.action]


def _undo_one(change, event, *, allow_conflict, context, part_of=None, check=True):
    before, event, after = _undo_handler(change)(change=change, event=event)
    if after is not None and check:
        _check_conflicts(event, allow_conflict=allow_conflict)
    if after is not None:
        event.save(force_insert=event._state.adding)
        after = event_state(event)
    else:
        _delete(event)
    record_event = event if after is not None else Event(owner=change.owner)
    return _record(record_event, action=EventChange.Action.UNDO, before=before, after=after,
                   context=context, reverts=change, part_of=part_of)  # fmt: skip


def _undo_group(members, ids, events, *, allow_conflict, context) -> EventChange:
    """Every part first (newest first), then the change itself; conflicts are checked once all
    are back, so a split series doesn't overlap its own second half. A savepoint, because a
    refusal comes after writes."""
    with transaction.atomic():
        restored, records = [], []
        for member, event_id in reversed(list(zip(members, ids, strict=True))):
            event = events.get(event_id)
            record = _undo_one(member, event, allow_conflict=True, context=context, check=False)
            records.append(record)
            if record.after is not None:
                restored.append(record.event)
        for event in restored:
            _check_conflicts(event, allow_conflict=allow_conflict)
        primary = records[-1]
        EventChange.objects.filter(pk__in=[r.pk for r in records[:-1]]).update(part_of=primary)
        return primary


def _undo_create(*, change, event):
    return event_state(event), event, None


def _undo_restore(*, change, event):
    before = event_state(event)
    _apply_state(event, change.before)
    return before, event, change.before


def _undo_delete(*, change, event):
    # Back with its own id, so a series' exceptions (restored with it) still point at it.
    snapshot = change.before
    event = Event(pk=snapshot["id"], owner=change.owner, source=change.source)
    _apply_state(event, snapshot)
    return None, event, snapshot


_UNDO = {
    EventChange.Action.CREATE: _undo_create,
    EventChange.Action.UPDATE: _undo_restore,
    EventChange.Action.MOVE: _undo_restore,
    EventChange.Action.CANCEL: _undo_restore,
    EventChange.Action.DELETE: _undo_delete,
}


# The steps schedules.series composes into changes of one occurrence or part of a series.
lock_owner, validate, check_conflicts, record = _lock_owner, _validate, _check_conflicts, _record
series_bounds = _series_bounds
