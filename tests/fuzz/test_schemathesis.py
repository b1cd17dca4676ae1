"""Schemathesis against DRAKO's own `/api/schema/`: every operation, in-process over WSGI.

A real user (token in every request) with seeded events, changes, a live conversation with
proposals, an ended one and a playground one, so that ids in paths sometimes hit real objects.
Checks: no 5xx, and every response conforms to the schema (documented status, content type,
headers and body). The Tavus-facing endpoints (a secret in the URL, an HMAC over the raw body)
get real tokens and real signatures part of the time, so their deeper paths are fuzzed too.

Bounded and derandomized: the same examples run on every machine, in well under a minute.
"""

import json
import re
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conversations import inbound, services
from conversations.assistant.calls import ToolRequest, arguments_parse, tool_call_execute
from conversations.assistant.playground import playground_conversation_get
from conversations.models import Conversation
from schedules import services as schedule_services
from tests.factories import UserFactory, synced_persona

TOOL_SECRET = "fuzz-tool-secret"
MAX_EXAMPLES = 40
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def wsgi_app():
    """Django's real WSGI handler, kept from closing the test transaction's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(db, fake_tavus, settings):
    """The fuzzing user's objects (and another user's, which must stay out of reach)."""
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    settings.TAVUS_TOOL_SECRET = TOOL_SECRET
    persona = synced_persona()
    user = UserFactory(username="fuzzer", time_zone="Europe/Berlin")
    other = UserFactory(username="bystander", time_zone="America/New_York")
    context = schedule_services.ChangeContext()
    start = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    events = []
    for owner in (user, other):
        for i in range(4):
            event, _ = schedule_services.event_create(
                owner=owner,
                title=f"Seeded {i}",
                start=start + timedelta(hours=3 * i),
                end=start + timedelta(hours=3 * i + 1),
                context=context,
            )
            if owner is user:
                events.append(event)
    ended = services.conversation_start(user=user, persona=persona).conversation
    services.conversation_end(conversation=ended)
    live = services.conversation_start(user=user, persona=persona).conversation
    playground = playground_conversation_get(user=user)
    for i, conversation in enumerate((live, playground)):
        tool_call_execute(
            conversation=conversation,
            request=ToolRequest(
                name="add_schedule_event",
                arguments=arguments_parse(
                    {
                        "title": f"Proposed {i}",
                        "start_time": (start + timedelta(days=2, hours=i)).isoformat(),
                        "end_time": (start + timedelta(days=2, hours=i + 1)).isoformat(),
                    }
                ),
                tool_call_id=f"seed-{i}",
            ),
        )
    conversations = list(Conversation.objects.filter(user=user).order_by("pk"))
    return {
        "user": user,
        "token": user.api_key,
        "event_id": [e.pk for e in events],
        "change_id": [
            *user.event_changes.values_list("pk", flat=True),
            *(p.pk for c in conversations for p in c.proposals.all()),
        ],
        "conversation_id": [c.pk for c in conversations],
        "name": ["list_schedule_events", "add_schedule_event", "confirm_change"],
        "callbacks": [
            (c.callback_token, c.tavus_conversation_id)
            for c in conversations
            if c.tavus_conversation_id
        ],
        "tavus_ids": [c.tavus_conversation_id for c in conversations if c.tavus_conversation_id],
        "now": timezone.now(),
    }


def _load_schema():
    """The live schema, fetched through the app at collection time (no database needed).

    Collection runs before the test settings fixture, so the two settings that would stop a
    plain-HTTP, un-collected-static request are set here; each test then calls a fresh handler.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False,
        STORAGES={
            **django_settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        return schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


# schemathesis.pytest.from_fixture() would load it per test, but its lazy runner writes
# pytest's private `Function._nodeid`, which pytest 9.2 no longer has.
schema = _load_schema()


WEBHOOK_EVENTS = (
    "system.replica_joined",
    "system.shutdown",
    "application.transcription_ready",
    "application.recording_ready",
    "application.perception_analysis",
    "conversation.unknown_kind",
)


def _steer(case, pick: int, world: dict, kwargs: dict) -> None:
    """Point the generated request at the user's real objects and at plausible times.

    Only ids, times and the Tavus envelopes are replaced; titles, notes, tool names and
    arguments, durations and everything else stay as generated.
    """
    for name, value in list(case.path_parameters.items()):
        choices = world.get(name)
        if choices and not isinstance(value, bool):
            case.path_parameters[name] = choices[pick % len(choices)]
    base = timezone.localtime(world["now"], world["user"].tz) + timedelta(days=pick)
    if isinstance(case.query, dict) and {"start", "end"} <= set(case.query):
        case.query["start"] = base.isoformat()
        case.query["end"] = (base + timedelta(days=1 + pick)).isoformat()
    body = dict(case.body) if isinstance(case.body, dict) else None
    if body is not None and ("start" in body or "end" in body) and not case.path_parameters:
        body["start"] = (base + timedelta(hours=pick)).isoformat()
        body["end"] = (base + timedelta(hours=pick + 1)).isoformat()
        case.body = body
    if case.path.startswith("/api/tavus/callbacks/"):
        token, tavus_id = world["callbacks"][pick % len(world["callbacks"])]
        case.path_parameters["token"] = token
        body = body or {}
        body.setdefault("properties", {})
        body.update(event_type=WEBHOOK_EVENTS[pick % len(WEBHOOK_EVENTS)], conversation_id=tavus_id)
        case.body = body
    if case.path.startswith("/api/tavus/tools/"):
        body = body or {}
        body["conversation_id"] = world["tavus_ids"][pick % len(world["tavus_ids"])]
        raw = json.dumps(body).encode()
        kwargs["data"] = raw
        kwargs["headers"]["Content-Type"] = "application/json"
        key = inbound.tool_secret(str(case.path_parameters.get("name", "")), TOOL_SECRET)
        kwargs["headers"]["X-Tavus-Signature"] = inbound.signature_for(raw, key)


@schema.given(real=st.integers(min_value=0, max_value=7))
@hypothesis.settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
@schema.parametrize()
def test_api_conforms_to_its_schema(case, real, world, wsgi_app):
    """Half the time (odd `real`) the request is steered at the user's own objects."""
    kwargs = {"app": wsgi_app, "headers": {"Authorization": f"Token {world['token']}"}}
    if real % 2:
        _steer(case, real // 2, world, kwargs)
    case.call_and_validate(checks=CHECKS, **kwargs)


# --- Stateful: follow the schema's links (create an event, then read, change, delete it) -------

STATEFUL_EXAMPLES = 15
STATEFUL_STEPS = 8


def test_api_workflows_following_links_never_answer_5xx(world, wsgi_app):
    """Schemathesis infers the links between operations (a created event's id feeds the event
    routes, a started conversation's id the conversation routes) and walks them as the user.
    Bounded and derandomized like the test above; checked: no 5xx, every answer as documented."""
    workflow = schema.as_state_machine()
    # Rules are named "<source operation>___<status>_<link>__<target operation>".
    links = [name for name in vars(workflow) if re.search(r"___(200|201)_", name)]
    assert any(name.startswith("POST_api_events___201_") for name in links), links
    assert any(name.startswith("POST_api_conversations___201_") for name in links), links
    headers = {"Authorization": f"Token {world['token']}"}

    class Workflow(workflow):
        # Each example starts from the seeded world: what one example made (a live
        # conversation, a calendar) would otherwise change another's answers, and Hypothesis
        # refuses a replay that draws differently ("inconsistent data generation").
        def setup(self):
            self.savepoint = transaction.savepoint_create()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"app": wsgi_app, "headers": dict(headers)}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)

    Workflow.run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_EXAMPLES,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )


# --- What the fuzzer and its follow-up probes found: each was a 500 -------------------------

DEEP_ARRAY = "[" * 50_000 + "]" * 50_000  # Python's JSON decoder: RecursionError
DEEP_OBJECT = '{"a":' * 1_500 + "1" + "}" * 1_500  # parses; SQLite's JSON takes 1000 levels


@pytest.mark.parametrize("path", ["/api/auth/token/", "/api/events/", "/api/conversations/"])
def test_json_nested_too_deep_is_a_400(api_client, user, path):
    api_client.force_authenticate(user)
    response = api_client.generic("POST", path, DEEP_ARRAY, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize(
    "arguments",
    [DEEP_OBJECT, json.dumps(DEEP_OBJECT[:9_000]), '{"title": "a\\u0000b"}', '"\\ud800"'],
    ids=["deep-object", "deep-string", "nul", "lone-surrogate"],
)
def test_relayed_tool_arguments_that_cannot_be_stored_are_a_400(world, client, arguments):
    conversation = Conversation.objects.get(
        user=world["user"], status="active", is_playground=False
    )
    client.force_login(world["user"])
    calls = conversation.tool_calls.count()
    raw = '{"name": "add_schedule_event", "arguments": ' + arguments + "}"
    response = client.generic(
        "POST", f"/api/conversations/{conversation.pk}/tool-calls/", raw, "application/json"
    )
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:  # a string that is not JSON: the tool says so
        assert response.json()["ok"] is False
    else:
        assert conversation.tool_calls.count() == calls  # nothing half-written


@pytest.mark.parametrize(
    "properties", [DEEP_OBJECT, DEEP_ARRAY, '{"a\\u0000": "b\\ud800"}'], ids=["obj", "arr", "text"]
)
def test_webhooks_that_cannot_be_stored_are_refused_or_repaired(world, client, properties):
    conversation = Conversation.objects.get(
        user=world["user"], status="active", is_playground=False
    )
    envelope = {"event_type": "system.replica_joined", "conversation_id": "CID", "properties": 0}
    raw = json.dumps(envelope).replace("CID", conversation.tavus_conversation_id)
    raw = raw.replace('"properties": 0', f'"properties": {properties}')
    response = client.generic(
        "POST", f"/api/tavus/callbacks/{conversation.callback_token}/", raw, "application/json"
    )
    if properties.startswith('{"a\\'):
        assert response.status_code == 200  # kept, with the bad characters repaired
        event = conversation.events.get(event_type="system.replica_joined")
        assert event.payload["properties"] == {"a": "b\ufffd"}
    else:
        assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        '{"conversation_id": "CID", "arguments": ' + DEEP_OBJECT + "}",
        '{"conversation_id": "CID", "tool_call_id": "a\\u0000"}',
        DEEP_ARRAY,
    ],
    ids=["deep-arguments", "nul-id", "deep-body"],
)
def test_direct_tool_bodies_that_cannot_be_stored_are_a_400(world, client, body):
    conversation = Conversation.objects.get(
        user=world["user"], status="active", is_playground=False
    )
    raw = body.replace("CID", conversation.tavus_conversation_id).encode()
    response = client.generic(
        "POST",
        "/api/tavus/tools/list_schedule_events/",
        raw,
        "application/json",
        HTTP_X_TAVUS_SIGNATURE=inbound.signature_for(
            raw, inbound.tool_secret("list_schedule_events", TOOL_SECRET)
        ),
    )
    assert response.status_code == 400
