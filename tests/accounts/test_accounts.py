import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "newcomer",
    "display_name": "Nia",
    "email": "nia@example.com",
    "time_zone": "Asia/Kolkata",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def test_signup_creates_user_with_zone_and_signs_in(client):
    response = client.post(reverse("signup"), SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("schedules:schedule")
    user = User.objects.get(username="newcomer")
    assert user.time_zone == "Asia/Kolkata"
    assert user.display_name == "Nia"
    assert not user.api_tokens.exists()  # made on request, when the key can be shown
    assert client.get(reverse("profile")).status_code == 200


def test_signup_rejects_unknown_time_zone_and_creates_nothing(client):
    response = client.post(reverse("signup"), {**SIGNUP, "time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 200
    assert "is not a time zone we know" in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_signup_page_offers_every_canonical_zone_and_the_browser_zone_script(client):
    html = client.get(reverse("signup")).content.decode()
    for zone in ("America/Los_Angeles", "Asia/Kolkata", "Europe/Berlin", "Australia/Lord_Howe"):
        assert f'value="{zone}"' in html
    assert 'value="US/Eastern"' not in html
    assert "js/timezone.js" in html


def _signup_as(client, i: int, **headers):
    form = {**SIGNUP, "username": f"u{i}", "email": f"u{i}@example.com"}
    response = client.post(reverse("signup"), form, **headers)
    client.post(reverse("logout"))
    return response


def test_signup_is_rate_limited_per_address(client, settings):
    settings.SIGNUP_RATE_LIMIT = 2
    for i in range(2):
        assert _signup_as(client, i).status_code == 302
    response = client.post(reverse("signup"), SIGNUP)
    assert response.status_code == 429
    assert "Too many sign-up attempts" in response.content.decode()
    assert not User.objects.filter(username="newcomer").exists()


def test_login_and_logout(client, user):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logout is POST only
    client.post(reverse("logout"))
    assert client.get(reverse("profile")).status_code == 302


def test_login_with_wrong_password_says_so(client, user):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_is_locked_after_repeated_failures_even_with_the_right_password(
    client, user, settings
):
    settings.LOGIN_RATE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "alice", "password": "nope"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_profile_updates_zone_language_and_hours(user_client, user):
    response = user_client.post(
        reverse("profile"),
        {
            "display_name": "Alice L.",
            "email": "a@example.com",
            "time_zone": "America/Los_Angeles",
            "language": "spanish",
            "working_day_start": "08:00",
            "working_day_end": "17:30",
            "working_days": ["0", "1", "2", "3", "4"],
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.time_zone, user.language, user.display_name) == (
        "America/Los_Angeles",
        "spanish",
        "Alice L.",
    )
    assert str(user.working_day_end) == "17:30:00"


@pytest.mark.parametrize("zone", ["Not/AZone", "", "utc; DROP TABLE", "America/New_York\x00"])
def test_profile_rejects_invalid_time_zone(user_client, user, zone):
    response = user_client.post(
        reverse("profile"),
        {
            "time_zone": zone,
            "language": "english",
            "working_day_start": "09:00",
            "working_day_end": "17:00",
        },
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"


def test_profile_rejects_working_day_ending_before_it_starts(user_client, user):
    response = user_client.post(
        reverse("profile"),
        {
            "time_zone": "UTC",
            "language": "english",
            "working_day_start": "17:00",
            "working_day_end": "09:00",
        },
    )
    assert "must end after it starts" in response.content.decode()
    user.refresh_from_db()
    assert user.time_zone == "Europe/Berlin"


def test_profile_names_tokens_by_prefix_never_by_key_and_shows_the_feed_link(user_client, user):
    html = user_client.get(reverse("profile")).content.decode()
    assert user.api_key not in html  # only a digest is stored: the page cannot show it
    assert f"<code>{user.api_key[:8]}…</code>" in html
    assert f"/calendar/{user.calendar_token}.ics" in html


def test_a_new_token_is_shown_once_and_works(user_client, user, api_client):
    assert user_client.get(reverse("token-create")).status_code == 405
    response = user_client.post(reverse("token-create"))
    assert "no-store" in response["Cache-Control"]
    [key] = re.findall(r'id="api-token"[^>]*value="([0-9a-f]{40})"', response.content.decode())
    assert key != user.api_key and user.api_tokens.count() == 2
    assert key not in user_client.get(reverse("profile")).content.decode()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.get("/api/conversations/").status_code == 200


def test_making_one_token_too_many_revokes_the_oldest(user_client, user, api_client):
    from accounts.services import MAX_API_TOKENS, user_token_create

    keys = [user_token_create(user=user) for _ in range(MAX_API_TOKENS)]
    assert user.api_tokens.count() == MAX_API_TOKENS
    for key, expected in ((user.api_key, 401), (keys[0], 200), (keys[-1], 200)):
        api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api_client.get("/api/conversations/").status_code == expected


def test_one_token_is_revoked_and_another_users_token_cannot_be(user_client, user, other_user):
    from accounts.services import user_token_create

    spare = user_token_create(user=user)
    mine, theirs = user.api_tokens.last(), other_user.api_tokens.get()
    user_client.post(reverse("token-revoke"), {"token_id": str(theirs.pk)})
    user_client.post(reverse("token-revoke"), {"token_id": str(mine.pk)})
    assert list(user.api_tokens.values_list("prefix", flat=True)) == [spare[:8]]
    assert other_user.api_tokens.filter(pk=theirs.pk).exists()
    for garbage in ("", "x", "³", "9" * 40, "-1"):
        response = user_client.post(reverse("token-revoke"), {"token_id": garbage}, follow=True)
        assert response.status_code == 200 and "No such API token" in response.content.decode()
    assert user.api_tokens.count() == 1


def test_calendar_link_regenerate_replaces_the_secret(user_client, user):
    old = user.calendar_token
    user_client.post(reverse("calendar-regenerate"))
    user.refresh_from_db()
    assert user.calendar_token != old


def test_password_change(user_client, user):
    response = user_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-phrase-9",
            "new_password2": "another-long-phrase-9",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-phrase-9")


def test_pages_need_sign_in(client):
    for name in ("profile", "password_change"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_user_zone_falls_back_to_utc_when_stored_zone_vanished(user):
    user.time_zone = "Atlantis/Capital"
    assert str(user.tz) == "UTC"


def test_forged_forwarded_for_does_not_escape_the_signup_limit(client, settings):
    settings.SIGNUP_RATE_LIMIT = 2
    for i in range(3):
        response = _signup_as(client, i, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert response.status_code == 429


def test_forwarded_for_is_believed_from_a_trusted_proxy(client, settings):
    settings.SIGNUP_RATE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for i in range(3):
        response = _signup_as(client, i, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert response.status_code == 302  # three different clients behind our proxy


def test_working_days_are_chosen_on_the_profile(client, user):
    client.force_login(user)
    page = client.get("/accounts/profile/")
    assert 'name="working_days"' in page.content.decode()
    data = {
        "display_name": user.display_name,
        "email": user.email,
        "time_zone": user.time_zone,
        "language": "english",
        "working_day_start": "08:00",
        "working_day_end": "16:00",
        "working_days": ["0", "2", "4"],
    }
    client.post("/accounts/profile/", data)
    user.refresh_from_db()
    assert user.working_days == "024" and user.weekdays_worked == {0, 2, 4}
    client.post("/accounts/profile/", {**data, "working_days": []})
    user.refresh_from_db()
    assert user.working_days == "024"  # at least one day stays
