"""accounts 0006: the sessions in Django's table move to accounts_session with their user, so
an upgrade signs nobody out."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session as DjangoSession
from django.utils import timezone

from accounts.models import Session

pytestmark = pytest.mark.django_db
migration = importlib.import_module("accounts.migrations.0006_session_with_user")


def _django_session(key: str, data: dict | str, *, expires_in: timedelta) -> None:
    encoded = (
        data if isinstance(data, str) else SessionStore().encode(data)
    )  # as Django's engine signed it
    DjangoSession.objects.create(
        session_key=key, session_data=encoded, expire_date=timezone.now() + expires_in
    )


def test_live_sessions_move_with_their_user_and_still_sign_in(client, user):
    signed_in = {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    _django_session("a" * 32, signed_in, expires_in=timedelta(days=1))
    _django_session("b" * 32, {"anonymous": True}, expires_in=timedelta(days=1))
    _django_session("c" * 32, "not-signed-data", expires_in=timedelta(days=1))
    _django_session("d" * 32, signed_in, expires_in=timedelta(days=-1))

    migration.sessions_with_their_user(apps, None)

    moved = dict(Session.objects.values_list("session_key", "user_id"))
    assert moved == {"a" * 32: user.pk, "b" * 32: None, "c" * 32: None}  # the expired one: gone
    assert not DjangoSession.objects.exists()
    client.cookies[settings.SESSION_COOKIE_NAME] = "a" * 32
    assert client.get("/accounts/profile/").wsgi_request.user.pk == user.pk


def test_going_back_moves_the_live_sessions_back(user):
    Session.objects.create(
        session_key="e" * 32, session_data="x", expire_date=timezone.now() + timedelta(hours=1),
        user=user,
    )  # fmt: skip
    migration.sessions_back(apps, None)
    assert list(DjangoSession.objects.values_list("session_key", flat=True)) == ["e" * 32]
