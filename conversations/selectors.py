from django.db.models import QuerySet
from django.http import Http404

from accounts.models import api_key_digest
from conversations import hotpath
from conversations.models import LIVE_STATUSES, Conversation, Proposal


def conversation_list_for_user(*, user) -> QuerySet[Conversation]:
    """The user's conversations, newest first, with their persona."""
    return (
        Conversation.objects.filter(user=user)
        .select_related("persona")
        .order_by("-created_at", "-id")
    )


def conversation_get_for_user(*, user, conversation_id) -> Conversation:
    """One of the user's conversations (user and persona joined); anyone else's is a 404."""
    try:
        # The user comes in the same query: tools read conversation.user (zone, hours) on
        # every call, and a lazy load would be one more query each time.
        return Conversation.objects.select_related("persona", "user").get(
            user=user, pk=int(conversation_id)
        )
    except (Conversation.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such conversation.") from None


def conversations_for_tool_calls() -> QuerySet[Conversation]:
    """Conversations as a tool call needs them: with their user, without persona or record."""
    return Conversation.objects.select_related("user").defer(*hotpath.NOT_FOR_TOOLS)


def conversation_for_tool_call(*, user, conversation_id) -> Conversation:
    """One of the user's conversations as a tool call needs it: with its user, without its
    persona or its record (a tool call runs on every turn; those are read by pages)."""
    found = hotpath.conversation_of_user(user=user, conversation_id=conversation_id)
    if found is None:
        raise Http404("No such conversation.")
    return found


def conversation_for_tool_call_by_token(*, token_key: str, conversation_id) -> Conversation | None:
    """The conversation, with its user, if `token_key` is its active owner's API token."""
    return hotpath.conversation_by_token(
        digest=api_key_digest(token_key), conversation_id=conversation_id
    )


def conversation_live_for_user(*, user) -> Conversation | None:
    """The user's live (starting or active) conversation, if any."""
    live = conversation_list_for_user(user=user).filter(status__in=LIVE_STATUSES)
    return live.filter(is_playground=False).first()


def proposal_get_for_conversation(*, conversation, proposal_id):
    """One proposal of this (already user-scoped) conversation; any other is a 404."""
    try:
        return Proposal.objects.get(conversation=conversation, pk=int(proposal_id))
    except (Proposal.DoesNotExist, TypeError, ValueError, OverflowError):
        raise Http404("No such change.") from None


def tool_call_list_for_conversation(*, conversation) -> list:
    """Every tool call of an (already user-scoped) conversation, in order."""
    return list(conversation.tool_calls.order_by("created_at", "id")[:500])


def proposal_list_for_conversation(*, conversation) -> list:
    """Every change the assistant proposed in this conversation, in order."""
    return list(conversation.proposals.order_by("created_at", "id")[:500])
