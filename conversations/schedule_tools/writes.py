"""Tools that propose changes: add, update (rename, move, resize), cancel."""

from datetime import timedelta

from rest_framework import serializers

from conversations import proposals
from conversations.models import Proposal
from conversations.proposals import spoken
from conversations.schedule_tools.base import (
    ToolContext,
    ToolInputError,
    event_for,
    parse_when,
    sentence_case,
    span,
    write_answer,
)
from conversations.tools import tool
from schedules import services as schedule_services
from schedules.models import LOCATION_MAX, NOTES_MAX, TITLE_MAX, Event
from schedules.speech import describe


class AddInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    start_time = serializers.CharField(max_length=200)
    end_time = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    location = serializers.CharField(
        max_length=LOCATION_MAX, required=False, allow_blank=True, default=""
    )
    notes = serializers.CharField(
        max_length=NOTES_MAX, required=False, allow_blank=True, default=""
    )


@tool(
    description=(
        "Add an event to the user's schedule. Collect the title and start first. Times are read in "
        "the user's own time zone: ISO 8601 without offset, or words like 'tomorrow at 3pm'. "
        "Leave end_time empty for one hour. Proposes the event; confirm_change commits it."
    ),
    parameters={
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "What it is, e.g. 'Dentist'"},
            "start_time": {
                "type": "string",
                "description": "When it starts, e.g. '2026-03-06T15:00' or 'Friday at 3pm'",
            },
            "end_time": {"type": "string", "description": "When it ends; empty for one hour"},
            "location": {"type": "string", "description": "Where; empty if not said"},
            "notes": {"type": "string", "description": "Anything else to remember; empty if none"},
        },
    },
    serializer_class=AddInput,
    writes=True,
)
def add_schedule_event(ctx: ToolContext, data: dict) -> dict:
    start = parse_when(ctx, data["start_time"], "start")
    end = (
        parse_when(ctx, data["end_time"], "end")
        if data["end_time"].strip()
        else start + timedelta(hours=1)
    )
    if end <= start:
        raise ToolInputError("The end must be after the start. Ask the user how long it lasts.")
    title = data["title"].strip()
    when = span(start, end, ctx.tz)
    dated = span(start, end, ctx.tz, relative=False)
    proposal = proposals.proposal_create(
        actor=ctx.actor,
        kind=Proposal.Kind.CREATE,
        tool_call=ctx.tool_call,
        data={
            "title": title,
            "start": start,
            "end": end,
            "location": data["location"],
            "notes": data["notes"],
        },
        summary=f"Add '{title}' for {dated}",
    )
    return write_answer(
        ctx, proposal, done=f"Added {title} for {when}.", ask=f"I'll add {title} for {when}."
    )


class UpdateInput(serializers.Serializer):
    event_id = serializers.IntegerField(min_value=1)
    title = serializers.CharField(
        max_length=TITLE_MAX, required=False, allow_blank=True, default=""
    )
    start_time = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    end_time = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@tool(
    description=(
        "Rename, move or resize one event, by its id (from the context or list_schedule_events). "
        "Leave a field empty to keep it; moving the start alone keeps the length. Proposes the "
        "change; confirm_change commits it."
    ),
    parameters={
        "type": "object",
        "properties": {
            "event_id": {"type": "integer", "description": "The event's id"},
            "title": {"type": "string", "description": "New title; empty to keep"},
            "start_time": {"type": "string", "description": "New start; empty to keep"},
            "end_time": {"type": "string", "description": "New end; empty to keep"},
        },
    },
    serializer_class=UpdateInput,
    writes=True,
)
def update_schedule_event(ctx: ToolContext, data: dict) -> dict:
    event = event_for(ctx, data["event_id"])
    changes = {}
    if data["title"].strip() and data["title"].strip() != event.title:
        changes["title"] = data["title"].strip()
    if data["start_time"].strip():
        changes["start"] = parse_when(ctx, data["start_time"], "new start")
        changes["end"] = schedule_services.moved_end(event, changes["start"])
    if data["end_time"].strip():
        changes["end"] = parse_when(ctx, data["end_time"], "new end")
    # A "move" to where it already is changes nothing, and must not become an empty proposal.
    changes = {field: value for field, value in changes.items() if getattr(event, field) != value}
    start, end = changes.get("start", event.start), changes.get("end", event.end)
    if end <= start:
        raise ToolInputError("The end must be after the start. Ask the user for the new times.")
    if not changes:
        return {"ok": False, "say": f"{event.title} already looks like that. What should change?"}
    title = changes.get("title", event.title)
    when = span(start, end, ctx.tz)
    renamed, moved = "title" in changes, "start" in changes or "end" in changes

    def what(span: str) -> str:
        words = f"rename '{event.title}' to '{title}'" if renamed else f"move '{event.title}'"
        return words + ((" and move it" if renamed else "") + f" to {span}" if moved else "")

    proposal = proposals.proposal_create(
        actor=ctx.actor,
        kind=Proposal.Kind.UPDATE,
        event=event,
        tool_call=ctx.tool_call,
        data=changes,
        summary=sentence_case(what(span(start, end, ctx.tz, relative=False))),
    )
    ask = f"I'll {what(when).replace(chr(39), '')}"
    return write_answer(ctx, proposal, done=f"Done: {title} is now {when}.", ask=ask + ".")


class CancelInput(serializers.Serializer):
    event_id = serializers.IntegerField(min_value=1)


@tool(
    description="Cancel one event by its id. Proposes the cancellation; confirm_change commits it.",
    parameters={
        "type": "object",
        "properties": {"event_id": {"type": "integer", "description": "The event's id"}},
    },
    serializer_class=CancelInput,
    writes=True,
)
def cancel_schedule_event(ctx: ToolContext, data: dict) -> dict:
    event = event_for(ctx, data["event_id"])
    if event.status == Event.Status.CANCELLED:
        return {"ok": False, "say": f"{event.title} is already cancelled."}
    when = spoken(event.start, ctx.tz)
    proposal = proposals.proposal_create(
        actor=ctx.actor,
        kind=Proposal.Kind.CANCEL,
        event=event,
        tool_call=ctx.tool_call,
        data={},
        summary=f"Cancel '{event.title}' ({describe(event.start, tz=ctx.tz)})",
    )
    return write_answer(
        ctx,
        proposal,
        done=f"Cancelled {event.title} ({when}).",
        ask=f"I'll cancel {event.title}, {when}.",
    )
