"""A webhook is stored in one statement when its body needs nothing but storing (issue 19); every
other body goes the long way, check by check. Both ways must answer and store alike."""

import json

import pytest
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conversations import inbound, webhook_sql
from conversations.models import Conversation, ConversationEvent
from conversations.webhooks import HANDLERS
from tests.conversations.conftest import recorded
from tests.conversations.test_webhooks import ALL

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    not webhook_sql.stores_at_callback(), reason="one statement needs PostgreSQL"
)


def _body(payload: dict) -> bytes:
    return json.dumps(payload).encode()


@pytest.mark.parametrize("name", ALL)
def test_recorded_webhooks_are_clean(live_conversation, name):
    payload = recorded(name, live_conversation)
    assert inbound._clean_webhook(_body(payload)) == payload


@pytest.mark.parametrize(
    "text",
    ["Grüße, 日本, 😀", "\\u00e9 \\ud83d\\ude00 escaped", "a\\\\b", "\\u2028", "\\\\u0000"],
)
def test_text_that_needs_no_repair_is_clean(text):
    raw = '{"event_type": "x", "conversation_id": "c", "properties": {"t": "TEXT"}}'
    raw = raw.replace("TEXT", text)
    payload = inbound._clean_webhook(raw.encode())
    assert payload is not None
    assert payload["properties"]["t"] == json.loads(f'"{text}"')


@pytest.mark.parametrize(
    "raw",
    [
        b'{"event_type": "x", "conversation_id": "c", "properties": {"t": "a\\u0000"}}',
        b'{"event_type": "x", "conversation_id": "c", "properties": {"t": "\\ud800"}}',
        b'{"event_type": "x", "conversation_id": "c", "properties": {"t": "\\uDFFF"}}',
        b'{"event_type": "x", "conversation_id": "c", "properties": {"t\\u0000": 1}}',
        b'{"event_type": "x", "conversation_id": "c", "properties": {"t": "\xed\xa0\x80"}}',
        b'{"event_type": "x", "conversation_id": "c", "properties": {"t": "\xff"}}',
        b'{"event_type": "x", "conversation_id": "c", "properties": {"n": NaN}}',
        b'{"event_type": "x", "conversation_id": "c", "properties": {"n": 1e400}}',
        b'{"event_type": "x", "conversation_id": "c", "properties": {"d": '
        + b"[" * 99
        + b"]" * 99
        + b"}}",
        b"\xef\xbb\xbf" + b'{"event_type": "x", "conversation_id": "c"}',
        b'{"event_type": 5, "conversation_id": "c"}',
        b'{"event_type": "x", "conversation_id": "c", "properties": []}',
        b'{"event_type": "x", "conversation_id": ""}',
        b'{"event_type": "x", "conversation_id": "' + b"c" * 65 + b'"}',
        b'{"event_type": "x"}',
        b'[{"event_type": "x", "conversation_id": "c"}]',
        b"",
        b"not json",
    ],
)
def test_anything_to_refuse_or_repair_goes_the_long_way(raw):
    assert inbound._clean_webhook(raw) is None


def test_a_body_over_the_limit_goes_the_long_way(monkeypatch):
    raw = b'{"event_type": "x", "conversation_id": "c"}'
    monkeypatch.setattr(inbound, "MAX_WEBHOOK_BYTES", len(raw) - 1)
    assert inbound._clean_webhook(raw) is None


# --- one statement and the long way, side by side ---------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def deliveries(draw):
    """(token kind, payload): mostly what Tavus sends, sometimes what it never would."""
    payload = {
        "event_type": draw(st.sampled_from([*HANDLERS, "application.something_new"]) | _TEXT),
        "conversation_id": draw(st.sampled_from(["OURS", "c-other", ""])),
        "properties": draw(st.dictionaries(_TEXT, _JSON, max_size=3) | _JSON),
        "timestamp": draw(
            st.sampled_from(
                ["2026-11-24T10:00:03.120Z", "2026-11-24 10:00:03", "2026-11-24T10:00:03+20:00"]
            )
            | _TEXT
        ),
        "webhook_url": draw(st.sampled_from(["", "https://x.example/api/tavus/callbacks/TOKEN/"])),
    }
    if draw(st.booleans()):
        payload["properties"] = {"text": draw(st.sampled_from(["a\x00b", "\ud800", "ok"]))}
    return draw(st.sampled_from(["ours", "forged", "other"])), payload


def _deliver(client, conversation, other, token_kind, payload):
    ConversationEvent.objects.all().delete()
    DBTaskResult.objects.all().delete()
    token = {
        "ours": conversation.callback_token,
        "forged": f"{conversation.pk}.{'x' * 43}",
        "other": other.callback_token,
    }[token_kind]
    text = json.dumps(payload).replace("OURS", conversation.tavus_conversation_id)
    text = text.replace("TOKEN", conversation.callback_token)
    response = client.post(f"/api/tavus/callbacks/{token}/", text, content_type="application/json")
    events = [
        (e.conversation_id, e.event_type, e.dedupe_key, e.payload, e.occurred_at, e.pending)
        for e in ConversationEvent.objects.all()
    ]
    tasks = [(t.task_path, t.args_kwargs, t.status) for t in DBTaskResult.objects.all()]
    return response.status_code, response.content, events, tasks


@on_postgresql
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(delivery=deliveries())
def test_one_statement_answers_and_stores_as_the_long_way(
    client, live_conversation, other_user, persona, monkeypatch, delivery
):
    other, _ = Conversation.objects.get_or_create(
        tavus_conversation_id="c-other",
        defaults={"user": other_user, "persona": persona, "status": "active"},
    )
    fast = _deliver(client, live_conversation, other, *delivery)
    with monkeypatch.context() as patched:
        patched.setattr(webhook_sql, "stores_at_callback", lambda: False)
        slow = _deliver(client, live_conversation, other, *delivery)
    assert fast == slow


@on_postgresql
def test_a_clean_webhook_is_stored_in_one_statement(client, live_conversation, monkeypatch):
    payload = recorded("system.shutdown__end_endpoint", live_conversation)
    monkeypatch.setattr(
        inbound, "callback_conversation", lambda token: pytest.fail("went the long way")
    )
    path = f"/api/tavus/callbacks/{live_conversation.callback_token}/"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, payload, content_type="application/json")
    assert response.json() == {
        "status": "success",
        "event_type": "system.shutdown",
        "duplicate": False,
    }
    assert len(queries) == 1
    assert ConversationEvent.objects.get().pending
    assert DBTaskResult.objects.count() == 1


@on_postgresql
def test_on_redis_the_task_is_queued_once_the_event_is_stored(
    client, live_conversation, monkeypatch, settings
):
    from conversations import webhooks

    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/7"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    queued = []
    monkeypatch.setattr(
        webhooks,
        "enqueue_with_transaction",
        lambda task, pk: queued.append((task, pk, ConversationEvent.objects.count())),
    )
    payload = recorded("system.shutdown__end_endpoint", live_conversation)
    path = f"/api/tavus/callbacks/{live_conversation.callback_token}/"
    for _ in range(2):
        assert client.post(path, payload, content_type="application/json").status_code == 200
    assert queued == [(webhooks.conversation_events_apply_task, live_conversation.pk, 1)]
    assert not DBTaskResult.objects.exists()
