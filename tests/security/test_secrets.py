"""No secret in any page, API answer or log line.

TAVUS_API_KEY, TAVUS_TOOL_SECRET, SECRET_KEY, VAPID_PRIVATE_KEY and a persona's custom LLM key
are set to unique markers; every route is rendered as a user and as staff (the admin's pages
too), the API is called, and a start, tool calls, webhooks, a persona sync and Tavus failures are
logged at DEBUG.
A conversation's callback secret (it is in the URL Tavus calls) is never shown to anyone.
"""

import json
import logging

import pytest
from django.contrib import admin

from conversations import inbound, services
from personas.models import Persona
from personas.services import persona_sync
from tests.factories import UserFactory, synced_persona
from tests.security import route_values, routes, seed

pytestmark = pytest.mark.django_db

MARKERS = {
    "TAVUS_API_KEY": "tavus-key-MARKER-1f3a9c",
    "TAVUS_TOOL_SECRET": "tool-secret-MARKER-7b2e4d",
    "SECRET_KEY": "secret-key-MARKER-9d8c7b-with-enough-length-for-django-0123456789",
    "LLM_API_KEY": "llm-key-MARKER-5a6b7c",
    "VAPID_PRIVATE_KEY": "vapid-private-MARKER-3e4f5a",
}


@pytest.fixture
def marked(fake_tavus, settings):
    fake_tavus.api_key = MARKERS["TAVUS_API_KEY"]
    settings.TAVUS_API_KEY = MARKERS["TAVUS_API_KEY"]
    settings.TAVUS_TOOL_SECRET = MARKERS["TAVUS_TOOL_SECRET"]
    settings.SECRET_KEY = MARKERS["SECRET_KEY"]
    settings.VAPID_PRIVATE_KEY = MARKERS["VAPID_PRIVATE_KEY"]
    settings.VAPID_PUBLIC_KEY, settings.VAPID_SUBJECT = "BPublicKey", "mailto:a@example.com"
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    persona = synced_persona(
        llm_model=Persona.LLMModel.CUSTOM,
        llm_custom_model="my-model",
        llm_base_url="https://llm.example.com/v1",
        llm_api_key=MARKERS["LLM_API_KEY"],
    )
    return fake_tavus, persona


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text]


def _body(response) -> str:
    content = b"".join(response) if response.streaming else response.content
    return content.decode(errors="replace") + json.dumps(dict(response.headers))


def test_no_secret_on_any_page_or_api_answer(marked, client):
    _fake, persona = marked
    user = seed(UserFactory(username="plain"), persona, label="U")
    staff = seed(UserFactory(username="boss", is_staff=True, is_superuser=True), persona, label="S")
    secrets = [*MARKERS.values(), user.live.callback_secret, staff.live.callback_secret]
    problems = []
    for owned in (user, staff):
        values = route_values(owned)
        paths = [r.path(**values) for r in routes() if r.name != "logout"]
        paths += [f"/conversations/{owned.ended.pk}/", f"/api/conversations/{owned.ended.pk}/"]
        if owned.user.is_staff:
            paths += ["/admin/"]
            for model in admin.site._registry:
                info = (model._meta.app_label, model._meta.model_name)
                paths.append(f"/admin/{info[0]}/{info[1]}/")
                first = model.objects.first()
                if first is not None:
                    paths.append(f"/admin/{info[0]}/{info[1]}/{first.pk}/change/")
            paths.append(f"/admin/personas/persona/{persona.pk}/change/")
            paths.append(f"/admin/conversations/conversation/{owned.live.pk}/change/")
        client.force_login(owned.user)
        token = {"HTTP_AUTHORIZATION": f"Token {owned.user.api_key}"}
        for path in paths:
            response = client.get(path, **(token if path.startswith("/api/") else {}))
            if leaked := _leaks(_body(response), secrets):
                problems.append(f"GET {path} ({owned.user.username}): {leaked}")
        # The API's writes answer without secrets too.
        relay = f"/api/conversations/{owned.live.pk}/tool-calls/"
        for path, body in (
            ("/api/conversations/", {}),
            (relay, {"name": "list_schedule_events", "arguments": "{}"}),
            ("/api/events/", {"title": "x", "start": "tomorrow 8am", "end": "tomorrow 9am"}),
            ("/api/auth/token/", {"username": owned.user.username, "password": "wrong"}),
        ):
            response = client.post(path, body, content_type="application/json", **token)
            if leaked := _leaks(_body(response), secrets):
                problems.append(f"POST {path}: {leaked}")
    assert not problems, "\n".join(problems)


def test_no_secret_in_any_log_line(marked, client, caplog):
    fake, persona = marked
    caplog.set_level(logging.DEBUG)
    user = UserFactory(username="logged")
    owned = seed(user, persona, label="L")
    secrets = [*MARKERS.values(), owned.live.callback_secret]
    # Webhooks: good, forged, garbage.
    token = owned.live.callback_token
    payload = {
        "event_type": "system.replica_joined",
        "conversation_id": owned.live.tavus_conversation_id,
        "properties": {},
    }
    for path, body in (
        (f"/api/tavus/callbacks/{token}/", json.dumps(payload)),
        (f"/api/tavus/callbacks/{owned.live.pk}.forged/", json.dumps(payload)),
        (f"/api/tavus/callbacks/{token}/", "not json"),
    ):
        client.post(path, data=body, content_type="application/json")
    # A direct (HMAC) tool call, good and badly signed.
    raw = json.dumps(
        {"conversation_id": owned.live.tavus_conversation_id, "arguments": {"range": "today"}}
    ).encode()
    for secret in (MARKERS["TAVUS_TOOL_SECRET"], "wrong"):
        client.post(
            "/api/tavus/tools/list_schedule_events/",
            data=raw,
            content_type="application/json",
            HTTP_X_TAVUS_SIGNATURE=inbound.signature_for(raw, secret),
        )
    # Relayed tool calls, a sign-in, a persona sync; then Tavus failing every way.
    client.force_login(user)
    relay = f"/api/conversations/{owned.live.pk}/tool-calls/"
    client.post(relay, {"name": "list_schedule_events", "arguments": "{}"}, "application/json")
    client.post("/api/auth/token/", {"username": "logged", "password": "x"}, "application/json")
    own = Persona.objects.create(
        name="Own",
        system_prompt="You are DRAKO.",
        llm_model=Persona.LLMModel.CUSTOM,
        llm_custom_model="my-model",
        llm_base_url="https://llm.example.com/v1",
        llm_api_key=MARKERS["LLM_API_KEY"],
    )
    persona_sync(persona=own)  # the custom key goes to Tavus, and nowhere else
    assert any(MARKERS["LLM_API_KEY"] in r.raw_body.decode() for r in fake.requests)
    services.conversation_end(conversation=owned.live)
    for status, body in ((401, {"message": "Invalid access token"}), (500, b"oops")):
        fake.fail_next(status, body)
        client.post("/api/conversations/", {}, content_type="application/json")
        fake.fail_next(status, body)
        try:
            own.system_prompt += " Again."
            own.save()
            persona_sync(persona=own)
        except Exception as exc:  # the failure itself is what is being logged
            assert not _leaks(str(exc), secrets)
    assert caplog.records, "nothing was logged: the capture is not working"
    text = (
        "\n".join(f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
        + caplog.text
    )
    leaking = [
        f"{r.name} {r.levelname}: {r.getMessage()}"
        for r in caplog.records
        if _leaks(f"{r.getMessage()} {r.exc_text or ''}", secrets)
    ]
    assert not leaking, "\n".join(leaking)
    assert not _leaks(text, secrets)


# --- Rate limits --------------------------------------------------------------------------------
# Already covered elsewhere, not repeated here:
#   sign-in page per address, locked even with the right password:
#     tests/accounts/test_accounts.py (test_login_is_locked_after_repeated_failures_...)
#   sign-up per address: tests/accounts/test_accounts.py (test_signup_is_rate_limited_per_address)
#   /api/auth/token/ per address: tests/accounts/test_token_api.py
#   one account guessed from many addresses (a delay, never a lock): tests/accounts/test_guard.py
#   POST /api/conversations/: tests/conversations/test_start.py (..._is_rate_limited)
#   relayed tool calls: tests/conversations/test_tools.py (test_tool_calls_are_rate_limited_...)


def test_page_and_api_sign_in_share_one_count(client, api_client, user, settings):
    settings.LOGIN_RATE_LIMIT = 2
    client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    api_client.post("/api/auth/token/", {"username": "alice", "password": "nope"}, format="json")
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery-staple"}
    )
    assert response.status_code == 429
    response = api_client.post(
        "/api/auth/token/",
        {"username": "alice", "password": "correct-horse-battery-staple"},
        format="json",
    )
    assert response.status_code == 429


def test_successful_api_sign_in_does_not_count(api_client, user, settings):
    settings.LOGIN_RATE_LIMIT = 2
    good = {"username": "alice", "password": "correct-horse-battery-staple"}
    for _ in range(5):
        assert api_client.post("/api/auth/token/", good, format="json").status_code == 200


def test_signup_page_answers_429_past_its_limit_even_when_valid(client, settings):
    settings.SIGNUP_RATE_LIMIT = 1
    form = {
        "username": "first",
        "email": "first@example.com",
        "display_name": "First",
        "time_zone": "Europe/Berlin",
        "password1": "correct-horse-battery-staple",
        "password2": "correct-horse-battery-staple",
    }
    assert client.post("/accounts/signup/", form).status_code == 302
    client.post("/accounts/logout/")
    second = {**form, "username": "second", "email": "second@example.com"}
    response = client.post("/accounts/signup/", second)
    assert response.status_code == 429


def test_conversation_start_page_is_rate_limited_like_the_api(marked, client, settings):
    fake, _persona = marked
    settings.CONVERSATION_START_RATE_LIMIT = 2
    user = UserFactory(username="starter")
    client.force_login(user)
    for _ in range(2):
        response = client.post("/conversations/start/")
        assert response["Location"].startswith("/conversations/")
        client.post(response["Location"] + "end/")
    creates = [r for r in fake.requests if r.method == "POST" and r.path == "/v2/conversations"]
    response = client.post("/conversations/start/", follow=True)
    assert "Too many conversations started" in response.content.decode()
    again = [r for r in fake.requests if r.method == "POST" and r.path == "/v2/conversations"]
    assert len(again) == len(creates) == 2


def test_tool_call_limit_is_each_users_own(marked, client, settings):
    _fake, persona = marked
    settings.TOOL_CALL_RATE_LIMIT = 3
    # Seeding makes one tool call per user, and it counts: every door shares one budget.
    owned = seed(UserFactory(username="caller"), persona, label="T")
    other = seed(UserFactory(username="bystander"), persona, label="O")
    body = {"name": "list_schedule_events", "arguments": "{}"}
    client.force_login(owned.user)
    url = f"/api/conversations/{owned.live.pk}/tool-calls/"
    for _ in range(2):
        assert client.post(url, body, content_type="application/json").status_code == 200
    assert client.post(url, body, content_type="application/json").status_code == 429
    client.force_login(other.user)  # someone else's budget is their own
    url = f"/api/conversations/{other.live.pk}/tool-calls/"
    assert client.post(url, body, content_type="application/json").status_code == 200
