"""The only code that speaks HTTP to Tavus (its protocol: docs/tavus.md). Import it as a module."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings

from drako import metrics

logger = logging.getLogger("drako.tavus")

_session = requests.Session()

DEFAULT_API_URL = "https://tavusapi.com/v2"
_MAX_ATTEMPTS = 2
_RETRYABLE_STATUSES = frozenset({502, 503, 504})
# A server that ignores `page` would otherwise make the iterators loop forever.
_MAX_PAGES = 200
_CONCURRENCY_TEXT = "maximum concurrent conversations"
# Tavus reports unknown persona/conversation/replica ids as 400 "Invalid <thing>_id", not 404.
_UNKNOWN_ID = re.compile(r"^invalid \w+_(?:id|uuid)\b", re.IGNORECASE)


# --- Errors -------------------------------------------------------------------------------------


class TavusError(Exception):
    """Any failure talking to Tavus; `.message` is written for a person to read."""

    def __init__(self, message: str, *, status: int | None = None, body: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body


class TavusNotConfigured(TavusError):
    """No API key (or an unusable API URL): nothing was sent."""


class TavusInvalidRequest(TavusError):
    """Tavus rejected what we sent (400, 404, 422)."""


class TavusNotFound(TavusInvalidRequest):
    """Tavus does not know the id we sent (404, or 400 "Invalid ..._id")."""


class TavusAuthFailed(TavusError):
    """Tavus refused our API key (401, 403)."""


class TavusLimitReached(TavusError):
    """Too many simultaneous conversations or requests (400 concurrency cap, 429)."""


class TavusOutOfCredits(TavusError):
    """The Tavus account has no conversation credits left (402)."""


class TavusUnavailable(TavusError):
    """Tavus is down, slow, unreachable or answered with something unreadable."""


class TavusBusy(TavusUnavailable):
    """Every slot for calls to Tavus is taken (Tavus is slow): nothing was sent; try again soon."""


class TavusConflict(TavusInvalidRequest):
    """Tavus holds unpublished edits to this persona (409): someone is editing it there."""


# --- What callers get back ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonaInfo:
    persona_id: str
    persona_name: str
    system_prompt: str | None
    context: str | None
    default_replica_id: str | None
    document_ids: tuple[str, ...]
    document_tags: tuple[str, ...]
    layers: dict = field(hash=False)
    raw: dict = field(compare=False, repr=False)


@dataclass(frozen=True)
class ConversationInfo:
    conversation_id: str
    conversation_url: str
    status: str
    conversation_name: str
    callback_url: str
    meeting_token: str | None
    created_at: str | None
    events: tuple[dict, ...] = field(hash=False)
    raw: dict = field(compare=False, repr=False)


@dataclass(frozen=True)
class DocumentInfo:
    document_id: str
    document_name: str
    document_url: str
    status: str
    progress: int | float | None
    error_message: str | None
    tags: tuple[str, ...]
    raw: dict = field(compare=False, repr=False)


@dataclass(frozen=True)
class ReplicaInfo:
    replica_id: str
    replica_name: str
    status: str
    thumbnail_video_url: str | None
    raw: dict = field(compare=False, repr=False)


@dataclass(frozen=True)
class ToolInfo:
    tool_id: str
    name: str
    description: str
    parameters: dict = field(hash=False)
    on_call: str | None
    on_resolve: str | None
    is_system_tool: bool
    raw: dict = field(compare=False, repr=False)


@dataclass(frozen=True)
class _Reply:
    status: int
    body: Any


# --- Transport ----------------------------------------------------------------------------------


def is_configured() -> bool:
    """Whether an API key is set, i.e. whether calling Tavus can work at all."""
    return bool(_api_key())


def _api_key() -> str:
    return (getattr(settings, "TAVUS_API_KEY", "") or "").strip()


def _url(path: str) -> str:
    base = getattr(settings, "TAVUS_API_URL", "") or DEFAULT_API_URL
    return base.rstrip("/") + path


def _timeout() -> tuple[float, float]:
    connect = getattr(settings, "TAVUS_CONNECT_TIMEOUT", 3.05)
    read = getattr(settings, "TAVUS_READ_TIMEOUT", 10)
    return (float(connect), float(read))


def _segment(value: str, what: str) -> str:
    """Quote one id for a URL path; an empty id would silently address the collection."""
    if not value:
        raise TavusInvalidRequest(f"No Tavus {what} was given.")
    return quote(str(value), safe="")


# A slow Tavus must not hold every web thread: at most this many requests to Tavus are in flight
# per process, and one more is refused at once (TavusBusy, a 503 "try again in a moment") instead
# of queueing behind the others. Sized well below gunicorn's threads (gunicorn.conf.py).
_in_flight: threading.BoundedSemaphore | None = None
_in_flight_size = 0
_in_flight_lock = threading.Lock()


def _slots() -> threading.BoundedSemaphore:
    global _in_flight, _in_flight_size
    size = max(1, int(getattr(settings, "TAVUS_MAX_IN_FLIGHT", 4)))
    with _in_flight_lock:
        if _in_flight is None or size != _in_flight_size:
            _in_flight, _in_flight_size = threading.BoundedSemaphore(size), size
        return _in_flight


def _request(
    method: str,
    path: str,
    *,
    json: Any = None,
    params: dict[str, Any] | None = None,
    idempotent: bool = False,
) -> _Reply:
    """Call Tavus once (twice for an idempotent GET that hit a transient failure)."""
    key = _api_key()
    if not key:
        raise TavusNotConfigured("Tavus is not configured on this server (TAVUS_API_KEY is empty).")
    # Only reads are retried: a repeated create could start (and bill) a second conversation.
    attempts = _MAX_ATTEMPTS if idempotent and method == "GET" else 1
    slots = _slots()
    if not slots.acquire(blocking=False):
        logger.warning("tavus %s %s refused: every slot is waiting on Tavus", method, path)
        raise TavusBusy("Tavus is answering slowly right now. Try again in a moment.")
    try:
        return _attempts(method, path, key=key, json=json, params=params, attempts=attempts)
    finally:
        slots.release()


def _attempts(
    method: str, path: str, *, key: str, json: Any, params: dict[str, Any] | None, attempts: int
) -> _Reply:
    last_error: TavusUnavailable | None = None
    for attempt in range(1, attempts + 1):
        try:
            response = _send(method, path, key=key, json=json, params=params)
        except TavusUnavailable as error:
            last_error = error
            continue
        if response.status_code in _RETRYABLE_STATUSES and attempt < attempts:
            continue
        return _reply_from(method, path, response)
    assert last_error is not None
    raise last_error


def _send(
    method: str, path: str, *, key: str, json: Any, params: dict[str, Any] | None
) -> requests.Response:
    """One HTTP exchange; network failures become TavusUnavailable (or NotConfigured)."""
    headers = {"x-api-key": key, "Content-Type": "application/json", "Accept": "application/json"}
    started = time.monotonic()
    try:
        response = _session.request(
            method,
            _url(path),
            headers=headers,
            json=json,
            params=params,
            timeout=_timeout(),
            allow_redirects=False,
        )
    except requests.RequestException as error:
        _log(method, path, type(error).__name__, started)
        raise _network_error(error) from error
    _log(method, path, response.status_code, started)
    return response


def _network_error(error: requests.RequestException) -> TavusError:
    if isinstance(error, requests.Timeout):
        return TavusUnavailable("Tavus did not answer in time. Try again in a minute.")
    if isinstance(error, requests.ConnectionError):
        return TavusUnavailable("Could not reach Tavus. Try again in a minute.")
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema)):
        return TavusNotConfigured("TAVUS_API_URL is not a valid URL.")
    return TavusUnavailable(f"Talking to Tavus failed ({type(error).__name__}). Try again later.")


def _log(method: str, path: str, outcome: int | str, started: float) -> None:
    elapsed = time.monotonic() - started
    metrics.tavus_request_observed(method=method, path=path, outcome=outcome, seconds=elapsed)
    elapsed_ms = elapsed * 1000
    level = logging.INFO if isinstance(outcome, int) and outcome < 400 else logging.WARNING
    logger.log(level, "tavus %s %s -> %s in %.0f ms", method, path, outcome, elapsed_ms)


def _reply_from(method: str, path: str, response: requests.Response) -> _Reply:
    status = response.status_code
    if 200 <= status < 300 or status == 304:
        return _Reply(status=status, body=_success_body(response))
    error = _error_for(status, _error_body(response))
    logger.warning("tavus %s %s failed: %s %s", method, path, type(error).__name__, error.message)
    raise error


def _success_body(response: requests.Response) -> Any:
    if response.status_code in (204, 304) or not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError as error:
        raise TavusUnavailable(
            "Tavus sent a reply we could not read. Try again in a minute.",
            status=response.status_code,
            body=response.text[:500],
        ) from error


def _error_body(response: requests.Response) -> Any:
    if not response.content.strip():
        return None
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _tavus_text(body: Any) -> str:
    """Tavus puts its words under "error" or "message" depending on the status."""
    if isinstance(body, dict):
        return str(body.get("error") or body.get("message") or "").strip()
    return body.strip() if isinstance(body, str) and not body.lstrip().startswith("<") else ""


def _said(sentence: str, text: str) -> str:
    return f"{sentence} (Tavus said: {text})" if text else sentence


def _error_for(status: int, body: Any) -> TavusError:
    """Map one failed HTTP answer to the exception a caller can act on."""
    text = _tavus_text(body)
    kind: type[TavusError]
    if status in (401, 403):
        kind, sentence = TavusAuthFailed, "Tavus refused our API key. Check TAVUS_API_KEY."
    elif status == 402:
        kind, sentence = TavusOutOfCredits, "The Tavus account is out of conversation credits."
    elif status == 400 and _CONCURRENCY_TEXT in text.lower():
        kind = TavusLimitReached
        sentence = (
            "Tavus has reached its limit of simultaneous conversations. Try again in a minute."
        )
    elif status == 429:
        kind, sentence = TavusLimitReached, "Tavus is rate limiting us. Try again in a few minutes."
    elif status == 409:
        kind = TavusConflict
        sentence = (
            "Tavus holds unpublished edits to this persona (made in Tavus's dashboard). Publish "
            "or discard them there, then sync again."
        )
    elif status == 404 or (status == 400 and _UNKNOWN_ID.match(text)):
        kind, sentence = TavusNotFound, "Tavus does not know this item; it may have been deleted."
    elif 400 <= status < 500:
        kind, sentence = TavusInvalidRequest, "Tavus rejected the request."
    elif status >= 500:
        kind, sentence = TavusUnavailable, f"Tavus is having trouble (HTTP {status}). Try later."
    else:
        kind, sentence = TavusError, f"Tavus answered unexpectedly (HTTP {status})."
    return kind(_said(sentence, text), status=status, body=body)


# --- Parsing ------------------------------------------------------------------------------------


def _object(body: Any, *id_keys: str) -> dict:
    """The body as a dict holding one of `id_keys`, or TavusUnavailable (we cannot use it)."""
    if isinstance(body, dict) and any(body.get(key) for key in id_keys):
        return body
    raise TavusUnavailable(
        "Tavus sent a reply without the expected data. Try again in a minute.", body=body
    )


def _items(body: Any) -> tuple[list[Any], int | None]:
    """The `data` list of a list answer and its `total_count` (if Tavus sent one)."""
    data = body.get("data") if isinstance(body, dict) else body
    if not isinstance(data, list):
        raise TavusUnavailable("Tavus sent a list we could not read. Try again.", body=body)
    total = body.get("total_count") if isinstance(body, dict) else None
    return data, total if isinstance(total, int) else None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _persona(body: Any) -> PersonaInfo:
    raw = _object(body, "persona_id")
    return PersonaInfo(
        persona_id=str(raw["persona_id"]),
        persona_name=raw.get("persona_name") or "",
        system_prompt=raw.get("system_prompt"),
        context=raw.get("context"),
        default_replica_id=raw.get("default_replica_id") or None,
        document_ids=_strings(raw.get("document_ids")),
        document_tags=_strings(raw.get("document_tags")),
        layers=raw.get("layers") if isinstance(raw.get("layers"), dict) else {},
        raw=raw,
    )


def _conversation(body: Any) -> ConversationInfo:
    raw = _object(body, "conversation_id")
    events = raw.get("events")
    return ConversationInfo(
        conversation_id=str(raw["conversation_id"]),
        conversation_url=raw.get("conversation_url") or "",
        status=raw.get("status") or "",
        conversation_name=raw.get("conversation_name") or "",
        callback_url=raw.get("callback_url") or "",
        meeting_token=raw.get("meeting_token") or None,
        created_at=raw.get("created_at") or None,
        events=tuple(event for event in events if isinstance(event, dict))
        if isinstance(events, list)
        else (),
        raw=raw,
    )


def _document(body: Any) -> DocumentInfo:
    # Older Tavus answers name the id `uuid`.
    raw = _object(body, "document_id", "uuid")
    progress = raw.get("progress")
    return DocumentInfo(
        document_id=str(raw.get("document_id") or raw["uuid"]),
        document_name=raw.get("document_name") or "",
        document_url=raw.get("document_url") or "",
        status=raw.get("status") or "",
        progress=progress if isinstance(progress, (int, float)) else None,
        error_message=raw.get("error_message") or None,
        tags=_strings(raw.get("tags")),
        raw=raw,
    )


def _replica(body: Any) -> ReplicaInfo:
    raw = _object(body, "replica_id")
    return ReplicaInfo(
        replica_id=str(raw["replica_id"]),
        replica_name=raw.get("replica_name") or "",
        status=raw.get("status") or "",
        thumbnail_video_url=raw.get("thumbnail_video_url") or None,
        raw=raw,
    )


def _walk[T](
    fetch: Callable[[int], tuple[list[T], int | None]], *, first_page: int, limit: int
) -> Iterator[T]:
    """Yield every item of a paged list until a short page, the total, or the page cap."""
    seen = 0
    for page in range(first_page, first_page + _MAX_PAGES):
        items, total = fetch(page)
        yield from items
        seen += len(items)
        if len(items) < limit or (total is not None and seen >= total):
            return
    logger.warning("tavus list stopped after %d pages", _MAX_PAGES)


def _params(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


# --- Personas -----------------------------------------------------------------------------------


def create_persona(*, payload: dict) -> PersonaInfo:
    """Create a persona from a full Tavus persona body (name, prompt, layers, ...)."""
    return _persona(_request("POST", "/personas", json=payload).body)


def _persona_page(
    *, persona_type: str | None, page: int, limit: int
) -> tuple[list[PersonaInfo], int | None]:
    params = _params(persona_type=persona_type, page=page, limit=limit)
    items, total = _items(_request("GET", "/personas", params=params, idempotent=True).body)
    return [_persona(item) for item in items], total


def list_personas(
    *, persona_type: str | None = None, page: int = 1, limit: int = 100
) -> list[PersonaInfo]:
    """One page of personas (pages start at 1); persona_type is "user" or "system"."""
    return _persona_page(persona_type=persona_type, page=page, limit=limit)[0]


def iter_personas(*, persona_type: str | None = None, limit: int = 100) -> Iterator[PersonaInfo]:
    """Every persona, fetching page after page."""

    def fetch(page: int) -> tuple[list[PersonaInfo], int | None]:
        return _persona_page(persona_type=persona_type, page=page, limit=limit)

    return _walk(fetch, first_page=1, limit=limit)


def get_persona(*, persona_id: str) -> PersonaInfo:
    """One persona, whether Tavus wraps it as {"data": [persona]} (docs) or sends it flat."""
    body = _request("GET", f"/personas/{_segment(persona_id, 'persona id')}", idempotent=True).body
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        if not body["data"]:
            raise TavusNotFound("Tavus does not know this persona.", status=200, body=body)
        body = body["data"][0]
    return _persona(body)


def patch_persona(*, persona_id: str, operations: list[dict]) -> bool:
    """Apply RFC 6902 operations; False when Tavus says nothing changed (304)."""
    path = f"/personas/{_segment(persona_id, 'persona id')}"
    return _request("PATCH", path, json=operations).status != 304


def delete_persona(*, persona_id: str) -> None:
    """Delete a persona."""
    _request("DELETE", f"/personas/{_segment(persona_id, 'persona id')}")


# --- Conversations ------------------------------------------------------------------------------


def create_conversation(*, payload: dict) -> ConversationInfo:
    """Start a conversation (billing and a concurrency slot start now)."""
    return _conversation(_request("POST", "/conversations", json=payload).body)


def get_conversation(*, conversation_id: str, verbose: bool = False) -> ConversationInfo:
    """One conversation; verbose=True adds the events Tavus would have sent as webhooks."""
    path = f"/conversations/{_segment(conversation_id, 'conversation id')}"
    params = {"verbose": "true"} if verbose else None
    return _conversation(_request("GET", path, params=params, idempotent=True).body)


def list_conversations(
    *, status: str | None = None, page: int = 1, limit: int = 100
) -> list[ConversationInfo]:
    """One page of conversations (pages start at 1); status is "active" or "ended"."""
    params = _params(status=status, page=page, limit=limit)
    items, _total = _items(_request("GET", "/conversations", params=params, idempotent=True).body)
    return [_conversation(item) for item in items]


def end_conversation(*, conversation_id: str) -> None:
    """End a conversation; one Tavus already ended (it answers 400) counts as done."""
    path = f"/conversations/{_segment(conversation_id, 'conversation id')}/end"
    try:
        _request("POST", path)
    except TavusInvalidRequest as error:
        # Tavus's answer for an already-ended conversation is undocumented (§2.4); the goal,
        # a conversation that no longer runs or bills, holds either way.
        if error.status != 400:
            raise
        logger.info("tavus conversation %s was already ended: %s", conversation_id, error.message)


def delete_conversation(*, conversation_id: str, hard: bool = False) -> None:
    """Delete a conversation; hard=True also erases its data at Tavus."""
    path = f"/conversations/{_segment(conversation_id, 'conversation id')}"
    _request("DELETE", path, params={"hard": "true"} if hard else None)


# --- Documents ----------------------------------------------------------------------------------


def create_document(
    *,
    document_url: str,
    document_name: str | None = None,
    tags: Iterable[str] = (),
    callback_url: str | None = None,
) -> DocumentInfo:
    """Ask Tavus to fetch and index a document from a public URL."""
    payload: dict[str, Any] = {"document_url": document_url}
    payload.update(_params(document_name=document_name, callback_url=callback_url))
    if tags := list(tags):
        payload["tags"] = tags
    return _document(_request("POST", "/documents", json=payload).body)


def get_document(*, document_id: str) -> DocumentInfo:
    """One document, with its processing status."""
    path = f"/documents/{_segment(document_id, 'document id')}"
    return _document(_request("GET", path, idempotent=True).body)


def delete_document(*, document_id: str) -> None:
    """Delete a document."""
    _request("DELETE", f"/documents/{_segment(document_id, 'document id')}")


# --- Replicas ------------------------------------------------------------------------------


def list_replicas(*, replica_type: str | None = None) -> list[ReplicaInfo]:
    """Replicas (faces and voices); replica_type is "user" or "system" (stock)."""
    # One large page: the replicas list's page numbering is undocumented, so we do not walk it.
    params = _params(replica_type=replica_type, limit=100)
    items, _total = _items(_request("GET", "/replicas", params=params, idempotent=True).body)
    return [_replica(item) for item in items]


def get_replica(*, replica_id: str) -> ReplicaInfo:
    """One replica (face), with its training status ("completed" means usable)."""
    path = f"/replicas/{_segment(replica_id, 'replica id')}"
    return _replica(_request("GET", path, idempotent=True).body)


# --- Tools registry (docs/tavus.md §1) ----------------------------------------------------------


def _tool(body: Any) -> ToolInfo:
    raw = _object(body, "tool_id")
    parameters = raw.get("parameters")
    return ToolInfo(
        tool_id=str(raw["tool_id"]),
        name=raw.get("name") or "",
        description=raw.get("description") or "",
        parameters=parameters if isinstance(parameters, dict) else {},
        on_call=raw.get("on_call"),
        on_resolve=raw.get("on_resolve"),
        is_system_tool=bool(raw.get("is_system_tool")),
        raw=raw,
    )


def create_tool(*, payload: dict) -> ToolInfo:
    """Create a tool in the account's registry (names are unique per Tavus account)."""
    return _tool(_request("POST", "/tools", json=payload).body)


def update_tool(*, tool_id: str, payload: dict) -> ToolInfo:
    """Change a registry tool; Tavus merges the fields sent (it is not a JSON Patch)."""
    path = f"/tools/{_segment(tool_id, 'tool id')}"
    return _tool(_request("PATCH", path, json=payload).body)


def iter_tools(*, tool_type: str = "user", limit: int = 100) -> Iterator[ToolInfo]:
    """Every tool in the registry; tool_type is "user", "system" or "all"."""

    def fetch(page: int) -> tuple[list[ToolInfo], int | None]:
        params = {"type": tool_type, "page": page, "limit": limit}
        items, total = _items(_request("GET", "/tools", params=params, idempotent=True).body)
        return [_tool(item) for item in items], total

    return _walk(fetch, first_page=1, limit=limit)


def attach_tools(*, persona_id: str, tool_ids: Iterable[str]) -> None:
    """Attach registry tools to a persona (PAL); attaching one already there changes nothing."""
    path = f"/pals/{_segment(persona_id, 'persona id')}/tools"
    _request("POST", path, json={"tool_ids": list(tool_ids)})


def list_persona_tools(*, persona_id: str) -> list[ToolInfo]:
    """The registry tools attached to a persona (not inline ones, not system tools)."""
    path = f"/pals/{_segment(persona_id, 'persona id')}/tools"
    items, _total = _items(_request("GET", path, idempotent=True).body)
    return [_tool(item) for item in items]


def detach_tool(*, persona_id: str, tool_id: str) -> None:
    """Detach a tool from a persona; one that was not attached counts as done."""
    path = f"/pals/{_segment(persona_id, 'persona id')}/tools/{_segment(tool_id, 'tool id')}"
    try:
        _request("DELETE", path)
    except TavusInvalidRequest as error:
        if error.status != 400:
            raise
