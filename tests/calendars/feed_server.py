"""A loopback HTTP server that serves calendar feeds, and misbehaves on demand.

Routes map a path to a function of the request handler that answers it; `served` records every
request's path and headers so a test can check what DRAKO sent (If-None-Match, ...).
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict = {}
        self.served: list[tuple[str, dict]] = []
        self.release = threading.Event()  # a "slow" route waits on this until the test ends
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.served.append((self.path, dict(self.headers)))
                answer = server.routes.get(self.path)
                if answer is None:
                    self.send_error(404)
                    return
                answer(self)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def ics(self, path: str, body: bytes, *, etag: str = "") -> None:
        """Serves `body` at `path` as text/calendar; with `etag`, answers 304 when it matches."""

        def answer(handler):
            if etag and handler.headers.get("If-None-Match") == etag:
                handler.send_response(304)
                handler.end_headers()
                return
            handler.send_response(200)
            handler.send_header("Content-Type", "text/calendar; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            if etag:
                handler.send_header("ETag", etag)
            handler.end_headers()
            handler.wfile.write(body)

        self.routes[path] = answer

    def redirect(self, path: str, location: str) -> None:
        def answer(handler):
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.routes[path] = answer

    def slow(self, path: str) -> None:
        """Sends the headers and the first line, then nothing until the test is over."""

        def answer(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", "text/calendar")
            handler.end_headers()
            handler.wfile.write(b"BEGIN:VCALENDAR\r\n")
            handler.wfile.flush()
            self.release.wait(timeout=30)

        self.routes[path] = answer

    def endless(self, path: str) -> None:
        """A feed with no Content-Length that never stops: VEVENT after VEVENT."""

        def answer(handler):
            handler.send_response(200)
            handler.send_header("Content-Type", "text/calendar")
            handler.end_headers()
            handler.wfile.write(b"BEGIN:VCALENDAR\r\n")
            chunk = b"BEGIN:VEVENT\r\nUID:x\r\nSUMMARY:" + b"x" * 900 + b"\r\nEND:VEVENT\r\n"
            try:
                while not self.release.is_set():
                    handler.wfile.write(chunk * 64)
            except (BrokenPipeError, ConnectionResetError):
                pass

        self.routes[path] = answer

    def start(self) -> "FeedServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
