"""Tools that propose changes: add, update (rename, move, resize), cancel.

Each records a proposal; with a persona whose writes need confirmation (the default) that is
all, and the person's "yes" decides it (conversations.assistant.decisions). Otherwise the
proposal is confirmed at once, through the same decision (tools/proposing.py).
"""

from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from rest_framework import serializers

from conversations.assistant import proposals
from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from conversations.assistant.tools import times
from conversations.assistant.tools.proposing import event_for, past, proposed, when
from conversations.models import Proposal
from personas.tools import tool
from schedules import services as schedule_services
from schedules import speech
from schedules.models import LOCATION_MAX, NOTES_MAX, TITLE_MAX, Event


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
    if data["repeat"].strip():
        raise Refusal(
            _("I can't repeat events yet. Shall I add just the first one?"),
            hint="Recurring events aren't supported yet; offer to add a single occurrence.",
        )
    title = data["title"].strip()
    start, end = _add_times(ctx, data)
    show_as = Event.ShowAs.FREE if data["all_day"] else Event.ShowAs.BUSY
    summary_when = when(start, end, ctx, all_day=data["all_day"], relative=False)
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.CREATE,
        tool_call=ctx.tool_call,
        data={"title": title, "start": start, "end": end, "all_day": data["all_day"],
              "show_as": show_as, "location": data["location"], "notes": data["notes"]},
        summary=_("Add '%(title)s' for %(when)s") % {"title": title, "when": summary_when},
    )  # fmt: skip
    said = {"title": title, "when": when(start, end, ctx, all_day=data["all_day"])}
    said["when"] += past(start, ctx)
    return proposed(ctx, proposal, done=_("Added %(title)s, %(when)s.") % said,
                    ask=_("I'll add %(title)s, %(when)s.") % said)  # fmt: skip


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


class UpdateInput(serializers.Serializer):
    event_id = serializers.IntegerField(min_value=1, help_text="The event's id")
    title = _text(TITLE_MAX, "New title; empty to keep")
    start_time = _text(200, "New start; empty to keep")
    end_time = _text(200, "New end; empty to keep")
    duration_minutes = _text(50, "New length, e.g. '90' or 'an hour'; empty to keep")


@tool(
    description=(
        "Rename, move or resize one event, by its id (from the context or list_schedule_events). "
        "Leave a field empty to keep it; moving the start alone keeps the length. Proposes the "
        "change; confirm_change commits it, discard_change drops it."
    ),
    serializer_class=UpdateInput,
    writes=True,
)
def update_schedule_event(ctx: ToolContext, data: dict) -> dict:
    event = event_for(ctx, data["event_id"])
    changes = _changes(ctx, event, data)
    if not changes:
        raise Refusal(_("%(title)s already looks like that. What should change?")
                      % {"title": event.title})  # fmt: skip
    start, end = changes.get("start", event.start), changes.get("end", event.end)
    said = {"old": event.title, "title": changes.get("title", event.title)}
    moved = "start" in changes or "end" in changes
    said["when"] = when(start, end, ctx, all_day=event.all_day, relative=False)
    renamed = "title" in changes
    summary = _summary(said, renamed=renamed, moved=moved)
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
    return proposed(ctx, proposal, done=done, ask=_ask(said, renamed=renamed, moved=moved))


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
    event_id = serializers.IntegerField(min_value=1, help_text="The event's id")


@tool(
    description="Cancel one event by its id. Proposes the cancellation; confirm_change commits it.",
    serializer_class=CancelInput,
    writes=True,
)
def cancel_schedule_event(ctx: ToolContext, data: dict) -> dict:
    event = event_for(ctx, data["event_id"])
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
    done = _("Cancelled %(title)s, %(when)s.") % said
    return proposed(ctx, proposal, done=done, ask=_("I'll cancel %(title)s, %(when)s.") % said)
