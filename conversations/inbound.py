"""The requests Tavus makes to us, checked before anything is read: webhooks, authenticated by
the per-conversation secret in their URL, and tool deliveries, signed with our HMAC secret.

Both answer refusals with InboundRefused (404 for an unknown or disabled door, 401 for a bad
signature, 400 for a body that isn't what Tavus sends, 413 for one too large).
"""

import hashlib
import hmac
import re

from django.conf import settings

from conversations import selectors, webhook_sql, webhooks
from conversations.errors import NOT_THIS_CONVERSATION, UNKNOWN_CALLBACK, InboundRefused
from conversations.models import Conversation, ToolCall
from drako.api_errors import (
    MAX_JSON_DEPTH,
    NOT_FINITE,
    TOO_DEEP,
    NotFinite,
    json_loads_finite,
    json_problem,
)

MAX_WEBHOOK_BYTES = 2_000_000
MAX_TOOL_BYTES = 100_000
# "<conversation pk>.<secrets.token_urlsafe(32)>", in ASCII only.
_CALLBACK_TOKEN = re.compile(r"([0-9]{1,18})\.([A-Za-z0-9_-]{20,64})")


def callback_conversation(token: str) -> Conversation:
    """The conversation a callback token belongs to; the secret is compared in constant time.

    Webhooks are the hottest write path, so this is one hand-written query (webhook_sql).
    """
    shaped = _CALLBACK_TOKEN.fullmatch(token)
    pk, secret = shaped.groups() if shaped else ("", "")
    # Checked by shape first: "³".isdigit() is true, and int("³") a 500.
    row = webhook_sql.callback_row(int(pk)) if shaped else None
    expected = row[1] if row else "x" * 43
    if not hmac.compare_digest(expected.encode(), secret.encode()) or row is None:
        raise InboundRefused(UNKNOWN_CALLBACK, status=404)
    return Conversation(id=row[0], tavus_conversation_id=row[2])


def webhook_payload(*, conversation: Conversation, body: bytes) -> dict:
    """The webhook's JSON object, if it is one Tavus would send for this conversation."""
    payload = _json_object(body, limit=MAX_WEBHOOK_BYTES)
    if problem := _webhook_shape_problem(payload):
        raise InboundRefused(problem, status=400)
    # Before DRAKO stored the Tavus id (the create call is still answering), the secret URL
    # vouches for the sender; the event is kept and checked against the id once it is known.
    said = payload["conversation_id"]
    if conversation.tavus_conversation_id and said != conversation.tavus_conversation_id:
        raise InboundRefused(NOT_THIS_CONVERSATION, status=403)
    return payload


def _webhook_shape_problem(payload: dict) -> str | None:
    if not isinstance(payload.get("event_type"), str):
        return "A Tavus webhook is a JSON object with an event_type."
    if not isinstance(payload.get("properties", {}), dict):
        return "properties must be an object."
    said = payload.get("conversation_id")
    if not isinstance(said, str) or not 0 < len(said) <= 64:
        return "A Tavus webhook names its conversation_id."
    return None


def webhook_receive(*, token: str, body: bytes) -> webhooks.WebhookResult:
    """A Tavus webhook at its callback URL: verified, stored once and its application queued.

    Raises InboundRefused (404 unknown callback, 400 or 413 a body Tavus wouldn't send, 403 a
    conversation_id that isn't this callback's), having stored nothing.
    """
    shaped = _CALLBACK_TOKEN.fullmatch(token)
    if shaped and webhook_sql.stores_at_callback() and (payload := _clean_webhook(body)):
        pk, secret = shaped.groups()
        return webhooks.event_receive_at_callback(pk=int(pk), secret=secret, payload=payload)
    # Everything else the long way, check by check: it refuses what needs refusing, in the
    # order the checks were always made, and repairs text a column can't hold.
    conversation = callback_conversation(token)
    payload = webhook_payload(conversation=conversation, body=body)
    return webhooks.event_receive(conversation=conversation, payload=payload)


# An escaped NUL or UTF-16 surrogate (an emoji is escaped as a pair of them): text that a
# column may not store as it is.
_ESCAPED_UNSTORABLE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def _clean_webhook(body: bytes) -> dict | None:
    """The body, parsed, when it is a webhook that the long way would store exactly as it is:
    within the size, Tavus's shape, no text to repair, not nested past MAX_JSON_DEPTH. None
    otherwise: the long way then decides what it is.

    A body is walked (json_problem) only when it could fail: when it has an escaped NUL or
    surrogate (strict UTF-8 decoding refuses an encoded one), or as many containers ("{", "[")
    as MAX_JSON_DEPTH; fewer cannot nest that deep.
    """
    if len(body) > MAX_WEBHOOK_BYTES:
        return None
    try:
        payload = json_loads_finite(body.decode())  # strict: an encoded surrogate is an error
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict) or _webhook_shape_problem(payload):
        return None
    deep = body.count(b"{") + body.count(b"[") >= MAX_JSON_DEPTH
    if (deep or _ESCAPED_UNSTORABLE.search(body)) and json_problem(payload):
        return None
    return payload


def signature_for(body: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of the raw body, as Tavus puts it in X-Tavus-Signature."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def tool_secret(name: str, secret: str | None = None) -> str:
    """The secret one tool's Tavus `auth.secret` holds: derived from TAVUS_TOOL_SECRET and the
    tool's name, so a body signed for one tool is no good at another tool's URL."""
    secret = settings.TAVUS_TOOL_SECRET if secret is None else secret
    return hmac.new(secret.encode(), f"drako-tool:{name}".encode(), hashlib.sha256).hexdigest()


def _signed_for(name: str, body: bytes, signature: str, payload_name) -> bool:
    """The signature binds this tool: made with the tool's own secret, or with the shared
    secret over a body that names this tool (Tavus signs the body, not the URL)."""
    given = signature.strip().lower()
    if hmac.compare_digest(signature_for(body, tool_secret(name)), given):
        return True
    shared = hmac.compare_digest(signature_for(body, settings.TAVUS_TOOL_SECRET), given)
    return shared and payload_name == name


def signed_tool_delivery(*, name: str, body: bytes, signature: str) -> tuple[Conversation, dict]:
    """The conversation a signed tool delivery is for, and its parsed body.

    Signed for this tool, never replayed: `tool_call_id` is required, and an id already used
    by another tool is refused (the same call again gets its first answer, changing nothing).
    """
    if not settings.TAVUS_TOOL_SECRET:
        raise InboundRefused("Not found.", status=404)  # the endpoint is off
    if len(body) > MAX_TOOL_BYTES:
        raise InboundRefused("Payload too large.", status=413)
    if not signature:
        raise InboundRefused("Missing or bad X-Tavus-Signature.", status=401)
    try:
        payload = _json_object(body, limit=MAX_TOOL_BYTES)
    except InboundRefused:
        payload = None
    said_name = (payload or {}).get("name", (payload or {}).get("tool_name"))
    if not _signed_for(name, body, signature, said_name):
        raise InboundRefused("Missing or bad X-Tavus-Signature for this tool.", status=401)
    if payload is None:
        payload = _json_object(body, limit=MAX_TOOL_BYTES)  # raises the body's own refusal
    if problem := json_problem(payload):  # NUL or lone surrogates: no column can store them
        raise InboundRefused(problem, status=400)
    if not isinstance(payload.get("conversation_id"), str):
        raise InboundRefused("The body needs a conversation_id.", status=400)
    call_id = payload.get("tool_call_id")
    if not isinstance(call_id, str) or not 0 < len(call_id) <= 100:
        raise InboundRefused("The body needs the call's tool_call_id.", status=400)
    used = ToolCall.objects.filter(via=ToolCall.Via.TAVUS, tool_call_id=call_id)
    if used.exclude(name=name).exists():
        raise InboundRefused("This tool_call_id was already used.", status=409)
    conversation = (
        selectors.conversations_for_tool_calls()
        .filter(tavus_conversation_id=payload["conversation_id"])
        .first()
    )
    if conversation is None:
        raise InboundRefused("Unknown conversation.", status=404)
    return conversation, payload


def _json_object(body: bytes, *, limit: int) -> dict:
    if len(body) > limit:
        raise InboundRefused("Payload too large.", status=413)
    try:
        payload = json_loads_finite(body)
    except RecursionError:
        raise InboundRefused(TOO_DEEP, status=400) from None
    except NotFinite:
        raise InboundRefused(NOT_FINITE, status=400) from None
    except (ValueError, UnicodeDecodeError):
        raise InboundRefused("The body is not JSON.", status=400) from None
    if not isinstance(payload, dict):
        raise InboundRefused("The body must be a JSON object.", status=400)
    return payload
