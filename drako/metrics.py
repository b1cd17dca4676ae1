"""Metrics for a Prometheus scraper at `/metrics`, behind METRICS_TOKEN (prometheus-client).

Request latency by view, tool calls by name and outcome, Tavus calls' latency and errors, and
the task queue's depth. gunicorn runs several processes: gunicorn.conf.py sets
PROMETHEUS_MULTIPROC_DIR, each process writes its samples there, and a scrape of any one process
adds up all of them (prometheus-client's multiprocess mode). Outside gunicorn (tests, a worker)
the samples stay in the process. The request metrics keep django-prometheus's names, so its
dashboards work unchanged (README: why not django-prometheus itself).
"""

import hmac
import logging
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)
# prometheus-client picks its storage from this variable when it is imported, and so do we: a
# process started without it (a test, runserver) keeps its samples in memory and serves those.
_MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUEST_LATENCY = Histogram(
    "django_http_requests_latency_seconds_by_view_method",
    "Time from the request reaching Django to its response, by view and method.",
    ["view", "method"],
)
RESPONSES = Counter(
    "django_http_responses_total_by_status_view_method",
    "Responses by status, view and method.",
    ["status", "view", "method"],
)
TOOL_CALLS = Counter(
    "drako_tool_calls_total",
    "Tool calls run (every door), by tool and outcome: ok, failed (the tool said no), refused.",
    ["tool", "outcome"],
)
TAVUS_LATENCY = Histogram(
    "drako_tavus_request_duration_seconds",
    "One HTTP exchange with Tavus, by method, path (ids as {id}) and outcome.",
    ["method", "path", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 15),
)
TAVUS_ERRORS = Counter(
    "drako_tavus_errors_total",
    "Tavus exchanges that failed: an HTTP status of 400 or more, or a network error's class.",
    ["method", "path", "outcome"],
)

UNMATCHED_VIEW = "<unmatched>"
UNKNOWN_TOOL = "<unknown>"


# --- Recording ----------------------------------------------------------------------------------


class RequestMetricsMiddleware:
    """Times every request (outermost middleware), labelled by the URL pattern's name."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = request.resolver_match
        view = (match.view_name or UNMATCHED_VIEW) if match else UNMATCHED_VIEW
        # Only known methods: a label per made-up method would grow without bound.
        method = request.method if request.method in _METHODS else "other"
        REQUEST_LATENCY.labels(view, method).observe(time.perf_counter() - started)
        RESPONSES.labels(str(response.status_code), view, method).inc()
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def tool_call_counted(*, tool: str, known: bool, outcome: str) -> None:
    """Counts one tool call; names outside the registry share one label (they are user input)."""
    TOOL_CALLS.labels(tool if known else UNKNOWN_TOOL, outcome).inc()


def tavus_request_observed(*, method: str, path: str, outcome: int | str, seconds: float) -> None:
    """Records one exchange with Tavus: a status code, or the network error's class name."""
    template = tavus_path_template(path)
    label = str(outcome)
    TAVUS_LATENCY.labels(method, template, label).observe(seconds)
    if not isinstance(outcome, int) or outcome >= 400:
        TAVUS_ERRORS.labels(method, template, label).inc()


def tavus_path_template(path: str) -> str:
    """The path with its ids as {id} (a label per id would never end), e.g. /conversations/{id}/end.

    Tavus paths alternate a collection and an id, so every second segment is an id.
    """
    segments = path.split("?", 1)[0].strip("/").split("/")
    return "/" + "/".join("{id}" if i % 2 else part for i, part in enumerate(segments))


# --- Exposition ---------------------------------------------------------------------------------


class TaskQueueCollector:
    """The task queue's depth (tasks ready to run, per queue), read at scrape time."""

    def collect(self):
        gauge = GaugeMetricFamily(
            "drako_task_queue_depth", "Tasks waiting for a worker, per queue.", labels=["queue"]
        )
        try:
            for queue, depth in _queue_depths().items():
                gauge.add_metric([queue], depth)
        except Exception as error:
            # The queue being down must not take the other metrics with it; readyz reports it.
            logger.warning("metrics queue depth unavailable: %s", type(error).__name__)
            return
        yield gauge


def _queue_depths() -> dict[str, int]:
    if settings.TASKS_URL:
        import django_rq

        return {name: django_rq.get_queue(name).count for name in settings.RQ_QUEUES}
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.ready().values_list("queue_name").annotate(n=Count("id"))
    return {"default": 0} | dict(rows)


def _exposition() -> bytes:
    if _MULTIPROCESS:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    queue = CollectorRegistry(auto_describe=True)
    queue.register(TaskQueueCollector())
    return generate_latest(registry) + generate_latest(queue)


def _authorised(request) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    expected = settings.METRICS_TOKEN
    return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), expected.encode())


@never_cache
@require_GET
def metrics_view(request):
    """The metrics in Prometheus's text format, for a bearer of METRICS_TOKEN; 404 when unset."""
    if not settings.METRICS_TOKEN:
        raise Http404("Metrics are off: METRICS_TOKEN is not set.")
    if not _authorised(request):
        response = HttpResponse("A bearer token is required.\n", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(_exposition(), content_type=CONTENT_TYPE_LATEST)
