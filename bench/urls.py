"""DRAKO's URLs plus the floors: a bare JsonResponse and one durable INSERT, behind the same
middleware stack."""

from django.db import connection
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from drako.urls import handler404, handler500
from drako.urls import urlpatterns as drako_urlpatterns


def floor_view(request):
    return JsonResponse({"ok": True})


@csrf_exempt  # bench-only, never in drako.urls: the bench posts without a session
@require_POST
def commit_view(request):
    """One durable write and nothing else: an INSERT in autocommit, its own transaction, which
    returns once the commit is flushed (synchronous_commit=on): one round trip."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_commit VALUES (1)")
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/floor", floor_view, name="bench-floor"),
    path("bench/commit", commit_view, name="bench-commit"),
    *drako_urlpatterns,
]

__all__ = ["handler404", "handler500", "urlpatterns"]
