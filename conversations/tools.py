"""The tool registry: every tool the persona's LLM may call, defined once with its schema.

The persona's `layers.llm.tools` sent to Tavus are generated from this registry
(`llm_tool_definitions`), and dispatch looks a name up here, never with `getattr`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rest_framework import serializers

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    serializer_class: type[serializers.Serializer] | None
    function: Callable[..., dict]
    writes: bool = False


REGISTRY: dict[str, Tool] = {}


def tool(
    *,
    description: str,
    parameters: dict[str, Any],
    serializer_class: type[serializers.Serializer] | None = None,
    writes: bool = False,
    name: str | None = None,
) -> Callable[[Callable[..., dict]], Callable[..., dict]]:
    """Register the decorated function as a tool named after it (or `name`)."""

    def register(function: Callable[..., dict]) -> Callable[..., dict]:
        tool_name = name or function.__name__
        _check(tool_name, parameters)
        REGISTRY[tool_name] = Tool(
            name=tool_name,
            description=description,
            parameters=parameters,
            serializer_class=serializer_class,
            function=function,
            writes=writes,
        )
        return function

    return register


def _check(name: str, parameters: dict[str, Any]) -> None:
    """Refuse at import time what Tavus would refuse at sync time (tavus-api.md §1.2)."""
    if not _NAME.match(name):
        raise ValueError(f"Tool name {name!r} must be snake_case.")
    if name in REGISTRY:
        raise ValueError(f"A tool named {name!r} is already registered.")
    if parameters.get("type") != "object" or not isinstance(parameters.get("properties"), dict):
        raise ValueError(f"Tool {name!r}: parameters must be an object schema with properties.")


def get_tool(name: str) -> Tool | None:
    """The registered tool with this name, or None."""
    return REGISTRY.get(name)


def llm_tool_definitions() -> list[dict[str, Any]]:
    """Tavus/OpenAI function-tool entries for every registered tool, sorted by name."""
    return [_definition(REGISTRY[name]) for name in sorted(REGISTRY)]


def _definition(entry: Tool) -> dict[str, Any]:
    properties = copy.deepcopy(entry.parameters["properties"])
    # Tavus asks for every parameter in `required`, even ones our code treats as optional.
    parameters = {"type": "object", "properties": properties, "required": list(properties)}
    return {
        "type": "function",
        "function": {
            "name": entry.name,
            "description": entry.description,
            "parameters": parameters,
        },
    }
