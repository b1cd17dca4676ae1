"""Every API error is JSON shaped `{"detail": "...", ...}` with a fitting 4xx status."""

from django.http import JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(errors) -> str:
    if isinstance(errors, dict):
        for field, value in errors.items():
            message = _first_message(value)
            return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def exception_handler(exc, context):
    """DRF's handler, with validation errors given a readable `detail` beside the field errors."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": _first_message(exc.detail), "errors": exc.detail}
    elif isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _first_message(response.data), **response.data}
    return response


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


# Operations whose view declarations live elsewhere, and the errors they answer besides the
# generic ones added below. ToolCallRelayApi: ended conversation 409, rate limit 429.
EXTRA_ERRORS = {"conversations_tool_calls_create": (409, 429)}


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
            codes = set(EXTRA_ERRORS.get(operation.get("operationId"), ()))
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
