"""DRAKO's URLs plus the floor: a bare JsonResponse behind the same middleware stack."""

from django.http import JsonResponse
from django.urls import path

from drako.urls import handler404, handler500
from drako.urls import urlpatterns as drako_urlpatterns


def floor_view(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/floor", floor_view, name="bench-floor"), *drako_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
