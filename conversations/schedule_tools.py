"""The tools DRAKO's persona can call. Each is thin: validate, call a schedules service, answer.

Answers are for a voice: `say` is one or two short sentences with weekday and date read back in
the user's zone; errors say what to do next. Write tools answer with `change_id` and `state`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.http import Http404
from rest_framework import serializers

from conversations import proposals
from conversations.models import Conversation, Proposal, ToolCall
from conversations.proposals import spoken
from conversations.tools import tool
from schedules import selectors as schedule_selectors
from schedules import services as schedule_services
from schedules import timeparse
from schedules.models import LOCATION_MAX, NOTES_MAX, TITLE_MAX, Event
from schedules.timeparse import describe

MAX_LISTED = 12
MAX_SLOTS = 5


@dataclass(frozen=True)
class ToolContext:
    conversation: Conversation
    now: datetime
    utterance: str = ""
    tool_call: ToolCall | None = None

    @property
    def user(self):
        return self.conversation.user

    @property
    def tz(self):
        return self.conversation.user.tz

    @property
    def actor(self) -> proposals.Actor:
        return proposals.Actor(self.conversation, self.utterance)


class ToolInputError(Exception):
    """The arguments can't be used; `say` tells the LLM what to do instead."""

    def __init__(self, say: str):
        super().__init__(say)
        self.say = say


def _when(ctx: ToolContext, text: str, what: str) -> datetime:
    try:
        return timeparse.parse_datetime(text, tz=ctx.tz, now=ctx.now)
    except timeparse.TimeParseError as exc:
        raise ToolInputError(f"For the {what}: {exc.message}") from None


def _event(ctx: ToolContext, event_id) -> Event:
    try:
        return schedule_selectors.event_get_for_user(user=ctx.user, event_id=event_id)
    except Http404:
        raise ToolInputError(
            f"There's no event with id {event_id}. Call list_schedule_events to find the right one."
        ) from None


def _clock(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def _span(start: datetime, end: datetime, tz, *, relative: bool = True) -> str:
    """'tomorrow, Friday, March 6 at 3:00 PM until 4:00 PM' (the end date too when it differs).

    Stored summaries use relative=False ('Friday, March 6, 2026 at …'): 'tomorrow' goes stale.
    """
    name = spoken if relative else (lambda moment, zone: describe(moment, tz=zone))
    same_day = start.astimezone(tz).date() == end.astimezone(tz).date()
    until = _clock(end, tz) if same_day else name(end, tz)
    return f"{name(start, tz)} until {until}"


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
            "when": _span(a, b, ctx.tz),
        }
        for a, b in schedule_services.event_alternatives(probe)
    ]


def _write_answer(ctx: ToolContext, proposal: Proposal, *, done: str, ask: str) -> dict:
    """Proposes, or applies at once when this conversation's persona doesn't ask first."""
    alternatives = _alternatives(ctx, proposal)
    warning = (
        f" Heads up: it overlaps {', '.join(proposal.conflicts)}." if proposal.conflicts else ""
    )
    if alternatives:
        warning += f" {alternatives[0]['when']} is free instead."
    if ctx.conversation.writes_need_confirmation:
        answer = _result(True, f"{ask}{warning} Shall I go ahead?", proposal, ctx)
        return {**answer, "alternatives": alternatives} if alternatives else answer
    try:
        proposal = proposals.proposal_confirm(proposal=proposal, utterance=ctx.utterance)
    except proposals.ProposalError as exc:
        return {"ok": False, "say": exc.say, "change_id": proposal.pk}
    return _result(True, done + warning, proposal, ctx)


def _result(ok: bool, say: str, proposal: Proposal, ctx: ToolContext) -> dict:
    # The interface's states are "proposed" and "applied"; an undo is an applied revert.
    undone = proposal.state == Proposal.State.UNDONE
    answer = {
        "ok": ok,
        "say": say,
        "change_id": proposal.pk,
        "state": "proposed" if proposal.state == Proposal.State.PROPOSED else "applied",
        "proposal": proposals.proposal_view(proposal, ctx.tz),
    }
    return {**answer, "undone": True} if undone else answer


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
    start = _when(ctx, data["start_time"], "start")
    end = (
        _when(ctx, data["end_time"], "end")
        if data["end_time"].strip()
        else start + timedelta(hours=1)
    )
    if end <= start:
        raise ToolInputError("The end must be after the start. Ask the user how long it lasts.")
    title = data["title"].strip()
    when = _span(start, end, ctx.tz)
    dated = _span(start, end, ctx.tz, relative=False)
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
    return _write_answer(
        ctx, proposal, done=f"Added {title} for {when}.", ask=f"I'll add {title} for {when}."
    )


class ListInput(serializers.Serializer):
    when = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@tool(
    description=(
        "List the user's events for a day or a range, in their own time zone: 'today', 'tomorrow', "
        "'Friday', 'next week', '2026-03-06', or '2026-03-06 to 2026-03-08'. Empty means today. "
        "Use the ids it returns with the other tools."
    ),
    parameters={
        "type": "object",
        "properties": {
            "when": {"type": "string", "description": "The day or range; empty for today"}
        },
    },
    serializer_class=ListInput,
)
def list_schedule_events(ctx: ToolContext, data: dict) -> dict:
    text = data["when"].strip() or "today"
    try:
        start, end = timeparse.parse_range(text, tz=ctx.tz, now=ctx.now)
    except timeparse.TimeParseError as exc:
        raise ToolInputError(exc.message) from None
    events = list(
        schedule_selectors.event_list_for_user(user=ctx.user, start=start, end=end)[
            : MAX_LISTED + 1
        ]
    )
    label = text if (end - start) > timedelta(days=1) else spoken(start, ctx.tz).split(" at ")[0]
    listed = [_event_out(e, ctx.tz) for e in events[:MAX_LISTED]]
    if not events:
        return {"ok": True, "say": f"Nothing is scheduled for {label}.", "events": []}
    names = "; ".join(f"{e.title} at {_clock(e.start, ctx.tz)}" for e in events[:4])
    truncated = len(events) > MAX_LISTED
    if truncated:
        say = f"For {label} you have more than {MAX_LISTED} events, starting with {names}."
    else:
        more = f", and {len(events) - 4} more" if len(events) > 4 else ""
        plural = "s" if len(events) != 1 else ""
        say = f"For {label} you have {len(events)} event{plural}: {names}{more}."
    return {"ok": True, "say": say, "events": listed, "truncated": truncated}


def _event_out(event: Event, tz) -> dict:
    return {
        "id": event.pk,
        "title": event.title,
        "start": event.start.astimezone(tz).isoformat(),
        "end": event.end.astimezone(tz).isoformat(),
        "location": event.location,
        "when": spoken(event.start, tz),
    }


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
    event = _event(ctx, data["event_id"])
    changes = {}
    if data["title"].strip() and data["title"].strip() != event.title:
        changes["title"] = data["title"].strip()
    if data["start_time"].strip():
        changes["start"] = _when(ctx, data["start_time"], "new start")
        changes["end"] = schedule_services.moved_end(event, changes["start"])
    if data["end_time"].strip():
        changes["end"] = _when(ctx, data["end_time"], "new end")
    # A "move" to where it already is changes nothing, and must not become an empty proposal.
    changes = {field: value for field, value in changes.items() if getattr(event, field) != value}
    start, end = changes.get("start", event.start), changes.get("end", event.end)
    if end <= start:
        raise ToolInputError("The end must be after the start. Ask the user for the new times.")
    if not changes:
        return {"ok": False, "say": f"{event.title} already looks like that. What should change?"}
    title = changes.get("title", event.title)
    when = _span(start, end, ctx.tz)
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
        summary=_sentence_case(what(_span(start, end, ctx.tz, relative=False))),
    )
    ask = f"I'll {what(when).replace(chr(39), '')}"
    return _write_answer(ctx, proposal, done=f"Done: {title} is now {when}.", ask=ask + ".")


def _sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


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
    event = _event(ctx, data["event_id"])
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
    return _write_answer(
        ctx,
        proposal,
        done=f"Cancelled {event.title} ({when}).",
        ask=f"I'll cancel {event.title}, {when}.",
    )


class FreeSlotsInput(serializers.Serializer):
    duration_minutes = serializers.CharField(max_length=50)
    when = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@tool(
    description=(
        "Find free time of a given length within the user's working hours, in a day or range "
        "('tomorrow', 'this week', 'Friday'); empty means the next 7 days."
    ),
    parameters={
        "type": "object",
        "properties": {
            "duration_minutes": {"type": "string", "description": "Length, e.g. '30' or 'an hour'"},
            "when": {
                "type": "string",
                "description": "Day or range to search; empty for the next 7 days",
            },
        },
    },
    serializer_class=FreeSlotsInput,
)
def find_free_slots(ctx: ToolContext, data: dict) -> dict:
    try:
        length = timeparse.parse_duration(data["duration_minutes"])
        if data["when"].strip():
            start, end = timeparse.parse_range(data["when"], tz=ctx.tz, now=ctx.now)
        else:
            start, end = ctx.now, ctx.now + timedelta(days=7)
    except timeparse.TimeParseError as exc:
        raise ToolInputError(exc.message) from None
    slots = schedule_selectors.free_slots_for_user(
        user=ctx.user, start=start, end=end, duration=length, now=ctx.now
    )
    if not slots:
        return {
            "ok": True,
            "say": "I found no free time of that length then. Try another day?",
            "slots": [],
        }
    out = [
        {
            "start": s.start.astimezone(ctx.tz).isoformat(),
            "end": s.end.astimezone(ctx.tz).isoformat(),
            "when": _span(s.start, s.end, ctx.tz),
        }
        for s in slots[:MAX_SLOTS]
    ]
    spoken = "; or ".join(o["when"] for o in out[:3])
    return {"ok": True, "say": f"You're free {spoken}.", "slots": out}


class ConfirmInput(serializers.Serializer):
    change_id = serializers.IntegerField(min_value=0, required=False, default=0)


def _proposal(ctx: ToolContext, change_id: int, *states) -> Proposal:
    mine = Proposal.objects.filter(conversation=ctx.conversation)
    if change_id:
        proposal = mine.filter(pk=change_id).first()
    else:
        proposal = mine.filter(state__in=states).order_by("-created_at", "-id").first()
    if proposal is None:
        raise ToolInputError("There's no pending change to confirm. Propose one first.")
    return proposal


@tool(
    description=(
        "Commit a change you proposed, after the user said yes. Pass its change_id (0 for the "
        "latest proposal)."
    ),
    parameters={
        "type": "object",
        "properties": {
            "change_id": {
                "type": "integer",
                "description": "The change_id to commit; 0 for the latest",
            }
        },
    },
    serializer_class=ConfirmInput,
    writes=True,
)
def confirm_change(ctx: ToolContext, data: dict) -> dict:
    proposal = _proposal(ctx, data["change_id"], Proposal.State.PROPOSED)
    try:
        proposal = proposals.proposal_confirm(proposal=proposal, utterance=ctx.utterance)
    except proposals.ProposalError as exc:
        return {"ok": False, "say": exc.say, "change_id": proposal.pk}
    return _result(True, f"Done. {proposal.summary}: that's in your schedule now.", proposal, ctx)


@tool(
    description="Revert the last change made in this conversation, when the user asks to undo.",
    parameters={"type": "object", "properties": {}},
    serializer_class=serializers.Serializer,
    writes=True,
)
def undo_last_change(ctx: ToolContext, data: dict) -> dict:
    proposal = (
        Proposal.objects.filter(
            conversation=ctx.conversation, state=Proposal.State.APPLIED, change__isnull=False
        )
        .order_by("-decided_at", "-id")
        .first()
    )
    if proposal is None:
        return {"ok": False, "say": "I haven't changed anything in this conversation yet."}
    try:
        proposals.proposal_undo(proposal=proposal, utterance=ctx.utterance)
    except proposals.ProposalError as exc:
        return {"ok": False, "say": exc.say, "change_id": proposal.pk}
    proposal.refresh_from_db()
    return _result(True, f"Undone: {proposal.summary}.", proposal, ctx)
