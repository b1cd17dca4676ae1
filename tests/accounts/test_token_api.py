import pytest

from accounts.models import api_key_digest
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
URL = "/api/auth/token/"


def test_token_issued_for_right_credentials(api_client, user):
    response = api_client.post(URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert user.api_tokens.filter(digest=api_key_digest(key)).exists()
    assert not user.api_tokens.filter(digest=key).exists()  # the key itself is never stored


def test_token_works_as_authorization_header(api_client, user):
    key = api_client.post(URL, {"username": "alice", "password": PASSWORD}, format="json").json()[
        "token"
    ]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert (
        api_client.get("/api/events/?start=2030-01-01T00:00&end=2030-01-02T00:00").status_code
        == 200
    )


def test_revoking_every_token_from_the_profile_stops_them(user_client, user, api_client):
    old = user.api_key
    user_client.post("/accounts/profile/token/revoke/", {"token_id": "all"})
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert (
        api_client.get("/api/events/?start=2030-01-01T00:00&end=2030-01-02T00:00").status_code
        == 401
    )


@pytest.mark.parametrize(
    "body",
    [
        {"username": "alice", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
    ],
)
def test_token_refused_for_wrong_credentials(api_client, user, body):
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Wrong username or password."}


@pytest.mark.parametrize(
    "body", [{}, {"username": "alice"}, [], "garbage", {"username": ["x"], "password": 3}]
)
def test_token_malformed_body_is_400_json(api_client, user, body):
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_token_malformed_json_is_400(api_client):
    response = api_client.post(URL, data=b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_token_endpoint_is_rate_limited(api_client, user, settings):
    settings.LOGIN_RATE_LIMIT = 2
    for _ in range(2):
        api_client.post(URL, {"username": "alice", "password": "wrong"}, format="json")
    response = api_client.post(URL, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 429
