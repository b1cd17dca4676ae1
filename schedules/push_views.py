"""The service worker that shows pushed reminders (static/js/sw.js), served from the site's root."""

from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(no_cache=True, max_age=0)
def service_worker_view(request):
    """/sw.js: a worker's scope is at most the folder it is served from, and its
    notifications link to every page, so it is served here rather than under /static/."""
    found = finders.find("js/sw.js")
    if not found:
        raise Http404("No service worker.")
    return HttpResponse(Path(found).read_bytes(), content_type="text/javascript; charset=utf-8")
