"""What every schedule tool shares: its context, input errors, and how answers are spoken."""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404
from django.utils import timezone

from conversations import proposals
from conversations.models import Conversation, Proposal, ToolCall
from schedules import selectors as schedule_selectors
from schedules import services as schedule_services
from schedules import speech, timeparse
from schedules.models import Event

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


def parse_when(ctx: ToolContext, text: str, what: str) -> datetime:
    try:
        return timeparse.parse_datetime(text, tz=ctx.tz, now=ctx.now)
    except timeparse.TimeParseError as exc:
        raise ToolInputError(f"For the {what}: {exc.message}") from None


def event_for(ctx: ToolContext, event_id) -> Event:
    try:
        return schedule_selectors.event_get_for_user(user=ctx.user, event_id=event_id)
    except Http404:
        raise ToolInputError(
            f"There's no event with id {event_id}. Call list_schedule_events to find the right one."
        ) from None


def clock(moment: datetime, tz) -> str:
    return speech.clock(moment.astimezone(tz))


def span(start: datetime, end: datetime, tz, *, relative: bool = True) -> str:
    return speech.span(start, end, tz, now=timezone.now() if relative else None)


def free_alternatives(ctx: ToolContext, proposal: Proposal) -> list[dict]:
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
            "when": span(a, b, ctx.tz),
        }
        for a, b in schedule_services.event_alternatives(probe)
    ]


def write_answer(ctx: ToolContext, proposal: Proposal, *, done: str, ask: str) -> dict:
    """Proposes, or applies at once when this conversation's persona doesn't ask first."""
    alternatives = free_alternatives(ctx, proposal)
    warning = (
        f" Heads up: it overlaps {', '.join(proposal.conflicts)}." if proposal.conflicts else ""
    )
    if alternatives:
        warning += f" {alternatives[0]['when']} is free instead."
    if ctx.conversation.writes_need_confirmation:
        answer = result_for(True, f"{ask}{warning} Shall I go ahead?", proposal, ctx)
        return {**answer, "alternatives": alternatives} if alternatives else answer
    try:
        # Created in this transaction, so no one else can see it yet, let alone lock it.
        proposal = proposals.proposal_confirm(
            proposal=proposal, utterance=ctx.utterance, locked=True
        )
    except proposals.ProposalError as exc:
        return {"ok": False, "say": exc.say, "change_id": proposal.pk}
    return result_for(True, done + warning, proposal, ctx)


def result_for(ok: bool, say: str, proposal: Proposal, ctx: ToolContext) -> dict:
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


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]
