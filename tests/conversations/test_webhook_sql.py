"""The webhook path's hand-written statements (conversations/webhook_sql.py), each against what
the ORM would have read or written."""

import json
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


# --- event_store_at_callback: one statement verifies, stores and queues (PostgreSQL) ---------

on_postgresql = pytest.mark.skipif(
    not webhook_sql.stores_at_callback(), reason="one statement needs PostgreSQL"
)


def _store(conversation, *, secret=None, said="c-sql", key="k1", queue=True):
    from conversations.webhooks import conversation_events_apply_task
    from workers.queueing import QueueRow

    return webhook_sql.event_store_at_callback(
        pk=conversation.pk,
        secret=conversation.callback_secret if secret is None else secret,
        conversation_id=said,
        event_type="system.replica_joined",
        dedupe_key=key,
        payload_json=json.dumps({"event_type": "system.replica_joined", "conversation_id": said}),
        occurred_at=datetime(2026, 11, 24, 10, 0, 3, tzinfo=UTC),
        queue=QueueRow.for_task(conversation_events_apply_task, conversation.pk) if queue else None,
    )


def _tasks() -> list:
    from django_tasks_db.models import DBTaskResult

    return [r.args_kwargs["args"] for r in DBTaskResult.objects.all()]


@on_postgresql
def test_store_at_callback_stores_the_event_and_its_task_once(conversation):
    assert _store(conversation) == webhook_sql.Caller("c-sql", stored=True)
    assert _store(conversation) == webhook_sql.Caller("c-sql", stored=False)
    event = ConversationEvent.objects.get()
    assert (event.conversation_id, event.dedupe_key, event.pending) == (conversation.pk, "k1", True)
    assert event.payload == {"event_type": "system.replica_joined", "conversation_id": "c-sql"}
    assert event.occurred_at == datetime(2026, 11, 24, 10, 0, 3, tzinfo=UTC)
    assert _tasks() == [[conversation.pk]]
    assert _store(conversation, key="k2", queue=False).stored
    assert _tasks() == [[conversation.pk]]  # on Redis the caller queues it


@on_postgresql
@pytest.mark.parametrize("secret", ["", "x" * 43, "wrong"])
def test_store_at_callback_knows_no_caller_without_its_secret(conversation, secret):
    assert _store(conversation, secret=secret) is None
    other = conversation.pk + 1000
    assert webhook_sql.event_store_at_callback(
        pk=other, secret=conversation.callback_secret, conversation_id="c-sql",
        event_type="x", dedupe_key="k", payload_json="{}", occurred_at=None, queue=None,
    ) is None  # fmt: skip
    assert not ConversationEvent.objects.exists() and _tasks() == []


@on_postgresql
def test_store_at_callback_stores_nothing_for_another_conversation_id(conversation):
    assert _store(conversation, said="c-other") == webhook_sql.Caller("c-sql", stored=False)
    assert not ConversationEvent.objects.exists() and _tasks() == []


@on_postgresql
@pytest.mark.parametrize("unknown", [None, ""])
def test_store_at_callback_stores_any_conversation_id_before_the_tavus_id_is_known(
    conversation, unknown
):
    Conversation.objects.filter(pk=conversation.pk).update(tavus_conversation_id=unknown)
    assert _store(conversation, said="c-early") == webhook_sql.Caller(unknown, stored=True)
    assert ConversationEvent.objects.get().payload["conversation_id"] == "c-early"


@on_postgresql
@pytest.mark.django_db(transaction=True)  # real transactions, not the test's savepoints
def test_store_at_callback_commits_without_waiting_for_the_disk(conversation):
    from django.db import connection

    with transaction.atomic():
        _store(conversation)
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("off",)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")  # SET LOCAL: this transaction only
        assert cursor.fetchone() == ("on",)
