"""Sessions and the session's user, loaded by queries compiled once (drako.sessions and
accounts.backends): they answer exactly as Django's own would."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import GuardedModelBackend

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_loads_session_and_user_in_one_query_each(user_client):
    assert user_client.get("/api/calendars/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert user_client.get("/api/calendars/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("django_session" in s for s in sql) == 1
    assert sum('FROM "accounts_user"' in s for s in sql) >= 1


def test_an_expired_session_signs_nobody_in(user_client):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = user_client.get("/schedule/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_cookie_with_an_unknown_or_malformed_key_signs_nobody_in(client, settings):
    for key in ("x" * 32, "short", "'; DROP TABLE django_session; --" + "a" * 10):
        client.cookies[settings.SESSION_COOKIE_NAME] = key
        response = client.get("/schedule/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Session.objects.count() == 0


def test_a_changed_password_signs_the_old_session_out(user_client, user):
    user.set_password("a-new-and-different-password")
    user.save()
    assert user_client.get("/schedule/").status_code == 302


def test_get_user_answers_as_model_backend(user):
    backend = GuardedModelBackend()
    assert backend.get_user(user.pk).pk == user.pk
    assert backend.get_user(str(user.pk)).username == user.username  # as the session stores it
    for bad in (None, "", "abc", 0, -1, 2**70, user.pk + 1000):
        assert backend.get_user(bad) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert backend.get_user(user.pk) is None
