"""Issue 15's findings outside the accounts: a shared, atomic cache; a check against per-process
ones; JSON 413s; token shapes checked before any query; gunicorn on loopback; pinned daily-js."""

import logging
import re
from pathlib import Path

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client

from drako import checks
from drako.cache import DatabaseCache
from tests.security import routes

ROOT = Path(__file__).resolve().parents[2]


# --- The shared cache --------------------------------------------------------------------------


def test_the_default_cache_is_the_database_cache_all_workers_share():
    assert isinstance(caches["default"], DatabaseCache)


@pytest.mark.django_db
def test_migrate_creates_the_cache_table():
    assert "drako_cache" in connection.introspection.table_names()


@pytest.mark.django_db
def test_incr_counts_and_keeps_the_windows_expiry():
    """Django's own DatabaseCache.incr rewrites the value with the default timeout (300 s)."""
    assert cache.add("window", 0, timeout=3600)
    assert [cache.incr("window") for _ in range(3)] == [1, 2, 3]
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM drako_cache WHERE cache_key LIKE %s", ["%window"])
        (expires,) = cursor.fetchone()
    from django.utils import timezone

    expires = expires if not isinstance(expires, str) else timezone.datetime.fromisoformat(expires)
    if timezone.is_naive(expires):
        expires = timezone.make_aware(expires, timezone.UTC)
    assert (expires - timezone.now()).total_seconds() > 3000
    with pytest.raises(ValueError):
        cache.incr("never-added")
    assert cache.add("window", 0) is False  # taken while it lives


def test_a_per_process_cache_with_several_workers_is_an_error(settings, monkeypatch):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    [error] = checks.shared_cache_check()
    assert error.id == "drako.E001" and "GUNICORN_WORKERS is 3" in error.msg
    monkeypatch.setenv("GUNICORN_WORKERS", "1")
    assert checks.shared_cache_check() == []
    monkeypatch.delenv("GUNICORN_WORKERS")  # gunicorn.conf.py's default: 2
    assert len(checks.shared_cache_check()) == 1
    settings.CACHES = {"default": {"BACKEND": "drako.cache.DatabaseCache", "LOCATION": "t"}}
    assert checks.shared_cache_check() == []


def test_every_limit_the_tool_call_guard_included_counts_in_the_shared_store(db, user):
    from conversations import limits
    from conversations.errors import TooManyRequests
    from drako.models import RateCounter

    assert list(caches) == ["default"]  # no per-process cache left to count in
    for _ in range(3):
        limits.per_user_minute(scope="tool-call", user_id=user.pk, limit=3, message="slow down")
    assert RateCounter.objects.get().hits == 3
    with pytest.raises(TooManyRequests, match="slow down"):
        limits.per_user_minute(scope="tool-call", user_id=user.pk, limit=3, message="slow down")


# --- Oversized bodies on the API ---------------------------------------------------------------


def _api_paths() -> list[str]:
    values = {"event_id": 1, "conversation_id": 1, "change_id": 1, "token": "1.x",
              "subscription_id": 1, "calendar_id": 1}  # fmt: skip
    values |= {"name": "list_schedule_events", "action": "confirm"}
    return [route.path(**values) for route in routes() if route.is_api]


@pytest.mark.django_db
def test_an_oversized_body_on_every_api_route_is_a_json_413_and_one_warning(settings, caplog):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"x": "' + "a" * 2000 + '"}'
    client = Client(raise_request_exception=False)
    caplog.set_level(logging.INFO)
    paths = _api_paths()
    assert "/api/tavus/callbacks/1.x/" in paths and "/api/auth/token/" in paths
    for path in paths:
        caplog.clear()
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 413, path
        assert response.json()["detail"].startswith("The request body is too large"), path
        warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING, path
        assert warnings[0].exc_info is None and "\n" not in warnings[0].getMessage()


# --- Tokens checked by shape before any query --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["%00", "abc%00def", "a" * 65, "x" * 43 + "%00", "%C2%B3"])
def test_a_malformed_feed_token_is_a_404_without_a_query(token, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        assert client.get(f"/calendar/{token}.ics").status_code == 404


# --- What gunicorn and the live page are told --------------------------------------------------


def test_gunicorn_listens_on_loopback_by_default(monkeypatch):
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    namespace: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), namespace)
    assert namespace["bind"] == "127.0.0.1:8000"
    readme = (ROOT / "README.md").read_text()
    assert "docs/deploy/Caddyfile" in readme and "docs/deploy/nginx.conf" in readme
    for sample in ("Caddyfile", "nginx.conf"):
        assert "127.0.0.1:8000" in (ROOT / "docs" / "deploy" / sample).read_text()


@pytest.mark.django_db
def test_the_live_page_pins_daily_js_with_subresource_integrity(fake_tavus, settings, user):
    from conversations import services
    from tests.factories import synced_persona

    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    conversation = services.conversation_start(user=user, persona=synced_persona()).conversation
    client = Client()
    client.force_login(user)
    html = client.get(f"/conversations/{conversation.pk}/").content.decode()
    tag = re.search(r'<script src="' + re.escape(settings.DAILY_JS_URL) + r'"[^>]*>', html)[0]
    assert f'integrity="{settings.DAILY_JS_INTEGRITY}"' in tag
    assert 'crossorigin="anonymous"' in tag
    assert re.fullmatch(r"sha384-[A-Za-z0-9+/]{64}", settings.DAILY_JS_INTEGRITY)


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/accounts/verify-email/eyJ1Ijo:1tX:sig/", "/accounts/verify-email/[redacted]/"),
        ("/accounts/login/unlock/eyJ1Ijo:1tX:sig/", "/accounts/login/unlock/[redacted]/"),
        ("/accounts/password-reset/MQ/cxyz-0123abcd/", "/accounts/password-reset/[redacted]/"),
        ("/accounts/password-reset/sent/", "/accounts/password-reset/sent/"),
        ("/accounts/login/unlock/", "/accounts/login/unlock/"),
    ],
)
def test_mailed_links_are_redacted_from_logs(path, logged):
    from drako.log_redaction import redact

    assert redact(f"GET {path} 302") == f"GET {logged} 302"
