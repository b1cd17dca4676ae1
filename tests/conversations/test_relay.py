"""conversations.relay: well-formed relays are answered without DRF, as DRF would answer them;
everything else is the DRF view's own answer, with nothing counted or written first."""

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.crypto import get_random_string

from accounts.models import Session
from conversations import apis
from conversations.models import Conversation, ToolCall


@pytest.fixture
def url(live_conversation):
    return f"/api/conversations/{live_conversation.pk}/tool-calls/"


@pytest.fixture
def drf_refuses(monkeypatch):
    """The DRF view's handler fails the test if a request reaches it."""
    reached = []

    def post(self, request, conversation_id):
        reached.append(conversation_id)
        raise AssertionError("the DRF view was reached")

    monkeypatch.setattr(apis.ToolCallRelayApi, "post", post)
    return reached


def _session_client(user) -> tuple[Client, dict]:
    """The live page: its session cookie, the CSRF cookie and the same token in X-CSRFToken."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    csrf = get_random_string(32, CSRF_ALLOWED_CHARS)
    client.cookies["csrftoken"] = csrf
    return client, {"HTTP_X_CSRFTOKEN": csrf}


def _body(name="list_schedule_events", **fields) -> str:
    return json.dumps({"name": name, "arguments": json.dumps({"when": "today"}), **fields})


def test_a_token_relay_is_answered_without_drf(user, user_api, url, drf_refuses):
    response = user_api.post(url, _body(tool_call_id="t1"), content_type="application/json")
    assert response.status_code == 200 and response.json()["ok"] is True
    assert response["Content-Type"] == "application/json"
    assert ToolCall.objects.get().tool_call_id == "t1"


def test_the_pages_session_relay_is_answered_without_drf(user, url, drf_refuses):
    client, csrf = _session_client(user)
    response = client.post(url, _body(tool_call_id="s1"), "application/json", **csrf)
    assert response.status_code == 200 and response.json()["ok"] is True


def _selects(captured, table: str) -> list[str]:
    sql = [query["sql"] for query in captured]
    return [s for s in sql if s.startswith("SELECT") and f'"{table}"' in s]


def test_a_session_relay_finds_session_user_and_conversation_in_one_query(
    user, url, live_conversation, drf_refuses
):
    client, csrf = _session_client(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, _body(tool_call_id="s1"), "application/json", **csrf)
    assert response.status_code == 200 and response.json()["ok"] is True
    sessions = _selects(captured, "accounts_session")
    assert len(sessions) == 1 and '"conversations_conversation"' in sessions[0]
    # No second lookup of the user or of the conversation, as the token path makes none.
    assert _selects(captured, "accounts_user") == sessions
    assert _selects(captured, "conversations_conversation") == sessions
    assert ToolCall.objects.get().conversation_id == live_conversation.pk


def test_a_session_relay_to_someone_elses_conversation_is_drfs_404(
    user, other_user, url, live_conversation
):
    client, csrf = _session_client(other_user)
    response = client.post(url, _body(), "application/json", **csrf)
    assert response.status_code == 404
    assert not ToolCall.objects.exists()
    # The session read with no conversation still signs its user in, for the DRF view too.
    assert response.wsgi_request.user.pk == other_user.pk


@pytest.mark.parametrize("hint", ["other", None, 10**9])
def test_the_sessions_user_column_never_decides_whose_conversation_it_is(
    user, other_user, url, live_conversation, hint
):
    """The session row's user column is a hint (accounts.models.Session): a stale one joins
    another user's conversations, and the session's data still decides."""
    Conversation.objects.create(user=other_user, status=Conversation.Status.ACTIVE)
    client, csrf = _session_client(user)
    Session.objects.update(user_id=other_user.pk if hint == "other" else hint)
    response = client.post(url, _body(tool_call_id="h"), "application/json", **csrf)
    assert response.status_code == 200 and response.json()["ok"] is True
    assert ToolCall.objects.get().conversation_id == live_conversation.pk
    stranger, csrf = _session_client(other_user)
    Session.objects.filter(user_id=other_user.pk).update(user_id=user.pk)  # names the owner
    response = stranger.post(url, _body(tool_call_id="x"), "application/json", **csrf)
    assert response.status_code == 404 and ToolCall.objects.count() == 1


def test_an_expired_or_signed_out_sessions_relay_is_drfs_401(user, url, live_conversation):
    client, csrf = _session_client(user)
    Session.objects.update(expire_date=datetime(2000, 1, 1, tzinfo=UTC))
    response = client.post(url, _body(), "application/json", **csrf)
    assert response.status_code == 401 and not response.wsgi_request.user.is_authenticated
    client, csrf = _session_client(user)
    user.set_password("a-new-and-different-password")  # signs the old session out
    user.save()
    assert client.post(url, _body(), "application/json", **csrf).status_code == 401
    assert not ToolCall.objects.exists()


def test_a_session_relay_without_its_csrf_token_is_drfs_403(user, url):
    client, _ = _session_client(user)
    response = client.post(url, _body(), "application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not ToolCall.objects.exists()


def test_the_fast_answer_is_byte_for_byte_drfs(user, user_api, url, live_conversation):
    fast = user_api.post(url, _body(tool_call_id="a"), content_type="application/json")
    # The same call through the DRF view itself (as the relay hands over what it doesn't take).
    drf = apis.ToolCallRelayApi.as_view()
    from rest_framework.test import APIRequestFactory

    request = APIRequestFactory().post(
        url, _body(tool_call_id="b"), content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {user.api_key}",
    )  # fmt: skip
    thorough = drf(request, conversation_id=live_conversation.pk)
    thorough.render()
    assert fast.content == thorough.content
    assert fast["Content-Type"] == thorough["Content-Type"]


@pytest.mark.parametrize(
    "body",
    [
        {"name": " list_schedule_events "},  # DRF trims it
        {"name": "list_schedule_events", "tool_call_id": 7},  # DRF makes it "7"
        {"name": "list_schedule_events", "arguments": 5},  # DRF refuses it
        {"name": "list_schedule_events", "utterance": "x" * 2001},  # too long: DRF's 400
        {"name": "list_schedule_events", "arguments": "\u0000"},  # NUL: DRF's 400
    ],
)
def test_anything_drf_would_coerce_or_refuse_goes_to_drf(user_api, url, body, monkeypatch):
    reached = []
    post = apis.ToolCallRelayApi.post
    monkeypatch.setattr(
        apis.ToolCallRelayApi, "post", lambda *a, **k: reached.append(1) or post(*a, **k)
    )
    user_api.post(url, json.dumps(body), content_type="application/json")
    assert reached == [1]


def test_nan_is_drfs_400(user_api, url):
    body = '{"name": "list_schedule_events", "arguments": {"n": NaN}}'
    assert user_api.post(url, body, content_type="application/json").status_code == 400
    assert not ToolCall.objects.exists()


def test_refusals_stay_drfs(api_client, other_api, user, url, live_conversation):
    body = _body()
    assert other_api.post(url, body, content_type="application/json").status_code == 404
    api_client.credentials(HTTP_AUTHORIZATION="Token " + "f" * len(user.api_key))
    assert api_client.post(url, body, content_type="application/json").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {user.api_key}")
    assert api_client.post(url, body, content_type="application/json").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {user.api_key}")
    assert api_client.post(url, body, content_type="text/plain").status_code == 415
    assert api_client.get(url).status_code == 405
    assert not ToolCall.objects.exists()


def test_an_ended_call_and_the_rate_limit_answer_as_drf_does(user_api, url, live_conversation,
                                                              settings, drf_refuses):  # fmt: skip
    settings.TOOL_CALL_RATE_LIMIT = 1
    assert user_api.post(url, _body(), content_type="application/json").status_code == 200
    limited = user_api.post(url, _body(), content_type="application/json")
    assert limited.status_code == 429
    assert set(limited.json()) == {"detail", "ok", "say"} and limited.json()["ok"] is False
    Conversation.objects.filter(pk=live_conversation.pk).update(
        status="ended", ended_at=datetime.now(UTC)
    )
    ended = user_api.post(url, _body(), content_type="application/json")
    assert ended.status_code == 409 and "ended" in ended.json()["detail"]


def test_the_api_schema_still_documents_the_relay(user_client):
    schema = user_client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/conversations/{conversation_id}/tool-calls/"]["post"]
    assert "ToolCallInput" in json.dumps(operation["requestBody"])
    assert {"200", "409", "429"} <= set(operation["responses"])


@pytest.mark.parametrize("conversation_id", ["0", str(2**63), "9" * 30])
def test_a_conversation_id_no_row_can_have_is_a_404(user_api, user, conversation_id):
    url = f"/api/conversations/{conversation_id}/tool-calls/"
    assert user_api.post(url, _body(), content_type="application/json").status_code == 404
    client, csrf = _session_client(user)
    assert client.post(url, _body(), "application/json", **csrf).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "list_schedule_events", "arguments": {"when": 1e400}}',
        '{"name": "list_schedule_events", "arguments": "{\\"when\\": 1e400}"}',
        '{"name": "list_schedule_events", "arguments": "{\\"when\\": NaN}"}',
        '{"name": "add_schedule_event", "arguments": {"title": "x", "start_time": -1e400}}',
    ],
)
def test_a_number_no_column_can_store_is_a_400(user_api, user, url, body):
    # Python's decoder reads 1e400 (as infinity) and NaN; PostgreSQL's jsonb refuses them.
    response = user_api.post(url, body, content_type="application/json")
    assert response.status_code == 400 and "finite" in response.json()["detail"]
    client, csrf = _session_client(user)
    assert client.post(url, body, "application/json", **csrf).status_code == 400
    assert not ToolCall.objects.exists()
