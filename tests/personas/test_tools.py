"""personas.tools: the tool registry, and the definitions Tavus gets, derived from serializers."""

import pytest
from rest_framework import serializers

from personas import tools
from personas.tools import llm_tool_definitions


class TwoFields(serializers.Serializer):
    b = serializers.CharField(help_text="The b")
    a = serializers.IntegerField(required=False, help_text="The a")


def test_tool_definitions_are_sorted_and_require_every_property(monkeypatch):
    monkeypatch.setattr(tools, "REGISTRY", {})
    tools.tool(name="zulu", description="Second.", serializer_class=TwoFields)(lambda: {})
    tools.tool(name="alpha", description="First.", serializer_class=TwoFields, writes=True)(
        lambda: {}
    )

    definitions = llm_tool_definitions()

    assert [d["function"]["name"] for d in definitions] == ["alpha", "zulu"]
    assert definitions[0] == {
        "type": "function",
        "function": {
            "name": "alpha",
            "description": "First.",
            "parameters": {
                "type": "object",
                "properties": {
                    "b": {"type": "string", "description": "The b"},
                    "a": {"type": "integer", "description": "The a"},
                },
                "required": ["b", "a"],
            },
        },
    }
    assert tools.get_tool("alpha").writes is True


def test_tool_registry_refuses_bad_names_and_duplicates(monkeypatch):
    monkeypatch.setattr(tools, "REGISTRY", {})
    tools.tool(name="undo_last_change", description="Undo.", serializer_class=TwoFields)(lambda: {})
    with pytest.raises(ValueError, match="already registered"):
        tools.tool(name="undo_last_change", description="Again.", serializer_class=TwoFields)(
            lambda: {}
        )
    with pytest.raises(ValueError, match="snake_case"):
        tools.tool(name="Undo-It", description="Bad.", serializer_class=TwoFields)(lambda: {})


def test_a_field_without_a_description_or_a_json_type_is_refused_at_import(monkeypatch):
    monkeypatch.setattr(tools, "REGISTRY", {})

    class Undescribed(serializers.Serializer):
        day = serializers.CharField()

    class Untyped(serializers.Serializer):
        day = serializers.DateField(help_text="A day")

    with pytest.raises(ValueError, match="help_text"):
        tools.tool(name="one", description="One.", serializer_class=Undescribed)(lambda: {})
    with pytest.raises(ValueError, match="no JSON type"):
        tools.tool(name="two", description="Two.", serializer_class=Untyped)(lambda: {})
    assert tools.REGISTRY == {}


def test_choices_become_an_enum(monkeypatch):
    monkeypatch.setattr(tools, "REGISTRY", {})

    class Scoped(serializers.Serializer):
        scope = serializers.ChoiceField(choices=["this", "all"], help_text="Which ones")

    schema = tools.parameters_schema(Scoped)
    assert schema["properties"]["scope"] == {
        "type": "string",
        "description": "Which ones",
        "enum": ["this", "all"],
    }
