"""Tools Tavus delivers straight to DRAKO: the body must carry our HMAC, or nothing happens."""

import hashlib
import hmac
import json

from django.conf import settings

from conversations import selectors
from conversations.errors import RefusedError
from conversations.models import Conversation

MAX_BODY_BYTES = 100_000


class DirectToolError(RefusedError):
    pass


def signature_for(body: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of the raw body, as Tavus puts it in X-Tavus-Signature."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(*, body: bytes, signature: str) -> tuple[Conversation, dict]:
    """The conversation a signed delivery is for, and its parsed body."""
    secret = settings.TAVUS_TOOL_SECRET
    if not secret:
        raise DirectToolError("Not found.", status=404)  # the endpoint is off
    if len(body) > MAX_BODY_BYTES:
        raise DirectToolError("Payload too large.", status=413)
    if not signature or not hmac.compare_digest(
        signature_for(body, secret), signature.strip().lower()
    ):
        raise DirectToolError("Missing or bad X-Tavus-Signature.", status=401)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise DirectToolError("The body is not JSON.", status=400) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("conversation_id"), str):
        raise DirectToolError("The body needs a conversation_id.", status=400)
    conversation = (
        selectors.conversations_for_tool_calls()
        .filter(tavus_conversation_id=payload["conversation_id"])
        .first()
    )
    if conversation is None:
        raise DirectToolError("Unknown conversation.", status=404)
    return conversation, payload
