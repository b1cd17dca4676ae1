"""Running a tool call: the relay, exactly once, rate limits, queries, records."""

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from conversations.assistant import calls
from conversations.models import Conversation, Proposal, ToolCall
from personas.tools import get_tool
from schedules.models import Event, EventChange
from tests.conversations.conftest import racing_deliveries
from tests.factories import future

pytestmark = pytest.mark.django_db


def test_arguments_as_object_and_garbage_string(user_api, live_conversation):
    url = f"/api/conversations/{live_conversation.pk}/tool-calls/"
    as_object = user_api.post(
        url, {"name": "list_schedule_events", "arguments": {"when": "today"}}, format="json"
    )
    assert as_object.json()["ok"] is True
    garbage = user_api.post(
        url, {"name": "list_schedule_events", "arguments": "{nope"}, format="json"
    )
    assert garbage.status_code == 200 and garbage.json()["ok"] is False
    listed = user_api.post(url, {"name": "list_schedule_events", "arguments": "[1]"}, format="json")
    assert listed.json()["ok"] is False


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x", "arguments": 5}, {"name": ["x"]}])
def test_malformed_relay_envelope_is_400(user_api, live_conversation, body):
    response = user_api.post(
        f"/api/conversations/{live_conversation.pk}/tool-calls/", body, format="json"
    )
    assert response.status_code == 400


def test_unknown_tool_is_a_spoken_error(call):
    result = call("launch_rockets", {})
    # The person hears an apology; only the LLM is told which tool doesn't exist.
    assert result == {
        "ok": False,
        "say": "Sorry, I can't do that. What would you like to do with your schedule?",
        "hint": "There is no tool called 'launch_rockets'.",
    }


def test_same_tool_call_id_twice_applies_once(call):
    args = {"title": "Gym", "start_time": future()}
    first = call("add_schedule_event", args, tool_call_id="tc-1")
    second = call("add_schedule_event", args, tool_call_id="tc-1")
    assert first == second
    assert Proposal.objects.count() == 1 and ToolCall.objects.count() == 1


def test_same_inference_name_and_arguments_twice_applies_once(call):
    proposed = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    args = {"change_id": proposed["change_id"]}
    first = call("confirm_change", args, inference_id="83294d9f-8306-491b-a284-791f56c8383f")
    second = call("confirm_change", args, inference_id="83294d9f-8306-491b-a284-791f56c8383f")
    assert first == second and Event.objects.count() == 1
    assert EventChange.objects.count() == 1


def test_different_arguments_in_one_inference_are_different_calls(call):
    inference = "6b1f..."
    call("add_schedule_event", {"title": "A", "start_time": future(hour=9)}, inference_id=inference)
    call(
        "add_schedule_event", {"title": "B", "start_time": future(hour=11)}, inference_id=inference
    )
    assert Proposal.objects.count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing writers need PostgreSQL")
def test_racing_duplicate_deliveries_apply_once(live_conversation):
    results = racing_deliveries(
        live_conversation, "add_schedule_event", {"title": "Gym", "start_time": future()},
        call_id="race-1",
    )  # fmt: skip
    assert len(results) == 3 and all(r == results[0] for r in results)
    assert Proposal.objects.count() == 1 and ToolCall.objects.count() == 1


def _deliver(conversation, name, arguments, call_id=""):
    return calls.tool_call_execute(
        conversation=conversation,
        request=calls.ToolRequest(
            name=name, arguments=calls.arguments_parse(json.dumps(arguments)), tool_call_id=call_id
        ),
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="racing writers need PostgreSQL")
@pytest.mark.parametrize("tool", ["update_schedule_event", "cancel_schedule_event"])
def test_racing_deliveries_of_one_occurrences_change_apply_once(live_conversation, tool):
    # Applied at once (no confirmation): every twin reads the occurrence before the first
    # delivery makes it its own row, and must still answer as the first did.
    Conversation.objects.filter(pk=live_conversation.pk).update(writes_need_confirmation=False)
    live_conversation.refresh_from_db()
    standup_daily = {"title": "Standup", "start_time": "tomorrow at 9am", "repeat": "every day"}
    added = _deliver(live_conversation, "add_schedule_event", standup_daily)
    assert added["ok"], added
    standup = Event.objects.get(title="Standup")
    day = (timezone.now().astimezone(live_conversation.user.tz) + timedelta(days=3)).date()
    arguments = {"event_id": standup.pk, "occurrence": day.isoformat(), "scope": "this"}
    if tool == "update_schedule_event":
        arguments["start_time"] = "10am"
    results = racing_deliveries(live_conversation, tool, arguments, call_id=f"race-{tool}")
    assert len(results) == 3 and all(r == results[0] for r in results) and results[0]["ok"]
    assert ToolCall.objects.filter(tool_call_id=f"race-{tool}").count() == 1
    assert Event.objects.filter(series=standup).count() == 1  # the occurrence's own row
    assert EventChange.objects.filter(event__series=standup).count() == 1


@pytest.mark.parametrize("first_delivered", [True, False])
def test_a_write_whose_writes_collide_answers_as_the_first_delivery(
    live_conversation, monkeypatch, first_delivered
):
    arguments = {"title": "Gym", "start_time": future(hour=7)}
    if first_delivered:
        first = _deliver(live_conversation, "add_schedule_event", arguments, call_id="c-1")
    add = get_tool("add_schedule_event")

    def colliding(ctx, data):
        add.function(ctx, data)  # what a twin writes, then a unique key the first already holds
        raise IntegrityError("duplicate key value violates unique constraint")

    twin = dataclasses.replace(add, function=colliding)
    monkeypatch.setattr(calls, "get_tool", lambda name: twin)
    if not first_delivered:  # a real error, not a twin's: it is raised, and nothing is kept
        with pytest.raises(IntegrityError):
            _deliver(live_conversation, "add_schedule_event", arguments, call_id="c-1")
        assert not Proposal.objects.exists() and not ToolCall.objects.exists()
        return
    assert _deliver(live_conversation, "add_schedule_event", arguments, call_id="c-1") == first
    assert Proposal.objects.count() == 1 and ToolCall.objects.count() == 1


def test_ended_conversation_is_409(user_api, live_conversation):
    Conversation.objects.filter(pk=live_conversation.pk).update(
        status="ended", ended_at=datetime.now(UTC)
    )
    response = user_api.post(
        f"/api/conversations/{live_conversation.pk}/tool-calls/",
        {"name": "list_schedule_events"},
        format="json",
    )
    assert response.status_code == 409
    assert not ToolCall.objects.exists()


def test_other_users_conversation_is_404(other_api, live_conversation):
    response = other_api.post(
        f"/api/conversations/{live_conversation.pk}/tool-calls/",
        {"name": "list_schedule_events"},
        format="json",
    )
    assert response.status_code == 404


def test_every_call_is_logged_with_result_and_utterance(call, live_conversation):
    call(
        "list_schedule_events",
        {"when": "today"},
        inference_id="inf-1",
        utterance="What's on today?",
    )
    logged = ToolCall.objects.get()
    assert (logged.name, logged.ok, logged.utterance) == (
        "list_schedule_events",
        True,
        "What's on today?",
    )
    assert logged.result["say"] and logged.arguments == {"when": "today"}


def test_tool_calls_are_rate_limited_per_user(call, user_api, live_conversation, settings):
    settings.TOOL_CALL_RATE_LIMIT = 2
    call("list_schedule_events", {})
    call("list_schedule_events", {})
    response = user_api.post(
        f"/api/conversations/{live_conversation.pk}/tool-calls/",
        {"name": "list_schedule_events"},
        format="json",
    )
    assert response.status_code == 429
    assert response.json()["ok"] is False and response.json()["say"]
    assert ToolCall.objects.count() == 2


def _many_events(user, count):
    """`count` one-hour events at 04:00 local, one a day, half before today and half after:
    in every window the tools read, but never in the way of the 9 pm booking below."""
    today = timezone.localtime(timezone.now(), user.tz).replace(hour=4, minute=0, second=0)
    first = today.replace(microsecond=0) - timedelta(days=count // 2)
    Event.objects.bulk_create(
        Event(owner=user, title=f"E{i}", start=first + timedelta(days=i),
              end=first + timedelta(days=i, hours=1))
        for i in range(count)
    )  # fmt: skip


def _queries(captured) -> int:
    """Statements a call costs: savepoints and SETs count, the transaction's BEGIN/COMMIT not."""
    control = [
        q for q in captured if q["sql"] in ("COMMIT", "ROLLBACK") or q["sql"].startswith("BEGIN")
    ]
    return len(captured) - len(control)


# Without the test's own transaction around the call: its savepoints would count as the call's.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "arguments", "budget"),
    [
        ("list_schedule_events", {"when": "tomorrow"}, 4),
        ("find_free_slots", {"duration_minutes": "30", "when": "tomorrow"}, 4),
        ("add_schedule_event", {"title": "Dentist", "start_time": "tomorrow at 9pm"}, 6),
    ],
)
def test_a_tool_calls_queries_are_few_and_do_not_grow_with_events(
    call, user, name, arguments, budget
):
    from django.test.utils import CaptureQueriesContext

    counts = []
    for events in (0, 300):
        _many_events(user, events)
        with CaptureQueriesContext(connection) as captured:
            call(name, arguments)
        counts.append(_queries(captured.captured_queries))
    # Token, user and conversation in one query; the user's shared rate count (one statement in
    # the database, or a Redis round trip instead when CACHE_URL is Redis); the tool's read; the
    # call's exactly-once row.
    assert counts[0] == counts[1] <= budget, counts


@pytest.mark.django_db(transaction=True)
def test_confirm_and_undo_cost_no_savepoints(call, user):
    from django.test.utils import CaptureQueriesContext

    proposed = call("add_schedule_event", {"title": "Dentist", "start_time": future(hour=9)})
    with CaptureQueriesContext(connection) as confirm:
        assert call("confirm_change", {"change_id": proposed["change_id"]})["ok"]
    with CaptureQueriesContext(connection) as undo:
        assert call("undo_last_change")["ok"]
    for captured in (confirm.captured_queries, undo.captured_queries):
        assert not [q for q in captured if "SAVEPOINT" in q["sql"]]
    # Caller + conversation, the shared rate count, the call's row (in and answered), the
    # proposal (locked), the owner's lock, then the schedule's own work.
    assert _queries(confirm.captured_queries) <= 10
    assert _queries(undo.captured_queries) <= 13


def test_relay_token_answers_stay_drf_s(api_client, other_api, user, live_conversation):
    path = f"/api/conversations/{live_conversation.pk}/tool-calls/"
    body = {"name": "list_schedule_events", "arguments": "{}"}
    # Another user's valid token: authenticated, but not their conversation.
    assert other_api.post(path, body, format="json").status_code == 404
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert api_client.post(path, body, format="json").status_code == 401
    user.is_active = False
    user.save(update_fields=["is_active"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {user.api_key}")
    assert api_client.post(path, body, format="json").status_code == 401
    assert not ToolCall.objects.filter(conversation=live_conversation).exists()


def test_null_arguments_are_no_arguments(user_api, live_conversation):
    response = user_api.post(
        f"/api/conversations/{live_conversation.pk}/tool-calls/",
        {"name": "list_schedule_events", "arguments": None},
        format="json",
    )
    assert response.status_code == 200 and response.json()["ok"] is True
