import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_ok_with_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_home_page_for_visitors_offers_sign_up(client):
    html = client.get("/").content.decode()
    assert reverse("signup") in html


def test_home_sends_signed_in_users_to_their_schedule(user_client):
    response = user_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == reverse("schedules:schedule")


def test_pages_carry_a_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-src https://*.daily.co" in csp
    assert "frame-ancestors 'none'" in csp


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_api_docs_and_schema_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_admin_reachable_for_staff(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/admin/").status_code == 200


def test_favicon_redirects_to_the_logo(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("img/drako.svg")
