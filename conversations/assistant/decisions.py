"""One decision path: confirm, discard or undo a proposed change, whoever asks.

The LLM's confirm_change / discard_change / undo_last_change, a click on the live page's card
and the record page's Undo all end here (clicks arrive as tool calls made Via.PAGE), so each is
decided by the same rules and answered in the same shape (conversations.assistant.answers).
"""

from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from conversations.assistant import answers, proposals
from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from conversations.models import Proposal
from schedules import recurrence, speech
from schedules import services as schedule_services
from schedules.models import Event

CONFIRM, DISCARD, UNDO = "confirm", "discard", "undo"


def decision_make(ctx: ToolContext, *, action: str, change_id: int = 0) -> dict:
    """Decides one proposal (`change_id`, or 0 for the one the person most likely means)."""
    proposal = _find(ctx, action, change_id)  # the owner's row locked with it
    try:
        with schedule_services.owner_locked_by_caller(ctx.user.pk):
            proposal = _DECIDE[action](proposal, ctx.utterance)
    except proposals.ProposalError as refusal:
        return answers.about(
            proposal, ok=False, say=refusal.say, hint=refusal.hint, tz=ctx.tz, now=ctx.now
        )
    return answers.about(
        proposal, ok=True, say=_done(action, proposal, ctx), tz=ctx.tz, now=ctx.now
    )


def _find(ctx: ToolContext, action: str, change_id: int) -> Proposal:
    """The proposal to decide, its row locked for this call, with the caller's conversation."""
    if change_id:
        proposal = proposals.proposal_locked(
            conversation_id=ctx.conversation.pk, proposal_id=change_id
        )
    elif action == UNDO:
        # When another undo holds the last change's row, PostgreSQL waits, re-checks it (undone
        # now), skips it and locks the change before it: two undos undo the last two changes.
        proposal = proposals.proposal_locked_last_applied(conversation_id=ctx.conversation.pk)
    else:
        # "Yes" (or "no") without an id is about what was last proposed: the proposal of this
        # conversation's latest proposing call, and no older one that might still be pending.
        proposal = proposals.proposal_locked_of_latest_call(conversation_id=ctx.conversation.pk)
    if proposal is None:
        raise _nothing(action, change_id)
    proposal.conversation = ctx.conversation  # with its user, loaded by the caller
    return proposal


def _nothing(action: str, change_id: int) -> Refusal:
    if change_id:
        return Refusal(
            _("I can't find that change. Which one do you mean?"),
            hint=f"No change {change_id} in this conversation. Use a change_id from a tool answer.",
        )
    if action == UNDO:
        return Refusal(
            _("I haven't changed anything in this conversation yet. What would you like to change?")
        )
    return Refusal(
        _("There's no change waiting for a yes. What would you like to change?"),
        hint="Nothing is pending. Propose the change with a write tool first.",
    )


def _confirm(proposal: Proposal, utterance: str) -> Proposal:
    return proposals.proposal_confirm(proposal=proposal, utterance=utterance)


def _discard(proposal: Proposal, utterance: str) -> Proposal:
    return proposals.proposal_discard(proposal=proposal)


def _undo(proposal: Proposal, utterance: str) -> Proposal:
    return proposals.proposal_undo(proposal=proposal, utterance=utterance)


_DECIDE = {CONFIRM: _confirm, DISCARD: _discard, UNDO: _undo}


def _done(action: str, proposal: Proposal, ctx: ToolContext) -> str:
    """What the schedule looks like now, said as a person would: the state, not the request."""
    said = {"title": (proposal.before or proposal.data).get("title", "")}
    if action == DISCARD:
        return _("Okay, I've dropped that change. Nothing moved.")
    if action == CONFIRM and proposal.data.get("occurrences"):
        return _("Done: %(change)s.") % {"change": proposal.summary}
    if action == CONFIRM and proposal.kind == Proposal.Kind.CANCEL:
        return _("Done: %(title)s is cancelled.") % said
    if action == UNDO and proposal.kind == Proposal.Kind.CREATE:
        return _("Undone: %(title)s is off your schedule again.") % said
    event = _event_now(proposal, ctx)
    if event is None:
        return (_("Done: %(title)s.") if action == CONFIRM else _("Undone: %(title)s.")) % said
    said = {"title": event.title, "when": _when(event, ctx)}
    if action == CONFIRM and proposal.kind == Proposal.Kind.CREATE:
        return _("Done: %(title)s is on %(when)s.") % said
    if action == CONFIRM:
        return _("Done: %(title)s is now %(when)s.") % said
    if event.status == Event.Status.CANCELLED:
        return _("Undone: %(title)s is cancelled again.") % said
    return _("Undone: %(title)s is back on %(when)s.") % said


def _event_now(proposal: Proposal, ctx: ToolContext) -> Event | None:
    """The event as the decision left it (a confirm hands it over; an undo changed it since)."""
    if Proposal.event.is_cached(proposal) and proposal.event is not None:
        return proposal.event
    return Event.objects.filter(pk=proposal.event_id, owner_id=ctx.user.pk).first()


def _when(event: Event, ctx: ToolContext) -> str:
    if event.recurrence:  # a series is said by how it repeats, not by its first day
        zone = ZoneInfo(event.time_zone)
        said = {"repeats": recurrence.rule_words(event.recurrence, event.start, zone),
                "clock": speech.clock_span(event.start, event.end, ctx.tz)}  # fmt: skip
        return _("%(repeats)s, %(clock)s") % said
    if event.all_day:
        day = speech.describe_day(event.start, tz=ctx.tz, now=ctx.now)
        return _("%(days)s, all day") % {"days": day}
    return speech.spoken_span(event.start, event.end, ctx.tz, now=ctx.now)
