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
from conversations.assistant.tools import times
from conversations.models import Proposal
from personas.tools import tool
from schedules import selectors as schedule_selectors
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
            "I can't repeat events yet. Shall I add just the first one?",
            hint="Recurring events aren't supported yet; offer to add a single occurrence.",
        )
    title = data["title"].strip()
    start, end = _add_times(ctx, data)
    show_as = Event.ShowAs.FREE if data["all_day"] else Event.ShowAs.BUSY
    summary_when = _when(start, end, ctx, all_day=data["all_day"], relative=False)
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.CREATE,
        tool_call=ctx.tool_call,
        data={"title": title, "start": start, "end": end, "all_day": data["all_day"],
              "show_as": show_as, "location": data["location"], "notes": data["notes"]},
        summary=f"Add '{title}' for {summary_when}",
    )  # fmt: skip
    when = _when(start, end, ctx, all_day=data["all_day"]) + _past(start, ctx)
    return _proposed(
        ctx, proposal, done=f"Added {title} for {when}.", ask=f"I'll add {title} for {when}."
    )


def _add_times(ctx: ToolContext, data: dict) -> tuple[datetime, datetime]:
    if not data["all_day"]:
        start = times.moment(ctx, data["start_time"], "start")
        end = times.end_of(
            ctx, start, end_text=data["end_time"], duration_text=data["duration_minutes"]
        )
        return start, end
    # A whole day: the days named (the last one included); the service rounds to midnights.
    first = times.moment(ctx, data["start_time"], "day", default_hour=0)
    last = first
    if data["end_time"].strip():
        last = times.moment(ctx, data["end_time"], "last day", default_hour=0)
    if last < first:
        raise Refusal("The last day is before the first. Which days do you mean?")
    return first, last + timedelta(hours=1)


def _when(start: datetime, end: datetime, ctx: ToolContext, *, all_day: bool = False,
          relative: bool = True) -> str:  # fmt: skip
    """How a new time is read back; relative ("tomorrow") only where it can't go stale."""
    now = ctx.now if relative else None
    if not all_day:
        return speech.span(start, end, ctx.tz, now=now)
    today = speech.local(now, ctx.tz).date() if now else None
    first, last = speech.local(start, ctx.tz).date(), speech.local(end, ctx.tz).date()
    days = speech.day(first, today) + (f" to {speech.day(last, today)}" if last > first else "")
    return f"{days}, all day"


def _past(start: datetime, ctx: ToolContext) -> str:
    """Says so when the time asked for is already over: a person would."""
    return " (that's in the past)" if start < ctx.now else ""


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
    event = _event_for(ctx, data["event_id"])
    changes = _changes(ctx, event, data)
    if not changes:
        raise Refusal(f"{event.title} already looks like that. What should change?")
    start, end = changes.get("start", event.start), changes.get("end", event.end)
    title = changes.get("title", event.title)
    moved = "start" in changes or "end" in changes

    def what(when: str) -> str:
        # A rename reads back the day and time too: that is how the person knows which one.
        if "title" not in changes:
            return f"move '{event.title}' to {when}"
        return f"rename '{event.title}' to '{title}'" + (f" and move it to {when}" if moved
                                                          else f", {when}")  # fmt: skip

    when = _when(start, end, ctx, all_day=event.all_day) + (_past(start, ctx) if moved else "")
    proposal = proposals.proposal_create(
        conversation=ctx.conversation,
        kind=Proposal.Kind.UPDATE,
        event=event,
        tool_call=ctx.tool_call,
        data=changes,
        summary=_sentence_case(what(_when(start, end, ctx, all_day=event.all_day, relative=False))),
    )
    ask = f"I'll {what(when).replace(chr(39), '')}."
    return _proposed(ctx, proposal, done=f"Done: {title} is now {when}.", ask=ask)


def _changes(ctx: ToolContext, event: Event, data: dict) -> dict:
    """What the update changes: the said fields (a new start alone keeps the length; a new
    length keeps the start), minus those already so — a "move" to where it is must not become
    an empty proposal."""
    said = {}
    if data["title"].strip():
        said["title"] = data["title"].strip()
    if data["start_time"].strip():
        said["start"] = times.moment(ctx, data["start_time"], "new start")
    if data["end_time"].strip():
        said["end"] = times.moment(ctx, data["end_time"], "new end")
    elif data["duration_minutes"].strip():
        said["end"] = said.get("start", event.start) + times.length(data["duration_minutes"])
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
