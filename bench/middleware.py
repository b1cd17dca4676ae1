"""The server's own time for each request, sent back in a header the bench client reads."""

import time

HEADER = "X-Bench-Server-Us"


class ServerTimingMiddleware:
    """Microseconds from entering Django's middleware stack to leaving it (not gunicorn's I/O)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = str(int((time.perf_counter() - started) * 1_000_000))
        return response
