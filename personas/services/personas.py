"""Persona sync with Tavus: create, patch what changed, delete there, import from there.

A failure talking to Tavus is recorded on the persona (`sync_state`/`last_error`) without touching
its local fields, then raised as TavusSyncError whose `message` a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from drako import tavus
from personas.errors import TavusSyncError
from personas.models import Document, Level, Persona, SyncState
from personas.services.payload import (
    SECRET_MASK,
    json_patch,
    managed_fields,
    persona_build_payload,
)
from personas.services.tools import persona_tools_sync


@dataclass(frozen=True)
class SyncResult:
    created: bool
    operations: list[dict]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0


# --- Persona sync -------------------------------------------------------------------------------

_SYNC_FIELDS = ["sync_state", "last_error", "last_synced_at"]


def persona_sync(*, persona: Persona) -> SyncResult:
    """Create the persona on Tavus, or patch only what changed since Tavus last saw it."""
    _refuse_stock(persona, "changed")
    payload = persona_build_payload(persona=persona)
    try:
        if persona.tavus_persona_id:
            result = SyncResult(created=False, operations=_patch_remote(persona, payload))
        else:
            info = tavus.create_persona(payload=payload)
            persona.tavus_persona_id = info.persona_id
            Persona.objects.filter(pk=persona.pk).update(tavus_persona_id=info.persona_id)
            result = SyncResult(created=True, operations=[])
        persona_tools_sync(persona=persona)
    except tavus.TavusError as error:
        raise _failed(persona, error) from error
    persona.sync_state, persona.last_error = SyncState.SYNCED, ""
    persona.last_payload, persona.last_synced_at = payload, timezone.now()
    persona.save(
        update_fields=[
            *_SYNC_FIELDS,
            "tavus_persona_id",
            "tavus_tool_ids",
            "last_payload",
            "updated_at",
        ]
    )
    return result


def _patch_remote(persona: Persona, payload: dict[str, Any]) -> list[dict[str, Any]]:
    persona_id = persona.tavus_persona_id
    if not persona.last_payload:
        return _send_patch(persona_id, old=_remote_payload(persona_id), new=payload)
    try:
        return _send_patch(persona_id, old=persona.last_payload, new=payload)
    except tavus.TavusNotFound:
        raise
    except tavus.TavusInvalidRequest:
        # What Tavus holds drifted from what we last sent (someone edited it on Tavus's side),
        # so our patch no longer applies: diff against Tavus's actual object once.
        return _send_patch(persona_id, old=_remote_payload(persona_id), new=payload)


def _remote_payload(persona_id: str) -> dict[str, Any]:
    return managed_fields(tavus.get_persona(persona_id=persona_id).raw)


def _send_patch(persona_id: str, *, old: dict, new: dict) -> list[dict[str, Any]]:
    operations = json_patch(managed_fields(old), new)
    if operations:
        # False (304) means Tavus already held these values: the result is the same.
        tavus.patch_persona(persona_id=persona_id, operations=operations)
    return operations


def _failed(persona: Persona, error: tavus.TavusError) -> TavusSyncError:
    """Record the failure on the persona (and nothing else), and return the error to raise."""
    message = error.message
    if isinstance(error, tavus.TavusNotFound) and persona.tavus_persona_id:
        message += " Use 'Delete on Tavus' to forget the old id, then sync again to recreate it."
    persona.sync_state, persona.last_error = SyncState.ERROR, message
    Persona.objects.filter(pk=persona.pk).update(sync_state=SyncState.ERROR, last_error=message)
    return TavusSyncError(message)


def _refuse_stock(persona: Persona, verb: str) -> None:
    if persona.is_stock:
        raise TavusSyncError(
            f"{persona.name} is a Tavus stock persona: it cannot be {verb} on Tavus. "
            "Copy its settings into a new persona instead."
        )


def persona_note_local_change(*, persona: Persona) -> None:
    """After a local edit, mark a synced persona 'pending' if Tavus would now get something new."""
    if not persona.tavus_persona_id or persona.sync_state == SyncState.ERROR:
        return
    differs = persona_build_payload(persona=persona) != persona.last_payload
    persona.sync_state = SyncState.PENDING if differs else SyncState.SYNCED
    Persona.objects.filter(pk=persona.pk).update(sync_state=persona.sync_state)


def persona_delete_on_tavus(*, persona: Persona) -> None:
    """Delete the persona at Tavus and forget its Tavus id; the local persona stays."""
    _refuse_stock(persona, "deleted")
    if not persona.tavus_persona_id:
        raise TavusSyncError(f"{persona.name} is not on Tavus, so there is nothing to delete.")
    try:
        tavus.delete_persona(persona_id=persona.tavus_persona_id)
    except tavus.TavusNotFound:
        pass  # Already gone at Tavus: the goal holds.
    except tavus.TavusError as error:
        raise _failed(persona, error) from error
    persona.tavus_persona_id, persona.last_payload, persona.tavus_tool_ids = "", {}, []
    persona.sync_state, persona.last_error, persona.last_synced_at = SyncState.NEVER, "", None
    persona.save(
        update_fields=[
            *_SYNC_FIELDS,
            "tavus_persona_id",
            "tavus_tool_ids",
            "last_payload",
            "updated_at",
        ]
    )


def persona_get_default() -> Persona | None:
    """The default persona (the one conversations use unless the user picks another)."""
    return Persona.objects.filter(is_default=True).first()


# --- Import -------------------------------------------------------------------------------------


def persona_import_from_tavus(*, include_stock: bool = True) -> ImportResult:
    """Create or refresh local personas from Tavus's own (and stock) personas, keyed by Tavus id."""
    try:
        found = [(info, False) for info in tavus.iter_personas(persona_type="user")]
        if include_stock:
            found += [(info, True) for info in tavus.iter_personas(persona_type="system")]
    except tavus.TavusError as error:
        raise TavusSyncError(error.message) from error
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for info, is_stock in found:
        counts[_import_one(info, is_stock=is_stock)] += 1
    return ImportResult(**counts)


@transaction.atomic
def _import_one(info: tavus.PersonaInfo, *, is_stock: bool) -> str:
    fields = _fields_from_tavus(info) | {"is_stock": is_stock}
    persona = Persona.objects.filter(tavus_persona_id=info.persona_id).first()
    documents = list(Document.objects.filter(tavus_document_id__in=info.document_ids))
    if persona is None:
        persona = Persona.objects.create(
            tavus_persona_id=info.persona_id, last_synced_at=timezone.now(), **fields
        )
        persona.documents.set(documents)
        return "created"
    changed = any(getattr(persona, name) != value for name, value in fields.items())
    changed |= {d.pk for d in persona.documents.all()} != {d.pk for d in documents}
    if not changed:
        Persona.objects.filter(pk=persona.pk).update(last_synced_at=timezone.now())
        return "unchanged"
    Persona.objects.filter(pk=persona.pk).update(
        **fields, last_synced_at=timezone.now(), updated_at=timezone.now()
    )
    persona.documents.set(documents)
    return "updated"


def _fields_from_tavus(info: tavus.PersonaInfo) -> dict[str, Any]:
    layers = info.layers
    llm, tts = layers.get("llm") or {}, layers.get("tts") or {}
    flow, stt = layers.get("conversational_flow") or {}, layers.get("stt") or {}
    perception = layers.get("perception") or {}
    model = llm.get("model") or Persona.LLMModel.GPT_OSS
    hosted = model in Persona.LLMModel.values and model != Persona.LLMModel.CUSTOM
    fields = {
        "name": (info.persona_name or info.persona_id)[:100],
        # Tavus deprecated `context` (Feb 2026) and merged it into the prompt; an old one still
        # carrying it is folded in the same way.
        "system_prompt": "\n\n".join(filter(None, [info.system_prompt, info.context])),
        "default_replica_id": info.default_replica_id or "",
        "pipeline_mode": _choice(info.raw.get("pipeline_mode"), Persona.PipelineMode.FULL),
        "document_tags": list(info.document_tags),
        "llm_model": model if hosted else Persona.LLMModel.CUSTOM,
        "llm_custom_model": "" if hosted else model,
        "llm_base_url": llm.get("base_url") or "",
        "speculative_inference": llm.get("speculative_inference", True) is not False,
        "tts_engine": _choice(tts.get("tts_engine"), Persona.TTSEngine.CARTESIA),
        "tts_voice_id": tts.get("external_voice_id") or "",
        "tts_model_name": tts.get("tts_model_name") or "",
        "tts_emotion_control": tts.get("tts_emotion_control", True) is not False,
        "stt_hotwords": stt.get("hotwords") or "",
        "turn_detection_model": _choice(
            flow.get("turn_detection_model"), Persona.TurnDetection.SPARROW_1
        ),
        "turn_taking_patience": _choice(flow.get("turn_taking_patience"), Level.MEDIUM),
        "replica_interruptibility": _choice(flow.get("replica_interruptibility"), Level.MEDIUM),
        # Without a perception layer Tavus runs its default, raven-1: say so rather than "off".
        "perception_model": _choice(perception.get("perception_model"), Persona.Perception.RAVEN_1),
        "sync_state": SyncState.SYNCED,
        "last_error": "",
        "last_payload": managed_fields(info.raw),
    }
    if llm.get("api_key") and llm["api_key"] != SECRET_MASK:
        fields["llm_api_key"] = llm["api_key"]
    return fields


def _choice(value: Any, default: Any) -> str:
    """`value` when it is one of `default`'s choices, else `default` (Tavus may add new values)."""
    return value if value in type(default).values else default
