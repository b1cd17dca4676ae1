"""Tools that propose changes: add, update (rename, move, resize), cancel.

Each records a proposal; with a persona whose writes need confirmation (the default) that is
all, and the person's "yes" decides it (conversations.assistant.decisions). Otherwise the
proposal is confirmed at once, through the same decision.
"""

from datetime import datetime, timedelta

from django.http import Http404
from rest_framework import serializers

from conversations.assistant import answers, proposals
from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from conversations.models import Proposal
from personas.tools import tool
from schedules import selectors as schedule_selectors
from schedules import services as schedule_services
from schedules import speech, timeparse
from schedules.models import LOCATION_MAX, NOTES_MAX, TITLE_MAX, Event

TIME_HINT = "Send ISO 8601 without an offset (2026-03-06T15:00) or the user's own words."


def _text(max_length: int, help_text: str, **options) -> serializers.CharField:
    return serializers.CharField(
        max_length=max_length,
        required=False,
        allow_blank=True,
        default="",
        help_text=help_text,
        **options,
    )


def _parse_when(ctx: ToolContext, text: str, what: str) -> datetime:
    try:
        return timeparse.parse_datetime(text, tz=ctx.tz, now=ctx.now)
    except timeparse.TimeParseError as exc:
        raise time_refusal(exc, what) from None


def time_refusal(exc: timeparse.TimeParseError, what: str) -> Refusal:
    """The parser's question for the person; its advice on formats is for the LLM only."""
    said = exc.message.replace(timeparse.HINT, "").strip()
    if said != exc.message:  # the parser had nothing to ask, only a format to suggest
        said = f"{said} When is the {what}?"
    return Refusal(f"For the {what}: {said}", hint=f"{exc.message} {TIME_HINT}")


def _event_for(ctx: ToolContext, event_id) -> Event:
    try:
        return schedule_selectors.event_get_for_user(user=ctx.user, event_id=event_id)
    except Http404:
        raise Refusal(
            "I can't find that event on your schedule. Which one do you mean?",
            hint=f"No event has id {event_id}. Call list_schedule_events to find the right one.",
        ) from None


def _alternatives(ctx: ToolContext, proposal: Proposal) -> list[dict]:
    """Free times of the same length near a conflicting proposal, for the persona to offer."""
    start, end = proposal.data.get("start"), proposal.data.get("end")
    if not proposal.conflicts or not start or not end:
        return []
    probe = Event(
        owner=ctx.user, start=datetime.fromisoformat(start), end=datetime.fromisoformat(end)
    )
    return [
        {
            "start": a.astimezone(ctx.tz).isoformat(),
            "end": b.astimezone(ctx.tz).isoformat(),
            "when": speech.span(a, b, ctx.tz, now=ctx.now),
        }
        for a, b in schedule_services.event_alternatives(probe)
    ]


def _proposed(ctx: ToolContext, proposal: Proposal, *, done: str, ask: str) -> dict:
    """Answers a new proposal, or confirms it at once when this persona doesn't ask first."""
    alternatives = _alternatives(ctx, proposal)
    warning = (
        f" Heads up: it overlaps {', '.join(proposal.conflicts)}." if proposal.conflicts else ""
    )
    if alternatives:
        warning += f" {alternatives[0]['when']} is free instead."
    extra = {"alternatives": alternatives} if alternatives else {}
    if not ctx.conversation.writes_need_confirmation:
        try:
            # Created in this transaction, so no one else can see it yet, let alone lock it.
            proposal = proposals.proposal_confirm(proposal=proposal, utterance=ctx.utterance)
        except proposals.ProposalError as refusal:
            return answers.about(proposal, ok=False, say=refusal.say, hint=refusal.hint,
                                 tz=ctx.tz, now=ctx.now)  # fmt: skip
        return answers.about(proposal, ok=True, say=done + warning, tz=ctx.tz, now=ctx.now)
    hint = "Read it back; on yes call confirm_change, on no discard_change."
    return answers.about(proposal, ok=True, say=f"{ask}{warning} Shall I go ahead?", hint=hint,
                         tz=ctx.tz, now=ctx.now, **extra)  # fmt: skip


class AddInput(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_MAX, help_text="What it is, e.g. 'Dentist'")
    start_time = serializers.CharField(
        max_length=200, help_text="When it starts, e.g. '2026-03-06T15:00' or 'Friday at 3pm'"
    )
    end_time = _text(200, "When it ends; empty for one hour")
    location = _text(LOCATION_MAX, "Where; empty if not said")
    notes = _text(NOTES_MAX, "Anything else to remember; empty if none")


@tool(
    description=(
        "Add an event to the user's schedule. Collect the title and start first. Times are read in "
        "the user's own time zone: ISO 8601 without offset, or words like 'tomorrow at 3pm'. "
        "Leave end_time empty for one hour. Proposes the event; confirm_change commits it."
    ),
    serializer_class=AddInput,
    writes=True,
)
def add_schedule_event(ctx: ToolContext, data: dict) -> dict:
    start = _parse_when(ctx, data["start_time"], "start")
    end = (
        _parse_when(ctx, data["end_time"], "end")
        if data["end_time"].strip()
        else start + timedelta(hours=1)
    )
    if end <= start:
        raise Refusal(
            "The end must be after the start. How long does it last?",
            hint="end_time was not after start_time. Ask how long it lasts.",
        )
    title = data["title"].strip()
    when = speech.span(start, end, ctx.tz, now=ctx.now)
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.CREATE,
        tool_call=ctx.tool_call,
        data={
            "title": title,
            "start": start,
            "end": end,
            "location": data["location"],
            "notes": data["notes"],
        },
        summary=f"Add '{title}' for {speech.span(start, end, ctx.tz)}",
    )
    return _proposed(
        ctx, proposal, done=f"Added {title} for {when}.", ask=f"I'll add {title} for {when}."
    )


class UpdateInput(serializers.Serializer):
    event_id = serializers.IntegerField(min_value=1, help_text="The event's id")
    title = _text(TITLE_MAX, "New title; empty to keep")
    start_time = _text(200, "New start; empty to keep")
    end_time = _text(200, "New end; empty to keep")


@tool(
    description=(
        "Rename, move or resize one event, by its id (from the context or list_schedule_events). "
        "Leave a field empty to keep it; moving the start alone keeps the length. Proposes the "
        "change; confirm_change commits it."
    ),
    serializer_class=UpdateInput,
    writes=True,
)
def update_schedule_event(ctx: ToolContext, data: dict) -> dict:
    event = _event_for(ctx, data["event_id"])
    changes = _changes(ctx, event, data)
    if not changes:
        raise Refusal(f"{event.title} already looks like that. What should change?")
    start, end = changes.get("start", event.start), changes.get("end", event.end)
    title = changes.get("title", event.title)
    renamed, moved = "title" in changes, "start" in changes or "end" in changes

    def what(span: str) -> str:
        words = f"rename '{event.title}' to '{title}'" if renamed else f"move '{event.title}'"
        return words + ((" and move it" if renamed else "") + f" to {span}" if moved else "")

    when = speech.span(start, end, ctx.tz, now=ctx.now)
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.UPDATE,
        event=event,
        tool_call=ctx.tool_call,
        data=changes,
        summary=_sentence_case(what(speech.span(start, end, ctx.tz))),
    )
    ask = f"I'll {what(when).replace(chr(39), '')}."
    return _proposed(ctx, proposal, done=f"Done: {title} is now {when}.", ask=ask)


def _changes(ctx: ToolContext, event: Event, data: dict) -> dict:
    """What the update changes: the said fields (a new start alone keeps the length), minus
    those already so — a "move" to where it is must not become an empty proposal."""
    said = {}
    if data["title"].strip():
        said["title"] = data["title"].strip()
    if data["start_time"].strip():
        said["start"] = _parse_when(ctx, data["start_time"], "new start")
    if data["end_time"].strip():
        said["end"] = _parse_when(ctx, data["end_time"], "new end")
    said = schedule_services.event_changes_resolved(event, said)
    if said.get("end", event.end) <= said.get("start", event.start):
        raise Refusal(
            "The end must be after the start. What are the new times?",
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
    event = _event_for(ctx, data["event_id"])
    if event.status == Event.Status.CANCELLED:
        raise Refusal(f"{event.title} is already cancelled.")
    when = speech.describe(event.start, tz=ctx.tz, now=ctx.now)
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.CANCEL,
        event=event,
        tool_call=ctx.tool_call,
        data={},
        summary=f"Cancel '{event.title}' ({speech.describe(event.start, tz=ctx.tz)})",
    )
    done, ask = f"Cancelled {event.title} ({when}).", f"I'll cancel {event.title}, {when}."
    return _proposed(ctx, proposal, done=done, ask=ask)


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
