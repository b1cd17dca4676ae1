"""gunicorn settings for production; `gunicorn drako.wsgi` reads this file from the working dir."""

import os

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
