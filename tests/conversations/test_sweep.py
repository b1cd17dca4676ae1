from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations.models import Conversation
from tests.conversations.conftest import recorded
from tests.fake_tavus import READ_TIMEOUT

pytestmark = pytest.mark.django_db


def test_sweep_ends_calls_past_their_limit_at_tavus(live_conversation, tavus_on, capsys):
    Conversation.objects.filter(pk=live_conversation.pk).update(
        started_at=timezone.now() - timedelta(minutes=10)
    )
    call_command("sweep_conversations")
    live_conversation.refresh_from_db()
    assert live_conversation.status == "ended"
    assert live_conversation.shutdown_reason == Conversation.ENDED_BY_SWEEP
    assert any(
        r.path.endswith(f"{live_conversation.tavus_conversation_id}/end") for r in tavus_on.requests
    )
    assert "ended=1" in capsys.readouterr().out


def test_sweep_leaves_calls_within_their_limit(live_conversation, tavus_on):
    call_command("sweep_conversations")
    live_conversation.refresh_from_db()
    assert live_conversation.status == "active"


def test_sweep_fails_starts_that_never_finished(user, persona):
    stuck = Conversation.objects.create(user=user, persona=persona)
    Conversation.objects.filter(pk=stuck.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    call_command("sweep_conversations")
    stuck.refresh_from_db()
    assert stuck.status == "failed"


def test_sweep_fetches_missing_transcripts(live_conversation, tavus_on):
    cid = live_conversation.tavus_conversation_id
    tavus_on.set_events(cid, [recorded("application.transcription_ready__2026", live_conversation)])
    Conversation.objects.filter(pk=live_conversation.pk).update(
        status="ended", ended_at=timezone.now() - timedelta(minutes=5)
    )
    call_command("sweep_conversations")
    live_conversation.refresh_from_db()
    assert len(live_conversation.transcript) == 5
    assert any(
        r.query.get("verbose") in ("true", ["true"])
        for r in tavus_on.requests
        if r.path.endswith(cid)
    )


def test_sweep_stores_polled_transcripts_with_nul_characters_repaired(live_conversation, tavus_on):
    payload = recorded("application.transcription_ready__2026", live_conversation)
    payload["properties"]["transcript"][1]["content"] = "Move my\x00 dentist \ud800please."
    tavus_on.set_events(live_conversation.tavus_conversation_id, [payload])
    Conversation.objects.filter(pk=live_conversation.pk).update(
        status="ended", ended_at=timezone.now() - timedelta(minutes=5)
    )
    call_command("sweep_conversations")
    live_conversation.refresh_from_db()
    assert live_conversation.transcript[1]["content"] == "Move my dentist \ufffdplease."


def test_sweep_stops_asking_for_a_transcript_that_never_comes(live_conversation, tavus_on):
    Conversation.objects.filter(pk=live_conversation.pk).update(
        status="ended", ended_at=timezone.now() - timedelta(minutes=5)
    )
    for _ in range(7):
        call_command("sweep_conversations")
    path = f"/v2/conversations/{live_conversation.tavus_conversation_id}"
    asked = [r for r in tavus_on.requests if r.method == "GET" and r.path == path]
    assert len(asked) == 5


def test_sweep_stops_once_tavus_sent_its_transcript_event(live_conversation, tavus_on):
    payload = recorded("application.transcription_ready__2026", live_conversation)
    payload["properties"]["transcript"] = []
    tavus_on.set_events(live_conversation.tavus_conversation_id, [payload])
    Conversation.objects.filter(pk=live_conversation.pk).update(
        status="ended", ended_at=timezone.now() - timedelta(minutes=5)
    )
    call_command("sweep_conversations")
    call_command("sweep_conversations")
    path = f"/v2/conversations/{live_conversation.tavus_conversation_id}"
    assert len([r for r in tavus_on.requests if r.method == "GET" and r.path == path]) == 1


def test_sweep_ends_a_call_tavus_created_although_our_create_timed_out(
    user_api, user, persona, tavus_on, settings
):
    import requests

    settings.TAVUS_READ_TIMEOUT = 0.2
    tavus_on.hang(path_prefix="/conversations")
    try:
        assert user_api.post("/api/conversations/", {}, format="json").status_code == 502
    finally:
        tavus_on.release()
        settings.TAVUS_READ_TIMEOUT = READ_TIMEOUT  # the sweep's calls below are answered
    failed = Conversation.objects.get()
    assert failed.tavus_outcome_unknown
    # What Tavus did with the request we gave up on: it created (and bills) the call.
    orphan = requests.post(
        f"{tavus_on.url}/conversations",
        json={
            "persona_id": "pdced222244b",
            "conversation_name": f"DRAKO #{failed.pk} with {user.name}",
        },
        headers={"x-api-key": tavus_on.api_key},
        timeout=5,
    ).json()["conversation_id"]
    call_command("sweep_conversations")
    assert any(r.path == f"/v2/conversations/{orphan}/end" for r in tavus_on.requests)
    failed.refresh_from_db()
    assert failed.tavus_outcome_unknown is False
