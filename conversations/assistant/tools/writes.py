"""Tools that propose changes: add, update (rename, move, resize), cancel.

Each records a proposal; with a persona whose writes need confirmation (the default) that is
all, and the person's "yes" decides it (conversations.assistant.decisions). Otherwise the
proposal is confirmed at once, through the same decision (tools/proposing.py).
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework import serializers

from conversations.assistant import proposals
from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from conversations.assistant.tools import repeats, times
from conversations.assistant.tools.proposing import event_for, past, proposed, when
from conversations.models import Proposal
from personas.tools import tool
from schedules import recurrence, reminders, series, speech, timeparse
from schedules import services as schedule_services
from schedules.errors import EventInvalidError
from schedules.models import LOCATION_MAX, NOTES_MAX, TITLE_MAX, Event

MINUTE = timedelta(minutes=1)


def _text(max_length: int, help_text: str, **options) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length,
        required=False,
        allow_blank=True,
        default="",
        help_text=help_text,
        **options,
    )


class AddInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX, help_text="What it is, e.g. 'Dentist'")
    start_time = serializers.CharField(
        max_length=200, help_text="When it starts, e.g. '2026-03-06T15:00' or 'Friday at 3pm'"
    )
    end_time = _text(200, "When it ends; empty to use duration_minutes or one hour")
    duration_minutes = _text(50, "How long, e.g. '90' or 'an hour'; empty if end_time is given")
    all_day = serializers.BooleanField(
        required=False, default=False, help_text="True for a whole day (or days), e.g. a day off"
    )
    location = _text(LOCATION_MAX, "Where; empty if not said")
    notes = _text(NOTES_MAX, "Anything else to remember; empty if none")
    repeat = _text(200, "How it repeats, e.g. 'every weekday'; empty for a single event")
    reminder = _text(
        50,
        "How long before to remind the user, e.g. '30' (minutes) or '1 hour'; 'none' for no "
        "reminder; empty for their usual one",
    )


@tool(
    description=(
        "Add an event to the user's schedule. Collect the title and start first. Times are read in "
        "the user's own time zone: ISO 8601 without offset (the surest form), or the user's words "
        "like 'tomorrow at 3pm'. Give end_time or duration_minutes, or neither for one hour. For "
        "a whole day (a day off, a trip) set all_day. Proposes the event; confirm_change commits "
        "it, discard_change drops it."
    ),
    serializer_class=AddInput,
    writes=True,
)
def add_schedule_event(ctx: ToolContext, data: dict) -> dict:
    title = data["title"].strip()
    start, end = _add_times(ctx, data)
    show_as = Event.ShowAs.FREE if data["all_day"] else Event.ShowAs.BUSY
    rule = repeats.rule(ctx, data["repeat"], start=start) if data["repeat"].strip() else ""
    if rule:  # the first occurrence is the first day the rule matches
        first = recurrence.first_start(rule, start, ctx.tz)
        if first is None:
            raise Refusal(_("That would never happen: its end is before its start. When should "
                            "it stop?"), hint=repeats.REPEAT_HINT)  # fmt: skip
        start, end = first, recurrence.occurrence_end(first, first=start, first_end=end, tz=ctx.tz)
    summary_when = when(start, end, ctx, all_day=data["all_day"], relative=False)
    said = {"title": title, "when": when(start, end, ctx, all_day=data["all_day"])}
    if rule:
        said["repeats"] = repeats.words(rule, start, ctx.tz)
        summary = _("Add '%(title)s' %(repeats)s, from %(when)s") % {**said, "when": summary_when}
    else:
        summary = _("Add '%(title)s' for %(when)s") % {"title": title, "when": summary_when}
    reminding = _reminders(ctx, data["reminder"]) if data["reminder"].strip() else None
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.CREATE,
        tool_call=ctx.tool_call,
        data={"title": title, "start": start, "end": end, "all_day": data["all_day"],
              "show_as": show_as, "location": data["location"], "notes": data["notes"],
              **({"recurrence": rule} if rule else {}),
              **({"reminders": reminding} if reminding is not None else {})},
        summary=summary,
    )  # fmt: skip
    said["when"] += past(start, ctx)
    if rule:
        done = _("Added %(title)s %(repeats)s, from %(when)s.") % said
        ask = _("I'll add %(title)s %(repeats)s, starting %(when)s.") % said
    else:
        done = _("Added %(title)s, %(when)s.") % said
        ask = _("I'll add %(title)s, %(when)s.") % said
    if reminding is not None:
        done, ask = (f"{text} {reminders.reminders_said(reminding)}" for text in (done, ask))
    return proposed(ctx, proposal, done=done, ask=ask)


NO_REMINDER = ("none", "no", "off", "never", "no reminder", "nothing")


def _reminders(ctx: ToolContext, text: str) -> list[int]:
    """The reminder the person asked for ('30', 'an hour before', 'none') as minutes."""
    words = " ".join(text.strip().lower().split())
    if words in NO_REMINDER:
        return []
    words = words.removesuffix(" before").strip()
    if words.isascii() and words.isdigit():
        minutes = int(words)
    else:
        try:
            minutes = int(timeparse.parse_duration(words, language=ctx.user.language) // MINUTE)
        except timeparse.TimeParseError:
            minutes = -1
    try:
        return schedule_services.reminders_normalized([minutes])
    except EventInvalidError:
        raise Refusal(
            _("How long before should I remind you?"),
            hint="reminder: minutes before the start as a number from 0 to 10080 (a week), "
            "e.g. '30', or 'none'.",
        ) from None


def _add_times(ctx: ToolContext, data: dict) -> tuple[datetime, datetime]:
    if not data["all_day"]:
        start = times.moment(ctx, data["start_time"], "start_time")
        end = times.end_of(
            ctx, start, end_text=data["end_time"], duration_text=data["duration_minutes"]
        )
        return start, end
    # A whole day: the days named (the last one included); the service rounds to midnights.
    first = times.moment(ctx, data["start_time"], "day", default_hour=0)
    last = first
    if data["end_time"].strip():
        last = times.moment(ctx, data["end_time"], "day", default_hour=0)
    if last < first:
        raise Refusal(_("The last day is before the first. Which days do you mean?"))
    return first, last + timedelta(hours=1)


SCOPE_CHOICES = [(series.THIS, "this"), (series.FOLLOWING, "following"), (series.ALL, "all")]


class UpdateInput(serializers.Serializer):
    event_id = serializers.IntegerField(help_text="The event's id")
    title = _text(TITLE_MAX, "New title; empty to keep")
    start_time = _text(200, "New start; empty to keep")
    end_time = _text(200, "New end; empty to keep")
    duration_minutes = _text(50, "New length, e.g. '90' or 'an hour'; empty to keep")
    occurrence = _text(
        200,
        "For a repeating event: which occurrence, its start from list_schedule_events or a day "
        "('Thursday'); empty for the next one",
    )
    scope = serializers.ChoiceField(
        choices=SCOPE_CHOICES,
        required=False,
        default=series.THIS,
        help_text="For a repeating event: 'this' occurrence only, 'following' (it and later "
        "ones), or 'all'",
    )
    repeat = _text(
        200,
        "For a repeating event: a new repeat or end ('every Tuesday', 'until December', "
        "'10 times'); empty to keep",
    )
    reminder = _text(
        50, "New reminder, e.g. '30' (minutes before) or '1 hour'; 'none' for none; empty to keep"
    )


@tool(
    description=(
        "Rename, move or resize one event, by its id (from the context or list_schedule_events). "
        "Leave a field empty to keep it; moving the start alone keeps the length. Times are read "
        "in the user's own zone: ISO 8601 without an offset is the surest form. For a "
        "repeating event give occurrence (which one) and scope ('this', 'following', 'all'); "
        "repeat changes how it repeats or when it stops ('until December'). Proposes the "
        "change; confirm_change commits it, discard_change drops it."
    ),
    serializer_class=UpdateInput,
    writes=True,
)
def update_schedule_event(ctx: ToolContext, data: dict) -> dict:
    event = event_for(ctx, data["event_id"])
    if event.series_id:  # an occurrence's own row: the series is what the person means
        event = event_for(ctx, event.series_id)
    if event.recurrence:
        return _update_series(ctx, event, data)
    if data["repeat"].strip():
        changes = _changes(ctx, event, data)
        changes["recurrence"] = repeats.rule(
            ctx, data["repeat"], start=changes.get("start", event.start)
        )
        return _propose_update(ctx, event, changes, data)
    return _propose_update(ctx, event, _changes(ctx, event, data), data)


def _propose_update(ctx: ToolContext, event: Event, changes: dict, data: dict) -> dict:
    _reminder_change(ctx, event, changes, data)
    if set(changes) == {"reminders"}:
        return _propose_reminders(ctx, event, changes)
    if not changes:
        raise Refusal(_("%(title)s already looks like that. What should change?")
                      % {"title": event.title})  # fmt: skip
    start, end = changes.get("start", event.start), changes.get("end", event.end)
    said = {"old": event.title, "title": changes.get("title", event.title)}
    moved = "start" in changes or "end" in changes
    said["when"] = when(start, end, ctx, all_day=event.all_day, relative=False)
    renamed = "title" in changes
    summary = _summary(said, renamed=renamed, moved=moved)
    if "recurrence" in changes:
        said["repeats"] = repeats.words(changes["recurrence"], start, ctx.tz)
        summary = _("Repeat %(old)s %(repeats)s, from %(when)s") % said
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.UPDATE,
        event=event,
        tool_call=ctx.tool_call,
        data=changes,
        summary=summary,
    )
    said["when"] = when(start, end, ctx, all_day=event.all_day)
    said["when"] += past(start, ctx) if moved else ""
    done = _("Done: %(title)s is now %(when)s.") % said
    ask = _ask(said, renamed=renamed, moved=moved)
    if "recurrence" in changes:
        ask = _("I'll repeat %(old)s %(repeats)s, starting %(when)s.") % said
    if "reminders" in changes:
        done, ask = (f"{text} {reminders.reminders_said(changes['reminders'])}"
                     for text in (done, ask))  # fmt: skip
    return proposed(ctx, proposal, done=done, ask=ask)


def _reminder_change(ctx: ToolContext, event: Event, changes: dict, data: dict) -> None:
    if data["reminder"].strip():
        minutes = _reminders(ctx, data["reminder"])
        if minutes != list(event.reminders):
            changes["reminders"] = minutes


def _propose_reminders(ctx: ToolContext, event: Event, changes: dict, extra: dict | None = None):
    """Only the reminder changes (of a single event, or every occurrence of a series)."""
    said = {"title": event.title, "reminders": reminders.reminders_said(changes["reminders"])}
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.UPDATE,
        event=event,
        tool_call=ctx.tool_call,
        data={**changes, **(extra or {})},
        summary=_("Reminders for %(title)s: %(reminders)s") % said,
    )
    done = _("Done. %(title)s: %(reminders)s") % said
    ask = _("For %(title)s: %(reminders)s Shall I?") % said
    return proposed(ctx, proposal, done=done, ask=ask)


def _update_series(ctx: ToolContext, series_event: Event, data: dict) -> dict:
    """One occurrence, it and the ones after it, or all: the read-back says which."""
    scope = data["scope"]
    if data["occurrence"].strip():
        found = repeats.occurrences(ctx, series_event, data["occurrence"])[0]
    else:
        found = repeats.next_occurrence(ctx, series_event)
    occurrence = repeats.occurrence_of(ctx, series_event, found)
    changes = _changes(ctx, occurrence, data)
    _reminder_change(ctx, occurrence, changes, data)
    if set(changes) == {"reminders"} and not data["repeat"].strip():
        # A reminder is said of the series, not one day of it: every occurrence reminds alike.
        extra = {"occurrence": series_event.start.isoformat(), "scope": series.ALL}
        return _propose_reminders(ctx, series_event, changes, extra)
    if data["repeat"].strip():
        if scope == series.THIS:
            scope = series.ALL if not data["occurrence"].strip() else series.FOLLOWING
        changes["recurrence"] = repeats.rule(
            ctx, data["repeat"], start=changes.get("start", occurrence.start),
            current=series_event.recurrence,
        )  # fmt: skip
        if changes["recurrence"] == series_event.recurrence:
            del changes["recurrence"]
    if not changes:
        raise Refusal(_("%(title)s already looks like that. What should change?")
                      % {"title": series_event.title})  # fmt: skip
    said = _series_said(ctx, series_event, occurrence, changes)
    summary, ask = _series_read_back(said, scope, changes)
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.UPDATE,
        event=series_event,
        tool_call=ctx.tool_call,
        data={**changes, "occurrence": occurrence.recurrence_id.isoformat(), "scope": scope},
        summary=summary,
    )
    done = _("Done: %(change)s") % {"change": summary} + "."
    if "reminders" in changes:
        done, ask = (f"{text} {reminders.reminders_said(changes['reminders'])}"
                     for text in (done, ask))  # fmt: skip
    return proposed(ctx, proposal, done=done, ask=ask)


def _series_said(ctx: ToolContext, series_event: Event, occurrence: Event, changes: dict) -> dict:
    start = changes.get("start", occurrence.start)
    end = changes.get("end", occurrence.end)
    today = speech.local(ctx.now, ctx.tz).date()
    said = {
        "title": series_event.title,
        "new_title": changes.get("title", series_event.title),
        "day": speech.day(speech.local(occurrence.recurrence_id, ctx.tz).date(), today),
        "when": when(start, end, ctx, all_day=occurrence.all_day, relative=False),
        "clock": speech.clock_span(start, end, ctx.tz),
        "repeats": repeats.words(series_event.recurrence, series_event.start,
                                 series_event.time_zone),
    }  # fmt: skip
    if "recurrence" in changes:
        said["new_repeats"] = repeats.words(changes["recurrence"], start, ctx.tz)
        last = recurrence.last_start(changes["recurrence"], series_event.start,
                                     ZoneInfo(series_event.time_zone))  # fmt: skip
        said["last"] = speech.day(speech.local(last, ctx.tz).date(), today) if last else ""
    return said


def _series_read_back(said: dict, scope: str, changes: dict) -> tuple[str, str]:
    """What changes, said so the person hears which occurrences: just this one, this one and
    the ones after it, or every one."""
    moved = "start" in changes or "end" in changes
    if "recurrence" in changes and said.get("last") and not moved:
        text = _("end %(title)s after %(last)s, so %(last)s is the last one") % said
    elif "recurrence" in changes:
        text = _("repeat %(title)s %(new_repeats)s from %(day)s on") % said
    elif scope == series.THIS and moved:
        text = _("move just the %(title)s on %(day)s to %(when)s; the others stay") % said
    elif scope == series.THIS:
        text = _("rename just the %(title)s on %(day)s to %(new_title)s") % said
    elif scope == series.FOLLOWING and moved:
        text = _("move %(title)s to %(clock)s from %(day)s on; earlier ones stay") % said
    elif scope == series.FOLLOWING:
        text = _("rename %(title)s to %(new_title)s from %(day)s on") % said
    elif moved:
        text = _("move every %(title)s (%(repeats)s) to %(clock)s") % said
    else:
        text = _("rename every %(title)s (%(repeats)s) to %(new_title)s") % said
    return text[:1].upper() + text[1:], _("I'll %(change)s.") % {"change": text}


# A rename reads back the day and time too: that is how the person knows which one.
def _summary(said: dict, *, renamed: bool, moved: bool) -> str:
    if not renamed:
        return _("Move %(old)s to %(when)s") % said
    if moved:
        return _("Rename %(old)s to %(title)s and move it to %(when)s") % said
    return _("Rename %(old)s to %(title)s, %(when)s") % said


def _ask(said: dict, *, renamed: bool, moved: bool) -> str:
    if not renamed:
        return _("I'll move %(old)s to %(when)s.") % said
    if moved:
        return _("I'll rename %(old)s to %(title)s and move it to %(when)s.") % said
    return _("I'll rename %(old)s to %(title)s, %(when)s.") % said


def _changes(ctx: ToolContext, event: Event, data: dict) -> dict:
    """What the update changes: the said fields (a new start alone keeps the length; a new
    length keeps the start), minus those already so — a "move" to where it is must not become
    an empty proposal."""
    said = {}
    if data["title"].strip():
        said["title"] = data["title"].strip()
    if data["start_time"].strip():
        said["start"] = times.new_start(ctx, event, data["start_time"])
    if data["end_time"].strip() or data["duration_minutes"].strip():
        said["end"] = times.end_of(
            ctx,
            said.get("start", event.start),
            end_text=data["end_time"],
            duration_text=data["duration_minutes"],
        )
    said = schedule_services.event_changes_resolved(event, said)
    if said.get("end", event.end) <= said.get("start", event.start):
        raise Refusal(
            _("The end must be after the start. What are the new times?"),
            hint="The new end is not after the new start. Ask the user for the new times.",
        )
    return {field: value for field, value in said.items() if getattr(event, field) != value}


class CancelInput(serializers.Serializer):
    event_id = serializers.IntegerField(help_text="The event's id")
    occurrence = _text(
        200,
        "For a repeating event: which occurrences, a start from list_schedule_events, a day or "
        "a span ('next week'); empty for the whole series",
    )
    scope = serializers.ChoiceField(
        choices=SCOPE_CHOICES,
        required=False,
        default=series.THIS,
        help_text="For a repeating event: 'this' (the occurrences named), 'following' (from "
        "the first named on), or 'all'",
    )


@tool(
    description=(
        "Cancel one event by its id; for a repeating event, the occurrences named (occurrence: "
        "a day or 'next week'), the rest of the series (scope 'following') or all of it. "
        "Proposes the cancellation; confirm_change commits it."
    ),
    serializer_class=CancelInput,
    writes=True,
)
def cancel_schedule_event(ctx: ToolContext, data: dict) -> dict:
    event = event_for(ctx, data["event_id"])
    if event.series_id:
        event = event_for(ctx, event.series_id)
    if event.recurrence and (data["occurrence"].strip() and data["scope"] != series.ALL):
        return _cancel_occurrences(ctx, event, data)
    if event.status == Event.Status.CANCELLED:
        raise Refusal(_("%(title)s is already cancelled.") % {"title": event.title})
    said = {"title": event.title, "when": speech.describe(event.start, tz=ctx.tz)}
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.CANCEL,
        event=event,
        tool_call=ctx.tool_call,
        data={},
        summary=_("Cancel %(title)s (%(when)s)") % said,
    )
    said["when"] = speech.describe(event.start, tz=ctx.tz, now=ctx.now)
    if event.recurrence:
        said["repeats"] = repeats.words(event.recurrence, event.start, event.time_zone)
        done = _("Cancelled every %(title)s (%(repeats)s).") % said
        ask = _("I'll cancel every %(title)s (%(repeats)s), the whole series.") % said
        return proposed(ctx, proposal, done=done, ask=ask)
    done = _("Cancelled %(title)s, %(when)s.") % said
    return proposed(ctx, proposal, done=done, ask=_("I'll cancel %(title)s, %(when)s.") % said)


def _cancel_occurrences(ctx: ToolContext, series_event: Event, data: dict) -> dict:
    """ "Cancel the standups next week": those occurrences (or, with 'following', the series
    from the first of them on), named in the read-back."""
    found = [o for o in repeats.occurrences(ctx, series_event, data["occurrence"])
             if o.status == Event.Status.CONFIRMED]  # fmt: skip
    if not found:
        raise Refusal(_("Those are already cancelled."))
    today = speech.local(ctx.now, ctx.tz).date()
    said = {"title": series_event.title, "count": len(found), "days": repeats.days_said(found, ctx),
            "day": speech.day(speech.local(found[0].start, ctx.tz).date(), today)}  # fmt: skip
    if data["scope"] == series.FOLLOWING:
        found = found[:1]
        text = _("cancel %(title)s from %(day)s on; earlier ones stay") % said
    else:
        text = ngettext("cancel just the %(title)s on %(days)s",
                        "cancel the %(count)s %(title)s occurrences on %(days)s",
                        len(found)) % said  # fmt: skip
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.CANCEL,
        event=series_event,
        tool_call=ctx.tool_call,
        data={"occurrences": [o.recurrence_id.isoformat() for o in found],
              "scope": data["scope"]},
        summary=text[:1].upper() + text[1:],
    )  # fmt: skip
    done = _("Done: %(change)s.") % {"change": proposal.summary}
    return proposed(ctx, proposal, done=done, ask=_("I'll %(change)s.") % {"change": text})
