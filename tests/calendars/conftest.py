from pathlib import Path

import pytest

from tests.calendars.feed_server import FeedServer

FEEDS = Path(__file__).parent / "feeds"


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
