import logging

from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from drako import api_errors

logger = logging.getLogger(__name__)


def home_view(request):
    if request.user.is_authenticated:
        return redirect("schedules:schedule")
    return render(request, "drako/home.html")


@never_cache
@require_GET
def healthz_view(request):
    """200 when the database answers a query, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("healthz database check failed: %s", exc.__class__.__name__)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def example_conversation_view(request):
    """A made-up conversation record, so anyone can see the assistant's work without a key."""
    return render(request, "drako/example_conversation.html")


def favicon_view(request):
    # Resolved per request: the hashed static name only exists once collectstatic has run.
    return redirect(static("img/drako.svg"), permanent=True)


# --- Error pages: DRAKO's own, and JSON under /api/ --------------------------------------------
# Rendered without the request's context, so no user or database is touched: an error page must
# not fail in turn (the 500 page is often shown because the database is the problem).


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _error_page(template: str, status: int, context: dict | None = None) -> HttpResponse:
    return HttpResponse(loader.render_to_string(template, context), status=status)


def bad_request_view(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return _error_page("400.html", 400)


def permission_denied_view(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return _error_page("403.html", 403)


def csrf_failure_view(request, reason: str = ""):
    """An expired or cookie-less form: say so in words (CSRF_FAILURE_VIEW)."""
    if _is_api(request):
        detail = "CSRF check failed: reload the page and try again, or use a token."
        return JsonResponse({"detail": detail}, status=403)
    return _error_page("403_csrf.html", 403, {"reason_cookie": reason == REASON_NO_CSRF_COOKIE})


def not_found_view(request, exception=None):
    if _is_api(request):
        return api_errors.json_not_found(request, exception)
    return _error_page("404.html", 404)


def server_error_view(request):
    if _is_api(request):
        return api_errors.json_server_error(request)
    return _error_page("500.html", 500)
