"""The staff tool playground: the persona's tools run on one's own schedule, without Tavus."""

from django.db import transaction

from conversations.assistant.calls import Arguments, ToolRequest, tool_call_execute
from conversations.models import Conversation, ToolCall
from personas import services as persona_services
from personas.tools import REGISTRY


def playground_conversation_get(*, user) -> Conversation:
    """The user's playground conversation (never sent to Tavus), created on first use."""
    with transaction.atomic():
        conversation, _ = Conversation.objects.get_or_create(
            user=user,
            is_playground=True,
            status=Conversation.Status.ACTIVE,
            defaults={"persona": persona_services.persona_get_default()},
        )
    return conversation


def playground_forms() -> list[dict]:
    """One form description per registered tool, from its JSON schema."""
    forms = []
    for name in sorted(REGISTRY):
        entry = REGISTRY[name]
        fields = [
            {
                "name": field,
                "type": "number" if schema["type"] == "integer" else "text",
                "description": schema.get("description", ""),
            }
            for field, schema in entry.parameters["properties"].items()
        ]
        forms.append(
            {
                "name": name,
                "description": entry.description,
                "fields": fields,
                "writes": entry.writes,
            }
        )
    return forms


def _arguments(parameters: dict, values: dict) -> dict:
    arguments = {}
    for field, schema in parameters["properties"].items():
        value = (values.get(field) or "").strip()
        if value:
            numeric = schema["type"] == "integer" and value.lstrip("-").isdigit()
            arguments[field] = int(value) if numeric else value
    return arguments


def playground_run(*, user, name: str, values: dict) -> dict:
    """Runs one tool through the same path as a relayed call; empty fields are left out."""
    entry = REGISTRY.get(name)
    arguments = _arguments(entry.parameters, values) if entry else {}
    request = ToolRequest(name=name, arguments=Arguments(arguments), via=ToolCall.Via.PLAYGROUND)
    return tool_call_execute(conversation=playground_conversation_get(user=user), request=request)
