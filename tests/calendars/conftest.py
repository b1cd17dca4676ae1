import uuid
from pathlib import Path

import caldav
import pytest

from tests.calendars.feed_server import FeedServer

FEEDS = Path(__file__).parent / "feeds"
KEY = "test-calendar-secret-key-0123456789"
OLD_PASSWORD, NEW_PASSWORD = "old-app-pass-7Q2x", "new-app-pass-9Z4w"


@pytest.fixture
def feed_server():
    server = FeedServer().start()
    yield server
    server.stop()


@pytest.fixture
def local_calendars(settings):
    """Tests' servers are on loopback: let calendars reach it (as a home server would)."""
    settings.CALENDAR_ALLOW_PRIVATE_HOSTS = True


def feed(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


@pytest.fixture(scope="session")
def radicale(tmp_path_factory):
    from tests.calendars.radicale_server import Radicale

    server = Radicale(tmp_path_factory.mktemp("radicale"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def radicale_auth(tmp_path_factory):
    """A second Radicale that checks passwords (htpasswd, SHA-512 crypt entries)."""
    from tests.calendars.radicale_server import Radicale

    folder = tmp_path_factory.mktemp("radicale-auth")
    htpasswd = folder / "htpasswd"
    htpasswd.write_text("")
    (folder / "storage").mkdir()
    server = Radicale(folder / "storage", htpasswd=htpasswd)
    yield server
    server.stop()


@pytest.fixture
def caldav_on(settings, local_calendars):
    settings.CALENDAR_SECRET_KEY = KEY


@pytest.fixture
def phone(radicale, user):
    """The phone's side: a fresh calendar on Radicale, reached with the caldav client."""
    client = caldav.DAVClient(url=radicale.url, username=user.username, password="app-pass")
    return client.principal().make_calendar(name=f"Phone {uuid.uuid4().hex[:6]}")


@pytest.fixture
def connected(caldav_on, radicale, phone, user):
    """The phone's calendar connected to DRAKO for two-way sync (no sync yet)."""
    from calendars import services

    return services.caldav_connect(
        owner=user, url=radicale.url, username=user.username, password="app-pass",
        calendar=phone.get_display_name(),
    )  # fmt: skip


@pytest.fixture
def locked_phone(radicale_auth, user):
    """The phone's calendar on a server that checks passwords; OLD_PASSWORD works for now."""
    radicale_auth.password_set(user.username, OLD_PASSWORD)
    client = caldav.DAVClient(url=radicale_auth.url, username=user.username, password=OLD_PASSWORD)
    return client.principal().make_calendar(name=f"Phone {uuid.uuid4().hex[:6]}")
