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
    if signature == "good":
        headers["HTTP_X_TAVUS_SIGNATURE"] = inbound.signature_for(raw, SECRET)
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
        HTTP_X_TAVUS_SIGNATURE=inbound.signature_for(signed, SECRET),
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
