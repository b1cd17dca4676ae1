"""DRAKO's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from drako.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def _crash(request):
    raise RuntimeError("a bug")


def _refuse(request):
    raise PermissionDenied


def _suspicious(request):
    raise SuspiciousOperation("odd")


urlpatterns = [
    *urlpatterns,
    *(
        path(f"{prefix}fail/{name}/", view)
        for prefix in ("", "api/")
        for name, view in (("crash", _crash), ("refuse", _refuse), ("odd", _suspicious))
    ),
]
