"""drako.tavus against a real (fake) Tavus HTTP server: every call and every failure class."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from drako import tavus
from tests.fake_tavus import FakeTavus

FULL_PERSONA = {
    "persona_name": "Scheduler",
    "pipeline_mode": "full",
    "system_prompt": "You manage the user's schedule.",
    "default_replica_id": "re8e740a42",
    "layers": {"llm": {"model": "tavus-gpt-oss"}},
}


def _only_request(fake: FakeTavus):
    assert len(fake.requests) == 1, fake.requests
    return fake.requests[0]


def _persona_id(fake: FakeTavus) -> str:
    persona_id = tavus.create_persona(payload=FULL_PERSONA).persona_id
    fake.requests.clear()
    return persona_id


def _conversation_id(fake: FakeTavus, **extra) -> str:
    payload = {"persona_id": "pdced222244b", **extra}
    conversation_id = tavus.create_conversation(payload=payload).conversation_id
    fake.requests.clear()
    return conversation_id


# --- configuration ------------------------------------------------------------------------------


def test_is_configured_follows_the_api_key(fake_tavus, settings):
    assert tavus.is_configured()
    settings.TAVUS_API_KEY = ""
    assert not tavus.is_configured()


@pytest.mark.parametrize(
    "call",
    [
        lambda: tavus.create_persona(payload=FULL_PERSONA),
        lambda: tavus.list_personas(),
        lambda: tavus.create_conversation(payload={}),
        lambda: tavus.end_conversation(conversation_id="c1"),
        lambda: tavus.list_replicas(),
    ],
)
def test_missing_api_key_raises_not_configured_without_sending(
    fake_tavus, settings, call: Callable[[], object]
):
    settings.TAVUS_API_KEY = ""
    with pytest.raises(tavus.TavusNotConfigured) as caught:
        call()
    assert "TAVUS_API_KEY" in caught.value.message
    assert fake_tavus.requests == []


def test_every_request_carries_key_json_content_type(fake_tavus):
    tavus.list_replicas()
    request = _only_request(fake_tavus)
    assert request.headers["x-api-key"] == "test-key"
    assert request.headers["content-type"] == "application/json"


def test_api_url_with_trailing_slash_is_tolerated(fake_tavus, settings):
    settings.TAVUS_API_URL = fake_tavus.url + "/"
    tavus.list_replicas()
    assert _only_request(fake_tavus).path == "/v2/replicas"


def test_ids_are_quoted_into_the_path(fake_tavus):
    with pytest.raises(tavus.TavusNotFound):
        tavus.get_persona(persona_id="../conversations")
    assert _only_request(fake_tavus).path == "/v2/personas/..%2Fconversations"


def test_empty_id_is_refused_without_sending(fake_tavus):
    with pytest.raises(tavus.TavusInvalidRequest):
        tavus.delete_persona(persona_id="")
    assert fake_tavus.requests == []


# --- personas -----------------------------------------------------------------------------------


def test_create_persona_posts_payload_and_returns_info(fake_tavus):
    persona = tavus.create_persona(payload=FULL_PERSONA)
    assert persona.persona_id.startswith("p")
    assert persona.persona_name == "Scheduler"
    assert persona.raw["created_at"]
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("POST", "/v2/personas")
    assert request.json == FULL_PERSONA
    assert persona.persona_id in fake_tavus.personas


def test_create_persona_full_pipeline_without_prompt_is_invalid_request(fake_tavus):
    payload = {"persona_name": "Mute", "pipeline_mode": "full"}
    with pytest.raises(tavus.TavusInvalidRequest) as caught:
        tavus.create_persona(payload=payload)
    assert type(caught.value) is tavus.TavusInvalidRequest
    assert caught.value.status == 400
    assert "system_prompt" in caught.value.message


def test_list_personas_sends_page_limit_and_type(fake_tavus):
    personas = tavus.list_personas(persona_type="system", page=1, limit=50)
    assert "pdced222244b" in {p.persona_id for p in personas}
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("GET", "/v2/personas")
    assert request.query == {"persona_type": "system", "page": "1", "limit": "50"}


def test_list_personas_pages_start_at_one(fake_tavus):
    created = [_persona_id(fake_tavus) for _ in range(3)]
    first = tavus.list_personas(persona_type="user", page=1, limit=2)
    second = tavus.list_personas(persona_type="user", page=2, limit=2)
    assert [p.persona_id for p in first + second] == created


def test_iter_personas_walks_every_page(fake_tavus):
    created = [_persona_id(fake_tavus) for _ in range(5)]
    found = [p.persona_id for p in tavus.iter_personas(persona_type="user", limit=2)]
    assert found == created
    assert [r.query["page"] for r in fake_tavus.requests] == ["1", "2", "3"]


def test_get_persona_reads_a_flat_object(fake_tavus):
    persona_id = _persona_id(fake_tavus)
    persona = tavus.get_persona(persona_id=persona_id)
    assert persona.system_prompt == FULL_PERSONA["system_prompt"]
    assert persona.default_replica_id == "re8e740a42"
    assert persona.layers == {"llm": {"model": "tavus-gpt-oss"}}
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("GET", f"/v2/personas/{persona_id}")


def test_get_persona_reads_a_data_wrapped_object(fake_tavus):
    persona_id = _persona_id(fake_tavus)
    flat = tavus.get_persona(persona_id=persona_id)
    fake_tavus.persona_get_wrapped = True
    wrapped = tavus.get_persona(persona_id=persona_id)
    assert wrapped == flat
    assert wrapped.persona_name == "Scheduler"


def test_get_unknown_persona_raises_not_found(fake_tavus):
    with pytest.raises(tavus.TavusNotFound) as caught:
        tavus.get_persona(persona_id="pnope")
    assert caught.value.status == 400
    assert "Invalid persona_id" in caught.value.message
    assert caught.value.body == {"error": "Invalid persona_id"}


def test_patch_persona_sends_json_patch_and_returns_true(fake_tavus):
    persona_id = _persona_id(fake_tavus)
    operations = [{"op": "replace", "path": "/system_prompt", "value": "Be brief."}]
    assert tavus.patch_persona(persona_id=persona_id, operations=operations) is True
    request = _only_request(fake_tavus)
    assert (request.method, request.path, request.json) == (
        "PATCH",
        f"/v2/personas/{persona_id}",
        operations,
    )
    assert fake_tavus.personas[persona_id]["system_prompt"] == "Be brief."


def test_patch_persona_without_changes_returns_false(fake_tavus):
    persona_id = _persona_id(fake_tavus)
    operations = [{"op": "replace", "path": "/persona_name", "value": "Scheduler"}]
    assert tavus.patch_persona(persona_id=persona_id, operations=operations) is False


def test_patch_persona_with_bad_patch_raises_invalid_request(fake_tavus):
    persona_id = _persona_id(fake_tavus)
    operations = [{"op": "replace", "path": "/layers/nope/model", "value": "x"}]
    with pytest.raises(tavus.TavusInvalidRequest) as caught:
        tavus.patch_persona(persona_id=persona_id, operations=operations)
    assert caught.value.status == 422
    assert "Invalid JSON patch format" in caught.value.message


def test_delete_persona_sends_delete(fake_tavus):
    persona_id = _persona_id(fake_tavus)
    assert tavus.delete_persona(persona_id=persona_id) is None
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("DELETE", f"/v2/personas/{persona_id}")
    assert persona_id not in fake_tavus.personas


# --- conversations ------------------------------------------------------------------------------


def test_create_conversation_posts_payload_and_returns_info(fake_tavus):
    payload = {
        "persona_id": "pdced222244b",
        "conversation_name": "Plan my week",
        "callback_url": "https://drako.example/tavus/webhook/1/s3cret/",
        "require_auth": True,
    }
    conversation = tavus.create_conversation(payload=payload)
    assert conversation.conversation_id.startswith("c")
    assert conversation.conversation_url == (
        f"https://tavus.daily.co/{conversation.conversation_id}"
    )
    assert conversation.status == "active"
    assert conversation.conversation_name == "Plan my week"
    assert conversation.callback_url == payload["callback_url"]
    assert conversation.meeting_token
    assert conversation.created_at
    request = _only_request(fake_tavus)
    assert (request.method, request.path, request.json) == ("POST", "/v2/conversations", payload)


def test_create_conversation_in_test_mode_comes_back_ended(fake_tavus):
    conversation = tavus.create_conversation(
        payload={"persona_id": "pdced222244b", "test_mode": True}
    )
    assert conversation.status == "ended"
    assert conversation.meeting_token is None
    assert conversation.callback_url == ""


def test_create_conversation_at_concurrency_cap_raises_limit_reached(fake_tavus):
    fake_tavus.max_concurrent = 1
    _conversation_id(fake_tavus)
    with pytest.raises(tavus.TavusLimitReached) as caught:
        tavus.create_conversation(payload={"persona_id": "pdced222244b"})
    assert caught.value.status == 400
    assert "simultaneous conversations" in caught.value.message
    assert "maximum concurrent conversations" in caught.value.message


def test_create_conversation_rate_limited_raises_limit_reached(fake_tavus):
    fake_tavus.fail_next(429, {"error": "Too many requests"})
    with pytest.raises(tavus.TavusLimitReached) as caught:
        tavus.create_conversation(payload={"persona_id": "pdced222244b"})
    assert caught.value.status == 429


def test_create_conversation_out_of_credits_raises(fake_tavus):
    fake_tavus.out_of_credits = True
    with pytest.raises(tavus.TavusOutOfCredits) as caught:
        tavus.create_conversation(payload={"persona_id": "pdced222244b"})
    assert caught.value.status == 402
    assert "out of conversational credits" in caught.value.message


def test_get_conversation_verbose_includes_events(fake_tavus):
    conversation_id = _conversation_id(fake_tavus)
    event = fake_tavus.webhook(conversation_id, "system.replica_joined")
    fake_tavus.set_events(conversation_id, [event])
    conversation = tavus.get_conversation(conversation_id=conversation_id, verbose=True)
    assert conversation.events == (event,)
    assert event["properties"] == {"replica_id": "rfe12d8b9597"}
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("GET", f"/v2/conversations/{conversation_id}")
    assert request.query == {"verbose": "true"}


def test_get_conversation_plain_has_no_events(fake_tavus):
    conversation_id = _conversation_id(fake_tavus)
    conversation = tavus.get_conversation(conversation_id=conversation_id)
    assert conversation.events == ()
    assert conversation.status == "active"
    assert _only_request(fake_tavus).query == {}


def test_get_unknown_conversation_raises_not_found(fake_tavus):
    with pytest.raises(tavus.TavusNotFound) as caught:
        tavus.get_conversation(conversation_id="cnope")
    assert "Invalid conversation_id" in caught.value.message


def test_list_conversations_filters_by_status(fake_tavus):
    active = _conversation_id(fake_tavus)
    _conversation_id(fake_tavus, test_mode=True)
    listed = tavus.list_conversations(status="active")
    assert [c.conversation_id for c in listed] == [active]
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("GET", "/v2/conversations")
    assert request.query == {"status": "active", "page": "1", "limit": "100"}


def test_end_conversation_ends_it(fake_tavus):
    conversation_id = _conversation_id(fake_tavus)
    assert tavus.end_conversation(conversation_id=conversation_id) is None
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("POST", f"/v2/conversations/{conversation_id}/end")
    assert fake_tavus.conversations[conversation_id]["status"] == "ended"


def test_end_conversation_twice_is_quiet(fake_tavus):
    conversation_id = _conversation_id(fake_tavus)
    tavus.end_conversation(conversation_id=conversation_id)
    tavus.end_conversation(conversation_id=conversation_id)
    assert len(fake_tavus.requests) == 2


def test_end_conversation_treats_400_as_already_ended(fake_tavus):
    conversation_id = _conversation_id(fake_tavus)
    fake_tavus.fail_next(400, {"error": "Conversation has already ended"})
    tavus.end_conversation(conversation_id=conversation_id)
    tavus.end_conversation(conversation_id="cunknown")


def test_end_conversation_accepts_204(fake_tavus):
    conversation_id = _conversation_id(fake_tavus)
    fake_tavus.fail_next(204, None, path_prefix="/conversations", method="POST")
    assert tavus.end_conversation(conversation_id=conversation_id) is None


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(401, tavus.TavusAuthFailed), (500, tavus.TavusUnavailable), (503, tavus.TavusUnavailable)],
)
def test_end_conversation_still_raises_real_failures_once(fake_tavus, status, error_class):
    conversation_id = _conversation_id(fake_tavus)
    fake_tavus.fail_next(status, {"message": "nope"}, times=2)
    with pytest.raises(error_class):
        tavus.end_conversation(conversation_id=conversation_id)
    assert len(fake_tavus.requests) == 1


def test_delete_conversation_soft_and_hard(fake_tavus):
    soft, hard = _conversation_id(fake_tavus), _conversation_id(fake_tavus)
    tavus.delete_conversation(conversation_id=soft)
    tavus.delete_conversation(conversation_id=hard, hard=True)
    first, second = fake_tavus.requests
    assert (first.method, first.path, first.query) == ("DELETE", f"/v2/conversations/{soft}", {})
    assert (second.path, second.query) == (f"/v2/conversations/{hard}", {"hard": "true"})
    assert fake_tavus.conversations == {}


# --- documents ----------------------------------------------------------------------------------


def test_create_document_posts_fields_and_returns_info(fake_tavus):
    document = tavus.create_document(
        document_url="https://example.com/handbook.pdf",
        document_name="Handbook",
        tags=("hr", "policies"),
        callback_url="https://drako.example/documents/hook/",
    )
    assert document.document_id.startswith("d")
    assert (document.document_name, document.status) == ("Handbook", "started")
    assert document.tags == ("hr", "policies")
    assert document.progress is None
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("POST", "/v2/documents")
    assert request.json == {
        "document_url": "https://example.com/handbook.pdf",
        "document_name": "Handbook",
        "callback_url": "https://drako.example/documents/hook/",
        "tags": ["hr", "policies"],
    }


def test_create_document_sends_only_given_fields(fake_tavus):
    tavus.create_document(document_url="https://example.com/a.pdf")
    assert _only_request(fake_tavus).json == {"document_url": "https://example.com/a.pdf"}


def test_create_document_without_url_raises_invalid_request(fake_tavus):
    with pytest.raises(tavus.TavusInvalidRequest) as caught:
        tavus.create_document(document_url="")
    assert type(caught.value) is tavus.TavusInvalidRequest
    assert "document_url is required" in caught.value.message


def test_get_document_reports_processing_status(fake_tavus):
    document_id = tavus.create_document(document_url="https://example.com/a.pdf").document_id
    fake_tavus.set_document_status(document_id, "error", error_message="file_empty")
    fake_tavus.requests.clear()
    document = tavus.get_document(document_id=document_id)
    assert (document.status, document.error_message) == ("error", "file_empty")
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("GET", f"/v2/documents/{document_id}")


def test_get_document_accepts_legacy_uuid_field(fake_tavus):
    legacy = {"uuid": "0b7c5e1e", "document_name": "Old", "status": "ready", "progress": 100}
    fake_tavus.fail_next(200, legacy)
    document = tavus.get_document(document_id="0b7c5e1e")
    assert (document.document_id, document.status, document.progress) == ("0b7c5e1e", "ready", 100)


def test_get_unknown_document_raises_not_found(fake_tavus):
    with pytest.raises(tavus.TavusNotFound) as caught:
        tavus.get_document(document_id="dnope")
    assert caught.value.status == 404
    assert "Document not found" in caught.value.message


def test_delete_document_sends_delete(fake_tavus):
    document_id = tavus.create_document(document_url="https://example.com/a.pdf").document_id
    fake_tavus.requests.clear()
    tavus.delete_document(document_id=document_id)
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("DELETE", f"/v2/documents/{document_id}")
    with pytest.raises(tavus.TavusNotFound):
        tavus.delete_document(document_id=document_id)


# --- replicas ---------------------------------------------------------------------------------


def test_list_replicas_filters_by_type(fake_tavus):
    replicas = tavus.list_replicas(replica_type="system")
    by_id = {r.replica_id: r for r in replicas}
    assert {"re8e740a42", "rfe12d8b9597", "r90bbd427f71"} <= set(by_id)
    assert by_id["r90bbd427f71"].replica_name == "Anna"
    assert by_id["r90bbd427f71"].status == "completed"
    request = _only_request(fake_tavus)
    assert (request.method, request.path) == ("GET", "/v2/replicas")
    assert request.query["replica_type"] == "system"


def test_wrong_api_key_raises_auth_failed(fake_tavus, settings):
    settings.TAVUS_API_KEY = "wrong-key"
    with pytest.raises(tavus.TavusAuthFailed) as caught:
        tavus.list_personas()
    assert caught.value.status == 401
    assert "Invalid access token" in caught.value.message
    assert len(fake_tavus.requests) == 1


def test_forbidden_raises_auth_failed(fake_tavus):
    fake_tavus.fail_next(403, {"error": "IP address not allowed"})
    with pytest.raises(tavus.TavusAuthFailed):
        tavus.list_replicas()


def test_server_error_on_create_raises_unavailable_without_retry(fake_tavus):
    fake_tavus.fail_next(500, {"message": "Internal Server Error"}, times=2)
    with pytest.raises(tavus.TavusUnavailable) as caught:
        tavus.create_conversation(payload={"persona_id": "pdced222244b"})
    assert caught.value.status == 500
    assert len(fake_tavus.requests) == 1


def test_patch_is_not_retried_on_503(fake_tavus):
    persona_id = _persona_id(fake_tavus)
    fake_tavus.fail_next(503, b"", times=2)
    with pytest.raises(tavus.TavusUnavailable):
        tavus.patch_persona(persona_id=persona_id, operations=[])
    assert len(fake_tavus.requests) == 1


def test_get_is_retried_once_after_503(fake_tavus):
    fake_tavus.fail_next(503, {"message": "Service Unavailable"}, path_prefix="/replicas")
    assert tavus.list_replicas()
    assert [r.path for r in fake_tavus.requests] == ["/v2/replicas", "/v2/replicas"]


def test_get_gives_up_after_two_503s(fake_tavus):
    fake_tavus.fail_next(503, b"<html>busy</html>", times=3)
    with pytest.raises(tavus.TavusUnavailable) as caught:
        tavus.get_conversation(conversation_id="c1")
    assert caught.value.status == 503
    assert len(fake_tavus.requests) == 2


def test_garbage_json_raises_unavailable(fake_tavus):
    fake_tavus.fail_next(200, b"<html>oops", method="POST")
    with pytest.raises(tavus.TavusUnavailable) as caught:
        tavus.create_persona(payload=FULL_PERSONA)
    assert caught.value.status == 200
    assert caught.value.body == "<html>oops"


def test_reply_without_an_id_raises_unavailable(fake_tavus):
    fake_tavus.fail_next(200, {"status": "ok"})
    with pytest.raises(tavus.TavusUnavailable):
        tavus.create_conversation(payload={"persona_id": "pdced222244b"})


def test_timeout_on_get_is_retried_once_then_unavailable(fake_tavus, settings):
    settings.TAVUS_READ_TIMEOUT = 0.2
    fake_tavus.hang(path_prefix="/personas")
    with pytest.raises(tavus.TavusUnavailable) as caught:
        tavus.list_personas()
    assert caught.value.status is None
    assert "did not answer in time" in caught.value.message
    recorded = fake_tavus.wait_for_requests(2)
    assert [(r.method, r.path) for r in recorded] == [("GET", "/v2/personas")] * 2


def test_timeout_on_create_is_sent_once(fake_tavus, settings):
    settings.TAVUS_READ_TIMEOUT = 0.2
    fake_tavus.hang(path_prefix="/conversations")
    with pytest.raises(tavus.TavusUnavailable):
        tavus.create_conversation(payload={"persona_id": "pdced222244b"})
    recorded = fake_tavus.wait_for_requests(1)
    assert [(r.method, r.path) for r in recorded] == [("POST", "/v2/conversations")]


def test_unreachable_server_raises_unavailable(settings):
    closed = FakeTavus().start()
    url = closed.url
    closed.stop()
    settings.TAVUS_API_URL = url
    settings.TAVUS_API_KEY = "test-key"
    with pytest.raises(tavus.TavusUnavailable) as caught:
        tavus.list_replicas()
    assert "Could not reach Tavus" in caught.value.message


def test_errors_are_tavus_errors_with_status_message_and_body(fake_tavus):
    fake_tavus.fail_next(402, {"message": "The user is out of conversational credits"})
    with pytest.raises(tavus.TavusError) as caught:
        tavus.create_conversation(payload={})
    error = caught.value
    assert isinstance(error, tavus.TavusOutOfCredits)
    assert error.status == 402
    assert str(error) == error.message
    assert error.body == {"message": "The user is out of conversational credits"}


def test_api_key_never_appears_in_logs(fake_tavus, caplog):
    caplog.set_level(logging.DEBUG)
    tavus.create_persona(payload=FULL_PERSONA)
    fake_tavus.fail_next(401, {"message": "Invalid access token"})
    with pytest.raises(tavus.TavusAuthFailed):
        tavus.list_personas()
    fake_tavus.fail_next(503, b"", times=2)
    with pytest.raises(tavus.TavusUnavailable):
        tavus.list_replicas()
    ours = [r for r in caplog.records if r.name == "drako.tavus"]
    assert any("POST /personas -> 200" in r.getMessage() for r in ours)
    for record in caplog.records:
        assert "test-key" not in record.getMessage()
        assert "test-key" not in (record.exc_text or "")
