"""Every write to a schedule goes through here, whatever the interface: pages, API, tools, admin."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from drako.transactions import atomic_or_joined
from schedules import selectors
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

EDITABLE_FIELDS = ("title", "start", "end", "all_day", "location", "notes", "show_as")


@dataclass(frozen=True)
class ChangeContext:
    """Who or what makes a change, recorded with it in the change log."""

    source: str = Event.Source.WEB
    actor: User | None = None
    utterance: str = ""


def event_state(event: Event) -> dict:
    """The event as the change log stores it: JSON-safe, times in UTC ISO 8601."""
    return {
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


def _lock_owner(owner_id: int) -> None:
    # One row lock per owner serialises that owner's writes on PostgreSQL, so two requests
    # racing for one slot cannot both pass the conflict check (SQLite runs BEGIN IMMEDIATE).
    User.objects.select_for_update().filter(pk=owner_id).values_list("pk", flat=True).get()


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
    return problems + _time_problems(event, tz)


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


def _validate(event: Event, tz: ZoneInfo) -> None:
    if problems := event_problems(event, tz=tz):
        field, message = problems[0]
        raise EventInvalidError(message, field=field)


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


def _check_conflicts(event: Event, *, allow_conflict: bool) -> None:
    if allow_conflict or not event.is_busy:
        return
    conflicts = selectors.event_conflicts_for_user(
        user=event.owner, start=event.start, end=event.end, exclude_id=event.pk
    )
    if conflicts:
        titles = ", ".join(f"'{c.title}'" for c in conflicts[:3])
        raise EventConflictError(
            _("That time overlaps %(titles)s.") % {"titles": titles},
            conflicts=conflicts,
            alternatives=event_alternatives(event),
        )


def _record(event: Event, *, action: str, before, after, context: ChangeContext, reverts=None):
    return EventChange.objects.create(
        owner=event.owner,
        event=event if event.pk else None,
        action=action,
        before=before,
        after=after,
        source=context.source,
        actor=context.actor,
        utterance=context.utterance[:2000],
        reverts=reverts,
    )


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
    allow_conflict: bool = False,
    context: ChangeContext,
) -> tuple[Event, EventChange]:
    """Creates an event, refusing an overlap with a busy event unless `allow_conflict`."""
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
    )
    _validate(event, owner.tz)
    _lock_owner(owner.pk)
    _check_conflicts(event, allow_conflict=allow_conflict)
    event.save()
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
    _validate(event, event.owner.tz)
    after = event_state(event)
    if after == before:
        return event, None
    if any(before[f] != after[f] for f in ("start", "end", "show_as")):
        _check_conflicts(event, allow_conflict=allow_conflict)
    event.save()
    moved_only = {k for k in after if before[k] != after[k]} <= {"start", "end"}
    action = EventChange.Action.MOVE if moved_only else EventChange.Action.UPDATE
    return event, _record(event, action=action, before=before, after=after, context=context)


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
    return event, change


@atomic_or_joined()
def event_delete(*, event: Event, context: ChangeContext) -> EventChange:
    """Deletes an event for good; the log keeps what it was, so undo can bring it back."""
    _lock_owner(event.owner_id)
    change = _record(
        event,
        action=EventChange.Action.DELETE,
        before=event_state(event),
        after=None,
        context=context,
    )
    event.delete()
    return change


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


@atomic_or_joined()
def event_change_undo(
    *, change: EventChange, allow_conflict: bool = False, context: ChangeContext
) -> EventChange:
    """Reverts one change, if the event is still as that change left it."""
    _lock_owner(change.owner_id)
    event = Event.objects.filter(
        pk=(change.after or change.before or {}).get("id"), owner_id=change.owner_id
    ).first()
    if event is not None:
        event.owner = change.owner  # one user for both: loaded once, whichever uses it first
    # A log entry is never edited, so the caller's copy is current; what can change is whether
    # it has been undone, read here under the owner's lock.
    refusal = event_change_undo_refusal(
        change,
        current_state=event_state(event) if event is not None else None,
        undone=EventChange.objects.filter(reverts=change).exists(),
    )
    if refusal:
        raise UndoError(refusal)
    handler = _UNDO[change.action]
    return handler(change=change, event=event, allow_conflict=allow_conflict, context=context)


def _undo_create(*, change, event, allow_conflict, context):
    before = event_state(event)
    record = _record(
        event,
        action=EventChange.Action.UNDO,
        before=before,
        after=None,
        context=context,
        reverts=change,
    )
    event.delete()
    return record


def _undo_restore(*, change, event, allow_conflict, context):
    before = event_state(event)
    restored = change.before
    event.title, event.location, event.notes = (
        restored["title"],
        restored["location"],
        restored["notes"],
    )
    event.start = datetime.fromisoformat(restored["start"])
    event.end = datetime.fromisoformat(restored["end"])
    event.all_day, event.status, event.show_as = (
        restored["all_day"],
        restored["status"],
        restored["show_as"],
    )
    _check_conflicts(event, allow_conflict=allow_conflict)
    event.save()
    return _record(
        event,
        action=EventChange.Action.UNDO,
        before=before,
        after=event_state(event),
        context=context,
        reverts=change,
    )


def _undo_delete(*, change, event, allow_conflict, context):
    snapshot = change.before
    event = Event(
        owner=change.owner,
        title=snapshot["title"],
        start=datetime.fromisoformat(snapshot["start"]),
        end=datetime.fromisoformat(snapshot["end"]),
        all_day=snapshot["all_day"],
        location=snapshot["location"],
        notes=snapshot["notes"],
        status=snapshot["status"],
        show_as=snapshot["show_as"],
        source=context.source,
    )
    _check_conflicts(event, allow_conflict=allow_conflict)
    event.save()
    return _record(
        event,
        action=EventChange.Action.UNDO,
        before=None,
        after=event_state(event),
        context=context,
        reverts=change,
    )


_UNDO = {
    EventChange.Action.CREATE: _undo_create,
    EventChange.Action.UPDATE: _undo_restore,
    EventChange.Action.MOVE: _undo_restore,
    EventChange.Action.CANCEL: _undo_restore,
    EventChange.Action.DELETE: _undo_delete,
}
