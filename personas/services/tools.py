"""DRAKO's tools in Tavus's tools registry: created once per account, kept in step with the
code's definitions, and attached to (or detached from) each persona as it asks."""

from __future__ import annotations

from django.utils import timezone

from drako import tavus
from personas.models import Persona, TavusTool
from personas.tools import registry_tool_bodies


def tools_sync() -> list[str]:
    """Make the registry hold every DRAKO tool as the code defines it; their Tavus ids."""
    bodies = registry_tool_bodies()
    known = {tool.name: tool for tool in TavusTool.objects.filter(name__in=bodies)}
    remote: dict[str, tavus.ToolInfo] | None = None
    ids = []
    for name, body in bodies.items():
        local = known.get(name)
        if local is not None and local.last_body == body:
            ids.append(local.tavus_tool_id)
            continue
        info = None
        if local is not None:
            try:
                info = tavus.update_tool(tool_id=local.tavus_tool_id, payload=body)
            except tavus.TavusNotFound:
                info = None  # deleted on Tavus's side: find it by name or create it again
        if info is None:
            if remote is None:  # names are unique per account: adopt one made earlier
                remote = {tool.name: tool for tool in tavus.iter_tools(tool_type="user")}
            if name in remote:
                info = tavus.update_tool(tool_id=remote[name].tool_id, payload=body)
            else:
                info = tavus.create_tool(payload=body)
        TavusTool.objects.update_or_create(
            name=name,
            defaults={
                "tavus_tool_id": info.tool_id,
                "last_body": body,
                "last_synced_at": timezone.now(),
            },
        )
        ids.append(info.tool_id)
    return ids


def persona_tools_sync(*, persona: Persona) -> None:
    """Attach DRAKO's registry tools to a persona that uses them; detach them from one that
    does not (it has its tools inline), so the LLM never sees each tool twice."""
    wanted = tools_sync() if persona.tool_delivery == Persona.ToolDelivery.REGISTRY else []
    if wanted and set(wanted) != set(persona.tavus_tool_ids or []):
        tavus.attach_tools(persona_id=persona.tavus_persona_id, tool_ids=wanted)
    for stale in set(persona.tavus_tool_ids or []) - set(wanted):
        tavus.detach_tool(persona_id=persona.tavus_persona_id, tool_id=stale)
    persona.tavus_tool_ids = sorted(wanted)
