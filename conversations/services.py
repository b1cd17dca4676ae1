"""A conversation's life on our side: start a call at Tavus, end it. (The sweep that tidies up
after Tavus is conversations.sweep.)"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from conversations import limits, webhooks
from conversations.assistant.proposals import proposals_expire_for_conversation
from conversations.context import conversation_context_build
from conversations.errors import (
    NOT_CONFIGURED,
    ConversationUnavailable,
    tavus_refusal,
)
from conversations.models import LIVE_STATUSES, Conversation
from drako import tavus
from personas import selectors as persona_selectors
from personas import services as persona_services

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StartResult:
    conversation: Conversation
    created: bool


def _callback_url(conversation: Conversation) -> str | None:
    if not settings.DRAKO_PUBLIC_URL:
        return None
    path = reverse("api:tavus-callback", args=[conversation.callback_token])
    return settings.DRAKO_PUBLIC_URL + path


def _greeting(user) -> str | None:
    # custom_greeting is spoken verbatim, so only when we know the language it is written in.
    if user.language != "english":
        return None
    return f"Hi {user.name}! I'm DRAKO. What would you like to do with your schedule?"


def conversation_build_payload(
    *, conversation: Conversation, persona, now: datetime, greet_today: bool = False
) -> dict:
    """The exact body of Tavus's POST /conversations for this conversation; `greet_today`: the
    persona opens with today's plan (the morning summary's link) instead of a set greeting."""
    user = conversation.user
    payload = {"persona_id": persona.tavus_persona_id}
    if persona.default_replica_id:  # never "": Tavus takes it for an id and refuses it
        payload["replica_id"] = persona.default_replica_id
    payload |= {
        # The id leads the name, so a call whose create timed out can be found and ended later.
        "conversation_name": f"DRAKO #{conversation.pk} with {user.name}"[:100],
        "conversational_context": conversation_context_build(
            user=user, now=now, greet_today=greet_today
        ),
        "memory_stores": [f"drako-user-{user.pk}"],
        # A private room: only someone holding the meeting token joins, and only one person
        # besides the replica (docs/tavus.md §5): nobody else with the URL can drive the schedule.
        "require_auth": True,
        "max_participants": 2,
        "properties": {
            **persona.conversation_properties(),
            "language": user.language,
            # Utterance events (captions, and the words stored with each tool call) need it.
            "enable_closed_captions": True,
        },
    }
    if persona.eu_policy:
        payload["policy"] = "eu"
    if not greet_today and (greeting := _greeting(user)):
        payload["custom_greeting"] = greeting
    if callback_url := _callback_url(conversation):
        payload["callback_url"] = callback_url
    if settings.TAVUS_TEST_MODE:
        payload["test_mode"] = True
    return payload


def _claim_slot(*, user, persona) -> StartResult:
    """Creates the 'starting' row, or returns the user's live one (a unique constraint decides)."""
    live = Conversation.objects.filter(
        user=user, status__in=LIVE_STATUSES, is_playground=False
    ).first()
    if live is not None:
        return StartResult(live, created=False)
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                user=user,
                persona=persona,
                writes_need_confirmation=persona.writes_need_confirmation,
                max_call_seconds=persona.conversation_properties().get("max_call_duration", 240),
            )
    except IntegrityError:  # a second click won the race: hand back its conversation
        live = Conversation.objects.get(user=user, status__in=LIVE_STATUSES, is_playground=False)
        return StartResult(live, created=False)
    return StartResult(conversation, created=True)


def conversation_start_for_user(
    *, user, persona_id: int | str | None = None, greet_today: bool = False
) -> StartResult:
    """Starts (or returns) the user's call with the persona they picked, or the default one.

    Every door (the page's button, the API) comes here, so each has the same rate limit.
    """
    limits.per_user_minute(
        scope="conversation-start",
        user_id=user.pk,
        limit=settings.CONVERSATION_START_RATE_LIMIT,
        message="Too many conversations started just now. Wait a minute and try again.",
    )
    if persona_id:
        persona = persona_selectors.persona_get_for_user(user=user, persona_id=persona_id)
    else:
        persona = persona_services.persona_get_default()
    if persona is None:
        raise ConversationUnavailable("No persona is set up yet. An admin needs to create one.")
    return conversation_start(user=user, persona=persona, greet_today=greet_today)


def conversation_start(*, user, persona, greet_today: bool = False) -> StartResult:
    """Starts a call at Tavus, or returns the user's live one; a refusal leaves a failed record."""
    if not tavus.is_configured():
        raise ConversationUnavailable(NOT_CONFIGURED)
    if not persona.tavus_persona_id:
        raise ConversationUnavailable(
            f"The persona '{persona.name}' has not been synced to Tavus yet. An admin can sync it."
        )
    claim = _claim_slot(user=user, persona=persona)
    if not claim.created:
        return claim
    conversation = claim.conversation
    now = timezone.now()
    payload = conversation_build_payload(
        conversation=conversation, persona=persona, now=now, greet_today=greet_today
    )
    conversation.context_sent = payload["conversational_context"]
    conversation.request_payload = {k: v for k, v in payload.items() if k != "callback_url"}
    conversation.test_mode = bool(payload.get("test_mode"))
    # The call to Tavus happens outside any transaction: nothing is locked while it is slow.
    try:
        info = tavus.create_conversation(payload=payload)
    except tavus.TavusBusy as exc:
        # Nothing was sent (every slot waits on a slow Tavus): no call exists anywhere, so no
        # record is left behind either, and the person may simply try again.
        conversation.delete()
        raise tavus_refusal(exc) from exc
    except tavus.TavusError as exc:
        refusal = tavus_refusal(exc)
        conversation.status = Conversation.Status.FAILED
        # The record says why in the words the person was shown (Tavus's own words, an
        # "HTTP 504" among them, are in the log): a reload must not read differently.
        conversation.failure_reason = refusal.message
        conversation.ended_at = timezone.now()
        # No answer is not a no: Tavus may have created (and be billing) it. The sweep checks.
        conversation.tavus_outcome_unknown = isinstance(exc, tavus.TavusUnavailable)
        conversation.save()
        raise refusal from exc
    conversation.tavus_conversation_id = info.conversation_id
    conversation.conversation_url = info.conversation_url
    conversation.meeting_token = info.meeting_token or ""
    conversation.tool_delivery = persona.tool_delivery
    conversation.started_at = now
    ended_meanwhile = _refresh_status(conversation)
    conversation.advance(
        Conversation.Status.ENDED if info.status == "ended" else Conversation.Status.ACTIVE
    )
    if conversation.status == Conversation.Status.ENDED:
        conversation.ended_at = conversation.ended_at or now
    # Only what this function owns: a webhook (replica_joined) may have landed meanwhile.
    conversation.save(
        update_fields=[
            "tavus_conversation_id",
            "conversation_url",
            "meeting_token",
            "tool_delivery",
            "started_at",
            "status",
            "ended_at",
            "context_sent",
            "request_payload",
            "test_mode",
        ]
    )
    # Webhooks Tavus sent before its create answer reached us were kept: apply them now.
    if webhooks.events_apply_pending(conversation_id=conversation.pk):
        _refresh_status(conversation)
    if ended_meanwhile:  # the user hung up while Tavus was still creating the call
        _end_at_tavus(info.conversation_id)
    return claim


def _refresh_status(conversation: Conversation) -> bool:
    """Takes the status saved meanwhile (an end request may have landed); True if it ended."""
    saved = (
        Conversation.objects.filter(pk=conversation.pk)
        .values("status", "ended_at", "shutdown_reason")
        .get()
    )
    conversation.status = saved["status"]
    conversation.ended_at = saved["ended_at"]
    conversation.shutdown_reason = saved["shutdown_reason"]
    return saved["status"] not in LIVE_STATUSES


def conversation_end(
    *, conversation: Conversation, reason: str = Conversation.ENDED_BY_USER
) -> Conversation:
    """Ends the call here and at Tavus; ending an ended conversation changes nothing."""
    if not conversation.is_live:
        return conversation
    if conversation.tavus_conversation_id:
        _end_at_tavus(conversation.tavus_conversation_id)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if conversation.advance(Conversation.Status.ENDED):
            conversation.ended_at = min(filter(None, [conversation.ended_at, timezone.now()]))
            conversation.shutdown_reason = conversation.shutdown_reason or reason
            conversation.save()
        proposals_expire_for_conversation(conversation=conversation)
    return conversation


def _end_at_tavus(conversation_id: str) -> None:
    try:
        tavus.end_conversation(conversation_id=conversation_id)
    except tavus.TavusError as exc:
        raise tavus_refusal(exc) from exc
