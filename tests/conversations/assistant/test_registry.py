"""The tool registry as the assistant fills it: the interface's tools, one definition each."""

import pytest

from personas.tools import REGISTRY, llm_tool_definitions

pytestmark = pytest.mark.django_db


INTERFACE_TOOLS = {
    "add_schedule_event", "list_schedule_events", "update_schedule_event", "cancel_schedule_event",
    "find_free_slots", "confirm_change", "discard_change", "undo_last_change",
}  # fmt: skip


def test_registry_has_exactly_the_interface_tools():
    assert set(REGISTRY) == INTERFACE_TOOLS
    assert [d["function"]["name"] for d in llm_tool_definitions()] == sorted(INTERFACE_TOOLS)


@pytest.mark.parametrize("name", sorted(INTERFACE_TOOLS))
def test_each_tools_json_schema_matches_its_serializer(name):
    entry = REGISTRY[name]
    fields = entry.serializer_class().fields
    properties = entry.parameters["properties"]
    assert set(properties) == set(fields)
    for field_name, schema in properties.items():
        field = fields[field_name]
        expected = "integer" if field.__class__.__name__ == "IntegerField" else "string"
        assert schema["type"] == expected, field_name
        assert schema.get("description"), field_name
    definition = next(d for d in llm_tool_definitions() if d["function"]["name"] == name)
    assert definition["function"]["parameters"]["required"] == list(properties)
    assert len(definition["function"]["description"]) > 20


def test_synced_persona_carries_the_registry_tools(fake_tavus, db):
    from personas.models import Persona
    from personas.services import persona_sync

    persona = Persona.objects.create(name="DRAKO", system_prompt="You are DRAKO.")
    persona_sync(persona=persona)
    sent = next(
        r.json for r in fake_tavus.requests if r.method == "POST" and r.path == "/v2/personas"
    )
    assert sent["layers"]["llm"]["tools"] == llm_tool_definitions()
