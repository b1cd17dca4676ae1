"""Error reports: sentry-sdk starts only with SENTRY_DSN, and no secret leaves in a report."""

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from drako.sentry import REDACTED, scrub_event, sentry_init

API_KEY = "tvsk_live_0123456789abcdef"
TOOL_SECRET = "tool-secret-fedcba9876543210"
CALLBACK = "/api/tavus/callbacks/42.s3cr3t-callback-token/"


class _Collector(ThreadingHTTPServer):
    """A loopback stand-in for Sentry's ingest: keeps every envelope it is sent."""

    def __init__(self):
        self.bodies: list[bytes] = []
        self.received = threading.Event()
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.server.bodies.append(body)
        self.server.received.set()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format, *args):
        pass


@pytest.fixture
def secrets_configured(settings):
    settings.TAVUS_API_KEY = API_KEY
    settings.TAVUS_TOOL_SECRET = TOOL_SECRET


@pytest.fixture
def collector():
    server = _Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sentry_off_afterwards():
    yield
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: an inactive client, as in every other test


def test_sentry_stays_off_without_a_dsn(settings):
    settings.SENTRY_DSN = ""
    assert sentry_init() is False
    assert not sentry_sdk.get_client().is_active()


def test_scrub_event_blanks_secret_values_urls_and_headers(secrets_configured, settings):
    event = {
        "message": f"Tavus refused key {API_KEY}",
        "request": {
            "url": f"https://drako.example.com{CALLBACK}",
            "headers": {"X-Tool-Signature": f"sha256 with {TOOL_SECRET}"},
        },
        "extra": {"nested": [{"deep": f"SECRET_KEY={settings.SECRET_KEY}"}]},
    }
    scrubbed = json.dumps(scrub_event(event, {}))
    for secret in (API_KEY, TOOL_SECRET, "s3cr3t-callback-token", settings.SECRET_KEY):
        assert secret not in scrubbed
    assert REDACTED in scrubbed
    assert "/api/tavus/callbacks/[redacted]/" in scrubbed


def test_a_report_reaches_sentry_without_secrets(
    settings, secrets_configured, collector, sentry_off_afterwards
):
    port = collector.server_address[1]
    settings.SENTRY_DSN = f"http://publickey@127.0.0.1:{port}/1"
    assert sentry_init() is True
    assert not sentry_sdk.get_client().should_send_default_pii()

    key = API_KEY  # a local variable holding a secret, as drako.tavus._request has
    try:
        raise RuntimeError(f"Tavus said no to {key} for {CALLBACK}")
    except RuntimeError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush(timeout=5)

    assert collector.received.wait(timeout=5), "Sentry got no report"
    sent = b"".join(collector.bodies).decode()
    assert "RuntimeError" in sent
    assert API_KEY not in sent
    assert "s3cr3t-callback-token" not in sent
    assert settings.SECRET_KEY not in sent
    assert "/api/tavus/callbacks/[redacted]/" in sent
