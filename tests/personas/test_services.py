"""Persona payload, sync, failures, import, delete and selectors, against the fake Tavus."""

import re

import pytest
from django.db import IntegrityError
from django.http import Http404
from rest_framework import serializers

from personas import selectors, services, tools
from personas.models import Document, Persona, SyncState
from personas.tools import llm_tool_definitions
from tests.fake_tavus import FakeTavus

pytestmark = pytest.mark.django_db


def _persona(**fields) -> Persona:
    values = {"name": "Scheduler", "system_prompt": "You manage the user's schedule."}
    return Persona.objects.create(**values | fields)


def _requests(fake: FakeTavus, method: str) -> list:
    """The persona requests (the tools registry's have their own tests)."""
    return [
        request
        for request in fake.requests
        if request.method == method and request.path.startswith("/v2/personas")
    ]


@pytest.fixture
def registered_tool(monkeypatch):
    """A registry holding one tool, restored afterwards."""
    monkeypatch.setattr(tools, "REGISTRY", {})

    class Arguments(serializers.Serializer):
        day = serializers.CharField(required=False, help_text="The day")

    @tools.tool(description="List the user's events on a day.", serializer_class=Arguments)
    def list_schedule_events(**arguments) -> dict:
        return {"ok": True, "say": "Nothing planned."}

    return tools.get_tool("list_schedule_events")


# --- the payload ------------------------------------------------------------------------------


def test_payload_has_prompt_replica_voice_and_generated_tools(registered_tool):
    persona = _persona(
        tts_voice_id="voice-1", stt_hotwords="DRAKO", tool_delivery=Persona.ToolDelivery.INLINE
    )

    payload = services.persona_build_payload(persona=persona)

    assert payload["persona_name"] == "Scheduler"
    assert payload["pipeline_mode"] == "full"
    assert payload["system_prompt"] == "You manage the user's schedule."
    assert "context" not in payload  # deprecated by Tavus (Feb 2026)
    assert payload["layers"]["perception"] == {"perception_model": "off"}
    assert payload["default_replica_id"] == "re8e740a42"
    assert payload["layers"]["llm"]["tools"] == llm_tool_definitions()
    assert payload["layers"]["llm"]["tools"][0]["function"]["name"] == "list_schedule_events"
    assert payload["layers"]["llm"]["model"] == "tavus-gpt-oss"
    assert payload["layers"]["tts"] == {
        "tts_engine": "cartesia",
        "external_voice_id": "voice-1",
        "tts_emotion_control": True,
    }
    assert payload["layers"]["stt"] == {"hotwords": "DRAKO"}
    assert payload["layers"]["conversational_flow"]["turn_detection_model"] == "sparrow-1"


def test_payload_includes_custom_llm_endpoint_and_key_only_for_custom_model():
    hosted = _persona(llm_base_url="https://llm.example/v1", llm_api_key="sk-secret")
    custom = _persona(
        name="Custom",
        llm_model=Persona.LLMModel.CUSTOM,
        llm_custom_model="my-model",
        llm_base_url="https://llm.example/v1",
        llm_api_key="sk-secret",
    )

    hosted_llm = services.persona_build_payload(persona=hosted)["layers"]["llm"]
    custom_llm = services.persona_build_payload(persona=custom)["layers"]["llm"]

    assert "base_url" not in hosted_llm and "api_key" not in hosted_llm
    assert custom_llm["model"] == "my-model"
    assert custom_llm["base_url"] == "https://llm.example/v1"
    assert custom_llm["api_key"] == "sk-secret"
    masked = services.payload_without_secrets(services.persona_build_payload(persona=custom))
    assert masked["layers"]["llm"]["api_key"] == services.SECRET_MASK


def test_payload_sends_emotion_control_only_for_cartesia():
    persona = _persona(tts_engine=Persona.TTSEngine.ELEVENLABS, tts_model_name="eleven_turbo_v2_5")

    tts = services.persona_build_payload(persona=persona)["layers"]["tts"]

    assert tts == {"tts_engine": "elevenlabs", "tts_model_name": "eleven_turbo_v2_5"}


def test_payload_lists_only_documents_that_are_on_tavus():
    persona = _persona(document_tags=["hr"])
    on_tavus = Document.objects.create(name="A", source_url="https://a.example/a.pdf")
    on_tavus.tavus_document_id = "d123"
    on_tavus.save()
    local = Document.objects.create(name="B", source_url="https://a.example/b.pdf")
    persona.documents.set([on_tavus, local])

    payload = services.persona_build_payload(persona=persona)

    assert payload["document_ids"] == ["d123"]
    assert payload["document_tags"] == ["hr"]


def test_conversation_properties_carry_the_limits():
    persona = _persona()

    assert persona.conversation_properties() == {
        "max_call_duration": 240,
        "participant_left_timeout": 10,
        "participant_absent_timeout": 120,
    }


# --- sync ---------------------------------------------------------------------------------------


def test_first_sync_creates_the_persona_and_stores_id_and_payload(fake_tavus):
    persona = _persona()

    result = services.persona_sync(persona=persona)

    persona.refresh_from_db()
    assert result.created is True
    (request,) = _requests(fake_tavus, "POST")
    assert request.path == "/v2/personas"
    assert request.json == services.persona_build_payload(persona=persona)
    assert persona.tavus_persona_id in fake_tavus.personas
    assert persona.last_payload == request.json
    assert persona.sync_state == SyncState.SYNCED
    assert persona.last_synced_at is not None and persona.last_error == ""


def test_edit_sends_a_patch_with_only_the_changed_paths(fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    fake_tavus.requests.clear()
    persona.system_prompt = "You are DRAKO."
    persona.tts_voice_id = "voice-2"
    persona.turn_taking_patience = "high"
    persona.save()

    result = services.persona_sync(persona=persona)

    (request,) = fake_tavus.requests
    assert request.method == "PATCH"
    assert request.path == f"/v2/personas/{persona.tavus_persona_id}"
    assert sorted(request.json, key=lambda op: op["path"]) == [
        {
            "op": "replace",
            "path": "/layers/conversational_flow/turn_taking_patience",
            "value": "high",
        },
        {"op": "add", "path": "/layers/tts/external_voice_id", "value": "voice-2"},
        {"op": "replace", "path": "/system_prompt", "value": "You are DRAKO."},
    ]
    assert result.operations == request.json
    remote = fake_tavus.personas[persona.tavus_persona_id]
    assert remote["system_prompt"] == "You are DRAKO."
    assert remote["layers"]["tts"]["external_voice_id"] == "voice-2"


def test_a_changed_list_is_replaced_whole(fake_tavus, registered_tool):
    persona = _persona(document_tags=["a"])
    services.persona_sync(persona=persona)
    fake_tavus.requests.clear()
    persona.document_tags = ["a", "b"]
    persona.save()

    services.persona_sync(persona=persona)

    (request,) = fake_tavus.requests
    assert request.json == [{"op": "replace", "path": "/document_tags", "value": ["a", "b"]}]


def test_sync_without_changes_sends_nothing(fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    fake_tavus.requests.clear()

    result = services.persona_sync(persona=persona)

    assert result.created is False and result.operations == []
    assert fake_tavus.requests == []


def test_tavus_answering_304_no_change_counts_as_synced(fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    # Someone already made the same edit on Tavus's side, so our patch changes nothing there.
    fake_tavus.personas[persona.tavus_persona_id]["system_prompt"] = "Edited."
    persona.system_prompt = "Edited."
    persona.save()

    services.persona_sync(persona=persona)

    persona.refresh_from_db()
    assert _requests(fake_tavus, "PATCH")[-1].json[0]["path"] == "/system_prompt"
    assert persona.sync_state == SyncState.SYNCED
    assert persona.last_payload["system_prompt"] == "Edited."


def test_sync_without_last_payload_diffs_against_the_persona_on_tavus(fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    Persona.objects.filter(pk=persona.pk).update(last_payload={})
    persona.refresh_from_db()
    persona.name = "Renamed"
    persona.save()
    fake_tavus.requests.clear()

    services.persona_sync(persona=persona)

    get, patch = fake_tavus.requests
    assert (get.method, patch.method) == ("GET", "PATCH")
    # Tavus's own fields (persona_id, created_at, ...) are not ours to remove.
    assert patch.json == [{"op": "replace", "path": "/persona_name", "value": "Renamed"}]


def test_patch_that_no_longer_applies_is_recomputed_against_tavus(fake_tavus):
    persona = _persona(stt_hotwords="DRAKO")
    services.persona_sync(persona=persona)
    del fake_tavus.personas[persona.tavus_persona_id]["layers"]["stt"]
    persona.stt_hotwords = "DRAKO, Berlin"
    persona.save()
    fake_tavus.requests.clear()

    services.persona_sync(persona=persona)

    first, get, second = fake_tavus.requests
    assert first.method == "PATCH" and get.method == "GET"
    assert second.json == [
        {"op": "add", "path": "/layers/stt", "value": {"hotwords": "DRAKO, Berlin"}}
    ]
    assert (
        fake_tavus.personas[persona.tavus_persona_id]["layers"]["stt"]["hotwords"]
        == "DRAKO, Berlin"
    )


@pytest.mark.parametrize(
    ("status", "body", "words"),
    [
        (401, {"message": "Invalid access token"}, "refused our API key"),
        (500, {"error": "boom"}, "Tavus is having trouble (HTTP 500)"),
    ],
)
def test_failed_create_keeps_local_data_and_records_the_error(fake_tavus, status, body, words):
    persona = _persona(system_prompt="Local prompt.")
    fake_tavus.fail_next(status, body, path_prefix="/personas")

    with pytest.raises(services.TavusSyncError, match=re.escape(words)):
        services.persona_sync(persona=persona)

    persona.refresh_from_db()
    assert persona.sync_state == SyncState.ERROR
    assert words in persona.last_error
    assert persona.system_prompt == "Local prompt." and persona.name == "Scheduler"
    assert persona.tavus_persona_id == "" and persona.last_payload == {}


def test_failed_patch_keeps_the_local_edit_and_what_was_sent(fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    sent = dict(persona.last_payload)
    persona.system_prompt = "A newer prompt."
    persona.save()
    fake_tavus.fail_next(503, None, method="PATCH", times=2)

    with pytest.raises(services.TavusSyncError):
        services.persona_sync(persona=persona)

    persona.refresh_from_db()
    assert persona.system_prompt == "A newer prompt."
    assert persona.last_payload == sent
    assert persona.sync_state == SyncState.ERROR
    assert "HTTP 503" in persona.last_error


def test_sync_timing_out_records_the_error_in_words(fake_tavus, settings):
    settings.TAVUS_READ_TIMEOUT = 0.2
    persona = _persona()
    fake_tavus.hang("/personas")

    with pytest.raises(services.TavusSyncError):
        services.persona_sync(persona=persona)

    persona.refresh_from_db()
    assert persona.last_error == "Tavus did not answer in time. Try again in a minute."
    assert persona.sync_state == SyncState.ERROR and persona.tavus_persona_id == ""


def test_sync_without_tavus_configured_says_so():
    persona = _persona()

    with pytest.raises(services.TavusSyncError, match="TAVUS_API_KEY is empty"):
        services.persona_sync(persona=persona)

    persona.refresh_from_db()
    assert persona.sync_state == SyncState.ERROR


def test_successful_sync_clears_a_previous_error(fake_tavus):
    persona = _persona()
    fake_tavus.fail_next(500, path_prefix="/personas")
    with pytest.raises(services.TavusSyncError):
        services.persona_sync(persona=persona)

    services.persona_sync(persona=persona)

    persona.refresh_from_db()
    assert persona.sync_state == SyncState.SYNCED and persona.last_error == ""


def test_stock_personas_are_not_synced(fake_tavus):
    persona = _persona(is_stock=True, tavus_persona_id="pdced222244b")

    with pytest.raises(services.TavusSyncError, match="stock persona"):
        services.persona_sync(persona=persona)

    assert fake_tavus.requests == []


def test_local_edit_marks_a_synced_persona_pending(fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    persona.name = "Renamed"
    persona.save()

    services.persona_note_local_change(persona=persona)

    persona.refresh_from_db()
    assert persona.sync_state == SyncState.PENDING
    assert services.persona_pending_operations(persona=persona) == [
        {"op": "replace", "path": "/persona_name", "value": "Renamed"}
    ]


# --- delete -------------------------------------------------------------------------------------


def test_delete_on_tavus_removes_it_there_and_keeps_the_local_persona(fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    tavus_id = persona.tavus_persona_id

    services.persona_delete_on_tavus(persona=persona)

    persona.refresh_from_db()
    assert tavus_id not in fake_tavus.personas
    assert persona.tavus_persona_id == "" and persona.last_payload == {}
    assert persona.sync_state == SyncState.NEVER
    assert _requests(fake_tavus, "DELETE")[0].path == f"/v2/personas/{tavus_id}"


def test_delete_of_a_persona_tavus_already_forgot_succeeds(fake_tavus):
    persona = _persona(tavus_persona_id="pgone", last_payload={"persona_name": "x"})

    services.persona_delete_on_tavus(persona=persona)

    persona.refresh_from_db()
    assert persona.tavus_persona_id == ""


def test_failed_delete_keeps_the_tavus_id_and_records_the_error(fake_tavus):
    persona = _persona()
    services.persona_sync(persona=persona)
    fake_tavus.fail_next(500, method="DELETE")

    with pytest.raises(services.TavusSyncError):
        services.persona_delete_on_tavus(persona=persona)

    persona.refresh_from_db()
    assert persona.tavus_persona_id in fake_tavus.personas
    assert persona.sync_state == SyncState.ERROR and "HTTP 500" in persona.last_error


# --- import -------------------------------------------------------------------------------------


def _own_persona_on_tavus(fake: FakeTavus) -> str:
    fake.personas["pown1"] = {
        "persona_id": "pown1",
        "persona_name": "Concierge",
        "pipeline_mode": "full",
        "system_prompt": "You are a concierge.",
        "context": None,
        "default_replica_id": "r90bbd427f71",
        "document_ids": [],
        "document_tags": ["hotel"],
        "layers": {
            "llm": {"model": "tavus-claude-haiku-4.5", "speculative_inference": False},
            "tts": {"tts_engine": "elevenlabs", "external_voice_id": "v9"},
            "conversational_flow": {"turn_taking_patience": "low"},
            "perception": {"perception_model": "raven-1"},
        },
        "created_at": "2026-01-01T00:00:00Z",
    }
    return "pown1"


def test_import_is_idempotent(fake_tavus):
    _own_persona_on_tavus(fake_tavus)

    first = services.persona_import_from_tavus()
    second = services.persona_import_from_tavus()

    total = 1 + len(fake_tavus.system_personas)
    assert (first.created, first.updated, first.unchanged) == (total, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, total)
    assert Persona.objects.count() == total


def test_import_maps_tavus_fields_and_marks_stock_personas(fake_tavus):
    _own_persona_on_tavus(fake_tavus)

    services.persona_import_from_tavus()

    own = Persona.objects.get(tavus_persona_id="pown1")
    assert (own.name, own.system_prompt, own.default_replica_id) == (
        "Concierge",
        "You are a concierge.",
        "r90bbd427f71",
    )
    assert own.llm_model == "tavus-claude-haiku-4.5" and own.speculative_inference is False
    assert (own.tts_engine, own.tts_voice_id) == ("elevenlabs", "v9")
    assert own.turn_taking_patience == "low" and own.document_tags == ["hotel"]
    assert own.is_stock is False and own.sync_state == SyncState.SYNCED
    stock = Persona.objects.get(tavus_persona_id="pdced222244b")
    assert stock.is_stock is True and stock.user_selectable is False and stock.is_default is False


def test_import_updates_a_known_persona_and_a_later_edit_patches_only_that(fake_tavus):
    _own_persona_on_tavus(fake_tavus)
    services.persona_import_from_tavus(include_stock=False)
    fake_tavus.personas["pown1"]["persona_name"] = "Concierge 2"

    result = services.persona_import_from_tavus(include_stock=False)

    persona = Persona.objects.get()
    assert (result.created, result.updated) == (0, 1)
    assert persona.name == "Concierge 2"
    persona.system_prompt = "You are a better concierge."
    persona.speculative_inference = False
    persona.save()
    fake_tavus.requests.clear()
    services.persona_sync(persona=persona)
    (patch,) = _requests(fake_tavus, "PATCH")
    paths = {op["path"] for op in patch.json}
    # Only our edit, plus what DRAKO always sends and the imported persona lacked.
    assert "/system_prompt" in paths
    assert not any(path.startswith("/layers/perception") for path in paths)
    assert "/layers/tts/external_voice_id" not in paths


def test_import_without_stock_only_brings_own_personas(fake_tavus):
    _own_persona_on_tavus(fake_tavus)

    result = services.persona_import_from_tavus(include_stock=False)

    assert result.created == 1
    assert list(Persona.objects.values_list("tavus_persona_id", flat=True)) == ["pown1"]


def test_failed_import_says_why_and_creates_nothing(fake_tavus):
    fake_tavus.fail_next(401, {"message": "Invalid access token"}, times=4)

    with pytest.raises(services.TavusSyncError, match="refused our API key"):
        services.persona_import_from_tavus()

    assert Persona.objects.count() == 0


# --- defaults and selectors ---------------------------------------------------------------------


def test_only_one_persona_can_be_the_default():
    _persona(is_default=True)

    with pytest.raises(IntegrityError):
        _persona(name="Second", is_default=True)


def test_default_persona_and_pickable_personas(user):
    default = _persona(name="DRAKO", is_default=True)
    pickable = _persona(name="Coach", user_selectable=True)
    hidden = _persona(name="Internal")

    assert services.persona_get_default() == default
    assert list(selectors.persona_list_pickable()) == [default, pickable]
    assert selectors.persona_get_for_user(user=user, persona_id=pickable.pk) == pickable
    assert selectors.persona_get_for_user(user=user, persona_id=str(default.pk)) == default
    for persona_id in (hidden.pk, 999_999, "abc"):
        with pytest.raises(Http404):
            selectors.persona_get_for_user(user=user, persona_id=persona_id)


def test_no_default_persona_is_none():
    assert services.persona_get_default() is None
