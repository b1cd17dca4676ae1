"""A conversation's life on our side: start, end, and the sweep that tidies up after Tavus."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from conversations.context import conversation_context_build
from conversations.models import LIVE_STATUSES, Conversation
from conversations.proposals import proposals_expire_for_conversation
from drako import tavus
from personas import selectors as persona_selectors
from personas import services as persona_services

logger = logging.getLogger(__name__)

STARTING_GRACE = timedelta(minutes=2)
END_GRACE = timedelta(minutes=2)
MAX_TRANSCRIPT_FETCHES = 5


@dataclass(frozen=True)
class StartResult:
    conversation: Conversation
    created: bool


def _advance(conversation: Conversation, status: str) -> bool:
    """Moves the status forward only; says whether it changed."""
    rank = Conversation.RANK
    if rank[status] > rank[conversation.status]:
        conversation.status = status
        return True
    return False


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


def conversation_build_payload(*, conversation: Conversation, persona, now: datetime) -> dict:
    """The exact body of Tavus's POST /conversations for this conversation."""
    user = conversation.user
    payload = {
        "persona_id": persona.tavus_persona_id,
        "replica_id": persona.default_replica_id,
        # The id leads the name, so a call whose create timed out can be found and ended later.
        "conversation_name": f"DRAKO #{conversation.pk} with {user.name}"[:100],
        "conversational_context": conversation_context_build(user=user, now=now),
        "memory_stores": [f"drako-user-{user.pk}"],
        "properties": {**persona.conversation_properties(), "language": user.language},
    }
    if greeting := _greeting(user):
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


def conversation_start_for_user(*, user, persona_id: int | str | None = None) -> StartResult:
    """Starts (or returns) the user's call with the persona they picked, or the default one."""
    if persona_id:
        persona = persona_selectors.persona_get_for_user(user=user, persona_id=persona_id)
    else:
        persona = persona_services.persona_get_default()
    if persona is None:
        raise tavus.TavusNotConfigured("No persona is set up yet. An admin needs to create one.")
    return conversation_start(user=user, persona=persona)


def conversation_start(*, user, persona) -> StartResult:
    """Starts a call at Tavus, or returns the user's live one; a refusal leaves a failed record."""
    if not tavus.is_configured():
        raise tavus.TavusNotConfigured("Conversations are not configured on this server.")
    if not persona.tavus_persona_id:
        raise tavus.TavusNotConfigured(
            f"The persona '{persona.name}' has not been synced to Tavus yet. An admin can sync it."
        )
    claim = _claim_slot(user=user, persona=persona)
    if not claim.created:
        return claim
    conversation = claim.conversation
    now = timezone.now()
    payload = conversation_build_payload(conversation=conversation, persona=persona, now=now)
    conversation.context_sent = payload["conversational_context"]
    conversation.request_payload = {k: v for k, v in payload.items() if k != "callback_url"}
    conversation.test_mode = bool(payload.get("test_mode"))
    # The call to Tavus happens outside any transaction: nothing is locked while it is slow.
    try:
        info = tavus.create_conversation(payload=payload)
    except tavus.TavusError as exc:
        conversation.status = Conversation.Status.FAILED
        conversation.failure_reason = exc.message
        conversation.ended_at = timezone.now()
        # No answer is not a no: Tavus may have created (and be billing) it. The sweep checks.
        conversation.tavus_outcome_unknown = isinstance(exc, tavus.TavusUnavailable)
        conversation.save()
        raise
    conversation.tavus_conversation_id = info.conversation_id
    conversation.conversation_url = info.conversation_url
    conversation.started_at = now
    ended_meanwhile = _refresh_status(conversation)
    _advance(
        conversation,
        Conversation.Status.ENDED if info.status == "ended" else Conversation.Status.ACTIVE,
    )
    if conversation.status == Conversation.Status.ENDED:
        conversation.ended_at = conversation.ended_at or now
    # Only what this function owns: a webhook (replica_joined) may have landed meanwhile.
    conversation.save(
        update_fields=[
            "tavus_conversation_id",
            "conversation_url",
            "started_at",
            "status",
            "ended_at",
            "context_sent",
            "request_payload",
            "test_mode",
        ]
    )
    if ended_meanwhile:  # the user hung up while Tavus was still creating the call
        tavus.end_conversation(conversation_id=info.conversation_id)
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
        tavus.end_conversation(conversation_id=conversation.tavus_conversation_id)
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
        if _advance(conversation, Conversation.Status.ENDED):
            conversation.ended_at = min(filter(None, [conversation.ended_at, timezone.now()]))
            conversation.shutdown_reason = conversation.shutdown_reason or reason
            conversation.save()
        proposals_expire_for_conversation(conversation=conversation)
    return conversation


@dataclass(frozen=True)
class SweepResult:
    ended: int
    failed_starts: int
    transcripts: int
    errors: tuple[str, ...]


def conversation_sweep(*, now: datetime) -> SweepResult:
    """Ends calls left open past their limit, fails stuck starts, fetches missing transcripts."""
    from conversations.webhooks import WebhookError, event_apply  # imports no services: no cycle

    errors: list[str] = []
    stuck = Conversation.objects.filter(
        status=Conversation.Status.STARTING, created_at__lt=now - STARTING_GRACE
    )
    failed_starts = stuck.update(
        status=Conversation.Status.FAILED,
        failure_reason="The call never finished starting.",
        ended_at=now,
    )
    ended = 0
    active = Conversation.objects.filter(status=Conversation.Status.ACTIVE, is_playground=False)
    for conversation in active:
        limit = (conversation.started_at or conversation.created_at) + timedelta(
            seconds=conversation.max_call_seconds
        )
        if now < limit + END_GRACE:
            continue
        try:
            conversation_end(conversation=conversation, reason=Conversation.ENDED_BY_SWEEP)
            ended += 1
        except tavus.TavusError as exc:
            errors.append(f"end {conversation.pk}: {exc.message}")
    transcripts = 0
    missing = Conversation.objects.filter(
        status=Conversation.Status.ENDED,
        transcript=[],
        test_mode=False,
        transcript_fetches__lt=MAX_TRANSCRIPT_FETCHES,
        ended_at__lt=now - END_GRACE,
        ended_at__gt=now - timedelta(days=7),
    ).exclude(tavus_conversation_id=None)
    # The least-asked first, so a few calls that never get a transcript can't starve the rest.
    for conversation in missing.order_by("transcript_fetches", "ended_at")[:50]:
        try:
            info = tavus.get_conversation(
                conversation_id=conversation.tavus_conversation_id, verbose=True
            )
        except tavus.TavusError as exc:
            errors.append(f"transcript {conversation.pk}: {exc.message}")
            continue
        events = [
            e for e in info.events if isinstance(e, dict) and isinstance(e.get("event_type"), str)
        ]
        for event in events:
            try:
                event_apply(conversation=conversation, payload=event)
            except WebhookError as exc:
                errors.append(f"event {conversation.pk}: {exc.message}")
        # Tavus said its last word (even an empty transcript): don't ask again.
        done = any(e["event_type"] == "application.transcription_ready" for e in events)
        Conversation.objects.filter(pk=conversation.pk).update(
            transcript_fetches=MAX_TRANSCRIPT_FETCHES if done else F("transcript_fetches") + 1
        )
        conversation.refresh_from_db(fields=["transcript"])
        transcripts += bool(conversation.transcript)
    ended += _end_orphans(now=now, errors=errors)
    return SweepResult(ended, failed_starts, transcripts, tuple(errors))


def _end_orphans(*, now: datetime, errors: list[str]) -> int:
    """Ends calls Tavus created although our create request got no answer (timeout, 5xx)."""
    unknown = list(Conversation.objects.filter(tavus_outcome_unknown=True))
    if not unknown:
        return 0
    try:
        active = tavus.list_conversations(status="active")
    except tavus.TavusError as exc:
        errors.append(f"orphans: {exc.message}")
        return 0
    ended = 0
    for conversation in unknown:
        prefix = f"DRAKO #{conversation.pk} "
        found = [i for i in active if (i.conversation_name or "").startswith(prefix)]
        for info in found:
            tavus.end_conversation(conversation_id=info.conversation_id)
        ended += len(found)
        # Found and ended, or nothing there after a grace for slow creates: settled either way.
        if found or conversation.created_at < now - STARTING_GRACE:
            Conversation.objects.filter(pk=conversation.pk).update(tavus_outcome_unknown=False)
    return ended
