"""A person's click on a proposal card, answered like the matching tool would answer."""

from conversations import proposals
from conversations.models import Proposal


def proposal_decide(*, proposal: Proposal, action: str) -> dict:
    """Confirms, discards or undoes one proposal; answers {ok, say, change_id, state, proposal}."""
    tz = proposal.conversation.user.tz
    try:
        if action == "confirm":
            proposal = proposals.proposal_confirm(proposal=proposal, utterance="(clicked Confirm)")
            say = f"Done. {proposal.summary}: that's in your schedule now."
        elif action == "discard":
            proposal = proposals.proposal_discard(proposal=proposal)
            say = "Okay, I've dropped that change."
        else:
            proposal = proposals.proposal_undo(proposal=proposal, utterance="(clicked Undo)")
            say = f"Undone: {proposal.summary}."
    except proposals.ProposalError as exc:
        proposal.refresh_from_db()
        return {"ok": False, "say": exc.say, "change_id": proposal.pk, "state": proposal.state}
    return {
        "ok": True,
        "say": say,
        "change_id": proposal.pk,
        "state": proposal.state,
        "proposal": proposals.proposal_view(proposal, tz),
    }
