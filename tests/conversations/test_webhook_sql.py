"""The webhook path's hand-written statements (conversations/webhook_sql.py), each against what
the ORM would have read or written."""

from datetime import UTC, datetime

import pytest
from django.db import transaction

from conversations import webhook_sql
from conversations.models import Conversation, ConversationEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(user, persona):
    return Conversation.objects.create(
        user=user, persona=persona, tavus_conversation_id="c-sql", status="active"
    )


def _event(conversation, key="k1", **extra) -> ConversationEvent:
    fields = {
        "conversation_id": conversation.pk,
        "event_type": "system.replica_joined",
        "dedupe_key": key,
        "payload": {"event_type": "system.replica_joined", "properties": {"s": "é ✓ 😀"}},
        "occurred_at": datetime(2026, 11, 24, 10, 0, 3, 120000, tzinfo=UTC),
        "pending": True,
    }
    return ConversationEvent(**(fields | extra))


def test_callback_row_is_the_id_secret_and_tavus_id(conversation):
    row = webhook_sql.callback_row(conversation.pk)
    assert row == (conversation.pk, conversation.callback_secret, "c-sql")
    assert webhook_sql.callback_row(conversation.pk + 1000) is None


def test_event_insert_stores_what_the_orm_would_once_per_key(conversation):
    assert webhook_sql.event_insert(_event(conversation)) is True
    assert webhook_sql.event_insert(_event(conversation, payload={"other": 1})) is False
    stored = ConversationEvent.objects.get()
    expected = _event(conversation)
    for name in ("event_type", "dedupe_key", "payload", "occurred_at", "pending"):
        assert getattr(stored, name) == getattr(expected, name), name
    assert stored.received_at is not None
    assert webhook_sql.event_insert(_event(conversation, key="k2")) is True


def test_state_locked_reads_the_state_fields_only(conversation):
    with transaction.atomic():
        locked = webhook_sql.state_locked(conversation.pk)
        assert locked.status == "active"
        assert set(locked.get_deferred_fields()) & set(webhook_sql.STATE_FIELDS) == set()
        assert "context_sent" in locked.get_deferred_fields()
    assert webhook_sql.state_locked(conversation.pk + 1000) is None


def test_state_update_writes_the_named_fields_and_nothing_else(conversation):
    locked = webhook_sql.state_locked(conversation.pk)
    Conversation.objects.filter(pk=conversation.pk).update(perception_analysis="kept")
    locked.status = "ended"
    locked.transcript = [{"role": "user", "content": "Hi ✓"}]
    locked.shutdown_reason = "not named, not written"
    webhook_sql.state_update(locked, ["status", "transcript"])
    webhook_sql.state_update(locked, [])
    conversation.refresh_from_db()
    assert conversation.status == "ended"
    assert conversation.transcript == [{"role": "user", "content": "Hi ✓"}]
    assert conversation.shutdown_reason == ""
    assert conversation.perception_analysis == "kept"
