"""Changes to recurring events, as a person asks for them about one occurrence: "this event",
"this and following" (the series splits in two at it) or "all events".

Every write goes through the steps of schedules.services and is logged there, so undo reverts
a change to a series whole: the first log entry is the change, the others are its parts.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.translation import gettext as _

from drako.transactions import atomic_or_joined
from schedules import recurrence, selectors, services
from schedules.errors import EventInvalidError
from schedules.models import Event, EventChange
from schedules.services import ChangeContext, event_state

THIS, FOLLOWING, ALL = "this", "following", "all"
SCOPES = (THIS, FOLLOWING, ALL)
SHARED_FIELDS = ("title", "location", "notes", "show_as")


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _at_wall(wall: datetime, zone: ZoneInfo) -> datetime:
    return wall.replace(tzinfo=zone).astimezone(UTC)


def _scope(occurrence: Event, scope: str) -> str:
    if scope not in SCOPES:
        raise EventInvalidError(_("Say which: this event, this and following, or all."))
    # "This and following" from the first occurrence is the whole series.
    if scope == FOLLOWING and occurrence.recurrence_id <= occurrence.series.start:
        return ALL
    return scope


def occurrence_update(
    *,
    occurrence: Event,
    changes: dict,
    scope: str = THIS,
    allow_conflict: bool = False,
    context: ChangeContext,
) -> tuple[Event, EventChange | None]:
    """Renames, moves or resizes one occurrence (`occurrence` from
    selectors.occurrence_get_for_user), it and the ones after it, or the whole series."""
    unknown = set(changes) - set(services.EDITABLE_FIELDS)
    if unknown:
        raise EventInvalidError(f"These fields cannot be changed: {', '.join(sorted(unknown))}.")
    # Only what differs from the occurrence as it is: a form sends every field, and a moved
    # occurrence's own time, sent back unchanged, must not move the whole series.
    current = {field: getattr(occurrence, field) for field in services.EDITABLE_FIELDS}
    current["recurrence"] = occurrence.series.recurrence
    changes = {field: value for field, value in changes.items() if current[field] != value}
    if not changes:
        return occurrence, None
    scope = _scope(occurrence, scope)
    if scope == THIS:
        if "recurrence" in changes:
            raise EventInvalidError(
                _("One occurrence can't repeat on its own: change this and following, or all."),
                field="recurrence",
            )
        if occurrence.pk:
            return services.event_update(
                event=occurrence, changes=changes, allow_conflict=allow_conflict, context=context
            )
        return _exception_create(occurrence, changes, allow_conflict, context)
    if scope == FOLLOWING:
        return _split(occurrence, changes, allow_conflict, context)
    return _whole(occurrence, changes, allow_conflict, context)


def occurrence_cancel(
    *, occurrence: Event, scope: str = THIS, context: ChangeContext
) -> tuple[Event, EventChange | None]:
    """Cancels one occurrence, it and the ones after it (the series ends before it), or all."""
    scope = _scope(occurrence, scope)
    if scope == ALL:
        return services.event_cancel(event=occurrence.series, context=context)
    if scope == FOLLOWING:
        return _truncate(occurrence, context)
    if occurrence.pk:
        return services.event_cancel(event=occurrence, context=context)
    return _exception_create(
        occurrence, {"status": Event.Status.CANCELLED}, allow_conflict=True, context=context
    )


@atomic_or_joined()
def _exception_create(occurrence, changes, allow_conflict, context):
    """An occurrence changed for the first time becomes its own row; the log's `before` is the
    occurrence as it was (with no id), so undo removes the row and the occurrence is back."""
    services.lock_owner(occurrence.owner_id)
    cancelling = changes.get("status") == Event.Status.CANCELLED
    # Another change may have made the occurrence its own row since it was read (two calls
    # about one occurrence at once): under the owner's lock, this change goes to that row.
    made = selectors.occurrence_own_row(
        series_id=occurrence.series_id, recurrence_id=occurrence.recurrence_id
    )
    if made is not None and cancelling:
        return services.event_cancel(event=made, context=context)
    if made is not None:
        return services.event_update(
            event=made, changes=changes, allow_conflict=allow_conflict, context=context
        )
    before = event_state(occurrence)
    changes = {k: v for k, v in changes.items() if k != "status"}
    for field, value in services.event_changes_resolved(occurrence, changes).items():
        setattr(occurrence, field, value)
    if cancelling:
        occurrence.status = Event.Status.CANCELLED
    if occurrence.end <= occurrence.start:
        raise EventInvalidError(_("The end must be after the start."), field="end")
    services.validate(occurrence, occurrence.owner.tz)
    after = event_state(occurrence)
    if after == before:
        return occurrence, None
    if not cancelling:
        services.check_conflicts(occurrence, allow_conflict=allow_conflict)
    occurrence.save()
    after["id"] = occurrence.pk
    moved = {k for k in after if k != "id" and before.get(k) != after[k]} <= {"start", "end"}
    action = (EventChange.Action.CANCEL if cancelling else
              EventChange.Action.MOVE if moved else EventChange.Action.UPDATE)  # fmt: skip
    return occurrence, services.record(
        occurrence, action=action, before=before, after=after, context=context
    )


def _whole(occurrence, changes, allow_conflict, context):
    """A change said about one occurrence, made to the whole series: a new time moves every
    occurrence by as much (by the wall clock), its days too."""
    series = occurrence.series
    zone = ZoneInfo(series.time_zone)
    series_changes = {k: v for k, v in changes.items() if k not in ("start", "end")}
    if "start" in changes or "end" in changes:
        resolved = services.event_changes_resolved(occurrence, changes)
        shift = _wall(resolved["start"], zone) - _wall(occurrence.recurrence_id, zone)
        length = _wall(resolved["end"], zone) - _wall(resolved["start"], zone)
        start_wall = _wall(series.start, zone) + shift
        series_changes["start"] = _at_wall(start_wall, zone)
        series_changes["end"] = _at_wall(start_wall + length, zone)
        if shift.days and "recurrence" not in changes:
            rule = recurrence.rule_shifted_days(series.recurrence, shift.days)
            if rule is None:
                raise EventInvalidError(
                    _("I can't move every occurrence to another day; change its days instead."),
                    field="start",
                )
            series_changes["recurrence"] = rule
    return services.event_update(
        event=series, changes=series_changes, allow_conflict=allow_conflict, context=context
    )


def _ended_before(series: Event, at: datetime) -> tuple[str, int | None]:
    """The series' rule ending just before the occurrence at `at`, and how many of its COUNT
    are left for a series continuing from there (None: it had no COUNT)."""
    zone = ZoneInfo(series.time_zone)
    parts = recurrence.rule_parts(series.recurrence)
    if "COUNT" in parts:
        before = recurrence.count_before(
            rule=series.recurrence, first=series.start, tz=zone, start=at
        )
        left = int(parts["COUNT"]) - before
        return recurrence.rule_ending(series.recurrence, count=before), left
    return recurrence.rule_ending(series.recurrence, until=at - timedelta(seconds=1)), None


def _truncated(series: Event, at: datetime, context) -> tuple[dict, EventChange, int | None]:
    """Ends `series` before the occurrence at `at`; the log entry is the change's first."""
    before = event_state(series)
    series.recurrence, left = _ended_before(series, at)
    services.series_bounds(series)
    series.save()
    change = services.record(series, action=EventChange.Action.UPDATE, before=before,
                             after=event_state(series), context=context)  # fmt: skip
    return before, change, left


def _split(occurrence, changes, allow_conflict, context):
    """This and following: the series ends before this occurrence and a new one, with the
    changes, carries on from it; the exceptions from here on move to the new series."""
    series, at = occurrence.series, occurrence.recurrence_id
    zone = ZoneInfo(series.time_zone)
    # A savepoint: the conflict check needs the split made, and a refusal must undo it.
    with transaction.atomic():
        services.lock_owner(series.owner_id)
        series.refresh_from_db()
        old = event_state(series)
        rule = old["recurrence"]
        _before, change, left = _truncated(series, at, context)
        end = recurrence.occurrence_end(at, first=series.start, first_end=series.end, tz=zone)
        successor = Event(owner=series.owner, title=series.title, start=at, end=end,
                          all_day=series.all_day, location=series.location, notes=series.notes,
                          show_as=series.show_as, source=context.source, time_zone=series.time_zone,
                          reminders=series.reminders,
                          recurrence=rule if left is None else
                          recurrence.rule_ending(rule, count=left))  # fmt: skip
        for field, value in services.event_changes_resolved(successor, changes).items():
            setattr(successor, field, value)
        if successor.end <= successor.start:
            raise EventInvalidError(_("The end must be after the start."), field="end")
        services.validate(successor, series.owner.tz)
        successor.save()
        services.record(successor, action=EventChange.Action.CREATE, before=None,
                        after=event_state(successor), context=context, part_of=change)  # fmt: skip
        shift = _wall(successor.start, zone) - _wall(at, zone)
        exceptions = Event.objects.filter(series_id=series.pk, recurrence_id__gte=at)
        for exception in exceptions.order_by("recurrence_id"):
            _carry(
                exception, series=successor, shift=shift, old=old, change=change, context=context
            )
        services.check_conflicts(successor, allow_conflict=allow_conflict)
    return successor, change


def _carry(exception: Event, *, series: Event, shift: timedelta, old: dict, change, context):
    """An exception re-parented to `series`: the same occurrence, shifted as its series was,
    with the series' new title (place, notes) where it had the old one."""
    zone = ZoneInfo(series.time_zone)
    exception.owner = series.owner
    was = event_state(exception)
    exception.series = series
    exception.recurrence_id = _at_wall(_wall(exception.recurrence_id, zone) + shift, zone)
    for field in SHARED_FIELDS:
        if getattr(exception, field) == old[field]:
            setattr(exception, field, getattr(series, field))
    exception.save()
    services.record(exception, action=EventChange.Action.UPDATE, before=was,
                    after=event_state(exception), context=context, part_of=change)  # fmt: skip


@atomic_or_joined()
def _truncate(occurrence, context):
    """This and following, cancelled: the series ends before this occurrence; the exceptions
    from here on are deleted with it (undo brings them back)."""
    series = occurrence.series
    services.lock_owner(series.owner_id)
    series.refresh_from_db()
    _before, change, _left = _truncated(series, occurrence.recurrence_id, context)
    later = Event.objects.filter(series_id=series.pk, recurrence_id__gte=occurrence.recurrence_id)
    for exception in list(later.order_by("recurrence_id")):
        exception.owner = series.owner
        services.record(exception, action=EventChange.Action.DELETE, before=event_state(exception),
                        after=None, context=context, part_of=change)  # fmt: skip
        exception.delete()
    return series, change


def series_end(
    *, series: Event, until: datetime, context: ChangeContext
) -> tuple[Event, EventChange | None]:
    """Stops a series after `until` ("stop the gym series after December")."""
    rule = recurrence.rule_ending(series.recurrence, until=until)
    return services.event_update(event=series, changes={"recurrence": rule}, context=context)


@atomic_or_joined()
def occurrences_cancel(
    *, occurrences: list[Event], scope: str = THIS, context: ChangeContext
) -> tuple[Event, EventChange | None]:
    """Cancels several occurrences of one series as one change ("the standups next week"):
    the first's log entry is the change, the others its parts, so one undo brings all back.
    With 'following' or 'all', the first occurrence decides where the series is cut."""
    if scope != THIS or len(occurrences) == 1:
        return occurrence_cancel(occurrence=occurrences[0], scope=scope, context=context)
    done = [occurrence_cancel(occurrence=o, context=context) for o in occurrences]
    changes = [change for _event, change in done if change is not None]
    if not changes:
        return done[0][0], None
    EventChange.objects.filter(pk__in=[c.pk for c in changes[1:]]).update(part_of=changes[0])
    return done[0][0], changes[0]
