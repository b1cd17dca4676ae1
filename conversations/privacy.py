"""A user's conversations when they leave or take their data: erased at Tavus, or exported."""

import logging
from dataclasses import dataclass, field

from django.db.models import Prefetch

from conversations.models import LIVE_STATUSES, Conversation, Proposal, ToolCall
from drako import tavus

logger = logging.getLogger(__name__)

# Failures that would repeat for every other conversation: stop asking after the first.
_TAVUS_DOWN = (tavus.TavusNotConfigured, tavus.TavusAuthFailed, tavus.TavusUnavailable)


@dataclass
class Erasure:
    """What Tavus erased, and what it could not erase (with the reason, in words)."""

    erased: int = 0
    not_erased: list[str] = field(default_factory=list)  # Tavus conversation ids
    reason: str = ""

    @property
    def complete(self) -> bool:
        return not self.not_erased


def _erase_one(tavus_id: str, *, live: bool) -> None:
    try:
        if live:  # a running call would go on (and be billed) after its record is gone
            tavus.end_conversation(conversation_id=tavus_id)
        tavus.delete_conversation(conversation_id=tavus_id, hard=True)
    except tavus.TavusInvalidRequest as error:
        # Tavus answers 400 "Invalid conversation_id" (or 404) for one it no longer has.
        if error.status not in (400, 404):
            raise


def conversations_erase_at_tavus(*, user) -> Erasure:
    """Asks Tavus to hard-delete every conversation of `user` it holds, ending live ones first."""
    pending = list(
        Conversation.objects.filter(user=user, tavus_conversation_id__isnull=False)
        .exclude(tavus_conversation_id="")
        .values_list("tavus_conversation_id", "status")
    )
    erasure = Erasure()
    for index, (tavus_id, status) in enumerate(pending):
        try:
            _erase_one(tavus_id, live=status in LIVE_STATUSES)
        except _TAVUS_DOWN as error:
            erasure.not_erased += [tid for tid, _status in pending[index:]]
            erasure.reason = error.message
            break
        except tavus.TavusError as error:
            erasure.not_erased.append(tavus_id)
            erasure.reason = error.message
        else:
            erasure.erased += 1
    if erasure.not_erased:
        logger.warning(
            "tavus erasure incomplete user=%s not_erased=%s reason=%s",
            user.pk,
            ",".join(erasure.not_erased),
            erasure.reason,
        )
    return erasure


def _tool_call(call) -> dict:
    return {
        "name": call.name,
        "arguments": call.arguments,
        "tool_call_id": call.tool_call_id,
        "via": call.via,
        "utterance": call.utterance,
        "result": call.result,
        "created_at": call.created_at,
    }


def _proposal(proposal) -> dict:
    return {
        "id": proposal.pk,
        "kind": proposal.kind,
        "state": proposal.state,
        "summary": proposal.summary,
        "before": proposal.before,
        "data": proposal.data,
        "created_at": proposal.created_at,
        "decided_at": proposal.decided_at,
    }


def conversations_export(*, user) -> list[dict]:
    """Every conversation of `user`, with its transcript, tool calls and proposals."""
    conversations = (
        Conversation.objects.filter(user=user)
        .select_related("persona")
        .prefetch_related(
            Prefetch("tool_calls", queryset=ToolCall.objects.order_by("created_at", "pk")),
            Prefetch("proposals", queryset=Proposal.objects.order_by("created_at", "pk")),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": conversation.pk,
            "tavus_conversation_id": conversation.tavus_conversation_id,
            "persona": conversation.persona.name if conversation.persona else None,
            "status": conversation.status,
            "created_at": conversation.created_at,
            "started_at": conversation.started_at,
            "ended_at": conversation.ended_at,
            "shutdown_reason": conversation.shutdown_reason,
            "transcript": conversation.transcript,
            "tool_calls": [_tool_call(c) for c in conversation.tool_calls.all()],
            "proposals": [_proposal(p) for p in conversation.proposals.all()],
        }
        for conversation in conversations
    ]
