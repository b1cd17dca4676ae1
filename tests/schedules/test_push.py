"""Web Push: subscribing a browser, refusing endpoints DRAKO must not reach, and reminders pushed
to a push service on loopback that decrypts them with the browser's own keys."""

from datetime import UTC, datetime, timedelta

import pytest

from drako import netguard, webpush
from schedules import push, reminders, services
from schedules.models import Notice, PushSubscription
from tests.factories import UserFactory
from tests.push_receiver import Browser, PushService, b64url, vapid_keys

pytestmark = pytest.mark.django_db

URL = "/api/push/subscriptions/"
START = datetime(2030, 3, 12, 10, 0, tzinfo=UTC)
CONTEXT = services.ChangeContext()


@pytest.fixture
def vapid(settings):
    public, private = vapid_keys()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:admin@drako.example.com"
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    return public


@pytest.fixture
def service(settings, vapid):
    settings.PUSH_ALLOW_PRIVATE_HOSTS = True  # the stand-in push service is on loopback
    with PushService() as running:
        yield running


def _body(endpoint: str, browser: Browser | None = None) -> dict:
    browser = browser or Browser()
    return {"endpoint": endpoint, "keys": {"p256dh": browser.p256dh, "auth": b64url(browser.auth)}}


def test_a_browser_subscribes_and_unsubscribes(user_api, user, service):
    endpoint = service.url("/push/abc")
    created = user_api.post(URL, _body(endpoint), format="json")
    assert created.status_code == 201, created.content
    again = user_api.post(URL, _body(endpoint), format="json")  # the same browser: one row
    assert again.json()["id"] == created.json()["id"]
    assert [s["endpoint"] for s in user_api.get(URL).json()] == [endpoint]
    assert user_api.delete(f"{URL}{created.json()['id']}/").status_code == 204
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("endpoint", "why"),
    [
        ("http://push.example.com/abc", "https://"),
        ("https://127.0.0.1/abc", "private network"),
        ("https://localhost/abc", "private network"),
        ("https://10.1.2.3/abc", "private network"),
        ("https://[::1]/abc", "private network"),
        ("ftp://push.example.com/abc", "https://"),
        ("https://" + "a" * 1000 + ".example.com/", "1000 characters"),
    ],
)
def test_endpoints_drako_must_not_reach_are_refused(user_api, vapid, endpoint, why):
    response = user_api.post(URL, _body(endpoint), format="json")
    assert response.status_code == 400
    assert why in str(response.json())
    assert not PushSubscription.objects.exists()


def test_a_name_resolving_to_a_private_address_is_refused(user_api, vapid, monkeypatch):
    """By name resolution, never by connecting: push.example.test resolves to 10.0.0.7 here."""
    real = netguard.socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "push.example.test":
            return [(2, 1, 6, "", ("10.0.0.7", 443))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(netguard.socket, "getaddrinfo", resolve)
    response = user_api.post(URL, _body("https://push.example.test/abc"), format="json")
    assert response.status_code == 400 and "private network" in response.json()["detail"]


@pytest.mark.parametrize(
    "keys",
    [
        {"p256dh": "not-a-key", "auth": b64url(b"0" * 16)},
        {"p256dh": Browser().p256dh, "auth": "short"},
        {"p256dh": Browser().p256dh},
        "keys",
    ],
)
def test_bad_keys_are_refused(user_api, service, keys):
    body = {"endpoint": service.url("/push/abc"), "keys": keys}
    assert user_api.post(URL, body, format="json").status_code == 400
    assert not PushSubscription.objects.exists()


def test_without_vapid_keys_push_is_unavailable_and_the_profile_says_so(user_api, client, user):
    response = user_api.post(URL, _body("https://push.example.com/abc"), format="json")
    assert response.status_code == 400
    assert "not available" in response.json()["detail"]
    client.force_login(user)
    page = client.get("/accounts/profile/").content.decode()
    assert "Browser notifications are not available on this server" in page
    assert "js/push.js" not in page


def test_with_vapid_keys_the_profile_offers_notifications(client, user, vapid):
    client.force_login(user)
    page = client.get("/accounts/profile/").content.decode()
    assert "Turn on notifications in this browser" in page
    assert f'data-key="{vapid}"' in page and "js/push.js" in page
    assert "VAPID_PRIVATE_KEY" not in page and webpush.is_configured()


def test_the_service_worker_is_served_for_the_whole_site(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"showNotification" in response.content and b"notificationclick" in response.content
    assert "no-cache" in response["Cache-Control"]


def _subscribed(user, service, path="/push/abc") -> Browser:
    browser = Browser()
    push.push_subscription_save(user=user, endpoint=service.url(path), p256dh=browser.p256dh,
                                auth=b64url(browser.auth))  # fmt: skip
    return browser


def test_a_reminder_is_pushed_encrypted_for_the_browser(service, mailoutbox, vapid):
    user = UserFactory(reminder_channel="push", email_verified=True, time_zone="Europe/Berlin")
    browser = _subscribed(user, service)
    services.event_create(owner=user, title="Dentist", start=START, end=START + timedelta(hours=1),
                          context=CONTEXT)  # fmt: skip
    assert reminders.reminders_send_due(now=START - timedelta(minutes=10)) == 1
    (received,) = service.received
    assert received.path == "/push/abc"
    assert received.headers["content-encoding"] == "aes128gcm"
    assert received.headers["authorization"].startswith("vapid t=")
    assert f"k={vapid}" in received.headers["authorization"]
    message = browser.decrypt(received.body)
    assert message["title"] == "Reminder: Dentist at 11:00 AM"
    assert message["body"].startswith("Dentist starts today")
    assert message["url"] == "https://drako.example.com/conversations/start/"
    assert mailoutbox == []
    assert Notice.objects.get().channel == "push"


def test_a_gone_subscription_is_deleted_and_the_reminder_comes_by_email(service, mailoutbox):
    user = UserFactory(reminder_channel="push", email_verified=True)
    _subscribed(user, service)
    service.status = 410
    services.event_create(owner=user, title="Dentist", start=START, end=START + timedelta(hours=1),
                          context=CONTEXT)  # fmt: skip
    assert reminders.reminders_send_due(now=START - timedelta(minutes=10)) == 1
    assert len(service.received) == 1
    assert not PushSubscription.objects.exists()
    assert [mail.subject for mail in mailoutbox] == ["Reminder: Dentist at 11:00 AM"]
    assert Notice.objects.get().channel == "email"


def test_a_push_service_failing_keeps_the_subscription(service, mailoutbox):
    user = UserFactory(reminder_channel="push", email_verified=True)
    _subscribed(user, service)
    service.status = 500
    services.event_create(owner=user, title="Dentist", start=START, end=START + timedelta(hours=1),
                          context=CONTEXT)  # fmt: skip
    reminders.reminders_send_due(now=START - timedelta(minutes=10))
    assert PushSubscription.objects.count() == 1
    assert len(mailoutbox) == 1  # nobody got the push: it came by email


def test_a_stored_endpoint_now_private_is_not_reached(service, settings, mailoutbox):
    """Allowed once (the test setting), refused at send time once the setting is off."""
    user = UserFactory(reminder_channel="push", email_verified=True)
    _subscribed(user, service)
    settings.PUSH_ALLOW_PRIVATE_HOSTS = False
    services.event_create(owner=user, title="Dentist", start=START, end=START + timedelta(hours=1),
                          context=CONTEXT)  # fmt: skip
    reminders.reminders_send_due(now=START - timedelta(minutes=10))
    assert service.received == []
    assert not PushSubscription.objects.exists()
    assert len(mailoutbox) == 1
