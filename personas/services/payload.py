"""The persona body DRAKO sends to Tavus, and the JSON Patch between two such bodies."""

from __future__ import annotations

import json
from typing import Any

import jsonpatch
import jsonpointer

from personas.models import Persona
from personas.tools import llm_tool_definitions

SECRET_MASK = "********"

# The parts of a Tavus persona DRAKO manages; anything else there (ids, timestamps, perception,
# objectives) is left alone by our patches.
_MANAGED: dict[str, Any] = {
    "persona_name": None,
    "pipeline_mode": None,
    "system_prompt": None,
    "default_replica_id": None,
    "document_ids": None,
    "document_tags": None,
    "layers": {
        "llm": {
            "model": None,
            "base_url": None,
            "api_key": None,
            "speculative_inference": None,
            "tools": None,
        },
        "tts": {
            "tts_engine": None,
            "external_voice_id": None,
            "tts_model_name": None,
            "tts_emotion_control": None,
        },
        "stt": {"hotwords": None},
        "perception": {"perception_model": None},
        "conversational_flow": {
            "turn_detection_model": None,
            "turn_taking_patience": None,
            "replica_interruptibility": None,
        },
    },
}


def persona_build_payload(*, persona: Persona) -> dict[str, Any]:
    """The exact JSON body DRAKO sends to POST /personas for this persona."""
    payload: dict[str, Any] = {
        "persona_name": persona.name,
        "pipeline_mode": persona.pipeline_mode,
        "system_prompt": persona.system_prompt,
    }
    # Tavus deprecated `context` (Feb 2026): everything the LLM needs is in the system prompt.
    # An empty id is never sent: Tavus would take "" for an id and refuse it.
    payload |= _present(default_replica_id=persona.default_replica_id)
    payload["document_ids"] = sorted(
        persona.documents.exclude(tavus_document_id="").values_list("tavus_document_id", flat=True)
    )
    payload["document_tags"] = list(persona.document_tags or [])
    layers = {"llm": _llm_layer(persona), "tts": _tts_layer(persona)}
    if persona.stt_hotwords.strip():
        layers["stt"] = {"hotwords": persona.stt_hotwords.strip()}
    layers["conversational_flow"] = {
        "turn_detection_model": persona.turn_detection_model,
        "turn_taking_patience": persona.turn_taking_patience,
        "replica_interruptibility": persona.replica_interruptibility,
    }
    # Perception reads the user's face and emotions; it is off unless an admin chooses it.
    layers["perception"] = {"perception_model": persona.perception_model}
    payload["layers"] = layers
    return payload


def _present(**values: str) -> dict[str, str]:
    return {key: value for key, value in values.items() if value}


def _llm_layer(persona: Persona) -> dict[str, Any]:
    if persona.llm_model == Persona.LLMModel.CUSTOM:
        layer: dict[str, Any] = {"model": persona.llm_custom_model}
        layer |= _present(base_url=persona.llm_base_url, api_key=persona.llm_api_key)
    else:
        layer = {"model": persona.llm_model}
    layer["speculative_inference"] = persona.speculative_inference
    if persona.tool_delivery == Persona.ToolDelivery.INLINE:
        layer["tools"] = llm_tool_definitions()
    return layer


def _tts_layer(persona: Persona) -> dict[str, Any]:
    layer: dict[str, Any] = {"tts_engine": persona.tts_engine}
    layer |= _present(external_voice_id=persona.tts_voice_id)
    if persona.tts_engine != Persona.TTSEngine.AZURE:
        layer |= _present(tts_model_name=persona.tts_model_name)
    if persona.tts_engine == Persona.TTSEngine.CARTESIA:
        layer["tts_emotion_control"] = persona.tts_emotion_control
    return layer


def payload_without_secrets(value: Any) -> Any:
    """A copy of a payload (or of JSON Patch operations) safe to show: API keys masked."""
    if isinstance(value, list):
        return [payload_without_secrets(item) for item in value]
    if not isinstance(value, dict):
        return value
    shown = {key: payload_without_secrets(item) for key, item in value.items()}
    if shown.get("api_key"):
        shown["api_key"] = SECRET_MASK
    if str(shown.get("path", "")).endswith("/api_key") and shown.get("value"):
        shown["value"] = SECRET_MASK
    return shown


def persona_pending_operations(*, persona: Persona) -> list[dict[str, Any]] | None:
    """The JSON Patch the next sync would send (secrets masked); None when it would create."""
    if not persona.tavus_persona_id or not persona.last_payload:
        return None
    payload = persona_build_payload(persona=persona)
    return payload_without_secrets(json_patch(managed_fields(persona.last_payload), payload))


def managed_fields(value: Any, shape: dict[str, Any] | None = _MANAGED) -> Any:
    """Only the parts of a Tavus persona object DRAKO manages (see _MANAGED); nulls dropped."""
    if shape is None or not isinstance(value, dict):
        return value
    return {
        key: managed_fields(value[key], shape[key])
        for key in shape
        if key in value and value[key] is not None
    }


def json_patch(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """RFC 6902 operations turning `old` into `new`; a changed list is replaced whole."""
    # Tavus documents whole-list replaces (e.g. /layers/llm/tools); index-level operations
    # would also break if Tavus ever reordered a list on its side.
    operations = jsonpatch.make_patch(_atomise(old), _atomise(new)).patch
    for operation in operations:
        if "value" in operation:
            operation["value"] = jsonpointer.resolve_pointer(new, operation["path"])
    return operations


def _atomise(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _atomise(item) for key, item in value.items()}
    if isinstance(value, list):
        return "\x00list:" + json.dumps(value, sort_keys=True)
    return value
