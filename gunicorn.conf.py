"""gunicorn settings for production; `gunicorn drako.wsgi` reads this file from the working dir."""

import os
import shutil
import tempfile
from pathlib import Path

# Loopback only: gunicorn must sit behind a buffering proxy (nginx, Caddy; docs/deploy/), which
# reads slow clients' requests in full before handing them over, so they cannot tie up workers.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threaded workers: a request waiting on Tavus (bounded by TAVUS_*_TIMEOUT) holds one thread,
# not the whole worker, and at most TAVUS_MAX_IN_FLIGHT (3) threads per worker wait on Tavus at
# once, so pages, tool calls and /healthz keep flowing however slow Tavus gets.
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
# Access lines cost about as much CPU as a small request; behind a proxy that logs requests
# itself, GUNICORN_ACCESS_LOG=false leaves them to it.
accesslog = "-" if os.environ.get("GUNICORN_ACCESS_LOG", "true").lower() != "false" else None
# Paths carry secrets (callback, calendar-feed and document tokens): the access log redacts them.
logger_class = "drako.log_redaction.RedactingGunicornLogger"
errorlog = "-"
access_log_format = 'access method=%(m)s path="%(U)s" status=%(s)s bytes=%(B)s duration_ms=%(M)s'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# --- Metrics from every worker process (prometheus-client's multiprocess mode; drako/metrics.py)
# Each process writes its samples to files in PROMETHEUS_MULTIPROC_DIR and a scrape of any process
# adds them all up. Unset, gunicorn makes a private directory when it starts and removes it when
# it stops; a set directory must belong to this gunicorn alone, and is emptied when it starts.
# The master sets it before forking, so every worker process (the app is loaded after the fork)
# starts in multiprocess mode.


def on_starting(server):
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="drako-metrics-")
        os.environ["DRAKO_OWN_METRICS_DIR"] = "1"  # for on_exit, after any `kill -HUP` re-read
    metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get("DRAKO_OWN_METRICS_DIR"):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
