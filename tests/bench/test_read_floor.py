"""The bench's "a read's statements" floor (bench/urls.py) runs a read's four statements and no
more, for the token's own conversation only."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from conversations.models import Conversation, ToolCall
from schedules.models import Event


@pytest.fixture
def live_conversation(user):
    return Conversation.objects.create(user=user, status=Conversation.Status.ACTIVE)


def _post(client, conversation, key):
    return client.post(f"/bench/read/{conversation.pk}", HTTP_AUTHORIZATION=f"Token {key}")


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_floor_runs_a_reads_four_statements_and_records_the_events(
    client, user, live_conversation
):
    with CaptureQueriesContext(connection) as captured:
        response = _post(client, live_conversation, user.api_key)
    assert response.status_code == 200
    tables = [
        next(t for t in ("conversations_conversation", "drako_ratecounter", "schedules_event",
                         "conversations_toolcall") if t in q["sql"])
        for q in captured.captured_queries
        if q["sql"].lstrip().split()[0] not in ("SAVEPOINT", "RELEASE")
    ]  # fmt: skip
    assert tables == [
        "conversations_conversation", "drako_ratecounter", "schedules_event",
        "conversations_toolcall",
    ]  # fmt: skip
    recorded = ToolCall.objects.get(conversation=live_conversation, name="bench")
    assert recorded.result == response.json()


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_floor_reads_nothing_for_another_users_token(
    client, user, other_user, live_conversation
):
    Event.objects.filter(owner=user).delete()
    assert _post(client, live_conversation, other_user.api_key).status_code == 403
    assert not ToolCall.objects.filter(conversation=live_conversation).exists()
