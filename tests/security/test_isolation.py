"""A user never sees, changes or learns of another user's objects, on any route.

Two users, A and B, each own one of everything. Signed in as A, every route in the URL resolver
is called with B's ids, with every method: each answers exactly as it does for an id that does
not exist (404, or 405 where the method is not served), and B's objects are unchanged after.
Routes without ids (lists, pages) must not show B's objects. Anonymous callers are sent to sign
in (pages) or refused (API). A new route is walked automatically; a new kind of path parameter
fails `test_every_route_is_covered` until it is added to `_values` below.

Routes whose URL carries the secret (calendar feed, Tavus callbacks and tools, document files)
are public by design; they get their own tests at the end of this module.
"""

import json

import pytest
from django.test import Client

from conversations import inbound
from conversations.models import ToolCall
from tests.factories import UserFactory
from tests.security import Owned, Route, routes, seed

pytestmark = pytest.mark.django_db

# Pages and endpoints anyone may call (no object of anyone's behind them).
PUBLIC = {
    "home",
    "healthz",
    "readyz",  # 503 is its answer while no worker runs, as in these tests
    "metrics",  # behind METRICS_TOKEN, not a user (tests/drako/test_metrics.py)
    "/favicon.ico",
    "signup",
    "login",
    "logout",
    "api:auth-token",
    "signin-unlock-request",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
    "api:schema",
    "api:docs",
    "example-conversation",
    "schedules:service-worker",
}
# The secret is in the URL: whoever has it is the owner (each tested below).
SECRET_IN_URL = {
    "schedules:calendar-feed",
    "api:tavus-callback",
    "api:tavus-tool",
    "personas:document-file",
    "signin-unlock",
    "verify-email",
    "password_reset_confirm",
}
METHODS = ("get", "post", "patch", "put", "delete")
MISSING_ID = 987_654_321


@pytest.fixture
def world(fake_tavus, settings, persona):
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    a = UserFactory(username="alice-a", time_zone="Europe/Berlin")
    b = UserFactory(username="bob-b", time_zone="America/New_York")
    return seed(a, persona, label="AAA"), seed(b, persona, label="BBB")


def _values(route: Route, owned: Owned | None) -> dict:
    """Path values naming `owned`'s objects (or objects that do not exist, for None)."""
    values = {}
    for name in route.params:
        if name == "event_id":
            values[name] = owned.events[0].pk if owned else MISSING_ID
        elif name == "conversation_id":
            values[name] = owned.live.pk if owned else MISSING_ID
        elif name == "change_id" and "conversation_id" in route.params:
            values[name] = owned.proposals[0].pk if owned else MISSING_ID
        elif name == "change_id":
            values[name] = owned.changes[0].pk if owned else MISSING_ID
        elif name == "calendar_id":
            values[name] = owned.calendars[0].pk if owned else MISSING_ID
        elif name == "subscription_id":
            values[name] = owned.push_subscription.pk if owned else MISSING_ID
        elif name == "action":
            values[name] = "confirm"
        else:
            raise AssertionError(f"{route.name}: no isolation values for <{name}>; add them")
    return values


def _call(client: Client, route: Route, method: str, path: str):
    if route.is_api and method != "get":
        return getattr(client, method)(path, data="{}", content_type="application/json")
    if method in ("get", "delete"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, data={})


def _walked() -> list[Route]:
    return [r for r in routes() if r.name not in PUBLIC | SECRET_IN_URL]


def test_every_route_is_covered():
    """Every route is public, secret-in-URL, or walked with values for each of its params."""
    for route in routes():
        if route.name in PUBLIC | SECRET_IN_URL:
            continue
        _values(route, None)  # raises for a parameter nobody taught this test
    assert len(_walked()) >= 25


def test_signed_in_user_cannot_reach_another_users_objects(world, client):
    a, b = world
    before = b.snapshot()
    problems = []
    for route in _walked():
        if not route.params:
            continue
        theirs, missing = route.path(**_values(route, b)), route.path(**_values(route, None))
        for method in METHODS:
            client.force_login(a.user)  # a logout route may have signed A out
            status = _call(client, route, method, theirs).status_code
            client.force_login(a.user)
            reference = _call(client, route, method, missing).status_code
            if status not in (404, 405) or status != reference:
                problems.append(f"{method.upper()} {theirs}: {status} (missing id: {reference})")
    assert not problems, "\n".join(problems)
    assert b.snapshot() == before


def test_lists_and_pages_never_show_another_users_objects(world, client):
    a, b = world
    before = b.snapshot()
    secrets = [
        "BBB-",
        b.user.username,
        b.user.calendar_token,
        b.user.api_key,
        b.live.tavus_conversation_id,
        b.live.callback_secret,
        b.push_subscription.endpoint,
    ]
    problems = []
    for route in _walked():
        if route.params:
            continue
        for method in METHODS:
            client.force_login(a.user)
            response = _call(client, route, method, route.path())
            body = b"".join(response) if response.streaming else response.content
            leaked = [s for s in secrets if s.encode() in body]
            if leaked or response.status_code >= 500:
                problems.append(
                    f"{method.upper()} {route.pattern}: {response.status_code} {leaked}"
                )
    # The admin is staff-only: A (not staff) is sent to sign in, B's objects are not shown.
    for path in (
        "/admin/",
        f"/admin/schedules/event/{b.events[0].pk}/change/",
        f"/admin/conversations/conversation/{b.live.pk}/change/",
    ):
        client.force_login(a.user)
        response = client.get(path)
        if response.status_code != 302 or "BBB-" in response.content.decode():
            problems.append(f"GET {path}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert b.snapshot() == before


def test_anonymous_callers_are_sent_to_sign_in_or_refused(world, client):
    _a, b = world
    before = b.snapshot()
    problems = []
    for route in _walked():
        path = route.path(**_values(route, b))
        for method in METHODS:
            status = _call(client, route, method, path).status_code
            allowed = {401, 405} if route.is_api else {302, 404, 405}
            if status not in allowed:
                problems.append(f"{method.upper()} {path}: {status}")
    assert not problems, "\n".join(problems)
    assert b.snapshot() == before


def test_api_token_of_one_user_reaches_only_their_objects(world, client):
    a, b = world
    headers = {"HTTP_AUTHORIZATION": f"Token {a.user.api_key}"}
    listed = client.get("/api/conversations/", **headers).json()
    assert {c["id"] for c in listed} == {a.live.pk, a.ended.pk}
    relay = f"/api/conversations/{b.live.pk}/tool-calls/"
    body = {"name": "confirm_change", "arguments": {}}
    assert client.post(relay, body, content_type="application/json", **headers).status_code == 404
    decide = f"/api/conversations/{b.live.pk}/changes/{b.proposals[0].pk}/confirm/"
    assert client.post(decide, **headers).status_code == 404
    # A's own conversation with B's proposal id: still nothing.
    mixed = f"/api/conversations/{a.live.pk}/changes/{b.proposals[0].pk}/confirm/"
    assert client.post(mixed, **headers).status_code == 404
    client.force_login(a.user)
    page = f"/conversations/{a.live.pk}/changes/{b.proposals[0].pk}/undo/"
    assert client.post(page).status_code == 404
    b.proposals[0].refresh_from_db()
    assert b.proposals[0].state == "proposed"


def test_calendar_feed_shows_only_its_owners_events(world, client):
    a, _b = world
    feed = client.get(f"/calendar/{a.user.calendar_token}.ics").content.decode()
    assert "AAA-event-0" in feed
    assert "BBB-" not in feed
    assert client.get(f"/calendar/{a.user.calendar_token}x.ics").status_code == 404


def test_callback_token_of_one_conversation_cannot_write_to_another(world, client):
    a, b = world
    before = b.snapshot()
    payload = {
        "event_type": "system.shutdown",
        "conversation_id": b.live.tavus_conversation_id,
        "properties": {"shutdown_reason": "end_conversation_endpoint_hit"},
    }
    response = client.post(
        f"/api/tavus/callbacks/{a.live.callback_token}/",
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 403
    # B's conversation id with a forged secret, and with A's secret.
    for token in (f"{b.live.pk}.forged", f"{b.live.pk}.{a.live.callback_secret}"):
        response = client.post(
            f"/api/tavus/callbacks/{token}/",
            data=json.dumps(payload),
            content_type="application/json",
        )
        assert response.status_code == 404
    assert b.snapshot() == before


def test_signed_tool_delivery_acts_only_on_the_conversation_it_names(world, client, settings):
    """Tavus holds the HMAC secret, so a signed delivery is trusted to name its conversation."""
    a, b = world
    settings.TAVUS_TOOL_SECRET = "isolation-secret"
    before = a.snapshot()
    raw = json.dumps(
        {
            "conversation_id": b.live.tavus_conversation_id,
            "arguments": {"range": "this week"},
            "tool_call_id": "direct-1",
        }
    ).encode()
    response = client.post(
        "/api/tavus/tools/list_schedule_events/",
        data=raw,
        content_type="application/json",
        HTTP_X_TAVUS_SIGNATURE=inbound.signature_for(
            raw, inbound.tool_secret("list_schedule_events", "isolation-secret")
        ),
    )
    assert response.status_code == 200, response.content
    assert "AAA-" not in response.content.decode()
    call = ToolCall.objects.get(tool_call_id="direct-1")
    assert call.conversation_id == b.live.pk
    assert a.snapshot() == before
    # Signed with anything else: nothing happens anywhere.
    response = client.post(
        "/api/tavus/tools/list_schedule_events/",
        data=raw,
        content_type="application/json",
        HTTP_X_TAVUS_SIGNATURE=inbound.signature_for(raw, "guess"),
    )
    assert response.status_code == 401
