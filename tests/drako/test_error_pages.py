"""DRAKO's own 400, 403, 404 and 500 pages (no user or database needed), JSON under /api/."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from drako import views

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.drako.error_urls")]


@pytest.fixture
def quiet_client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("path", "status", "heading"),
    [
        ("/fail/odd/", 400, "That request didn't make sense to us"),
        ("/fail/refuse/", 403, "You can't do that here"),
        ("/no/such/page/", 404, "There's nothing here"),
        ("/fail/crash/", 500, "Something went wrong on our side"),
    ],
)
def test_error_pages_are_drakos_own_and_fit_a_phone(quiet_client, user, path, status, heading):
    quiet_client.force_login(user)
    response = quiet_client.get(path)
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html and f"Error {status}" in html
    assert 'name="viewport" content="width=device-width' in html and "css/drako.css" in html
    assert reverse("schedules:schedule") in html


@pytest.mark.parametrize(
    "handler",
    [views.bad_request_view, views.permission_denied_view, views.not_found_view],
)
def test_error_pages_need_no_database(rf, handler):
    """The page for an error must not fail in turn: often the database is the error."""
    request = rf.get("/somewhere/")
    with CaptureQueriesContext(connection) as queries:
        assert handler(request, exception=None).status_code in (400, 403, 404)
        assert views.server_error_view(request).status_code == 500
        assert views.csrf_failure_view(request, reason="").status_code == 403
    assert queries.captured_queries == []


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/fail/odd/", 400),
        ("/api/fail/refuse/", 403),
        ("/api/nope/", 404),
        ("/api/fail/crash/", 500),
    ],
)
def test_errors_under_the_api_are_json(quiet_client, path, status):
    response = quiet_client.get(path)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


def test_an_expired_form_says_so_in_words(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "alice", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>This form has expired</h1>" in html and "Nothing was changed." in html
    assert "allow cookies" in html  # there was no CSRF cookie at all


def test_an_expired_form_under_the_api_is_json(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/fail/odd/", {})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
