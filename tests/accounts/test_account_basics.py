"""What people expect of an account (issue 15): reset by email, sign-in by email, a checked
address, a time-zone picker that finds Kolkata, secrets that no cache keeps, a password change
that takes the API token with it."""

import re
import socket
import threading
from email import message_from_bytes

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from accounts.timezones import canonical_zone, resolve_zone, zone_label
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-fresh-long-passphrase-7"


def _link(mail, path_prefix: str) -> str:
    return re.search(rf"http://testserver({path_prefix}\S+)", mail.body)[1]


def _reset(client, link: str):
    page = client.get(link, follow=True)  # Django swaps the token into the session
    assert page.status_code == 200
    return client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )


# --- Password reset and the checked address ---------------------------------------------------


def test_signup_mails_a_link_that_verifies_the_address(client, mailoutbox):
    form = {
        "username": "nia",
        "email": "nia@example.com",
        "time_zone": "Asia/Kolkata",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    assert client.post(reverse("signup"), form).status_code == 302
    user = User.objects.get(username="nia")
    assert not user.email_verified
    assert mailoutbox[0].to == ["nia@example.com"]
    assert client.get(_link(mailoutbox[0], "/accounts/verify-email/")).status_code == 302
    user.refresh_from_db()
    assert user.email_verified


def test_a_verification_link_for_an_old_address_or_forged_verifies_nothing(client, mailoutbox):
    user = UserFactory(email="old@example.com")
    client.force_login(user)
    client.post(reverse("verify-email-send"))
    link = _link(mailoutbox[0], "/accounts/verify-email/")
    User.objects.filter(pk=user.pk).update(email="new@example.com")
    for path in (link, "/accounts/verify-email/forged/", "/accounts/verify-email/%00/"):
        assert client.get(path).status_code == 302
    user.refresh_from_db()
    assert not user.email_verified


def test_changing_the_email_unverifies_it_and_mails_the_new_one(mailoutbox):
    user = UserFactory(email="a@example.com", email_verified=True)
    client = Client()
    client.force_login(user)
    form = {
        "display_name": "A",
        "email": "b@example.com",
        "time_zone": "Europe/Berlin",
        "language": "english",
        "working_day_start": "09:00",
        "working_day_end": "17:00",
        "working_days": ["0", "1", "2", "3", "4"],
    }
    assert client.post(reverse("profile"), form).status_code == 302
    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("b@example.com", False)
    assert mailoutbox[-1].to == ["b@example.com"]


def test_an_email_another_account_uses_is_refused(client):
    UserFactory(email="taken@example.com")
    form = {
        "username": "second",
        "email": "TAKEN@example.com",
        "time_zone": "UTC",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post(reverse("signup"), form)
    assert "Another account uses this email address." in response.content.decode()
    assert not User.objects.filter(username="second").exists()


def test_password_reset_by_email_sets_a_new_password_and_revokes_the_tokens(client, mailoutbox):
    user = UserFactory(email="alice@example.com", email_verified=True)
    old_token = user.api_key
    response = client.post(reverse("password_reset"), {"email": "Alice@Example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.com"]
    done = _reset(client, _link(mailoutbox[0], "/accounts/password-reset/"))
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not user.api_tokens.exists()
    assert Client(HTTP_AUTHORIZATION=f"Token {old_token}").get("/api/events/").status_code == 401


def test_no_reset_mail_for_an_unverified_address(client, mailoutbox):
    UserFactory(email="unverified@example.com")
    response = client.post(reverse("password_reset"), {"email": "unverified@example.com"})
    assert response.status_code == 302  # the same answer as for any address
    assert mailoutbox == []


def test_the_reset_page_says_when_this_server_cannot_send_mail(client, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"}}
    assert "This server sends no email" in client.get(reverse("password_reset")).content.decode()


def test_a_reset_goes_through_a_real_smtp_server(client, settings):
    """Django's SMTP backend, as EMAIL_URL=smtp://... configures it, to a server on loopback."""
    controller_module = pytest.importorskip("aiosmtpd.controller")
    received, arrived = [], threading.Event()

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            arrived.set()
            return "250 OK"

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = controller_module.Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
        settings.DEFAULT_FROM_EMAIL = "DRAKO <noreply@drako.example.com>"
        UserFactory(email="smtp@example.com", email_verified=True)
        client.post(reverse("password_reset"), {"email": "smtp@example.com"})
        assert arrived.wait(10)
    finally:
        controller.stop()
    envelope = received[0]
    assert envelope.rcpt_tos == ["smtp@example.com"]
    assert envelope.mail_from == "noreply@drako.example.com"
    message = message_from_bytes(envelope.content)
    assert message["Subject"] == "Reset your DRAKO password"
    assert "/accounts/password-reset/" in message.get_payload(decode=True).decode()


def test_email_url_becomes_djangos_mailers():
    import environ

    from drako import settings as drako_settings

    env = {"EMAIL_URL": "smtp+tls://drako:pw@mail.example.com:587"}
    original = environ.Env.ENVIRON
    environ.Env.ENVIRON = {**original, **env}
    try:
        mailers = drako_settings._mailers()
    finally:
        environ.Env.ENVIRON = original
    assert mailers["default"]["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert mailers["default"]["OPTIONS"] == {
        "host": "mail.example.com",
        "port": 587,
        "username": "drako",
        "password": "pw",
        "use_tls": True,
        "timeout": 10,
    }


# --- The time-zone picker ----------------------------------------------------------------------


def test_zone_labels_say_offset_place_and_country():
    assert zone_label("Asia/Kolkata") == "(UTC+05:30) Kolkata — India"
    assert zone_label("UTC").startswith("(UTC+00:00) UTC")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),  # what Chromium reports
        ("asia/kolkata", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Etc/UTC", "UTC"),
        ("Kolkata", "Asia/Kolkata"),
        ("new  york", "America/New_York"),
        ("(UTC+05:30) Kolkata — India", "Asia/Kolkata"),
    ],
)
def test_the_picker_takes_names_aliases_cities_and_labels(typed, stored):
    assert resolve_zone(typed) == stored


def test_aliases_are_never_stored_and_unknown_names_are_refused():
    assert canonical_zone("Asia/Calcutta") == "Asia/Kolkata"
    for bad in ("Mars/Olympus_Mons", "", "Asia", "posix/Asia/Kolkata\x00"):
        assert resolve_zone(bad) is None


def test_signup_with_the_legacy_zone_a_browser_reports_stores_the_canonical_one(client):
    form = {
        "username": "calcutta",
        "time_zone": "Asia/Calcutta",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    assert client.post(reverse("signup"), form).status_code == 302
    assert User.objects.get(username="calcutta").time_zone == "Asia/Kolkata"


def test_the_picker_is_a_searchable_list_without_javascript(client):
    html = client.get(reverse("signup")).content.decode()
    assert 'list="id_time_zone-options"' in html
    assert '<datalist id="id_time_zone-options">' in html
    assert 'value="Asia/Kolkata" label="(UTC+05:30) Kolkata — India"' in html
    assert html.count("<option ") < 450  # places, not every alias tzdata knows


# --- Secrets on pages, and a password change ---------------------------------------------------


def test_the_profile_page_is_never_cached(user_client):
    response = user_client.get(reverse("profile"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_password_change_revokes_the_api_tokens_says_so_and_offers_a_new_feed(user_client, user):
    old_token, old_feed = user.api_key, user.calendar_token
    response = user_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    html = response.content.decode()
    assert "Your API tokens were revoked" in html
    assert reverse("calendar-regenerate") in html
    assert not user.api_tokens.exists()
    user.refresh_from_db()
    assert user.calendar_token == old_feed  # offered, not forced: subscriptions keep working
    api = Client(HTTP_AUTHORIZATION=f"Token {old_token}")
    assert api.get("/api/conversations/").status_code == 401
