"""One decision path: confirm, discard or undo a proposed change, whoever asks.

The LLM's confirm_change / discard_change / undo_last_change, a click on the live page's card
and the record page's Undo all end here (clicks arrive as tool calls made Via.PAGE), so each is
decided by the same rules and answered in the same shape (conversations.assistant.answers).
"""

from conversations.assistant import answers, proposals
from conversations.assistant.answers import Refusal
from conversations.assistant.context import ToolContext
from conversations.models import Proposal

CONFIRM, DISCARD, UNDO = "confirm", "discard", "undo"


def decision_make(ctx: ToolContext, *, action: str, change_id: int = 0) -> dict:
    """Decides one proposal (`change_id`, or 0 for the one the person most likely means)."""
    proposal = _find(ctx, action, change_id)
    try:
        proposal = _DECIDE[action](proposal, ctx.utterance)
    except proposals.ProposalError as refusal:
        return answers.about(
            proposal, ok=False, say=refusal.say, hint=refusal.hint, tz=ctx.tz, now=ctx.now
        )
    return answers.about(proposal, ok=True, say=_done(action, proposal), tz=ctx.tz, now=ctx.now)


def _find(ctx: ToolContext, action: str, change_id: int) -> Proposal:
    """The proposal to decide, its row locked for this call, with the caller's conversation."""
    mine = proposals.proposals_locked().filter(conversation=ctx.conversation)
    if change_id:
        proposal = mine.filter(pk=change_id).first()
    elif action == UNDO:
        # When another undo holds the last change's row, PostgreSQL waits, re-checks it (undone
        # now), skips it and locks the change before it: two undos undo the last two changes.
        proposal = (
            mine.filter(state=Proposal.State.APPLIED, change__isnull=False)
            .order_by("-decided_at", "-id")
            .first()
        )
    else:
        proposal = mine.filter(state=Proposal.State.PROPOSED).order_by("-created_at", "-id").first()
    if proposal is None:
        raise _nothing(action, change_id)
    proposal.conversation = ctx.conversation  # with its user, loaded by the caller
    return proposal


def _nothing(action: str, change_id: int) -> Refusal:
    if change_id:
        return Refusal(
            "I can't find that change.",
            hint=f"No change {change_id} in this conversation. Use a change_id from a tool answer.",
        )
    if action == UNDO:
        return Refusal("I haven't changed anything in this conversation yet.")
    return Refusal(
        "There's no change waiting for a yes.",
        hint="Nothing is pending. Propose the change with a write tool first.",
    )


def _confirm(proposal: Proposal, utterance: str) -> Proposal:
    return proposals.proposal_confirm(proposal=proposal, utterance=utterance)


def _discard(proposal: Proposal, utterance: str) -> Proposal:
    return proposals.proposal_discard(proposal=proposal)


def _undo(proposal: Proposal, utterance: str) -> Proposal:
    return proposals.proposal_undo(proposal=proposal, utterance=utterance)


_DECIDE = {CONFIRM: _confirm, DISCARD: _discard, UNDO: _undo}


def _done(action: str, proposal: Proposal) -> str:
    if action == CONFIRM:
        return f"Done. {proposal.summary}: that's in your schedule now."
    if action == DISCARD:
        return "Okay, I've dropped that change."
    return f"Undone: {proposal.summary}."
