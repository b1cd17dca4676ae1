"""`tavus_check`: what would go wrong in a real call, found before a user finds it.

Each check answers in words with its fix. Nothing is changed at Tavus; a registry tool found to
differ there is only marked locally, so the next sync sends it again.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from drako import tavus
from personas.models import Document, Persona, TavusTool
from personas.services.payload import json_patch, managed_fields, persona_build_payload
from personas.tools import registry_tool_bodies


def _unreachable_host(host: str) -> bool:
    """A host Tavus's servers cannot reach: a local name, or a loopback/private address."""
    if host in ("localhost", "testserver") or host.endswith((".local", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.message}"


def tavus_check() -> list[Check]:
    """Every check, in order; later ones are skipped (and say why) when the key is unusable."""
    checks = [_public_url()]
    key = _key()
    checks.append(key)
    if not key.ok:
        skipped = "skipped: Tavus could not be asked (see the key check)."
        return checks + [Check(n, False, skipped) for n in ("replica", "personas", "tools")]
    checks.append(_replica(settings.TAVUS_DEFAULT_REPLICA_ID, "default replica"))
    checks += list(_personas())
    checks += list(_tools())
    checks += list(_documents())
    return checks


def _guarded(name: str, run: Callable[[], Check]) -> Check:
    try:
        return run()
    except tavus.TavusError as error:
        return Check(name, False, error.message)


def _public_url() -> Check:
    url = settings.DRAKO_PUBLIC_URL
    if not url:
        return Check(
            "public URL",
            False,
            "DRAKO_PUBLIC_URL is empty, so Tavus cannot send webhooks (call ends, transcripts) "
            "or fetch uploaded documents. Set it to the https address users open.",
        )
    parts = urlsplit(url)
    if parts.scheme != "https" or _unreachable_host(parts.hostname or ""):
        return Check(
            "public URL",
            False,
            f"DRAKO_PUBLIC_URL is {url}: Tavus can only reach a public https address. Set it to "
            "the address users open (behind your proxy).",
        )
    return Check("public URL", True, f"webhooks go to {url}")


def _key() -> Check:
    if not tavus.is_configured():
        return Check("API key", False, "TAVUS_API_KEY is empty. Set it from platform.tavus.io.")

    def run() -> Check:
        tavus.list_personas(limit=1)
        return Check("API key", True, "Tavus accepts it")

    return _guarded("API key", run)


def _replica(replica_id: str, name: str) -> Check:
    if not replica_id:
        return Check(name, False, "No replica is set. Set TAVUS_DEFAULT_REPLICA_ID.")

    def run() -> Check:
        try:
            info = tavus.get_replica(replica_id=replica_id)
        except tavus.TavusNotFound:
            return Check(
                name,
                False,
                f"Tavus has no replica {replica_id}: every call with it fails with 'Invalid "
                "replica_uuid'. Pick one from the admin's replica list (Tavus's own examples "
                "use r90bbd427f71) and set it.",
            )
        if info.status != "completed":
            return Check(
                name, False, f"{replica_id} is '{info.status or 'unknown'}', not ready for calls."
            )
        return Check(name, True, f"{replica_id} ({info.replica_name or 'unnamed'}) is ready")

    return _guarded(name, run)


def _personas() -> Iterator[Check]:
    personas = list(Persona.objects.filter(is_stock=False).prefetch_related("documents"))
    if not personas:
        yield Check("personas", False, "No persona yet. Run `manage.py ensure_default_persona`.")
        return
    for persona in personas:
        name = f"persona {persona.name}"
        if not persona.tavus_persona_id:
            yield Check(name, False, "Not on Tavus yet. Use 'Sync to Tavus' in the admin.")
            continue
        yield _guarded(name, lambda p=persona, n=name: _persona_matches(p, n))
        if persona.default_replica_id != settings.TAVUS_DEFAULT_REPLICA_ID:
            yield _replica(persona.default_replica_id, f"{name}'s replica")


def _persona_matches(persona: Persona, name: str) -> Check:
    try:
        remote = tavus.get_persona(persona_id=persona.tavus_persona_id)
    except tavus.TavusNotFound:
        return Check(
            name,
            False,
            f"Tavus no longer has {persona.tavus_persona_id}. Use 'Delete on Tavus' to forget the "
            "old id, then sync again.",
        )
    differences = json_patch(managed_fields(remote.raw), persona_build_payload(persona=persona))
    if differences:
        paths = ", ".join(sorted({op["path"] for op in differences})[:5])
        return Check(
            name,
            False,
            f"Tavus holds something else at {paths}. Use 'Sync to Tavus' (or import, if the "
            "change made at Tavus is the one to keep).",
        )
    return Check(name, True, f"{persona.tavus_persona_id} matches what DRAKO would send")


def _tools() -> Iterator[Check]:
    users = [
        p
        for p in Persona.objects.filter(is_stock=False).exclude(tavus_persona_id="")
        if p.tool_delivery == Persona.ToolDelivery.REGISTRY
    ]
    if not users:
        yield Check("tools registry", True, "no persona uses registry tools")
        return
    bodies = registry_tool_bodies()

    def registry() -> Check:
        remote = {tool.name: tool for tool in tavus.iter_tools(tool_type="user")}
        problems = []
        for tool_name, body in bodies.items():
            tool = remote.get(tool_name)
            if tool is None:
                problems.append(f"{tool_name} is missing")
            elif (tool.on_resolve, tool.on_call) != (body["on_resolve"], body["on_call"]) or (
                tool.description != body["description"] or tool.parameters != body["parameters"]
            ):
                problems.append(f"{tool_name} differs from the code")
        if problems:
            TavusTool.objects.filter(name__in=bodies).update(last_body={})  # next sync resends
            return Check("tools registry", False, "; ".join(problems) + ". Sync a persona.")
        return Check("tools registry", True, f"all {len(bodies)} tools are as the code has them")

    yield _guarded("tools registry", registry)
    for persona in users:
        name = f"persona {persona.name}'s tools"

        def attached(p: Persona = persona, n: str = name) -> Check:
            names = {tool.name for tool in tavus.list_persona_tools(persona_id=p.tavus_persona_id)}
            missing = sorted(set(bodies) - names)
            if missing:
                return Check(n, False, f"not attached: {', '.join(missing)}. Sync the persona.")
            return Check(n, True, f"all {len(bodies)} attached")

        yield _guarded(name, attached)


def _documents() -> Iterator[Check]:
    for document in Document.objects.exclude(tavus_document_id=""):
        name = f"document {document.name}"

        def status(d: Document = document, n: str = name) -> Check:
            try:
                info = tavus.get_document(document_id=d.tavus_document_id)
            except tavus.TavusNotFound:
                return Check(n, False, "Tavus no longer has it. Upload it to Tavus again.")
            if info.status == "error":
                why = info.error_message or "no reason given"
                return Check(n, False, f"Tavus could not process it ({why}). Fix it, re-upload.")
            if info.status != "ready":
                return Check(n, False, f"still {info.status or 'unknown'} at Tavus; not usable yet")
            return Check(n, True, "ready")

        yield _guarded(name, status)


def smoke_conversation(persona: Persona) -> Check:
    """A `test_mode` conversation created and ended with the persona: the whole create path as a
    real call takes it, without a replica joining or a call being billed."""
    name = "test conversation"
    if not persona.tavus_persona_id:
        return Check(name, False, f"{persona.name} is not on Tavus; sync it first.")
    payload: dict = {
        "persona_id": persona.tavus_persona_id,
        "conversation_name": "DRAKO smoke test",
        "require_auth": True,
        "max_participants": 2,
        "test_mode": True,
        "properties": {**persona.conversation_properties(), "enable_closed_captions": True},
    }
    if persona.default_replica_id:
        payload["replica_id"] = persona.default_replica_id

    def run() -> Check:
        info = tavus.create_conversation(payload=payload)
        tavus.end_conversation(conversation_id=info.conversation_id)
        token = "with" if info.meeting_token else "WITHOUT"
        return Check(
            name, True, f"{info.conversation_id} created ({token} a meeting token) and ended"
        )

    return _guarded(name, run)
