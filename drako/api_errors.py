"""Every API error is JSON shaped `{"detail": "...", ...}` with a fitting 4xx status."""

import json
import math
import re
from collections.abc import Callable

from django.http import JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from drako.errors import DomainError

# Domain errors whose JSON body needs the API's own serializers (e.g. a conflict's events).
_BODIES: dict[type[DomainError], Callable[[DomainError, dict], dict]] = {}


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def _is_json_too_deep(exc) -> bool:
    # Python's JSON decoder gives up on very deep nesting ("[[[[...") with a RecursionError.
    return isinstance(exc, RecursionError) and "JSON" in str(exc)


def error_body(kind: type[DomainError]):
    """Registers how the API writes the body of one kind of domain error (and its subclasses)."""

    def register(build: Callable[[DomainError, dict], dict]):
        _BODIES[kind] = build
        return build

    return register


def domain_error_body(exc: DomainError, context: dict) -> dict:
    """The JSON body the API answers a domain refusal with (its status is `exc.status`)."""
    build = next((_BODIES[kind] for kind in type(exc).__mro__ if kind in _BODIES), None)
    return build(exc, context) if build else exc.body()


def _domain_response(exc: DomainError, context: dict) -> Response:
    return Response(domain_error_body(exc, context), status=exc.status)


def exception_handler(exc, context):
    """Every API error as JSON: domain refusals with their status, DRF's with a `detail`."""
    if isinstance(exc, DomainError):
        return _domain_response(exc, context)
    if _is_json_too_deep(exc):
        exc = exceptions.ParseError(TOO_DEEP)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _first_message(exc.detail), "errors": exc.detail}
    elif isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _first_message(response.data), **response.data}
    return response


# --- JSON that parses but that no database column should take --------------------------------

MAX_JSON_DEPTH = 100
_SURROGATE = re.compile("[\ud800-\udfff]")
TOO_DEEP = f"The JSON is nested too deeply (at most {MAX_JSON_DEPTH} levels)."
BAD_TEXT = "Text may not contain NUL characters or unpaired surrogates."


def _text_storable(text: str) -> bool:
    if "\x00" in text:
        return False  # PostgreSQL's text and jsonb cannot hold NUL
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False  # a lone surrogate ("\\ud800" in JSON) is not UTF-8 at all
    return True


NOT_FINITE = "Numbers must be finite: NaN, Infinity and numbers beyond 1.8e308 can't be stored."


class NotFinite(ValueError):
    """A JSON number no column can store: NaN, Infinity, or beyond a double (1e400)."""


def _constant(text: str):
    raise NotFinite(text)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400: JSON allows it, but no column can store infinity
        raise NotFinite(text)
    return number


def json_loads_finite(text: bytes | str):
    """json.loads refusing at parse time (NotFinite, a ValueError) what json_problem would find
    after it: NaN and Infinity, which Python's decoder accepts and PostgreSQL's jsonb refuses.
    For a hot path that would rather not walk every value (the webhooks)."""
    return json.loads(text, parse_constant=_constant, parse_float=_finite)


def json_problem(value, *, check_text: bool = True) -> str | None:
    """Why a parsed JSON value cannot be stored as it is (too deep, bad text, or a number that
    isn't finite: Python's decoder reads NaN and 1e400, PostgreSQL's jsonb refuses them), or
    None.

    Iterative, so a deeply nested value cannot exhaust the stack while it is being checked.
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return TOO_DEEP
        if isinstance(item, str):
            if check_text and not _text_storable(item):
                return BAD_TEXT
        elif isinstance(item, dict):
            stack.extend((key, depth + 1) for key in item)
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, float) and not math.isfinite(item):
            return NOT_FINITE
    return None


def json_text_repaired(value):
    """A copy with NUL characters dropped and unpaired surrogates replaced (U+FFFD).

    Only for values `json_problem(value, check_text=False)` accepted (so the depth is bounded).
    """
    if isinstance(value, str):
        if _text_storable(value):
            return value
        return _SURROGATE.sub("\ufffd", value.replace("\x00", ""))
    if isinstance(value, dict):
        return {json_text_repaired(k): json_text_repaired(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_text_repaired(item) for item in value]
    return value


def json_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def json_server_error(request):
    return JsonResponse(
        {"detail": "Something went wrong on our side. Please try again."}, status=500
    )


# --- How errors appear in the OpenAPI schema -------------------------------------------------

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `detail` says what to fix; `errors` lists it per field.",
    401: "Missing or invalid credentials.",
    403: "Not allowed.",
    404: "No such object (another user's objects answer 404 too).",
    409: "Conflicts with the current state.",
    413: "The body is too large.",
    429: "Too many requests; wait and try again.",
    502: "Tavus refused the call or is down.",
    503: "Not available on this server yet (e.g. Tavus not configured).",
}


class ErrorSerializer(serializers.Serializer):
    """Every API error: a sentence a person (or an LLM) can act on, and per-field details."""

    detail = serializers.CharField()
    errors = serializers.JSONField(required=False)


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`extend_schema(responses=...)` entries for these error statuses, all shaped `Error`."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every API error: a sentence to act on, and per-field details.",
    "properties": {"detail": {"type": "string"}, "errors": {}},
    "required": ["detail"],
}


def _error_reference(code: int) -> dict:
    return {
        "description": ERROR_DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents the errors it can answer.

    Authenticated operations answer 401; operations with a path parameter answer 404; operations
    that read a body or query parameters answer 400. Views declare anything else themselves.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = set()
            if any(requirement for requirement in operation.get("security", [{}])):
                codes.add(401)
            parameters = operation.get("parameters", [])
            if any(p.get("in") == "path" for p in parameters):
                codes.add(404)
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                codes.add(400)
            for code in sorted(codes):
                operation["responses"].setdefault(str(code), _error_reference(code))
    return result
