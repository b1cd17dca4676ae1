"""Bench-only settings: the app's own settings plus the floor endpoint and a server-time header."""

from drako.settings import *  # noqa: F403
from drako.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Outermost, so the header covers every middleware the app's requests go through.
MIDDLEWARE = ["bench.middleware.ServerTimingMiddleware", *MIDDLEWARE]
