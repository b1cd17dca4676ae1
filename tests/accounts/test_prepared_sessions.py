"""Sessions and the session's user, read in one query compiled once (accounts.sessions,
accounts.middleware, accounts.backends): they answer exactly as Django's own would."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.backends import GuardedModelBackend
from accounts.models import Session
from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_signed_in_page_reads_its_session_and_user_in_one_query(user_client, user):
    assert user_client.get("/api/calendars/").status_code == 200
    session = Session.objects.get()
    assert session.user_id == user.pk  # written with the session at sign-in
    assert session.get_decoded()[SESSION_KEY] == str(user.pk)  # the model finds its engine
    with CaptureQueriesContext(connection) as queries:
        assert user_client.get("/api/calendars/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    first = sql[0]
    assert '"accounts_session"' in first and '"accounts_user"' in first
    # No second query for the user, by key, as ModelBackend.get_user would make.
    assert not [s for s in sql[1:] if 'FROM "accounts_user"' in s and "LIMIT" not in s]
    assert sum('"accounts_session"' in s for s in sql) == 1


def test_the_sessions_user_column_is_a_hint_the_sessions_data_decides(
    user_client, user, other_user
):
    # A row whose column names someone else (stale, or written by hand) signs in the user its
    # data names, loaded by key; one naming nobody, or a gone user, the same.
    for hint in (other_user.pk, None, 10**9):
        Session.objects.update(user_id=hint)
        response = user_client.get("/accounts/profile/")
        assert response.status_code == 200
        assert response.wsgi_request.user.pk == user.pk


def test_a_users_sessions_go_with_the_user(user_client, user):
    assert user_client.get("/schedule/").status_code == 200
    user.delete()
    assert not Session.objects.exists()
    assert user_client.get("/schedule/").status_code == 302


def test_an_expired_session_signs_nobody_in(user_client):
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = user_client.get("/schedule/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_cookie_with_an_unknown_or_malformed_key_signs_nobody_in(client, settings):
    for key in ("x" * 32, "short", "'; DROP TABLE accounts_session; --" + "a" * 10):
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


def test_the_worker_deletes_expired_sessions_every_six_hours(user_client, user, other_user):
    from accounts.tasks import sessions_prune
    from workers.periodic import periodic_tasks

    entries = {entry.name: entry for entry in periodic_tasks()}
    assert entries[sessions_prune.module_path].every == timedelta(hours=6)
    Client().force_login(other_user)  # a second browser, whose session then expires
    Session.objects.filter(user=other_user).update(expire_date=timezone.now() - timedelta(1))
    assert sessions_prune.call() == 1
    assert list(Session.objects.values_list("user_id", flat=True)) == [user.pk]


def test_the_admin_never_shows_a_sessions_key(admin_client, user):
    signed_in = Client()
    signed_in.force_login(user)
    key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    # Deleting a user lists what goes with it, the user's sessions among them.
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/delete/")
    assert page.status_code == 200 and "session until" in page.text
    assert key not in page.text


def test_a_key_django_never_makes_is_no_session_not_a_database_error(client):
    for cookie in ('"\\000aaaaaaaaaaaa"', "AAAAAAAAAAAA", "a" * 8 + "-" + "b" * 8):
        response = client.get("/schedule/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={cookie}")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_row_read_with_a_session_serves_one_look_only(user_client, user):
    store = SessionStore(user_client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert store[SESSION_KEY] == str(user.pk)  # loads the session and its user's row
    assert store.user_read_with_it(user.pk).pk == user.pk
    assert store.user_read_with_it(user.pk) is None  # a second look loads it afresh


def test_a_session_saved_asynchronously_keeps_its_user_too(user):
    store = SessionStore("k" * 32)
    # Run from this thread (async_to_sync), its database queries use this thread's connection;
    # asyncio.run would run them on an executor's thread, whose connection outlives the test.
    instance = async_to_sync(store.acreate_model_instance)({SESSION_KEY: str(user.pk)})
    assert instance.user_id == user.pk
