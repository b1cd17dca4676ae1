"""The tool-call relay's fast path: a plain Django view in front of the DRF view.

The live page relays the persona's tool calls here on most turns of a call, and the person waits
for each answer. A well-formed relay — `Token <key>` or the page's session with its CSRF token,
a JSON object with a name, arguments and ids that need no coercion — is answered here without
DRF's request, parser, serializer and renderer objects, which cost about as much as the tool's
own queries. Anything else (a missing or bad credential, a refused CSRF token, another user's or
no conversation, a field to coerce or refuse) goes to the DRF view untouched, before anything is
counted or written, so every refusal is the DRF view's own answer. The API schema documents
that DRF view, which stays the reference: both call the same `tool_call_execute`.
"""

from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.utils import json as strict_json

from accounts.authentication import KEY_SHAPE
from accounts.middleware import activate_user_time_zone, own_time_zone
from accounts.models import api_key_digest
from conversations import hotpath
from conversations.assistant.calls import ToolRequest, arguments_parse, tool_call_execute
from drako.api_errors import domain_error_body, json_problem
from drako.errors import DomainError

_IDS = {"inference_id": 100, "tool_call_id": 100, "utterance": 2000}  # optional, at most


def _conversation(request, conversation_id: int):
    """The conversation this request may relay to, or None to let the DRF view answer."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is not None:
        keyword, _, key = header.partition(" ")
        if keyword.lower() != "token" or not KEY_SHAPE.fullmatch(key):
            return None
        return hotpath.conversation_by_token(
            digest=api_key_digest(key), conversation_id=conversation_id
        )
    # The session, its user and the conversation in one lookup (while the session is unread).
    conversation = hotpath.conversation_of_session_user(request, conversation_id)
    if conversation is None:
        return None
    try:
        SessionAuthentication().enforce_csrf(request)  # as DRF checks a session's request
    except PermissionDenied:
        return None
    return conversation


def _plain_text(value, most: int) -> bool:
    # What DRF's CharField would keep as it is: text, trimmed, storable, short enough.
    return isinstance(value, str) and len(value) <= most and value == value.strip()


def _tool_request(body: bytes) -> ToolRequest | None:
    """The relayed call, if the body needs nothing DRF's serializer would coerce or refuse."""
    try:  # as DRF's JSONParser reads it: UTF-8, no NaN or Infinity
        data = strict_json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or json_problem(data):
        return None
    name = data.get("name")
    if not (_plain_text(name, 100) and name):
        return None
    if not all(_plain_text(data.get(field, ""), most) for field, most in _IDS.items()):
        return None
    raw = data.get("arguments")
    if raw is not None and not isinstance(raw, str | dict):  # the serializer's 400
        return None
    try:
        arguments = arguments_parse(raw)
    except ValueError:
        return None
    fields = {field: data.get(field, "") for field in _IDS}
    return ToolRequest(name=name, arguments=arguments, **fields)


def _json(body: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        JSONRenderer().render(body), status=status, content_type="application/json"
    )
    response["Vary"] = "Accept"
    return response


def relay_view(thorough):
    """The fast path in front of `thorough` (the DRF view's callable), documented as it."""

    @csrf_exempt  # a session's request is checked for CSRF as DRF checks it (_conversation)
    @own_time_zone  # the conversation's user's, activated below
    def view(request, conversation_id: int):
        fast = (
            request.method == "POST"
            and request.content_type == "application/json"
            and (request.encoding or "utf-8").lower() in ("utf-8", "utf8")
        )
        conversation = _conversation(request, conversation_id) if fast else None
        tool_request = _tool_request(request.body) if conversation is not None else None
        if tool_request is None:
            activate_user_time_zone(request)  # as for any other view
            return thorough(request, conversation_id=conversation_id)
        timezone.activate(conversation.user.tz)
        try:
            result = tool_call_execute(conversation=conversation, request=tool_request)
        except DomainError as exc:
            return _json(domain_error_body(exc, {"request": request}), status=exc.status)
        return _json(result)

    # drf-spectacular documents a URL by its callback's DRF class: the DRF view it stands for.
    for attribute in ("cls", "initkwargs", "view_class", "view_initkwargs"):
        if hasattr(thorough, attribute):
            setattr(view, attribute, getattr(thorough, attribute))
    return view
