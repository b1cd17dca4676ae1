"""Upgrading from plain DRF tokens: every key keeps working, and no plain key is left at rest."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from accounts.models import ApiToken, api_key_digest

KEY = "0123456789abcdef0123456789abcdef01234567"


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_existing_drf_tokens_become_digests_and_the_table_of_plain_keys_is_dropped():
    before = [("accounts", "0003_working_days")]
    _migrate(before)
    try:
        # The User as it was then: today's model may have columns that schema lacks.
        old_user = MigrationExecutor(connection).loader.project_state(before).apps
        user = old_user.get_model("accounts", "User").objects.create(
            username="old-timer", password="!"
        )
        with connection.cursor() as cursor:
            # The table rest_framework.authtoken left behind, with one key in it.
            cursor.execute(
                "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, "
                "created timestamp with time zone NOT NULL, user_id bigint NOT NULL)"
            )
            cursor.execute(
                "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
                [KEY, "2026-01-02 03:04:05+00:00", user.pk],
            )
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    token = ApiToken.objects.get(user_id=user.pk)
    assert (token.digest, token.prefix) == (api_key_digest(KEY), KEY[:8])
    assert token.created_at.year == 2026
    assert "authtoken_token" not in connection.introspection.table_names()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {KEY}")
    assert client.get("/api/conversations/").status_code == 200
