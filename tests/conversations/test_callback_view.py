"""The webhook endpoint answers a POST without DRF's machinery (issue 19): its answers must be
the ones DRF gave, and every other method still gets DRF's own."""

import json
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from conversations.apis import _json_response
from tests.conversations.conftest import recorded

pytestmark = pytest.mark.django_db


def _path(conversation) -> str:
    return f"/api/tavus/callbacks/{conversation.callback_token}/"


@given(
    data=st.fixed_dictionaries(
        {
            "status": st.text(),
            "event_type": st.text(alphabet=st.characters(exclude_categories=["Cs"])),
            "duplicate": st.booleans(),
        }
    )
)
def test_the_json_is_drfs_byte_for_byte(data):
    assert _json_response(data).content == JSONRenderer().render(data)


def test_an_answer_has_drfs_status_and_headers(client, live_conversation):
    payload = recorded("system.replica_joined__basic", live_conversation)
    response = client.post(_path(live_conversation), payload, content_type="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "POST, OPTIONS"
    assert response.content == (
        b'{"status":"success","event_type":"system.replica_joined","duplicate":false}'
    )
    refused = client.post(_path(live_conversation), "[]", content_type="application/json")
    assert refused.status_code == 400
    assert refused.content == b'{"detail":"The body must be a JSON object."}'
    assert refused["Allow"] == "POST, OPTIONS"


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_other_methods_get_drfs_405(client, live_conversation, method):
    response = getattr(client, method)(_path(live_conversation))
    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}
    assert response["Allow"] == "POST, OPTIONS"


def test_options_describes_the_endpoint(client, live_conversation):
    response = client.options(_path(live_conversation))
    assert response.status_code == 200
    assert response.json()["name"] == "Tavus Callback Api"


def test_a_refusal_is_logged_once_without_the_secret(client, live_conversation, caplog):
    caplog.set_level(logging.INFO)
    forged = f"/api/tavus/callbacks/{live_conversation.pk}.{'x' * 43}/"
    body = json.dumps(recorded("system.replica_joined__basic", live_conversation))
    assert client.post(forged, body, content_type="application/json").status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1 and lines[0].startswith("Not Found: /api/tavus/callbacks/")
    assert "x" * 43 not in lines[0]


def test_the_schema_still_documents_the_webhook(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/tavus/callbacks/{token}/"]["post"]
    assert set(operation["responses"]) == {"200", "400", "403", "404", "413"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/WebhookReceived"
    }
