"""Tavus conversation events (webhooks, or polled by the sweep): stored once and acknowledged,
then applied by a background task so that their order cannot matter. Authentication happens
before, in conversations.inbound."""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.tasks import task
from django.utils.dateparse import parse_datetime

from conversations import webhook_sql
from conversations.assistant.proposals import proposals_expire_for_conversation
from conversations.errors import NOT_THIS_CONVERSATION, UNKNOWN_CALLBACK, InboundRefused
from conversations.models import Conversation, ConversationEvent
from drako.api_errors import json_problem, json_text_repaired
from drako.durability import commit_without_waiting_for_disk
from workers.queueing import QueueRow, enqueue_with_transaction
from workers.retries import retry

CALLBACK_SECRET = re.compile(r"(?<=/callbacks/)[^/?#]+/?")


@dataclass(frozen=True)
class WebhookResult:
    event_type: str
    duplicate: bool


def _timestamp(payload: dict) -> datetime | None:
    value = payload.get("timestamp")
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value.replace(" ", "T"))
    except ValueError:
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)  # older Tavus timestamps are UTC without an offset
    try:
        # In UTC: PostgreSQL takes offsets up to 15:59, Python's parser up to 23:59.
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:59-01:00 is in no year a datetime can hold
        return None


def event_store(*, conversation: Conversation, payload: dict) -> WebhookResult:
    """Stores one Tavus event (webhook or polled) once, as pending: events_apply_pending
    applies it. Raises InboundRefused for a payload that is not a Tavus event."""
    if problem := json_problem(payload, check_text=False):
        raise InboundRefused(problem, status=400)
    # Polled events (the sweep) come here without the HTTP edge's repair: PostgreSQL can't
    # store NUL or lone surrogates, and a transcript is worth keeping without them.
    payload = _without_secrets(json_text_repaired(payload))
    event_type = payload["event_type"][:100]
    event = ConversationEvent(
        conversation_id=conversation.pk,
        event_type=event_type,
        dedupe_key=_dedupe_key(payload, known=event_type in HANDLERS),
        payload=payload,
        occurred_at=_timestamp(payload),
        pending=True,
    )
    return WebhookResult(event_type=event_type, duplicate=not webhook_sql.event_insert(event))


def event_receive(*, conversation: Conversation, payload: dict) -> WebhookResult:
    """A webhook, acknowledged first: stored once, and a background task applies it."""
    with transaction.atomic():
        result = event_store(conversation=conversation, payload=payload)
        if not result.duplicate:
            # Queued with the event (one commit on the database queue), so a stored event
            # always has a task coming; the sweep applies any left pending all the same.
            enqueue_with_transaction(conversation_events_apply_task, conversation.pk)
        # A lost webhook is fetched again by the sweep (GET ?verbose=true).
        commit_without_waiting_for_disk()
    return result


def event_receive_at_callback(*, pk: int, secret: str, payload: dict) -> WebhookResult:
    """event_receive for a webhook whose body needs no repair (inbound._clean_webhook), in one
    statement that checks the callback's secret, stores the event and queues its task
    (PostgreSQL; on Redis the task is queued once the event is stored)."""
    payload = _without_secrets(payload)
    event_type = payload["event_type"][:100]
    canonical = _canonical(payload)
    queue = QueueRow.for_task(conversation_events_apply_task, pk)
    caller = webhook_sql.event_store_at_callback(
        pk=pk,
        secret=secret,
        conversation_id=payload["conversation_id"],
        event_type=event_type,
        dedupe_key=_dedupe_key(payload, known=event_type in HANDLERS, canonical=canonical),
        payload_json=canonical,
        occurred_at=_timestamp(payload),
        queue=queue,
    )
    if caller is None:
        raise InboundRefused(UNKNOWN_CALLBACK, status=404)
    known = caller.tavus_conversation_id
    if known and known != payload["conversation_id"]:
        raise InboundRefused(NOT_THIS_CONVERSATION, status=403)
    if caller.stored and queue is None:
        enqueue_with_transaction(conversation_events_apply_task, pk)
    return WebhookResult(event_type=event_type, duplicate=not caller.stored)


def events_apply_pending(*, conversation_id: int) -> int:
    """Applies the conversation's pending events in arrival order, once its Tavus id is known
    (before that, conversation_start applies them when it stores the id), and drops any that
    named another conversation. Returns how many were applied."""
    applied = 0
    with transaction.atomic():
        # The row lock queues appliers of one conversation: each reads the state the last left.
        tavus_id = (
            Conversation.objects.select_for_update()
            .filter(pk=conversation_id)
            .values_list("tavus_conversation_id", flat=True)
            .first()
        )
        if not tavus_id:
            return 0
        pending = ConversationEvent.objects.filter(conversation_id=conversation_id, pending=True)
        for event in pending.only("pk", "event_type", "payload", "occurred_at"):
            if event.payload.get("conversation_id") != tavus_id:
                event.delete()
                continue
            if handler := HANDLERS.get(event.event_type):
                _apply(handler, _locked_state(conversation_id), event.payload, event.occurred_at)
                applied += 1
            ConversationEvent.objects.filter(pk=event.pk).update(pending=False)
    return applied


@task
@retry(attempts=5, backoff=timedelta(seconds=5))
def conversation_events_apply_task(conversation_id: int) -> int:
    """The worker's half of a webhook: applies what event_receive stored and acknowledged."""
    return events_apply_pending(conversation_id=conversation_id)


def _dedupe_key(payload: dict, *, known: bool, canonical: str | None = None) -> str:
    """Same payload, same key; an event type DRAKO doesn't handle is kept once per conversation,
    so a sender (or a Tavus novelty) repeating it with changing fields can't fill the table."""
    if not known:
        return hashlib.sha256(f"unknown:{payload['event_type']}".encode()).hexdigest()
    return hashlib.sha256((canonical or _canonical(payload)).encode()).hexdigest()


def _canonical(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)


def _without_secrets(payload: dict) -> dict:
    """The payload as stored and shown to staff: the callback URL carries the conversation's
    secret, and anyone who reads it could post events as Tavus."""
    if isinstance(payload.get("webhook_url"), str):
        return {**payload, "webhook_url": CALLBACK_SECRET.sub("<secret>/", payload["webhook_url"])}
    return payload


def _locked_state(conversation_id: int) -> Conversation:
    """The conversation's state fields, its row locked until the transaction ends."""
    locked = webhook_sql.state_locked(conversation_id)
    if locked is None:  # deleted since the callback was authenticated
        raise InboundRefused(UNKNOWN_CALLBACK, status=404)
    return locked


def _apply(handler, locked: Conversation, payload: dict, at: datetime | None) -> None:
    before = [getattr(locked, field) for field in webhook_sql.STATE_FIELDS]
    handler(locked, payload.get("properties") or {}, at)
    changed = [
        name
        for name, old in zip(webhook_sql.STATE_FIELDS, before, strict=True)
        if getattr(locked, name) != old
    ]
    webhook_sql.state_update(locked, changed)


def _earliest(current: datetime | None, candidate: datetime | None) -> datetime | None:
    # min() of the candidates: whatever order events arrive in, the result is the same.
    return min(filter(None, [current, candidate]), default=None)


def _ended(conversation: Conversation) -> None:
    conversation.advance(Conversation.Status.ENDED)
    proposals_expire_for_conversation(conversation=conversation)


def _on_replica_joined(conversation, properties, at) -> None:
    conversation.advance(Conversation.Status.ACTIVE)
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
