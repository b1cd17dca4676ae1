"""Tools Tavus delivers straight to DRAKO, signed with our HMAC secret."""

import json

import pytest

from conversations import inbound
from conversations.models import ToolCall

pytestmark = pytest.mark.django_db


# --- HMAC endpoint for tools Tavus delivers itself ---

SECRET = "tool-secret"


def direct(client, name, body: dict | bytes, signature: str | None = "good"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signature == "good":  # as Tavus signs for a tool whose auth.secret is its own secret
        headers["HTTP_X_TAVUS_SIGNATURE"] = inbound.signature_for(
            raw, inbound.tool_secret(name, SECRET)
        )
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
    body = {
        "conversation_id": live_conversation.tavus_conversation_id,
        "arguments": "{}",
        "tool_call_id": "t1",
    }
    assert direct(client, "list_schedule_events", body, signature=signature).status_code == 401
    assert not ToolCall.objects.exists()


def test_hmac_signature_over_a_different_body_is_401(client, live_conversation, settings):
    settings.TAVUS_TOOL_SECRET = SECRET
    signed = json.dumps(
        {"conversation_id": live_conversation.tavus_conversation_id, "arguments": "{}",
         "tool_call_id": "t1"}
    ).encode()  # fmt: skip
    tampered = signed.replace(b"{}", b'{"when": "tomorrow"}')
    key = inbound.tool_secret("list_schedule_events", SECRET)
    response = client.post(
        "/api/tavus/tools/list_schedule_events/", data=tampered, content_type="application/json",
        HTTP_X_TAVUS_SIGNATURE=inbound.signature_for(signed, key),
    )  # fmt: skip
    assert response.status_code == 401


def test_hmac_endpoint_is_404_without_a_secret(client, live_conversation):
    body = {"conversation_id": live_conversation.tavus_conversation_id, "arguments": "{}"}
    assert direct(client, "list_schedule_events", body).status_code == 404


def test_hmac_unknown_conversation_404_and_garbage_400(client, live_conversation, settings):
    settings.TAVUS_TOOL_SECRET = SECRET
    unknown = {"conversation_id": "c-nope", "tool_call_id": "t1"}
    assert direct(client, "list_schedule_events", unknown).status_code == 404
    assert direct(client, "list_schedule_events", b"not json").status_code == 400
    assert direct(client, "list_schedule_events", {"arguments": "{}"}).status_code == 400


def _propose_body(conversation, tool_call_id: str) -> dict:
    return {
        "conversation_id": conversation.tavus_conversation_id,
        "arguments": json.dumps({"title": "Gym", "start_time": "tomorrow at 7am"}),
        "tool_call_id": tool_call_id,
    }


def test_a_body_signed_for_one_tool_is_refused_at_another(client, live_conversation, settings):
    """The review's attack: a signed body for a harmless tool, replayed to confirm_change."""
    settings.TAVUS_TOOL_SECRET = SECRET
    proposed = direct(client, "add_schedule_event", _propose_body(live_conversation, "t1"))
    assert proposed.json()["state"] == "proposed"
    body = json.dumps(
        {"conversation_id": live_conversation.tavus_conversation_id, "arguments": "{}",
         "tool_call_id": "t2"}
    ).encode()  # fmt: skip
    harmless = inbound.signature_for(body, inbound.tool_secret("list_schedule_events", SECRET))
    assert direct(client, "list_schedule_events", body, signature=harmless).status_code == 200
    replayed = direct(client, "confirm_change", body, signature=harmless)
    assert replayed.status_code == 401
    # Signed with the shared secret, the body must name the tool it is for.
    shared = inbound.signature_for(body, SECRET)
    assert direct(client, "confirm_change", body, signature=shared).status_code == 401
    named = json.dumps({**json.loads(body), "name": "list_schedule_events"}).encode()
    named_signature = inbound.signature_for(named, SECRET)
    assert direct(client, "confirm_change", named, signature=named_signature).status_code == 401
    assert (
        direct(client, "list_schedule_events", named, signature=named_signature).status_code == 200
    )
    assert live_conversation.proposals.get().state == "proposed"  # nothing was committed


def test_a_tool_call_id_is_used_once_whatever_the_tool(client, live_conversation, settings):
    settings.TAVUS_TOOL_SECRET = SECRET
    first = direct(client, "add_schedule_event", _propose_body(live_conversation, "t1"))
    again = direct(client, "add_schedule_event", _propose_body(live_conversation, "t1"))
    assert again.json() == first.json()  # a retry gets the first answer, and no second proposal
    assert live_conversation.proposals.count() == 1
    confirm = {
        "conversation_id": live_conversation.tavus_conversation_id,
        "arguments": "{}",
        "tool_call_id": "t1",  # the same id, now signed (correctly) for another tool
    }
    assert direct(client, "confirm_change", confirm).status_code == 409
    assert live_conversation.proposals.get().state == "proposed"
    without_id = {k: v for k, v in confirm.items() if k != "tool_call_id"}
    assert direct(client, "confirm_change", without_id).status_code == 400
    assert ToolCall.objects.count() == 1


def test_hmac_delivery_with_a_number_no_column_can_store_is_a_400(
    client, live_conversation, settings
):
    settings.TAVUS_TOOL_SECRET = SECRET
    raw = json.dumps(
        {"conversation_id": live_conversation.tavus_conversation_id, "tool_call_id": "t1",
         "arguments": {"when": "today", "n": 0}}
    ).replace('"n": 0', '"n": NaN').encode()  # fmt: skip
    response = direct(client, "list_schedule_events", raw)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Numbers must be finite")
    assert not ToolCall.objects.exists()
