"""drako.db.postgresql: a reused connection is health-checked unless the last request proved it."""

import pytest
from django.db import close_old_connections, connections
from django.test import Client

from drako.db.postgresql import base

connection = connections["default"]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connection wrapper"),
]


@pytest.fixture
def checks(monkeypatch, settings):
    """Counts Django's health checks (`SELECT 1`) of a reused connection."""
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_MAX_AGE"] = 60
    connection.settings_dict["CONN_HEALTH_CHECKS"] = True
    counted = []
    real = connection.is_usable

    def counting():
        counted.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", counting)
    connection.close()
    return counted


def _request(client) -> None:
    """One request with the connection handling gunicorn's request cycle does around it (the
    test client leaves it out)."""
    close_old_connections()
    assert client.get("/healthz").status_code == 200
    close_old_connections()


def test_the_engine_is_drakos_on_postgresql():
    assert isinstance(connection, base.DatabaseWrapper)


def test_a_connection_the_last_request_used_is_not_checked_again(checks):
    client = Client()
    for _ in range(4):
        _request(client)
    assert checks == []  # a new connection, then three requests right after a good one


def test_a_connection_idle_past_the_window_is_checked(checks):
    client = Client()
    _request(client)
    connection._proven_at -= base.PROVEN_SECONDS + 1  # as if it had stood idle
    _request(client)
    assert checks == [1]
    _request(client)
    assert checks == [1]  # proven again by that request


def test_a_request_that_hit_a_database_error_proves_nothing(checks):
    client = Client()
    _request(client)
    connection._proven_at = float("-inf")
    connection.health_check_done = True  # the request used the connection...
    connection.errors_occurred = True  # ...and a query failed: the request's end proves nothing
    close_old_connections()
    assert connection._proven_at == float("-inf")
