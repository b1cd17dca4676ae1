"""Tools that decide proposed changes: confirm, and undo the last one."""

from rest_framework import serializers

from conversations import proposals
from conversations.models import Proposal
from conversations.schedule_tools.base import (
    ToolContext,
    ToolInputError,
    result_for,
)
from conversations.tools import tool


class ConfirmInput(serializers.Serializer):
    change_id = serializers.IntegerField(min_value=0, required=False, default=0)


def _proposal_to_confirm(ctx: ToolContext, change_id: int) -> Proposal:
    """The proposal to confirm (the latest pending one for 0), its row locked for this call."""
    mine = proposals.proposals_locked().filter(conversation=ctx.conversation)
    if change_id:
        proposal = mine.filter(pk=change_id).first()
    else:
        proposal = mine.filter(state=Proposal.State.PROPOSED).order_by("-created_at", "-id").first()
    if proposal is None:
        raise ToolInputError("There's no pending change to confirm. Propose one first.")
    proposal.conversation = ctx.conversation  # with its user, loaded by the relay
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
    proposal = _proposal_to_confirm(ctx, data["change_id"])
    try:
        proposal = proposals.proposal_confirm(
            proposal=proposal, utterance=ctx.utterance, locked=True
        )
    except proposals.ProposalError as exc:
        return {"ok": False, "say": exc.say, "change_id": proposal.pk}
    say = f"Done. {proposal.summary}: that's in your schedule now."
    return result_for(True, say, proposal, ctx)


@tool(
    description="Revert the last change made in this conversation, when the user asks to undo.",
    parameters={"type": "object", "properties": {}},
    serializer_class=serializers.Serializer,
    writes=True,
)
def undo_last_change(ctx: ToolContext, data: dict) -> dict:
    # Found and locked in one query. When another undo holds the last change's row, PostgreSQL
    # waits, re-checks it (undone now), skips it and locks the change before it.
    proposal = (
        proposals.proposals_locked()
        .filter(conversation=ctx.conversation, state=Proposal.State.APPLIED, change__isnull=False)
        .order_by("-decided_at", "-id")
        .first()
    )
    if proposal is None:
        return {"ok": False, "say": "I haven't changed anything in this conversation yet."}
    proposal.conversation = ctx.conversation  # with its user, loaded by the relay
    try:
        proposal = proposals.proposal_undo(proposal=proposal, utterance=ctx.utterance, locked=True)
    except proposals.ProposalError as exc:
        return {"ok": False, "say": exc.say, "change_id": proposal.pk}
    return result_for(True, f"Undone: {proposal.summary}.", proposal, ctx)
