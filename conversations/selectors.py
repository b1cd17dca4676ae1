from django.db.models import QuerySet
from django.http import Http404

from conversations.models import Conversation


def conversation_list_for_user(*, user) -> QuerySet[Conversation]:
    """The user's conversations, newest first, with their persona."""
    return (
        Conversation.objects.filter(user=user)
        .select_related("persona")
        .order_by("-created_at", "-id")
    )


def conversation_get_for_user(*, user, conversation_id) -> Conversation:
    """One of the user's conversations; anyone else's (or none) is a 404."""
    try:
        return Conversation.objects.select_related("persona").get(
            user=user, pk=int(conversation_id)
        )
    except (Conversation.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such conversation.") from None


def conversation_live_for_user(*, user) -> Conversation | None:
    """The user's live (starting or active) conversation, if any."""
    return conversation_list_for_user(user=user).filter(status__in=("starting", "active")).first()


def proposal_get_for_conversation(*, conversation, proposal_id):
    """One proposal of this (already user-scoped) conversation; any other is a 404."""
    from conversations.models import Proposal

    try:
        return Proposal.objects.get(conversation=conversation, pk=int(proposal_id))
    except (Proposal.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such change.") from None
