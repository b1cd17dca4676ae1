"""The tools a persona's LLM can call, defined once: name, description, input serializer.

The assistant (conversations.assistant) registers each tool here with the function that runs
it; persona sync sends Tavus the definitions generated from this registry. The JSON schema the
LLM sees is derived from the tool's input serializer, so the two cannot drift apart. This module
sits below both users (personas and conversations), so neither imports the other for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Serializer field classes and the JSON Schema type the LLM is told (most specific first).
_JSON_TYPES: tuple[tuple[type[serializers.Field], str], ...] = (
    (serializers.BooleanField, "boolean"),
    (serializers.IntegerField, "integer"),
    (serializers.FloatField, "number"),
    (serializers.ChoiceField, "string"),
    (serializers.CharField, "string"),
)


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    serializer_class: type[serializers.Serializer]
    function: Callable[..., dict]
    writes: bool = False

    @property
    def parameters(self) -> dict[str, Any]:
        """The JSON schema of the tool's arguments, from its input serializer."""
        return parameters_schema(self.serializer_class)


REGISTRY: dict[str, Tool] = {}


def tool(
    *,
    description: str,
    serializer_class: type[serializers.Serializer],
    writes: bool = False,
    name: str | None = None,
) -> Callable[[Callable[..., dict]], Callable[..., dict]]:
    """Registers the decorated function as a tool named after it (or `name`)."""

    def register(function: Callable[..., dict]) -> Callable[..., dict]:
        entry = Tool(
            name=name or function.__name__,
            description=description,
            serializer_class=serializer_class,
            function=function,
            writes=writes,
        )
        _check(entry)
        REGISTRY[entry.name] = entry
        return function

    return register


def _check(entry: Tool) -> None:
    """Refuses at import time what Tavus would refuse at sync time (docs/tavus.md §1.1)."""
    if not _NAME.match(entry.name):
        raise ValueError(f"Tool name {entry.name!r} must be snake_case.")
    if entry.name in REGISTRY:
        raise ValueError(f"A tool named {entry.name!r} is already registered.")
    entry.parameters  # noqa: B018 — derives the schema now, so a bad field fails at import


def get_tool(name: str) -> Tool | None:
    """The registered tool with this name, or None."""
    return REGISTRY.get(name)


def parameters_schema(serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
    """A JSON schema object for the serializer's fields: type, description, enum."""
    properties = {name: _property(name, field) for name, field in serializer_class().fields.items()}
    return {"type": "object", "properties": properties}


def _property(name: str, field: serializers.Field) -> dict[str, Any]:
    kind = next((json for cls, json in _JSON_TYPES if isinstance(field, cls)), None)
    if kind is None:
        raise ValueError(f"Field {name!r}: no JSON type for {type(field).__name__}.")
    if not field.help_text:
        raise ValueError(f"Field {name!r} needs help_text: it is the LLM's description.")
    schema: dict[str, Any] = {"type": kind, "description": str(field.help_text)}
    if isinstance(field, serializers.ChoiceField):
        schema["enum"] = list(field.choices)
    return schema


def llm_tool_definitions() -> list[dict[str, Any]]:
    """Tavus/OpenAI function-tool entries for every registered tool, sorted by name."""
    return [_definition(REGISTRY[name]) for name in sorted(REGISTRY)]


# Registry tools: the PAL says a short filler while DRAKO works, then phrases the result itself
# (Tavus's default on_resolve is fire_and_forget, which would drop DRAKO's answer: docs/tavus.md).
REGISTRY_BEHAVIOUR = {
    "on_call": "generate_filler",
    "on_resolve": "generate_response",
    "delivery": {"app_message": True},
}


def registry_tool_bodies() -> dict[str, dict[str, Any]]:
    """The body of POST /v2/tools for every registered tool, by name."""
    bodies = {}
    for definition in llm_tool_definitions():
        function = definition["function"]
        bodies[function["name"]] = {**function, **REGISTRY_BEHAVIOUR}
    return bodies


def _definition(entry: Tool) -> dict[str, Any]:
    schema = entry.parameters
    # Tavus asks for every parameter in `required`, even ones our code treats as optional.
    schema["required"] = list(schema["properties"])
    return {
        "type": "function",
        "function": {"name": entry.name, "description": entry.description, "parameters": schema},
    }
