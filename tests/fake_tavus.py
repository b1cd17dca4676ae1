"""A fake Tavus HTTP server for tests, built from docs/tavus.md (the verified protocol).

It is a real server on 127.0.0.1 (our client code is not patched), with in-memory state and
switches for the misbehaviour a test needs: canned failures (`fail_next`), hanging requests
(`hang`), a concurrency cap (`max_concurrent`), no credits (`out_of_credits`).
"""

from __future__ import annotations

import copy
import json
import re
import sys
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import jsonpatch
import jsonpointer

API_PREFIX = "/v2"
# DRAKO's read timeout against this server: a bound, not a figure under test. A CI machine under
# load once took over 0.5 s to answer from it; a test that waits on a hung request sets its own.
READ_TIMEOUT = 10
CONCURRENCY_MESSAGE = "User has reached maximum concurrent conversations"
OUT_OF_CREDITS_MESSAGE = "The user is out of conversational credits"

STOCK_REPLICAS = (
    ("re8e740a42", "Nathan"),
    ("rfe12d8b9597", "Default"),
    ("r90bbd427f71", "Anna"),
)
STOCK_PERSONAS = (
    ("pdced222244b", "Sales Coach", "rfe12d8b9597"),
    ("p1af207b8189", "Sales Coach (2026)", "r90bbd427f71"),
    ("paaee96e4f87", "Customer Support", "r90bbd427f71"),
)

Body = dict | list | bytes | None
Answer = tuple[int, Body]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased
    json: Any
    raw_body: bytes


@dataclass
class _Canned:
    status: int
    body: Body
    times: int
    path_prefix: str | None
    method: str | None


@dataclass
class _Hang:
    path_prefix: str | None
    release: threading.Event = field(default_factory=threading.Event)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _new_id(prefix: str) -> str:
    return prefix + uuid.uuid4().hex[:11]


def _full_path(prefix: str | None) -> str | None:
    """Let tests write "/conversations" as well as "/v2/conversations"."""
    if prefix is None or prefix.startswith(API_PREFIX):
        return prefix
    return API_PREFIX + prefix


def _matches(prefix: str | None, method: str | None, request: RecordedRequest) -> bool:
    if method is not None and method.upper() != request.method:
        return False
    return prefix is None or request.path.startswith(prefix)


def _page(items: list[dict], query: dict[str, str], *, first: int) -> tuple[list, int, int]:
    """Slice `items` by the query's limit/page, where page `first` is the first one."""
    limit = int(query.get("limit", 10))
    page = int(query.get("page", first))
    start = (page - first) * limit
    return items[start : start + limit], page, limit


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A hung handler must not make stop() wait for it.
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet when a client gave up (timeout tests); report anything else."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeTavus:
    """An in-memory Tavus API on a local port; see the module docstring."""

    api_key = "test-key"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._recorded = threading.Condition(self._lock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.reset()

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> FakeTavus:
        """Serve on an ephemeral port in a daemon thread."""
        self._server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hung requests and shut the server down."""
        self.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeTavus is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}{API_PREFIX}"

    def reset(self) -> None:
        """Forget every request, switch and object; restore the stock ones."""
        with self._lock:
            self.requests: list[RecordedRequest] = []
            self.personas: dict[str, dict] = {}
            self.system_personas = {pid: _stock_persona(pid, n, r) for pid, n, r in STOCK_PERSONAS}
            self.conversations: dict[str, dict] = {}
            # DELETE ...?hard=true (§2.5): erased with their data, not only hidden.
            self.hard_deleted: set[str] = set()
            self.events: dict[str, list[dict]] = {}
            self.documents: dict[str, dict] = {}
            self.replicas = {rid: _stock_replica(rid, name) for rid, name in STOCK_REPLICAS}
            self.tools: dict[str, dict] = {"end_call": _system_tool()}
            self.persona_tools: dict[str, list[str]] = {}
            self.max_concurrent = 3
            # Called with each new conversation before the create answer goes out: Tavus may
            # call back (replica_joined) before DRAKO has the id (docs/tavus.md §8).
            self.before_create_answer: Callable[[dict], None] | None = None
            self.out_of_credits = False
            self.persona_get_wrapped = False
            self._canned: list[_Canned] = []
        self.release()

    # --- switches for tests --------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        body: Body = None,
        *,
        times: int = 1,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next `times` matching requests with `status` and `body` instead."""
        canned = _Canned(status, body, times, _full_path(path_prefix), method)
        with self._lock:
            self._canned.append(canned)

    def hang(self, path_prefix: str | None = None) -> None:
        """Make matching requests block until release() or stop()."""
        self._hang = _Hang(_full_path(path_prefix))

    def release(self) -> None:
        """Let hung requests go on, and stop hanging new ones."""
        hang = getattr(self, "_hang", None)
        if hang is not None:
            hang.release.set()
        self._hang: _Hang | None = None

    def wait_for_requests(self, count: int, timeout: float = 5) -> list[RecordedRequest]:
        """The recorded requests once there are at least `count` (a client may give up first)."""
        with self._recorded:
            self._recorded.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
            return list(self.requests)

    def set_events(self, conversation_id: str, events: list[dict]) -> None:
        """What GET /conversations/<id>?verbose=true reports as `events`."""
        with self._lock:
            self.events[conversation_id] = list(events)

    def set_document_status(
        self,
        document_id: str,
        status: str,
        error_message: str | None = None,
        progress: int | None = None,
    ) -> None:
        """Move a document along started → processing → ready | error."""
        with self._lock:
            document = self.documents[document_id]
            document.update(status=status, error_message=error_message, updated_at=_now())
            document["progress"] = 100 if status == "ready" and progress is None else progress

    def webhook(self, conversation_id: str, event_type: str, **properties: Any) -> dict:
        """A Tavus webhook envelope (docs/tavus.md §8) for a test to post to our endpoint."""
        conversation = self.conversations.get(conversation_id, {})
        props = {"replica_id": conversation["replica_id"]} if conversation else {}
        props.update(properties)
        return {
            "properties": props,
            "conversation_id": conversation_id,
            "webhook_url": conversation.get("callback_url", ""),
            "event_type": event_type,
            "message_type": "system" if event_type.startswith("system.") else "application",
            "timestamp": _now(),
        }

    # --- request handling ----------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Answer:
        """Record, then hang / can / authenticate / route one request."""
        with self._recorded:
            self.requests.append(request)
            self._recorded.notify_all()
        hang = self._hang
        if hang is not None and _matches(hang.path_prefix, None, request):
            hang.release.wait(timeout=30)
        canned = self._take_canned(request)
        if canned is not None:
            return canned
        if request.headers.get("x-api-key") != self.api_key:
            return 401, {"message": "Invalid access token"}
        with self._lock:
            return self._route(request)

    def _take_canned(self, request: RecordedRequest) -> Answer | None:
        with self._lock:
            for canned in self._canned:
                if _matches(canned.path_prefix, canned.method, request):
                    canned.times -= 1
                    if canned.times <= 0:
                        self._canned.remove(canned)
                    return canned.status, copy.deepcopy(canned.body)
        return None

    def _route(self, request: RecordedRequest) -> Answer:
        path = request.path.removeprefix(API_PREFIX)
        for method, pattern, name in _ROUTES:
            match = re.fullmatch(pattern, path)
            if match and method == request.method:
                handler: Callable[..., Answer] = getattr(self, name)
                try:
                    return handler(request, *match.groups())
                except ValueError as error:  # e.g. ?page=abc
                    return 400, {"error": f"Invalid request: {error}"}
        return 404, {"message": f"No route for {request.method} {request.path}"}

    def _bad_body(self, request: RecordedRequest, kind: type) -> Answer | None:
        if not isinstance(request.json, kind):
            return 400, {"error": "Invalid request: the body must be a JSON object"}
        return None

    # --- personas ------------------------------------------------------------------------------

    def _create_persona(self, request: RecordedRequest) -> Answer:
        if bad := self._bad_body(request, dict):
            return bad
        body = request.json
        if problem := persona_body_problem(body):
            return 400, {"error": f"Invalid request: {problem}"}
        if body.get("pipeline_mode") == "full" and not body.get("system_prompt"):
            return 400, {"error": "Invalid request: system_prompt is required for full pipeline"}
        replica_id = body.get("default_replica_id")
        if replica_id and replica_id not in self.replicas:
            return 400, {"error": "Invalid replica_uuid"}
        persona = _persona_from(body, persona_id=_new_id("p"))
        self.personas[persona["persona_id"]] = persona
        return 200, {key: persona[key] for key in ("persona_id", "persona_name", "created_at")}

    def _list_personas(self, request: RecordedRequest) -> Answer:
        kind = request.query.get("persona_type")
        items = [] if kind == "system" else list(self.personas.values())
        if kind in (None, "system"):
            items += list(self.system_personas.values())
        page, _number, _limit = _page(items, request.query, first=1)
        return 200, {"data": copy.deepcopy(page), "total_count": len(items)}

    def _get_persona(self, request: RecordedRequest, persona_id: str) -> Answer:
        persona = self.personas.get(persona_id) or self.system_personas.get(persona_id)
        if persona is None:
            return 400, {"error": "Invalid persona_id"}
        body = copy.deepcopy(persona)
        return 200, {"data": [body]} if self.persona_get_wrapped else body

    def _patch_persona(self, request: RecordedRequest, persona_id: str) -> Answer:
        persona = self.personas.get(persona_id)
        if persona is None:
            return 400, {"error": "Invalid persona_id"}
        if not isinstance(request.json, list):
            return 422, {"message": "Invalid JSON patch format"}
        try:
            patched = jsonpatch.JsonPatch(request.json).apply(persona)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, TypeError):
            return 422, {"message": "Invalid JSON patch format"}
        if patched == persona:
            return 304, {"message": "No changes were made to the persona"}
        managed = {k: v for k, v in patched.items() if k in PERSONA_FIELDS}
        if problem := persona_body_problem(managed):
            return 422, {"message": f"Invalid JSON patch format: {problem}"}
        patched.update(persona_id=persona_id, updated_at=_now())
        self.personas[persona_id] = patched
        return 200, copy.deepcopy(patched)

    def _delete_persona(self, request: RecordedRequest, persona_id: str) -> Answer:
        if self.personas.pop(persona_id, None) is None:
            return 400, {"error": "Invalid persona_id"}
        return 204, None

    # --- conversations -------------------------------------------------------------------------

    def _create_conversation(self, request: RecordedRequest) -> Answer:
        if bad := self._bad_body(request, dict):
            return bad
        body = request.json
        if problem := conversation_body_problem(body):
            return 400, {"error": f"Invalid request: {problem}"}
        if refused := self._refuse_conversation(body):
            return refused
        conversation = _conversation_from(body, self._replica_for(body), _new_id("c"))
        self.conversations[conversation["conversation_id"]] = conversation
        self.events[conversation["conversation_id"]] = []
        if self.before_create_answer is not None:
            self.before_create_answer(copy.deepcopy(conversation))
        return 200, copy.deepcopy(conversation)

    def _replica_for(self, body: dict) -> str | None:
        persona_id = body.get("persona_id")
        persona = self.personas.get(persona_id) or self.system_personas.get(persona_id) or {}
        return body.get("replica_id") or persona.get("default_replica_id")

    def _refuse_conversation(self, body: dict) -> Answer | None:
        persona_id = body.get("persona_id")
        if persona_id and persona_id not in self.personas | self.system_personas:
            return 400, {"error": "Invalid persona_id"}
        replica_id = self._replica_for(body)
        if replica_id is None or replica_id not in self.replicas:
            return 400, {"error": "Invalid replica_uuid"}
        if self.out_of_credits:
            return 402, {"message": OUT_OF_CREDITS_MESSAGE}
        active = [c for c in self.conversations.values() if c["status"] == "active"]
        if not body.get("test_mode") and len(active) >= self.max_concurrent:
            return 400, {"message": CONCURRENCY_MESSAGE}
        return None

    def _list_conversations(self, request: RecordedRequest) -> Answer:
        status = request.query.get("status")
        items = [c for c in self.conversations.values() if status in (None, c["status"])]
        page, _number, _limit = _page(items, request.query, first=1)
        return 200, {"data": copy.deepcopy(page), "total_count": len(items)}

    def _get_conversation(self, request: RecordedRequest, conversation_id: str) -> Answer:
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            return 400, {"error": "Invalid conversation_id"}
        body = copy.deepcopy(conversation)
        if request.query.get("verbose") == "true":
            body["events"] = copy.deepcopy(self.events.get(conversation_id, []))
        return 200, body

    def _end_conversation(self, request: RecordedRequest, conversation_id: str) -> Answer:
        conversation = self.conversations.get(conversation_id)
        if conversation is None:
            return 400, {"error": "Invalid conversation_id"}
        if conversation["status"] != "ended":
            conversation.update(status="ended", updated_at=_now())
            shutdown = self.webhook(
                conversation_id, "system.shutdown", shutdown_reason="end_conversation_endpoint_hit"
            )
            self.events.setdefault(conversation_id, []).append(shutdown)
        return 200, {"conversation_id": conversation_id, "status": "ended"}

    def _delete_conversation(self, request: RecordedRequest, conversation_id: str) -> Answer:
        if self.conversations.pop(conversation_id, None) is None:
            return 400, {"error": "Invalid conversation_id"}
        self.events.pop(conversation_id, None)
        if request.query.get("hard") == "true":
            self.hard_deleted.add(conversation_id)
        return 204, None

    # --- documents -----------------------------------------------------------------------------

    def _create_document(self, request: RecordedRequest) -> Answer:
        if bad := self._bad_body(request, dict):
            return bad
        if not request.json.get("document_url"):
            return 400, {"error": "Invalid request: document_url is required"}
        document = _document_from(request.json, _new_id("d"))
        self.documents[document["document_id"]] = document
        return 200, copy.deepcopy(document)

    def _get_document(self, request: RecordedRequest, document_id: str) -> Answer:
        document = self.documents.get(document_id)
        if document is None:
            return 404, {"message": "Document not found"}
        return 200, copy.deepcopy(document)

    def _delete_document(self, request: RecordedRequest, document_id: str) -> Answer:
        if self.documents.pop(document_id, None) is None:
            return 404, {"message": "Document not found"}
        return 204, None

    # --- tools registry (docs/tavus.md §1) ------------------------------------------------------

    def _create_tool(self, request: RecordedRequest) -> Answer:
        if bad := self._bad_body(request, dict):
            return bad
        if problem := tool_body_problem(request.json):
            return 400, {"error": f"Invalid request: {problem}"}
        if any(t["name"] == request.json["name"] for t in self.tools.values()):
            return 400, {"error": "Invalid request: a tool with this name already exists"}
        now = _now()
        tool = {
            "on_resolve": "fire_and_forget",  # Tavus's default (docs/tavus.md §0.1)
            "delivery": {"app_message": True},
            **copy.deepcopy(request.json),
            "tool_id": _new_id("t"),
            "owner_id": 1,
            "is_system_tool": False,
            "created_at": now,
            "updated_at": now,
        }
        self.tools[tool["tool_id"]] = tool
        return 200, copy.deepcopy(tool)

    def _list_tools(self, request: RecordedRequest) -> Answer:
        kind = request.query.get("type", "user")
        items = [
            t
            for t in self.tools.values()
            if kind == "all" or t["is_system_tool"] == (kind == "system")
        ]
        page, _number, _limit = _page(items, request.query, first=1)
        return 200, {"data": copy.deepcopy(page), "total_count": len(items)}

    def _get_tool(self, request: RecordedRequest, tool_id: str) -> Answer:
        tool = self.tools.get(tool_id)
        if tool is None:
            return 404, {"message": "Tool not found"}
        return 200, copy.deepcopy(tool)

    def _patch_tool(self, request: RecordedRequest, tool_id: str) -> Answer:
        tool = self.tools.get(tool_id)
        if tool is None or tool["is_system_tool"]:
            return 404, {"message": "Tool not found"}
        if bad := self._bad_body(request, dict):
            return bad
        merged = {**tool, **copy.deepcopy(request.json)}  # merge semantics, not JSON Patch
        fields = {k: v for k, v in merged.items() if k in TOOL_FIELDS}
        if problem := tool_body_problem(fields):
            return 400, {"error": f"Invalid request: {problem}"}
        merged["updated_at"] = _now()
        self.tools[tool_id] = merged
        return 200, copy.deepcopy(merged)

    def _delete_tool(self, request: RecordedRequest, tool_id: str) -> Answer:
        if self.tools.pop(tool_id, None) is None:
            return 404, {"message": "Tool not found"}
        for attached in self.persona_tools.values():
            if tool_id in attached:
                attached.remove(tool_id)
        return 204, None

    def _attach_tools(self, request: RecordedRequest, persona_id: str) -> Answer:
        if persona_id not in self.personas:
            return 400, {"error": "Invalid pal_id"}
        ids = request.json.get("tool_ids") if isinstance(request.json, dict) else None
        if not isinstance(ids, list) or not all(i in self.tools for i in ids):
            return 400, {"error": "Invalid request: tool_ids must list existing tools"}
        attached = self.persona_tools.setdefault(persona_id, [])
        attached += [i for i in ids if i not in attached]
        if len(attached) > 50:
            return 400, {"error": "Invalid request: at most 50 tools per PAL"}
        return 200, {"data": [copy.deepcopy(self.tools[i]) for i in attached]}

    def _list_persona_tools(self, request: RecordedRequest, persona_id: str) -> Answer:
        if persona_id not in self.personas:
            return 400, {"error": "Invalid pal_id"}
        ids = self.persona_tools.get(persona_id, [])
        return 200, {"data": [copy.deepcopy(self.tools[i]) for i in ids]}

    def _detach_tool(self, request: RecordedRequest, persona_id: str, tool_id: str) -> Answer:
        attached = self.persona_tools.get(persona_id, [])
        if tool_id not in attached:
            return 400, {"error": "Bad Request. Tool not attached to this PAL"}
        attached.remove(tool_id)
        return 204, None

    # --- replicas -------------------------------------------------------------------------

    def _list_replicas(self, request: RecordedRequest) -> Answer:
        kind = request.query.get("replica_type")
        items = [r for r in self.replicas.values() if kind in (None, r["replica_type"])]
        page, _number, _limit = _page(items, request.query, first=1)
        return 200, {"data": copy.deepcopy(page), "total_count": len(items)}

    def _get_replica(self, request: RecordedRequest, replica_id: str) -> Answer:
        replica = self.replicas.get(replica_id)
        if replica is None:
            return 400, {"error": "Invalid replica_uuid"}
        return 200, copy.deepcopy(replica)


_ID = r"([^/]+)"
_ROUTES = (
    ("POST", "/personas", "_create_persona"),
    ("GET", "/personas", "_list_personas"),
    ("GET", f"/personas/{_ID}", "_get_persona"),
    ("PATCH", f"/personas/{_ID}", "_patch_persona"),
    ("DELETE", f"/personas/{_ID}", "_delete_persona"),
    ("POST", "/conversations", "_create_conversation"),
    ("GET", "/conversations", "_list_conversations"),
    ("GET", f"/conversations/{_ID}", "_get_conversation"),
    ("POST", f"/conversations/{_ID}/end", "_end_conversation"),
    ("DELETE", f"/conversations/{_ID}", "_delete_conversation"),
    ("POST", "/documents", "_create_document"),
    ("GET", f"/documents/{_ID}", "_get_document"),
    ("DELETE", f"/documents/{_ID}", "_delete_document"),
    ("POST", "/tools", "_create_tool"),
    ("GET", "/tools", "_list_tools"),
    ("GET", f"/tools/{_ID}", "_get_tool"),
    ("PATCH", f"/tools/{_ID}", "_patch_tool"),
    ("DELETE", f"/tools/{_ID}", "_delete_tool"),
    ("POST", f"/pals/{_ID}/tools", "_attach_tools"),
    ("GET", f"/pals/{_ID}/tools", "_list_persona_tools"),
    ("DELETE", f"/pals/{_ID}/tools/{_ID}", "_detach_tool"),
    ("GET", "/replicas", "_list_replicas"),
    ("GET", f"/replicas/{_ID}", "_get_replica"),
)


# --- the documented request bodies (docs/tavus.md §1, §5, §7) -------------------------------------
# Stricter than Tavus on purpose: a field DRAKO sends that the docs do not name is refused, so a
# typo or a deprecated field fails a test instead of being ignored in production.

PERSONA_FIELDS = {
    "persona_name": str,
    "system_prompt": str,
    "pipeline_mode": str,
    "context": str,  # deprecated (12 Feb 2026) but still accepted
    "default_replica_id": str,
    "document_ids": list,
    "document_tags": list,
    "objectives_id": str,
    "guardrails_id": str,
    "layers": dict,
}
LAYER_FIELDS = {
    "llm": {
        "model",
        "base_url",
        "api_key",
        "headers",
        "speculative_inference",
        "tools",
        "extra_body",
        "default_query",
    },
    "tts": {
        "tts_engine",
        "external_voice_id",
        "tts_model_name",
        "tts_emotion_control",
        "voice_settings",
    },
    "stt": {"hotwords", "stt_engine"},
    "perception": {"perception_model", "ambient_awareness_queries", "perception_tools"},
    "conversational_flow": {
        "turn_detection_model",
        "turn_taking_patience",
        "replica_interruptibility",
    },
}
TURN_DETECTION = {"sparrow-1", "sparrow-0", "timebased"}
PERCEPTION = {"raven-1", "raven-0", "off"}
LEVELS = {"low", "medium", "high"}
CONVERSATION_FIELDS = {
    "persona_id": str,
    "replica_id": str,
    "pal_id": str,
    "face_id": str,
    "conversation_name": str,
    "conversational_context": str,
    "custom_greeting": str,
    "callback_url": str,
    "memory_stores": list,
    "document_ids": list,
    "document_tags": list,
    "require_auth": bool,
    "max_participants": int,
    "test_mode": bool,
    "audio_only": bool,
    "policy": str,
    "properties": dict,
}
CONVERSATION_PROPERTIES = {
    "max_call_duration": int,
    "participant_left_timeout": int,
    "participant_absent_timeout": int,
    "language": str,
    "enable_closed_captions": bool,
    "enable_recording": bool,
    "apply_greenscreen": bool,
}
TOOL_FIELDS = {
    "name": str,
    "description": str,
    "parameters": dict,
    "origin": str,
    "trigger_type": str,
    "on_call": str,
    "static_filler": str,
    "on_resolve": str,
    "delivery": dict,
}
ON_CALL = {"generate_filler", "static_filler", "silent", "passthrough"}
ON_RESOLVE = {"generate_response", "response_in_result", "add_to_context", "fire_and_forget"}


def _typed(body: dict, fields: dict[str, type], what: str) -> str | None:
    for key, value in body.items():
        if key not in fields:
            return f"unknown {what} field {key!r}"
        if value is not None and not isinstance(value, fields[key]):
            return f"{what} field {key!r} must be {fields[key].__name__}"
        if isinstance(value, str) and key.endswith("_id") and not value:
            return f"{what} field {key!r} is empty"
    return None


def persona_body_problem(body: dict) -> str | None:
    """Why Tavus's documented persona schema would refuse this body, or None."""
    if problem := _typed(body, PERSONA_FIELDS, "persona"):
        return problem
    if body.get("pipeline_mode") not in (None, "full", "echo"):
        return "pipeline_mode must be full or echo"
    for name, layer in (body.get("layers") or {}).items():
        if name not in LAYER_FIELDS or not isinstance(layer, dict):
            return f"unknown layer {name!r}"
        if unknown := set(layer) - LAYER_FIELDS[name]:
            return f"unknown {name} field {sorted(unknown)[0]!r}"
    layers = body.get("layers") or {}
    flow = layers.get("conversational_flow") or {}
    if flow.get("turn_detection_model", "sparrow-1") not in TURN_DETECTION:
        return f"turn_detection_model must be one of {sorted(TURN_DETECTION)}"
    for key in ("turn_taking_patience", "replica_interruptibility"):
        if flow.get(key, "medium") not in LEVELS:
            return f"{key} must be low, medium or high"
    if (layers.get("perception") or {}).get("perception_model", "raven-1") not in PERCEPTION:
        return f"perception_model must be one of {sorted(PERCEPTION)}"
    return None


def conversation_body_problem(body: dict) -> str | None:
    """Why Tavus's documented conversation schema would refuse this body, or None."""
    if problem := _typed(body, CONVERSATION_FIELDS, "conversation"):
        return problem
    if problem := _typed(body.get("properties") or {}, CONVERSATION_PROPERTIES, "properties"):
        return problem
    duration = (body.get("properties") or {}).get("max_call_duration")
    if duration is not None and not 1 <= duration <= 3600:
        return "max_call_duration must be at most 3600"
    if body.get("max_participants") is not None and body["max_participants"] < 2:
        return "max_participants must be at least 2 (the replica counts)"
    if body.get("policy") not in (None, "eu"):
        return "policy must be eu"
    return None


def tool_body_problem(body: dict) -> str | None:
    """Why Tavus's documented tool schema would refuse this body, or None."""
    if problem := _typed(body, TOOL_FIELDS, "tool"):
        return problem
    if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_]{0,63}", body.get("name") or ""):
        return "name must match ^[a-zA-Z_][a-zA-Z0-9_]{0,63}$"
    if not body.get("description"):
        return "description is required"
    if len(body["description"]) + len(json.dumps(body.get("parameters") or {})) > 10_000:
        return "description and parameters exceed 10,000 characters"
    if any(p.startswith("tavus_") for p in (body.get("parameters") or {}).get("properties", {})):
        return "parameter names starting tavus_ are reserved"
    if body.get("on_call", "generate_filler") not in ON_CALL:
        return f"on_call must be one of {sorted(ON_CALL)}"
    if body.get("on_resolve", "fire_and_forget") not in ON_RESOLVE:
        return f"on_resolve must be one of {sorted(ON_RESOLVE)}"
    delivery = body.get("delivery") or {"app_message": True}
    if bool(delivery.get("app_message")) == bool(delivery.get("api")):
        return "delivery needs exactly one of app_message or api"
    return None


def _system_tool() -> dict:
    return {
        "tool_id": "end_call",
        "name": "end_call",
        "description": "End the call at a natural stopping point.",
        "parameters": {},
        "owner_id": None,
        "is_system_tool": True,
    }


# --- object builders ------------------------------------------------------------------------------


def _stock_persona(persona_id: str, name: str, replica_id: str) -> dict:
    body = {"persona_name": name, "system_prompt": f"You are {name}.", "pipeline_mode": "full"}
    return _persona_from(body | {"default_replica_id": replica_id}, persona_id=persona_id)


def _stock_replica(replica_id: str, name: str) -> dict:
    return {
        "replica_id": replica_id,
        "replica_name": name,
        "thumbnail_video_url": f"https://cdn.tavus.example/{replica_id}.mp4",
        "training_progress": "100/100",
        "status": "completed",
        "created_at": "2025-01-01T00:00:00.000000Z",
        "replica_type": "system",
    }


def _persona_from(body: dict, *, persona_id: str) -> dict:
    now = _now()
    persona = {
        "persona_name": "",
        "system_prompt": None,
        "context": None,
        "default_replica_id": None,
        "document_ids": [],
        "document_tags": [],
        "layers": {},
    }
    return (
        persona
        | copy.deepcopy(body)
        | {"persona_id": persona_id, "created_at": now, "updated_at": now}
    )


def _conversation_from(body: dict, replica_id: str | None, conversation_id: str) -> dict:
    now = _now()
    conversation = {
        "conversation_id": conversation_id,
        "conversation_name": body.get("conversation_name") or f"Conversation {conversation_id}",
        "conversation_url": f"https://tavus.daily.co/{conversation_id}",
        "status": "ended" if body.get("test_mode") else "active",
        "callback_url": body.get("callback_url") or "",
        "replica_id": replica_id,
        "persona_id": body.get("persona_id"),
        "created_at": now,
        "updated_at": now,
    }
    if body.get("require_auth"):
        conversation["meeting_token"] = "eyJ" + uuid.uuid4().hex
    return conversation


def _document_from(body: dict, document_id: str) -> dict:
    now = _now()
    return {
        "document_id": document_id,
        "document_name": body.get("document_name") or body["document_url"].rsplit("/", 1)[-1],
        "document_url": body["document_url"],
        "status": "started",
        "progress": None,
        "error_message": None,
        "callback_url": body.get("callback_url") or "",
        "tags": list(body.get("tags") or []),
        "created_at": now,
        "updated_at": now,
    }


# --- HTTP plumbing --------------------------------------------------------------------------------


def _handler_for(fake: FakeTavus) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so no handler thread outlives its answer.
        protocol_version = "HTTP/1.0"

        def _serve(self) -> None:
            request = _record(self)
            status, body = fake.handle(request)
            _answer(self, status, body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output clean."""

    return Handler


def _record(handler: BaseHTTPRequestHandler) -> RecordedRequest:
    length = int(handler.headers.get("Content-Length") or 0)
    raw = handler.rfile.read(length) if length else b""
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    url = urlsplit(handler.path)
    return RecordedRequest(
        method=handler.command,
        path=url.path,
        query=dict(parse_qsl(url.query, keep_blank_values=True)),
        headers={name.lower(): value for name, value in handler.headers.items()},
        json=parsed,
        raw_body=raw,
    )


def _answer(handler: BaseHTTPRequestHandler, status: int, body: Body) -> None:
    # HTTP forbids a body on 204 and 304; clients would not read one anyway.
    if status in (204, 304) or body is None:
        payload = b""
    elif isinstance(body, bytes):
        payload = body
    else:
        payload = json.dumps(body).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)
