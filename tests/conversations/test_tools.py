import json
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections
from django.utils import timezone

from conversations import direct_tools
from conversations.models import Conversation, Proposal, ToolCall
from conversations.tools import REGISTRY, llm_tool_definitions
from schedules import services as schedule_services
from schedules.models import Event, EventChange

pytestmark = pytest.mark.django_db

INTERFACE_TOOLS = {
    "add_schedule_event", "list_schedule_events", "update_schedule_event", "cancel_schedule_event",
    "find_free_slots", "confirm_change", "undo_last_change",
}  # fmt: skip


def future(days=2, hour=15):
    """A local (Europe/Berlin) wall time a few days ahead, as the LLM would send it."""
    # The day in Berlin, as make_event counts it: around midnight UTC they differ.
    day = timezone.localtime(timezone.now(), ZoneInfo("Europe/Berlin")).date() + timedelta(days)
    return f"{day.isoformat()}T{hour:02d}:00"


@pytest.fixture
def call(user_api, live_conversation):
    def _call(name, arguments=None, **extra):
        body = {"name": name, "arguments": json.dumps(arguments or {}), **extra}
        response = user_api.post(
            f"/api/conversations/{live_conversation.pk}/tool-calls/", body, format="json"
        )
        assert response.status_code == 200, response.content
        return response.json()

    return _call


def make_event(user, title="Dentist", days=2, hour=14):
    start = (timezone.now() + timedelta(days=days)).astimezone(user.tz)
    start = start.replace(hour=hour, minute=0, second=0, microsecond=0)
    event, _ = schedule_services.event_create(
        owner=user, title=title, start=start, end=start + timedelta(hours=1),
        context=schedule_services.ChangeContext(),
    )  # fmt: skip
    return event


def test_registry_has_exactly_the_interface_tools():
    assert set(REGISTRY) == INTERFACE_TOOLS
    assert [d["function"]["name"] for d in llm_tool_definitions()] == sorted(INTERFACE_TOOLS)


@pytest.mark.parametrize("name", sorted(INTERFACE_TOOLS))
def test_each_tools_json_schema_matches_its_serializer(name):
    entry = REGISTRY[name]
    fields = entry.serializer_class().fields
    properties = entry.parameters["properties"]
    assert set(properties) == set(fields)
    for field_name, schema in properties.items():
        field = fields[field_name]
        expected = "integer" if field.__class__.__name__ == "IntegerField" else "string"
        assert schema["type"] == expected, field_name
        assert schema.get("description"), field_name
    definition = next(d for d in llm_tool_definitions() if d["function"]["name"] == name)
    assert definition["function"]["parameters"]["required"] == list(properties)
    assert len(definition["function"]["description"]) > 20


def test_synced_persona_carries_the_registry_tools(fake_tavus, db):
    from personas.models import Persona
    from personas.services import persona_sync

    persona = Persona.objects.create(name="DRAKO", system_prompt="You are DRAKO.")
    persona_sync(persona=persona)
    sent = next(
        r.json for r in fake_tavus.requests if r.method == "POST" and r.path == "/v2/personas"
    )
    assert sent["layers"]["llm"]["tools"] == llm_tool_definitions()


def test_add_proposes_then_confirm_applies(call, user):
    result = call(
        "add_schedule_event",
        {
            "title": "Gym",
            "start_time": future(hour=18),
            "end_time": "",
            "location": "",
            "notes": "",
        },
    )
    assert result["ok"] and result["state"] == "proposed"
    assert (
        "Gym" in result["say"]
        and "6:00 PM" in result["say"]
        and "Shall I go ahead?" in result["say"]
    )
    assert result["proposal"]["fields"][0] == {"label": "Title", "before": "", "after": "Gym"}
    assert not Event.objects.filter(title="Gym").exists()
    confirmed = call("confirm_change", {"change_id": result["change_id"]})
    assert confirmed["ok"] and confirmed["state"] == "applied"
    event = Event.objects.get(title="Gym")
    assert event.source == Event.Source.ASSISTANT
    assert event.start.astimezone(user.tz).hour == 18
    assert event.end - event.start == timedelta(hours=1)
    change = EventChange.objects.get(event=event)
    assert change.conversation_id is not None and change.source == "assistant"


def test_add_reads_phrases_in_the_users_zone(call, user):
    result = call(
        "add_schedule_event",
        {"title": "Call", "start_time": "tomorrow at 3pm", "end_time": "tomorrow at 3:30pm"},
    )
    call("confirm_change", {"change_id": 0})
    event = Event.objects.get(title="Call")
    local = event.start.astimezone(user.tz)
    assert (local.hour, local.minute) == (15, 0)
    assert local.date() == (timezone.localtime(timezone.now(), user.tz) + timedelta(days=1)).date()
    assert "until 3:30 PM" in result["say"]


def test_add_with_conflict_warns_and_confirming_books_anyway(call, user):
    make_event(user, hour=14)
    result = call(
        "add_schedule_event", {"title": "Call", "start_time": future(hour=14), "end_time": ""}
    )
    assert result["ok"] and "overlaps Dentist" in result["say"]
    assert result["proposal"]["conflicts"]
    alternatives = result["alternatives"]
    assert 1 <= len(alternatives) <= 3
    assert alternatives[0]["when"] in result["say"] and "is free instead" in result["say"]
    assert all(not a["start"].endswith("T14:00:00+01:00") for a in alternatives)
    call("confirm_change", {"change_id": result["change_id"]})
    assert Event.objects.filter(owner=user, status="confirmed").count() == 2


@pytest.mark.parametrize(
    "arguments,words",
    [
        ({"title": "X", "start_time": "blorp"}, "For the start"),
        (
            {"title": "X", "start_time": "2030-01-01T10:00", "end_time": "2030-01-01T09:00"},
            "end must be after",
        ),
        ({"start_time": "tomorrow at 3pm"}, "title"),
        ({"title": "", "start_time": "tomorrow at 3pm"}, "title"),
    ],
)
def test_add_bad_arguments_say_what_to_do(call, arguments, words):
    result = call("add_schedule_event", arguments)
    assert result["ok"] is False and words in result["say"]
    assert not Proposal.objects.exists()


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
    assert result == {"ok": False, "say": "There is no tool called 'launch_rockets'."}


def test_list_events_bounded_and_spoken(call, user):
    for hour in range(8, 22):
        make_event(user, title=f"Block {hour}", hour=hour)
    day = (timezone.localtime(timezone.now(), user.tz) + timedelta(days=2)).date().isoformat()
    result = call("list_schedule_events", {"when": day})
    assert result["ok"] and len(result["events"]) == 12 and result["truncated"] is True
    assert result["say"].startswith("For ") and "more than 12 events" in result["say"]
    assert all("id" in e and "when" in e for e in result["events"])


def test_list_empty_day(call):
    result = call("list_schedule_events", {"when": "2031-02-03"})
    assert result == {
        "ok": True,
        "say": "Nothing is scheduled for Monday, February 3, 2031.",
        "events": [],
    }


def test_update_moves_and_keeps_length(call, user):
    event = make_event(user)
    result = call(
        "update_schedule_event",
        {"event_id": event.pk, "title": "", "start_time": future(days=3, hour=9), "end_time": ""},
    )
    assert result["state"] == "proposed" and "I'll move Dentist to" in result["say"]
    call("confirm_change", {"change_id": result["change_id"]})
    event.refresh_from_db()
    assert event.start.astimezone(user.tz).hour == 9 and event.duration == timedelta(hours=1)


def test_update_and_cancel_of_unknown_or_other_users_event(call, other_user):
    theirs = make_event(other_user)
    for name in ("update_schedule_event", "cancel_schedule_event"):
        for event_id in (theirs.pk, 999999):
            result = call(name, {"event_id": event_id, "title": "Mine now"})
            assert result["ok"] is False and "Call list_schedule_events" in result["say"]
    theirs.refresh_from_db()
    assert theirs.title == "Dentist" and theirs.status == "confirmed"


def test_cancel_then_undo(call, user):
    event = make_event(user)
    proposed = call("cancel_schedule_event", {"event_id": event.pk})
    call("confirm_change", {"change_id": proposed["change_id"]})
    event.refresh_from_db()
    assert event.status == "cancelled"
    undone = call("undo_last_change", {})
    assert undone["ok"] and undone["state"] == "applied" and undone["undone"] is True
    event.refresh_from_db()
    assert event.status == "confirmed"


def test_undo_create_and_move(call, user):
    event = make_event(user)
    moved = call(
        "update_schedule_event", {"event_id": event.pk, "start_time": future(days=4, hour=10)}
    )
    call("confirm_change", {"change_id": moved["change_id"]})
    added = call("add_schedule_event", {"title": "Lunch", "start_time": future(days=4, hour=12)})
    call("confirm_change", {"change_id": added["change_id"]})
    assert call("undo_last_change", {})["ok"]
    assert not Event.objects.filter(title="Lunch").exists()
    assert call("undo_last_change", {})["ok"]
    event.refresh_from_db()
    assert event.start.astimezone(user.tz).hour == 14
    assert call("undo_last_change", {})["ok"] is False


def test_discard_changes_nothing(user_api, call, live_conversation):
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    url = f"/api/conversations/{live_conversation.pk}/changes/{result['change_id']}/discard/"
    discarded = user_api.post(url).json()
    assert discarded["ok"] and discarded["state"] == "discarded"
    assert not Event.objects.exists()
    assert call("confirm_change", {"change_id": result["change_id"]})["ok"] is False


def test_click_confirm_then_undo_like_saying_it(user_api, call, live_conversation):
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    base = f"/api/conversations/{live_conversation.pk}/changes/{result['change_id']}"
    assert user_api.post(base + "/confirm/").json()["state"] == "applied"
    assert user_api.post(base + "/confirm/").json()["state"] == "applied"  # twice is once
    assert Event.objects.count() == 1
    assert user_api.post(base + "/undo/").json()["state"] == "undone"
    assert Event.objects.count() == 0
    assert user_api.post(base + "/launch/").status_code == 404


def test_proposals_expire(call):
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    Proposal.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    confirmed = call("confirm_change", {"change_id": result["change_id"]})
    assert confirmed["ok"] is False and "expired" in confirmed["say"]
    assert not Event.objects.exists()
    assert Proposal.objects.get(pk=result["change_id"]).state == "expired"  # and it stays so


def test_proposals_die_with_the_conversation(user_api, call, live_conversation):
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    user_api.post(f"/api/conversations/{live_conversation.pk}/end/")
    assert Proposal.objects.get(pk=result["change_id"]).state == "expired"


def test_confirm_refuses_when_the_event_changed_since(call, user):
    event = make_event(user)
    result = call("update_schedule_event", {"event_id": event.pk, "title": "Doctor"})
    schedule_services.event_update(
        event=event, changes={"location": "Elsewhere"}, context=schedule_services.ChangeContext()
    )
    confirmed = call("confirm_change", {"change_id": result["change_id"]})
    assert confirmed["ok"] is False and "changed since" in confirmed["say"]


def test_writes_apply_at_once_when_the_persona_does_not_ask(call, live_conversation):
    Conversation.objects.filter(pk=live_conversation.pk).update(writes_need_confirmation=False)
    result = call("add_schedule_event", {"title": "Gym", "start_time": future()})
    assert result["state"] == "applied" and result["say"].startswith("Added Gym")
    assert Event.objects.filter(title="Gym").exists()


def test_find_free_slots(call, user):
    make_event(user, hour=10)
    day = (timezone.localtime(timezone.now(), user.tz) + timedelta(days=2)).date().isoformat()
    result = call("find_free_slots", {"duration_minutes": "an hour", "when": day})
    assert result["ok"] and result["slots"][0]["when"].endswith("until 10:00 AM")
    assert "You're free" in result["say"]
    assert call("find_free_slots", {"duration_minutes": "forever", "when": ""})["ok"] is False


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
    from conversations import tool_calls

    proposal_args = {"title": "Gym", "start_time": future()}
    barrier = threading.Barrier(3)
    results = []

    def deliver():
        try:
            barrier.wait(timeout=10)
            request = tool_calls.ToolRequest(
                name="add_schedule_event",
                arguments=json.dumps(proposal_args),
                tool_call_id="race-1",
            )
            results.append(
                tool_calls.tool_call_execute(conversation=live_conversation, request=request)
            )
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(results) == 3 and all(r == results[0] for r in results)
    assert Proposal.objects.count() == 1 and ToolCall.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_undos_at_once_undo_the_last_two_changes(live_conversation, monkeypatch):
    from conversations import proposals, tool_calls

    def run(name, call_id, arguments=None):
        request = tool_calls.ToolRequest(
            name=name, arguments=json.dumps(arguments or {}), tool_call_id=call_id
        )
        return tool_calls.tool_call_execute(conversation=live_conversation, request=request)

    for n, hour in enumerate((9, 11)):
        proposed = run(
            "add_schedule_event", f"add-{n}", {"title": f"E{n}", "start_time": future(hour=hour)}
        )
        assert run("confirm_change", f"yes-{n}", {"change_id": proposed["change_id"]})["ok"]
    # The first undo holds the last change's row until the second is on its way to it: the
    # second must then undo the change before, not report the last one as already undone.
    first_locked, second_sent = threading.Event(), threading.Event()
    undo = proposals.proposal_undo

    def held_undo(**kwargs):
        if not first_locked.is_set():
            first_locked.set()
            second_sent.wait(timeout=10)
        return undo(**kwargs)

    monkeypatch.setattr(proposals, "proposal_undo", held_undo)
    answers = []

    def first():
        try:
            answers.append(run("undo_last_change", "undo-a"))
        finally:
            connections.close_all()

    def second():
        try:
            first_locked.wait(timeout=10)
            second_sent.set()
            answers.append(run("undo_last_change", "undo-b"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert [a["ok"] for a in answers] == [True, True], answers
    said = sorted(a["say"] for a in answers)
    assert said[0].startswith("Undone: Add 'E0'") and said[1].startswith("Undone: Add 'E1'")
    assert not Event.objects.filter(title__in=["E0", "E1"]).exists()


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


# --- HMAC endpoint for tools Tavus delivers itself ---

SECRET = "tool-secret"


def direct(client, name, body: dict | bytes, signature: str | None = "good"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature == "good":
        headers["HTTP_X_TAVUS_SIGNATURE"] = direct_tools.signature_for(raw, SECRET)
    elif signature is not None:
        headers["HTTP_X_TAVUS_SIGNATURE"] = signature
    return client.post(
        f"/api/tavus/tools/{name}/", data=raw, content_type="application/json", **headers
    )


def test_hmac_delivery_good_signature_runs_the_tool(client, live_conversation, settings):
    settings.TAVUS_TOOL_SECRET = SECRET
    body = {
        "conversation_id": live_conversation.tavus_conversation_id,
        "arguments": json.dumps({"when": "today"}),
        "tool_call_id": "t1",
    }
    response = direct(client, "list_schedule_events", body)
    assert response.status_code == 200 and response.json()["ok"] is True
    assert ToolCall.objects.get().via == "tavus"


@pytest.mark.parametrize("signature", [None, "", "deadbeef", "0" * 64])
def test_hmac_delivery_bad_or_missing_signature_is_401(
    client, live_conversation, settings, signature
):
    settings.TAVUS_TOOL_SECRET = SECRET
    body = {"conversation_id": live_conversation.tavus_conversation_id, "arguments": "{}"}
    assert direct(client, "list_schedule_events", body, signature=signature).status_code == 401
    assert not ToolCall.objects.exists()


def test_hmac_signature_over_a_different_body_is_401(client, live_conversation, settings):
    settings.TAVUS_TOOL_SECRET = SECRET
    signed = json.dumps(
        {"conversation_id": live_conversation.tavus_conversation_id, "arguments": "{}"}
    ).encode()
    tampered = signed.replace(b"{}", b'{"when": "tomorrow"}')
    response = client.post(
        "/api/tavus/tools/list_schedule_events/", data=tampered, content_type="application/json",
        HTTP_X_TAVUS_SIGNATURE=direct_tools.signature_for(signed, SECRET),
    )  # fmt: skip
    assert response.status_code == 401


def test_hmac_endpoint_is_404_without_a_secret(client, live_conversation):
    body = {"conversation_id": live_conversation.tavus_conversation_id, "arguments": "{}"}
    assert direct(client, "list_schedule_events", body).status_code == 404


def test_hmac_unknown_conversation_404_and_garbage_400(client, live_conversation, settings):
    settings.TAVUS_TOOL_SECRET = SECRET
    assert direct(client, "list_schedule_events", {"conversation_id": "c-nope"}).status_code == 404
    assert direct(client, "list_schedule_events", b"not json").status_code == 400
    assert direct(client, "list_schedule_events", {"arguments": "{}"}).status_code == 400


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


def test_moving_an_event_to_where_it_is_proposes_nothing_and_keeps_undo_working(call, user):
    event = make_event(user)
    moved = call(
        "update_schedule_event", {"event_id": event.pk, "start_time": future(days=4, hour=10)}
    )
    call("confirm_change", {"change_id": moved["change_id"]})
    event.refresh_from_db()
    same = event.start.astimezone(user.tz).strftime("%Y-%m-%dT%H:%M")
    result = call("update_schedule_event", {"event_id": event.pk, "start_time": same})
    assert result["ok"] is False and "already looks like that" in result["say"]
    assert call("undo_last_change", {})["ok"] is True
    event.refresh_from_db()
    assert event.start.astimezone(user.tz).hour == 14


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
        ("list_schedule_events", {"when": "tomorrow"}, 3),
        ("find_free_slots", {"duration_minutes": "30", "when": "tomorrow"}, 3),
        ("add_schedule_event", {"title": "Dentist", "start_time": "tomorrow at 9pm"}, 5),
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
    # Token, user and conversation in one query; the tool's read; the call's exactly-once row.
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
    # Caller + conversation, the call's row (in and answered), the proposal (locked), the
    # owner's lock, then the schedule's own work.
    assert _queries(confirm.captured_queries) <= 9
    assert _queries(undo.captured_queries) <= 12


def test_relay_token_answers_stay_drf_s(api_client, other_api, user, live_conversation):
    path = f"/api/conversations/{live_conversation.pk}/tool-calls/"
    body = {"name": "list_schedule_events", "arguments": "{}"}
    # Another user's valid token: authenticated, but not their conversation.
    assert other_api.post(path, body, format="json").status_code == 404
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    assert api_client.post(path, body, format="json").status_code == 401
    user.is_active = False
    user.save(update_fields=["is_active"])
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {user.auth_token.key}")
    assert api_client.post(path, body, format="json").status_code == 401
    assert not ToolCall.objects.filter(conversation=live_conversation).exists()
