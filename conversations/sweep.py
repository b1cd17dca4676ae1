"""The sweep: tidies up after Tavus, whatever went missing on the way.

Ends calls left open past their limit (at Tavus too), fails starts that never finished, fetches
transcripts whose webhook never came (GET ?verbose=true), applies webhooks whose task never ran,
and ends calls Tavus created although our create request got no answer. Safe to run as often as
wanted; every step is idempotent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F

from conversations.errors import ConversationError, InboundRefused
from conversations.models import Conversation, ConversationEvent
from conversations.services import conversation_end
from conversations.webhooks import event_store, events_apply_pending
from drako import tavus

STARTING_GRACE = timedelta(minutes=2)
END_GRACE = timedelta(minutes=2)
MAX_TRANSCRIPT_FETCHES = 5
TRANSCRIPT_BATCH = 50
STRAGGLER_GRACE = timedelta(minutes=1)
STRAGGLER_BATCH = 200


@dataclass(frozen=True)
class SweepResult:
    ended: int
    failed_starts: int
    transcripts: int
    errors: tuple[str, ...]
    stragglers: int = 0


def conversation_sweep(*, now: datetime) -> SweepResult:
    """Ends overdue calls, fails stuck starts, fetches missing transcripts, ends orphans."""
    errors: list[str] = []
    failed_starts = _fail_stuck_starts(now)
    ended = _end_overdue(now, errors)
    transcripts = _fetch_missing_transcripts(now, errors)
    ended += _end_orphans(now, errors)
    stragglers = _apply_stragglers(now)
    return SweepResult(ended, failed_starts, transcripts, tuple(errors), stragglers)


def _apply_stragglers(now: datetime) -> int:
    """Applies webhooks still pending a while after they came (their task failed or was lost:
    a Redis queue enqueues after the commit)."""
    waiting = (
        ConversationEvent.objects.filter(pending=True, received_at__lt=now - STRAGGLER_GRACE)
        .exclude(conversation__tavus_conversation_id=None)
        .values_list("conversation_id", flat=True)
        .distinct()
    )
    return sum(events_apply_pending(conversation_id=pk) for pk in list(waiting[:STRAGGLER_BATCH]))


def _fail_stuck_starts(now: datetime) -> int:
    stuck = Conversation.objects.filter(
        status=Conversation.Status.STARTING, created_at__lt=now - STARTING_GRACE
    )
    return stuck.update(
        status=Conversation.Status.FAILED,
        failure_reason="The call never finished starting.",
        ended_at=now,
    )


def _end_overdue(now: datetime, errors: list[str]) -> int:
    ended = 0
    active = Conversation.objects.filter(status=Conversation.Status.ACTIVE, is_playground=False)
    for conversation in active:
        begun = conversation.started_at or conversation.created_at
        if now < begun + timedelta(seconds=conversation.max_call_seconds) + END_GRACE:
            continue
        try:
            conversation_end(conversation=conversation, reason=Conversation.ENDED_BY_SWEEP)
            ended += 1
        except ConversationError as exc:
            errors.append(f"end {conversation.pk}: {exc.message}")
    return ended


def _fetch_missing_transcripts(now: datetime, errors: list[str]) -> int:
    missing = Conversation.objects.filter(
        status=Conversation.Status.ENDED,
        transcript=[],
        test_mode=False,
        transcript_fetches__lt=MAX_TRANSCRIPT_FETCHES,
        ended_at__lt=now - END_GRACE,
        ended_at__gt=now - timedelta(days=7),
    ).exclude(tavus_conversation_id=None)
    # The least-asked first, so a few calls that never get a transcript can't starve the rest.
    batch = missing.order_by("transcript_fetches", "ended_at")[:TRANSCRIPT_BATCH]
    return sum(_fetch_transcript(conversation, errors) for conversation in batch)


def _fetch_transcript(conversation: Conversation, errors: list[str]) -> bool:
    """Applies the events Tavus has for one call; True when a transcript came with them."""
    try:
        info = tavus.get_conversation(
            conversation_id=conversation.tavus_conversation_id, verbose=True
        )
    except tavus.TavusError as exc:
        errors.append(f"transcript {conversation.pk}: {exc.message}")
        return False
    events = [
        e for e in info.events if isinstance(e, dict) and isinstance(e.get("event_type"), str)
    ]
    for event in events:
        try:
            event_store(conversation=conversation, payload=event)
        except InboundRefused as exc:
            errors.append(f"event {conversation.pk}: {exc.message}")
    events_apply_pending(conversation_id=conversation.pk)
    # Tavus said its last word (even an empty transcript): don't ask again.
    done = any(e["event_type"] == "application.transcription_ready" for e in events)
    Conversation.objects.filter(pk=conversation.pk).update(
        transcript_fetches=MAX_TRANSCRIPT_FETCHES if done else F("transcript_fetches") + 1
    )
    conversation.refresh_from_db(fields=["transcript"])
    return bool(conversation.transcript)


def _end_orphans(now: datetime, errors: list[str]) -> int:
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
        try:
            for info in found:
                tavus.end_conversation(conversation_id=info.conversation_id)
        except tavus.TavusError as exc:
            errors.append(f"orphan {conversation.pk}: {exc.message}")
            continue  # asked again on the next sweep
        ended += len(found)
        # Found and ended, or nothing there after a grace for slow creates: settled either way.
        if found or conversation.created_at < now - STARTING_GRACE:
            Conversation.objects.filter(pk=conversation.pk).update(tavus_outcome_unknown=False)
    return ended
