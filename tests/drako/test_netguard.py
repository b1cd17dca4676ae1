"""drako.netguard: user-given URLs never reach a private network, checked by name resolution."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from drako import netguard

_real_getaddrinfo = socket.getaddrinfo


def _answers(monkeypatch, table: dict[str, list[str]]) -> None:
    """Make the resolver answer `table` for its names (and the real resolver for the rest)."""

    def fake(host, port, *args, **kwargs):
        if host in table:
            family = socket.AF_INET6
            return [
                (family if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
                for ip in table[host]
            ]
        return _real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.fixture
def server():
    """A loopback HTTP server that records the paths it was asked for."""
    seen: list[str] = []
    redirect_to: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append(self.path)
            if self.path in redirect_to:
                self.send_response(302)
                self.send_header("Location", redirect_to[self.path])
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.seen, httpd.redirect_to = seen, redirect_to
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed.ics",
        "http://10.0.0.1/",
        "https://192.168.1.20/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://localhost:6379/",
    ],
)
def test_private_addresses_are_refused(url):
    with pytest.raises(netguard.UnsafeAddress, match="private network"):
        netguard.check_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://a/", "http://", "http://[::1"]
)
def test_other_schemes_and_garbage_are_refused(url):
    with pytest.raises(netguard.UnsafeAddress):
        netguard.check_url(url, allow_private=False)


def test_a_name_that_resolves_to_a_private_address_is_refused(monkeypatch):
    _answers(monkeypatch, {"calendar.example.test": ["10.20.30.40"]})
    with pytest.raises(netguard.UnsafeAddress, match=r"calendar\.example\.test"):
        netguard.check_url("https://calendar.example.test/basic.ics", allow_private=False)


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    _answers(monkeypatch, {"mixed.example.test": ["93.184.216.34", "fd00::5"]})
    with pytest.raises(netguard.UnsafeAddress):
        netguard.check_url("https://mixed.example.test/", allow_private=False)


def test_a_public_name_passes_the_check_without_connecting(monkeypatch):
    _answers(monkeypatch, {"calendar.example.test": ["93.184.216.34", "2606:2800:220:1::1"]})
    netguard.check_url("https://calendar.example.test/basic.ics", allow_private=False)


def test_a_name_that_does_not_resolve_is_refused(monkeypatch):
    _answers(monkeypatch, {"nowhere.example.test": []})
    with pytest.raises(netguard.UnsafeAddress, match="could not be resolved"):
        netguard.check_url("https://nowhere.example.test/", allow_private=False)


def test_allow_private_lets_a_loopback_server_answer(server):
    answer = netguard.session(allow_private=True).get(
        f"http://127.0.0.1:{server.server_port}/feed.ics", timeout=5
    )
    assert answer.text == "ok"
    assert server.seen == ["/feed.ics"]


def test_the_session_refuses_a_private_address_before_connecting(server):
    with pytest.raises(netguard.UnsafeAddress):
        netguard.session(allow_private=False).get(
            f"http://127.0.0.1:{server.server_port}/feed.ics", timeout=5
        )
    assert server.seen == []


def test_a_name_rebound_to_a_private_address_after_the_check_is_refused_at_connect(monkeypatch):
    answers = iter([["93.184.216.34"], ["10.0.0.9"]])
    table: dict[str, list[str]] = {}
    _answers(monkeypatch, table)
    table["rebind.example.test"] = next(answers)
    netguard.check_url("http://rebind.example.test/", allow_private=False)
    table["rebind.example.test"] = next(answers)
    with pytest.raises(netguard.UnsafeAddress, match=r"rebind\.example\.test"):
        netguard.session(allow_private=False).get("http://rebind.example.test/", timeout=5)


def test_a_redirect_to_a_private_address_is_refused(server, monkeypatch):
    # The test's loopback server stands in for a public feed host ("feeds.example.test"); its
    # redirect points at a name that resolves to the internal network.
    _answers(
        monkeypatch, {"feeds.example.test": ["127.0.0.1"], "intranet.example.test": ["10.1.1.1"]}
    )
    public_stand_in = netguard._is_public
    monkeypatch.setattr(netguard, "_is_public", lambda ip: ip == "127.0.0.1" or public_stand_in(ip))
    server.redirect_to["/feed.ics"] = "http://intranet.example.test/admin"
    with pytest.raises(netguard.UnsafeAddress, match=r"intranet\.example\.test"):
        netguard.session(allow_private=False).get(
            f"http://feeds.example.test:{server.server_port}/feed.ics", timeout=5
        )
    assert server.seen == ["/feed.ics"]


def test_redirects_are_limited(server):
    port = server.server_port
    for hop in range(6):
        server.redirect_to[f"/{hop}"] = f"http://127.0.0.1:{port}/{hop + 1}"
    with pytest.raises(requests.TooManyRedirects):
        netguard.session(allow_private=True).get(f"http://127.0.0.1:{port}/0", timeout=5)
    assert len(server.seen) == netguard.MAX_REDIRECTS + 1


def test_the_session_ignores_proxies_from_the_environment(server, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://10.9.9.9:3128")
    answer = netguard.session(allow_private=True).get(
        f"http://127.0.0.1:{server.server_port}/x", timeout=5
    )
    assert answer.status_code == 200
