import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
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


def favicon_view(request):
    # Resolved per request: the hashed static name only exists once collectstatic has run.
    return redirect(static("img/drako.svg"), permanent=True)


def not_found_view(request, exception=None):
    if request.path.startswith("/api/"):
        return api_errors.json_not_found(request, exception)
    return render(request, "404.html", status=404)


def server_error_view(request):
    if request.path.startswith("/api/"):
        return api_errors.json_server_error(request)
    return render(request, "500.html", status=500)
