"""Response headers on every page: a strict CSP, no framing, no sniffing; HSTS in production."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import UserFactory, synced_persona
from tests.security import route_values, routes, seed

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DAILY_SCRIPT_SOURCE = "https://unpkg.com/@daily-co/daily-js@0.92.2/"
PROD_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "p" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
    "ALLOWED_HOSTS": "testserver",
    "DATABASE_URL": "sqlite:////tmp/drako-headers-check.sqlite3",
}
PROD_NAMES = (
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SECURE_PROXY_SSL_HEADER",
)


def _csp(response) -> dict[str, set[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def _assert_headers(path: str, response) -> None:
    csp = _csp(response)
    assert csp, f"{path}: no Content-Security-Policy"
    nonces = {s for s in csp["script-src"] if s.startswith("'nonce-")}
    assert csp["script-src"] - nonces == {"'self'", DAILY_SCRIPT_SOURCE}, path
    assert csp["frame-src"] == {"https://*.daily.co"}, path
    assert csp["frame-ancestors"] == {"'none'"}, path
    assert csp["default-src"] == {"'self'"}, path
    assert csp["object-src"] == {"'none'"}, path
    assert not any("unsafe" in s for sources in csp.values() for s in sources), path
    assert response.headers.get("X-Frame-Options") == "DENY", path
    assert response.headers.get("X-Content-Type-Options") == "nosniff", path
    assert response.headers.get("Referrer-Policy") == "same-origin", path


def test_the_pinned_daily_script_is_what_the_csp_allows():
    assert django_settings.DAILY_JS_URL.startswith(DAILY_SCRIPT_SOURCE)


@pytest.fixture
def staff_world(fake_tavus, settings):
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    persona = synced_persona()
    staff = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    return seed(staff, persona, label="S"), persona


def test_every_page_carries_the_security_headers(staff_world, client):
    owned, persona = staff_world
    values = route_values(owned)
    paths = [route.path(**values) for route in routes()]
    paths += [
        f"/conversations/{owned.ended.pk}/",  # the record, not the live page
        f"/conversations/{owned.live.pk}/changes/{owned.proposals[0].pk}/undo/",
        "/admin/",
        f"/admin/personas/persona/{persona.pk}/change/",
        f"/admin/conversations/conversation/{owned.live.pk}/change/",
        "/definitely/not/a/page/",
        "/api/definitely-not-an-endpoint/",
    ]
    for path in paths:
        for signed_in in (True, False):
            client.logout()
            if signed_in:
                client.force_login(owned.user)
            _assert_headers(path, client.get(path))
    client.force_login(owned.user)
    live = client.get(f"/conversations/{owned.live.pk}/")
    assert live.status_code == 200
    html = live.content.decode()
    # Every script the live page loads is one the CSP allows: ours, or the pinned daily-js.
    sources = re.findall(r"<script\b([^>]*)>", html)
    assert sources
    for attributes in sources:
        if 'type="application/json"' in attributes:
            continue  # data (json_script), never run
        src = re.search(r'src="([^"]+)"', attributes)
        nonce = re.search(r'nonce="([^"]+)"', attributes)
        assert (
            src and (src[1].startswith("/static/") or src[1] == django_settings.DAILY_JS_URL)
        ) or (nonce and f"'nonce-{nonce[1]}'" in _csp(live)["script-src"]), attributes
    assert django_settings.DAILY_JS_URL in html


def _production_settings() -> dict:
    """The security settings drako/settings.py computes from a production environment."""
    script = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        f"print(json.dumps({{n: getattr(s, n) for n in {PROD_NAMES!r}}}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in PROD_ENV and not k.startswith("SEC")}
    env = {**clean, **PROD_ENV, "DJANGO_SETTINGS_MODULE": "drako.settings"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def production(settings):
    values = _production_settings()
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    for name, value in values.items():
        setattr(settings, name, value)
    return values


def test_production_https_responses_carry_hsts(production, user):
    client = Client()  # built after the settings change: SecurityMiddleware reads them once
    for path in ("/", "/accounts/login/", "/healthz", "/api/schema/"):
        response = client.get(path, secure=True)
        hsts = response.headers.get("Strict-Transport-Security", "")
        parts = {p.strip().split("=")[0]: p.strip() for p in hsts.split(";")}
        assert int(parts["max-age"].split("=")[1]) >= 31_536_000, path
        assert "includeSubDomains" in parts and "preload" in parts, path
        _assert_headers(path, response)


def test_production_redirects_plain_http_to_https_except_healthz(production, user):
    client = Client()
    for path in ("/", "/accounts/login/", "/schedule/", "/api/events/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 301, path
        assert response["Location"] == f"https://testserver{path}"
    assert client.get("/healthz").status_code == 200
    # Behind the proxy, its X-Forwarded-Proto says the client used https.
    assert client.get("/healthz", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_production_cookies_are_secure_and_session_is_http_only(production, user):
    client = Client()
    page = client.get("/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"]
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "correct-horse-battery-staple"},
        secure=True,
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
