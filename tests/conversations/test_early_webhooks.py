"""A webhook Tavus sends before its create answer reached DRAKO is kept, then applied (or
dropped, if it named another conversation) once DRAKO stores the Tavus id."""

import json

import pytest
from django.db import connection
from django.test import Client

from conversations import services, webhooks
from conversations.models import Conversation, ConversationEvent


def _webhook(conversation, tavus_id: str, event_type: str, **properties) -> int:
    payload = {
        "conversation_id": tavus_id,
        "event_type": event_type,
        "message_type": "system",
        "timestamp": "2026-11-30T10:00:03.120000Z",
        "properties": properties,
    }
    response = Client().post(
        f"/api/tavus/callbacks/{conversation.callback_token}/",
        data=json.dumps(payload),
        content_type="application/json",
    )
    return response.status_code


@pytest.mark.django_db
def test_events_before_the_id_are_kept_then_applied_or_dropped(user, persona):
    starting = Conversation.objects.create(user=user, persona=persona)  # as the start claims it

    assert _webhook(starting, "c-early", "system.replica_joined") == 200
    assert _webhook(starting, "c-stranger", "system.shutdown", shutdown_reason="x") == 200
    starting.refresh_from_db()
    assert starting.status == "starting" and starting.joined_at is None  # kept, not applied
    assert ConversationEvent.objects.filter(conversation=starting, pending=True).count() == 2

    starting.tavus_conversation_id = "c-early"
    starting.save(update_fields=["tavus_conversation_id"])
    assert webhooks.events_apply_pending(conversation_id=starting.pk) == 1

    starting.refresh_from_db()
    assert starting.status == "active"
    assert starting.joined_at.isoformat() == "2026-11-30T10:00:03.120000+00:00"
    kept = ConversationEvent.objects.filter(conversation=starting)
    assert [(e.event_type, e.pending) for e in kept] == [("system.replica_joined", False)]
    # Once the id is known, another conversation's events are refused as before.
    assert _webhook(starting, "c-stranger", "system.shutdown", shutdown_reason="x") == 403


@pytest.mark.django_db(transaction=True)
def test_a_callback_during_the_create_call_is_not_lost(user, persona, tavus_on):
    """Tavus answers the create only after it has already called back (replica_joined)."""
    delivered = []

    def call_back_first(conversation: dict) -> None:
        starting = Conversation.objects.get(user=user)
        assert starting.tavus_conversation_id is None
        delivered.append(
            _webhook(starting, conversation["conversation_id"], "system.replica_joined")
        )
        connection.close()  # this runs in the fake's thread: its connection ends with it

    tavus_on.before_create_answer = call_back_first
    conversation = services.conversation_start(user=user, persona=persona).conversation

    assert delivered == [200]
    conversation.refresh_from_db()
    assert conversation.status == "active" and conversation.joined_at is not None
    assert not ConversationEvent.objects.filter(pending=True).exists()


@pytest.mark.django_db
def test_an_early_webhook_still_needs_a_conversation_id(user, persona):
    starting = Conversation.objects.create(user=user, persona=persona)
    response = Client().post(
        f"/api/tavus/callbacks/{starting.callback_token}/",
        data=json.dumps({"event_type": "system.replica_joined", "properties": {}}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not ConversationEvent.objects.exists()
