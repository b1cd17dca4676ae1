"""The test's own load balancer: round-robin over the web nodes, as a proxy in front would be.

It forwards each request whole to the next node in turn and names the node that answered in
`X-Test-Node`, so a test can see that two requests of one session met two different nodes.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Hop-by-hop headers are the proxy's own business (RFC 9110 §7.6.1).
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)
_TIMEOUT_SECONDS = 30


class RoundRobinRouter:
    """`RoundRobinRouter({"a": 8001, "b": 8002}).start()`; `.url` is where clients go."""

    def __init__(self, nodes: dict[str, int]) -> None:
        self.nodes = nodes
        self._turns = itertools.cycle(nodes.items())
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> RoundRobinRouter:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def next_node(self) -> tuple[str, int]:
        with self._lock:
            return next(self._turns)


def _handler_for(router: RoundRobinRouter) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            name, port = router.next_node()
            upstream = http.client.HTTPConnection("127.0.0.1", port, timeout=_TIMEOUT_SECONDS)
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                reply = upstream.getresponse()
                content = reply.read()
            finally:
                upstream.close()
            self.send_response(reply.status, reply.reason)
            for key, value in reply.getheaders():
                if key.lower() not in _HOP_BY_HOP | {"content-length"}:
                    self.send_header(key, value)
            self.send_header("X-Test-Node", name)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _forward

        def log_message(self, format, *args) -> None:
            pass

    return Handler
