import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations.models import Conversation, ConversationEvent
from tests.conversations.conftest import recorded
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db

ALL = [
    "system.replica_joined__basic",
    "system.shutdown__end_endpoint",
    "application.transcription_ready__2026",
    "application.recording_ready__s3",
    "application.perception_analysis__raven",
]


def deliver(client, conversation, payload, token=None):
    """Tavus posts the webhook, then the worker runs what it queued."""
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    response = client.post(
        f"/api/tavus/callbacks/{token or conversation.callback_token}/",
        data=body,
        content_type="application/json",
    )
    run_queued_tasks()
    return response


def reset(conversation) -> None:
    """Back to a live conversation that has received nothing, to replay another sequence."""
    Conversation.objects.filter(pk=conversation.pk).update(
        status="active", joined_at=None, ended_at=None, shutdown_reason="", transcript=[],
        recording=None, perception_analysis="",
    )  # fmt: skip
    ConversationEvent.objects.all().delete()


def final_state(conversation) -> dict:
    conversation.refresh_from_db()
    return {
        "status": conversation.status,
        "joined_at": conversation.joined_at,
        "ended_at": conversation.ended_at,
        "shutdown_reason": conversation.shutdown_reason,
        "transcript": conversation.transcript,
        "recording": conversation.recording,
        "analysis": conversation.perception_analysis,
        "events": ConversationEvent.objects.filter(conversation=conversation).count(),
    }


def test_replica_joined(client, live_conversation):
    response = deliver(client, live_conversation, recorded(ALL[0], live_conversation))
    assert response.status_code == 200
    assert response.json()["status"] == "success"
    live_conversation.refresh_from_db()
    assert live_conversation.status == "active"
    assert live_conversation.joined_at.isoformat() == "2026-11-24T10:00:03.120000+00:00"


@pytest.mark.parametrize(
    "variant,reason,text",
    [
        ("system.shutdown__end_endpoint", "end_conversation_endpoint_hit", "The call was ended."),
        (
            "system.shutdown__left_timeout_without_reached",
            "participant_left_timeout",
            "You left the call.",
        ),
    ],
)
def test_shutdown_ends_and_explains_reason_by_prefix(
    client, user_client, live_conversation, variant, reason, text
):
    deliver(client, live_conversation, recorded(variant, live_conversation))
    live_conversation.refresh_from_db()
    assert live_conversation.status == "ended"
    assert live_conversation.shutdown_reason == reason
    page = user_client.get(f"/conversations/{live_conversation.pk}/").content.decode()
    assert text in page


@pytest.mark.parametrize(
    "variant", ["application.transcription_ready__2026", "application.transcription_ready__legacy"]
)
def test_transcript_is_stored_and_shown(client, user_client, live_conversation, variant):
    deliver(client, live_conversation, recorded(variant, live_conversation))
    live_conversation.refresh_from_db()
    roles = [turn["role"] for turn in live_conversation.transcript]
    assert roles[0] == "system" and "user" in roles and "assistant" in roles
    page = user_client.get(f"/conversations/{live_conversation.pk}/").content.decode()
    assert "You are in a live video conference" not in page  # the system prompt stays private
    user_turn = next(t for t in live_conversation.transcript if t["role"] == "user")
    assert user_turn["content"] in page.replace("&#x27;", "'")


def test_recording_and_perception(client, live_conversation):
    deliver(
        client, live_conversation, recorded("application.recording_ready__s3", live_conversation)
    )
    deliver(
        client,
        live_conversation,
        recorded("application.perception_analysis__raven", live_conversation),
    )
    live_conversation.refresh_from_db()
    assert live_conversation.recording["s3_key"].endswith(".mp4")
    assert "calm" in live_conversation.perception_analysis


def test_unknown_event_type_is_stored_and_acknowledged(client, live_conversation):
    response = deliver(
        client,
        live_conversation,
        recorded("application.memory_consolidation__unknown", live_conversation),
    )
    assert response.status_code == 200
    assert ConversationEvent.objects.get().event_type == "application.memory_consolidation"
    live_conversation.refresh_from_db()
    assert live_conversation.status == "active"


def test_duplicates_are_stored_once(client, live_conversation):
    payload = recorded("application.transcription_ready__2026", live_conversation)
    first = deliver(client, live_conversation, payload)
    second = deliver(client, live_conversation, payload)
    assert first.json()["duplicate"] is False and second.json()["duplicate"] is True
    assert ConversationEvent.objects.count() == 1


def test_state_only_moves_forward(client, live_conversation):
    deliver(client, live_conversation, recorded("system.shutdown__end_endpoint", live_conversation))
    deliver(client, live_conversation, recorded("system.replica_joined__basic", live_conversation))
    live_conversation.refresh_from_db()
    assert live_conversation.status == "ended"
    assert live_conversation.joined_at is not None


def test_every_ordering_reaches_the_same_state(client, live_conversation):
    payloads = [recorded(name, live_conversation) for name in ALL]
    outcomes = set()
    for order in itertools.permutations(range(len(payloads))):
        reset(live_conversation)
        for i in order:
            deliver(client, live_conversation, payloads[i])
        outcomes.add(json.dumps(final_state(live_conversation), default=str, sort_keys=True))
    assert len(outcomes) == 1
    state = json.loads(outcomes.pop())
    assert state["status"] == "ended" and state["events"] == 5


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    deliveries=st.lists(
        st.sampled_from([*ALL, "system.shutdown__left_timeout_without_reached"]),
        min_size=1,
        max_size=12,
    )
)
def test_any_sequence_with_duplicates_equals_its_set_in_canonical_order(
    client, live_conversation, deliveries
):
    def run(sequence):
        reset(live_conversation)
        for name in sequence:
            deliver(client, live_conversation, recorded(name, live_conversation))
        return final_state(live_conversation)

    assert run(deliveries) == run(sorted(set(deliveries)))


def test_bad_token_is_404(client, live_conversation):
    payload = recorded(ALL[0], live_conversation)
    for token in (f"{live_conversation.pk}.wrong", "nonsense", "999.x", f"{live_conversation.pk}."):
        assert deliver(client, live_conversation, payload, token=token).status_code == 404
    assert not ConversationEvent.objects.exists()


def test_another_conversations_token_is_refused(client, live_conversation, other_user, persona):
    other = Conversation.objects.create(
        user=other_user, persona=persona, tavus_conversation_id="c-other", status="active"
    )
    payload = recorded(ALL[0], live_conversation)
    response = deliver(client, live_conversation, payload, token=other.callback_token)
    assert response.status_code == 403
    assert not ConversationEvent.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1,2]",
        b'"text"',
        b"{}",
        b'{"event_type": 5}',
        b'{"event_type": "x", "properties": []}',
        b"\xff\xfe",
    ],
)
def test_garbage_is_400_never_500(client, live_conversation, body):
    response = deliver(client, live_conversation, body)
    assert response.status_code == 400
    assert not ConversationEvent.objects.exists()


def test_webhook_needs_no_csrf_or_session(live_conversation):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert (
        deliver(strict, live_conversation, recorded(ALL[0], live_conversation)).status_code == 200
    )


# --- what an attacker found (issue 15) ------------------------------------------------------


@pytest.mark.parametrize(
    "token", ["³", "١٢.secret", "1\x00.x", "12." + "a" * 500, "99999999999999999999.x", "."]
)
def test_a_malformed_callback_token_is_a_404_never_a_500(client, live_conversation, token):
    response = client.post(
        f"/api/tavus/callbacks/{token}/", data="{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert not ConversationEvent.objects.exists()


def test_stored_payloads_keep_no_callback_secret(client, staff_user, live_conversation):
    payload = recorded("application.recording_ready__s3", live_conversation)
    assert live_conversation.callback_secret in payload["webhook_url"]
    assert deliver(client, live_conversation, payload).status_code == 200
    stored = ConversationEvent.objects.get()
    assert live_conversation.callback_secret not in json.dumps(stored.payload)
    assert stored.payload["webhook_url"].endswith("/api/tavus/callbacks/<secret>/")
    # The same delivery again is still a duplicate: the key is taken after the redaction.
    assert deliver(client, live_conversation, payload).json()["duplicate"] is True
    client.force_login(staff_user)
    page = client.get(f"/admin/conversations/conversation/{live_conversation.pk}/change/")
    assert page.status_code == 200
    assert live_conversation.callback_secret not in page.content.decode()


def test_unknown_event_types_are_kept_once_per_type(client, live_conversation):
    base = recorded("application.memory_consolidation__unknown", live_conversation)
    for n in range(5):
        variant = {**base, "timestamp": f"2026-11-24T10:0{n}:00Z", "properties": {"n": n}}
        assert deliver(client, live_conversation, variant).status_code == 200
    other = {**base, "event_type": "application.something_else"}
    assert deliver(client, live_conversation, other).status_code == 200
    stored = ConversationEvent.objects.order_by("id")
    assert [e.event_type for e in stored] == [base["event_type"], "application.something_else"]
    assert stored[0].payload["properties"] != {"n": 4}  # the first one stays


def test_a_webhook_is_acknowledged_first_and_applied_by_the_worker(client, live_conversation):
    from django_tasks_db.models import DBTaskResult

    payload = json.dumps(recorded("system.shutdown__end_endpoint", live_conversation))
    path = f"/api/tavus/callbacks/{live_conversation.callback_token}/"
    for _ in range(2):  # the repeat is stored once and queues nothing more
        response = client.post(path, data=payload, content_type="application/json")
        assert response.status_code == 200
    assert response.json()["duplicate"] is True
    live_conversation.refresh_from_db()
    assert live_conversation.status == "active"  # answered before anything was applied
    assert ConversationEvent.objects.get().pending
    assert (
        DBTaskResult.objects.filter(task_path__endswith="conversation_events_apply_task").count()
        == 1
    )
    assert run_queued_tasks() == 1
    live_conversation.refresh_from_db()
    assert live_conversation.status == "ended"
    assert not ConversationEvent.objects.get().pending


def test_the_sweep_applies_a_webhook_whose_task_never_ran(client, live_conversation):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from conversations.sweep import conversation_sweep

    client.post(
        f"/api/tavus/callbacks/{live_conversation.callback_token}/",
        data=json.dumps(recorded("system.replica_joined__basic", live_conversation)),
        content_type="application/json",
    )
    DBTaskResult.objects.all().delete()  # lost, as an RQ job can be
    assert conversation_sweep(now=timezone.now()).stragglers == 0  # too young to be a straggler
    later = timezone.now() + timedelta(minutes=2)
    assert conversation_sweep(now=later).stragglers == 1
    live_conversation.refresh_from_db()
    assert live_conversation.joined_at is not None


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_a_number_no_column_can_store_is_a_400_never_a_500(client, live_conversation, number):
    payload = recorded(ALL[0], live_conversation)
    raw = json.dumps({**payload, "properties": {"score": 0}}).replace(
        '"score": 0', f'"score": {number}'
    )
    response = deliver(client, live_conversation, raw)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Numbers must be finite")
    assert not ConversationEvent.objects.exists()


@pytest.mark.parametrize(
    "stamp,stored",
    [
        ("2026-11-24T10:00:03+16:00", "2026-11-23T18:00:03+00:00"),  # beyond PostgreSQL's 15:59
        ("2026-11-24T10:00:03-23:59", "2026-11-25T09:59:03+00:00"),
        ("9999-12-31T23:59:59-23:59", None),  # no datetime holds it in UTC
        ("0001-01-01T00:00:00+23:59", None),
    ],
)
def test_a_timestamp_with_any_offset_is_stored_in_utc_never_a_500(
    client, live_conversation, stamp, stored
):
    payload = {**recorded(ALL[0], live_conversation), "timestamp": stamp}
    assert deliver(client, live_conversation, payload).status_code == 200
    occurred = ConversationEvent.objects.get().occurred_at
    assert (occurred.isoformat() if occurred else None) == stored
