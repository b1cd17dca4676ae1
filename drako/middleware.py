"""Request guards that hold for every route."""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse

logger = logging.getLogger("drako.requests")


def _too_large(request) -> JsonResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    # One line, no traceback: a large body is the client's mistake (or probing), not our fault.
    logger.warning(
        "request body too large method=%s path=%s content_length=%s limit=%s",
        request.method,
        request.path,
        request.META.get("CONTENT_LENGTH", "") or "unknown",
        limit,
    )
    response = JsonResponse(
        {"detail": f"The request body is too large (at most {limit} bytes)."}, status=413
    )
    response._has_been_logged = True  # the line above says it all: no second one from Django
    return response


class ApiBodyLimitMiddleware:
    """An /api/ request whose body is over DATA_UPLOAD_MAX_MEMORY_SIZE gets a JSON 413, before
    any view reads it (DRF's parsers would read it whole; Django's own check is an HTML 400
    logged with a traceback)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return _too_large(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # A body without a Content-Length (chunked) is measured as it is read.
        if isinstance(exception, RequestDataTooBig) and request.path.startswith("/api/"):
            return _too_large(request)
        return None
