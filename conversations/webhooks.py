"""Tavus conversation webhooks: authenticate, store once, apply so that order cannot matter."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime

from conversations.errors import RefusedError
from conversations.models import Conversation, ConversationEvent
from conversations.proposals import proposals_expire_for_conversation
from drako.api_errors import TOO_DEEP, json_problem, json_text_repaired
from drako.durability import commit_without_waiting_for_disk

MAX_BODY_BYTES = 2_000_000


class WebhookError(RefusedError):
    pass


@dataclass(frozen=True)
class WebhookResult:
    event_type: str
    duplicate: bool


def conversation_for_callback_token(token: str) -> Conversation:
    """The conversation a callback token belongs to; the secret is compared in constant time."""
    pk, _, secret = token.partition(".")
    conversation = None
    if pk.isdigit() and len(pk) < 19:
        # Only what authentication needs: the row also holds transcripts and the context sent.
        conversation = (
            Conversation.objects.only("id", "callback_secret", "tavus_conversation_id")
            .filter(pk=int(pk))
            .first()
        )
    expected = conversation.callback_secret if conversation else "x" * 43
    if not hmac.compare_digest(expected.encode(), secret.encode()) or conversation is None:
        raise WebhookError("Unknown callback.", status=404)
    return conversation


def _parse(body: bytes) -> dict:
    if len(body) > MAX_BODY_BYTES:
        raise WebhookError("Payload too large.", status=413)
    try:
        payload = json.loads(body)
    except RecursionError:
        raise WebhookError(TOO_DEEP, status=400) from None
    except (ValueError, UnicodeDecodeError):
        raise WebhookError("The body is not JSON.", status=400) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("event_type"), str):
        raise WebhookError("A Tavus webhook is a JSON object with an event_type.", status=400)
    if not isinstance(payload.get("properties", {}), dict):
        raise WebhookError("properties must be an object.", status=400)
    return payload


def _timestamp(payload: dict) -> datetime | None:
    value = payload.get("timestamp")
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value.replace(" ", "T"))
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # older Tavus timestamps are UTC without an offset
    return moment


def webhook_receive(*, conversation: Conversation, body: bytes) -> WebhookResult:
    """Stores a webhook once and applies it; a repeat is acknowledged and changes nothing."""
    payload = _parse(body)
    if payload.get("conversation_id") != conversation.tavus_conversation_id:
        raise WebhookError("conversation_id does not match this callback.", status=403)
    return event_apply(conversation=conversation, payload=payload)


def event_apply(*, conversation: Conversation, payload: dict) -> WebhookResult:
    """Records one Tavus event (webhook or polled) and moves the conversation's state forward."""
    if problem := json_problem(payload, check_text=False):
        raise WebhookError(problem, status=400)
    # Polled events (the sweep) come here without the HTTP edge's repair: PostgreSQL can't
    # store NUL or lone surrogates, and a transcript is worth keeping without them.
    payload = json_text_repaired(payload)
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    key = hashlib.sha256(canonical.encode()).hexdigest()
    event_type = payload["event_type"][:100]
    try:
        with transaction.atomic():
            ConversationEvent.objects.create(
                conversation=conversation,
                event_type=event_type,
                dedupe_key=key,
                payload=payload,
                occurred_at=_timestamp(payload),
            )
            handler = HANDLERS.get(event_type)
            if handler is not None:
                _apply(handler, conversation.pk, payload)
            # A lost webhook is fetched again by the sweep (GET ?verbose=true).
            commit_without_waiting_for_disk()
    except IntegrityError:
        return WebhookResult(event_type=event_type, duplicate=True)
    return WebhookResult(event_type=event_type, duplicate=False)


# What the handlers read and write; the rest of the row (the context sent) is never loaded.
STATE_FIELDS = (
    "status", "joined_at", "ended_at", "shutdown_reason", "transcript", "recording",
    "perception_analysis",
)  # fmt: skip


def _apply(handler, conversation_id: int, payload: dict) -> None:
    locked = (
        Conversation.objects.select_for_update().only("id", *STATE_FIELDS).get(pk=conversation_id)
    )
    before = [getattr(locked, field) for field in STATE_FIELDS]
    handler(locked, payload.get("properties") or {}, _timestamp(payload))
    changed = [f for f, old in zip(STATE_FIELDS, before, strict=True) if getattr(locked, f) != old]
    if changed:
        locked.save(update_fields=changed)


def _earliest(current: datetime | None, candidate: datetime | None) -> datetime | None:
    # min() of the candidates: whatever order events arrive in, the result is the same.
    return min(filter(None, [current, candidate]), default=None)


def _ended(conversation: Conversation) -> None:
    if Conversation.RANK[conversation.status] < Conversation.RANK[Conversation.Status.ENDED]:
        conversation.status = Conversation.Status.ENDED
    proposals_expire_for_conversation(conversation=conversation)


def _on_replica_joined(conversation, properties, at) -> None:
    if conversation.status == Conversation.Status.STARTING:
        conversation.status = Conversation.Status.ACTIVE
    conversation.joined_at = _earliest(conversation.joined_at, at)


SHUTDOWN_REASONS = {
    # Tavus writes these as free text, sometimes without " reached": match by prefix.
    "max_call_duration": "The call reached its maximum length.",
    "participant_left_timeout": "You left the call.",
    "participant_absent_timeout": "Nobody joined the call in time.",
    "end_conversation_endpoint_hit": "The call was ended.",
    "bot_could_not_join_meeting": "The assistant could not join the call.",
    "daily_room_has_been_deleted": "The call's room was closed.",
    "exception_encountered_during_conversation_startup": "The call failed to start.",
    "internal error": "The call stopped because of an error at Tavus.",
}


def shutdown_reason_text(reason: str) -> str:
    """Words for a person from Tavus's shutdown_reason."""
    for prefix, text in SHUTDOWN_REASONS.items():
        if reason.startswith(prefix):
            return text
    return "The call ended."


def _on_shutdown(conversation, properties, at) -> None:
    _ended(conversation)
    reason = properties.get("shutdown_reason")
    if isinstance(reason, str) and reason:
        reason, current = reason[:200], conversation.shutdown_reason
        # Tavus's reason replaces ours ("ended by the user"); between two of Tavus's, a fixed
        # choice (the smaller) keeps the outcome independent of delivery order.
        ours = not current or current in Conversation.LOCAL_END_REASONS
        conversation.shutdown_reason = reason if ours else min(current, reason)
    conversation.ended_at = _earliest(conversation.ended_at, at)


def _clean_turn(turn) -> dict | None:
    if not isinstance(turn, dict) or not isinstance(turn.get("content"), str):
        return None
    keep = ("role", "content", "timestamp", "seconds_from_start", "duration", "inference_id")
    return {k: turn[k] for k in keep if k in turn}


def _on_transcription_ready(conversation, properties, at) -> None:
    _ended(conversation)
    raw = properties.get("transcript")
    turns = [t for t in map(_clean_turn, raw if isinstance(raw, list) else []) if t]
    # The fuller transcript wins (ties by content), so re-deliveries converge in any order.
    conversation.transcript = max(conversation.transcript or [], turns, key=_weight)


def _weight(value) -> tuple[int, str]:
    return len(value or ""), json.dumps(value, sort_keys=True, default=str)


def _on_recording_ready(conversation, properties, at) -> None:
    recording = {k: v for k, v in properties.items() if k != "replica_id"}
    conversation.recording = max(conversation.recording or {}, recording, key=_weight)


def _on_perception_analysis(conversation, properties, at) -> None:
    analysis = properties.get("analysis")
    if isinstance(analysis, str):
        conversation.perception_analysis = max(
            conversation.perception_analysis, analysis, key=_weight
        )


HANDLERS = {
    "system.replica_joined": _on_replica_joined,
    "system.shutdown": _on_shutdown,
    "application.transcription_ready": _on_transcription_ready,
    "application.recording_ready": _on_recording_ready,
    "application.perception_analysis": _on_perception_analysis,
}
