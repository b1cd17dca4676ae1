"""Shared fixtures: users, API clients, the fake Tavus server, and no stray network calls."""

import ipaddress
import socket

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory, synced_persona
from tests.fake_tavus import READ_TIMEOUT, FakeTavus

_real_connect = socket.socket.connect


def _loopback_only(sock, address):
    host = address[0] if isinstance(address, tuple) else None
    if host is not None:
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise RuntimeError(f"Tests may not connect to {host}: only loopback is allowed.")
    return _real_connect(sock, address)


_real_getaddrinfo = socket.getaddrinfo


def _local_names_only(host, *args, **kwargs):
    """Resolves IP literals and localhost only: a test never asks a DNS server anything (a
    user-given calendar address, fuzzed or not, fails to resolve instead)."""
    name = host.decode() if isinstance(host, bytes) else str(host or "")
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
    except ValueError:
        if name not in ("localhost", "") and not name.endswith(".localhost"):
            raise socket.gaierror(socket.EAI_NONAME, f"Tests resolve no names: {name}") from None
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch):
    """Any connection off this machine fails loudly (Tavus included: use the fake), and no
    name is looked up in DNS."""
    monkeypatch.setattr(socket.socket, "connect", _loopback_only)
    monkeypatch.setattr(socket, "getaddrinfo", _local_names_only)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Production security defaults follow DEBUG (off in tests); plain HTTP is fine here.
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TAVUS_API_KEY = ""
    settings.TAVUS_API_URL = "http://127.0.0.1:9/v2"  # discard port: nothing answers
    settings.DRAKO_PUBLIC_URL = ""
    settings.TAVUS_TOOL_SECRET = ""


_DB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


@pytest.fixture(autouse=True)
def _fresh_caches(request, django_db_blocker):
    """A test that uses the database starts with an empty shared database cache, whose table a
    transactional test's flush leaves alone (rate counts are a model's rows: flushed)."""
    uses_db = request.node.get_closest_marker("django_db") or _DB_FIXTURES & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("django_db_setup")  # the test database, never the real one
        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture
def user(db):
    return UserFactory(username="alice", time_zone="Europe/Berlin")


@pytest.fixture
def other_user(db):
    return UserFactory(username="mallory", time_zone="America/New_York")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def user_api(user):
    """An API client authenticated with the user's token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {user.api_key}")
    return client


@pytest.fixture
def other_api(other_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {other_user.api_key}")
    return client


@pytest.fixture
def user_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def fake_tavus(settings):
    """A fake Tavus HTTP server (tests/fake_tavus.py) that DRAKO is configured to talk to."""
    fake = FakeTavus().start()
    settings.TAVUS_API_URL = fake.url
    settings.TAVUS_API_KEY = fake.api_key
    settings.TAVUS_READ_TIMEOUT = READ_TIMEOUT  # a bound (tests/fake_tavus.py)
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def persona(db):
    """The default persona, synced to the fake Tavus (see tests.factories.synced_persona)."""
    return synced_persona()
