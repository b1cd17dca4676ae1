"""The bench's "a read's statements" and "a proposal's statements" floors (bench/urls.py) run a
read's four statements and a proposal's seven, no more, for the token's own conversation only."""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from conversations.models import Conversation, Proposal, ToolCall
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


def _statements(captured) -> list[str]:
    """Each statement as its verb and first table of ours ("BEGIN" and "COMMIT" as they are)."""
    tables = ("conversations_conversation", "drako_ratecounter", "schedules_event",
              "conversations_proposal", "conversations_toolcall")  # fmt: skip
    out = []
    for query in captured.captured_queries:
        sql = query["sql"].lstrip()
        verb = sql.split()[0].upper()
        if verb in ("SAVEPOINT", "RELEASE"):
            continue
        first = min(((sql.find(t), t) for t in tables if t in sql), default=(0, ""))[1]
        out.append(f"{verb} {first}".strip())
    return out


@override_settings(ROOT_URLCONF="bench.urls")
@pytest.mark.django_db(transaction=True)  # BEGIN and COMMIT as the bench's server sends them
def test_the_proposal_floor_runs_a_proposals_statements_and_records_its_proposal(
    client, user, live_conversation
):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/bench/proposal/{live_conversation.pk}", HTTP_AUTHORIZATION=f"Token {user.api_key}"
        )
    assert response.status_code == 200
    statements = _statements(captured)
    if connection.vendor == "postgresql":
        assert statements == [
            "SELECT conversations_conversation", "INSERT drako_ratecounter", "BEGIN",
            "(SELECT schedules_event", "INSERT conversations_proposal",
            "WITH conversations_toolcall", "COMMIT",
        ]  # fmt: skip
    proposal = Proposal.objects.get(pk=response.json()["change_id"])
    recorded = ToolCall.objects.get(conversation=live_conversation, name="bench")
    assert proposal.tool_call_id == recorded.pk and recorded.result == response.json()


@override_settings(ROOT_URLCONF="bench.urls")
def test_the_proposal_floor_proposes_nothing_for_another_users_token(
    client, other_user, live_conversation
):
    response = client.post(
        f"/bench/proposal/{live_conversation.pk}", HTTP_AUTHORIZATION=f"Token {other_user.api_key}"
    )
    assert response.status_code == 403
    assert not Proposal.objects.exists() and not ToolCall.objects.exists()
