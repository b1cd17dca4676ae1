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
        expected = {"IntegerField": "integer", "BooleanField": "boolean"}.get(
            field.__class__.__name__, "string"
        )
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
    attached = fake_tavus.persona_tools[persona.tavus_persona_id]
    tools = [fake_tavus.tools[tool_id] for tool_id in attached]
    assert sorted(t["name"] for t in tools) == sorted(
        d["function"]["name"] for d in llm_tool_definitions()
    )
    assert {(t["on_call"], t["on_resolve"]) for t in tools} == {
        ("generate_filler", "generate_response")
    }
    # The same definitions inline, for a persona on the legacy path.
    inline = Persona.objects.create(
        name="Inline", system_prompt="You are DRAKO.", tool_delivery=Persona.ToolDelivery.INLINE
    )
    persona_sync(persona=inline)
    sent = fake_tavus.personas[inline.tavus_persona_id]
    assert sent["layers"]["llm"]["tools"] == llm_tool_definitions()
    assert inline.tavus_persona_id not in fake_tavus.persona_tools
