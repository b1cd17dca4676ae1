"""The sign-in guard (accounts/guard.py): one count for every door, keyed on the account, with a
delay the owner's own browser and an emailed link get past. Issue 15's findings, one by one."""

import re
import threading

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import Client, RequestFactory

from accounts import guard
from accounts.devices import COOKIE
from drako import ratelimit
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/auth/token/"
FULL_WIDTH = "\uff41\uff4c\uff49\uff43\uff45"  # "alice" in full-width letters
MATHEMATICAL = "\U0001d41a\U0001d425\U0001d422\U0001d41c\U0001d41e"  # in bold maths letters


@pytest.fixture(autouse=True)
def _still_clock(monkeypatch):
    """The guard's clock stands still, so its waits read exactly (its cache entries still
    expire in real time, far later than any test runs)."""
    monkeypatch.setattr(guard, "_clock", lambda: 1_900_000_000.0)


@pytest.fixture
def owner(db):
    return UserFactory(username="alice", email="alice@example.com", email_verified=True)


def _account(user) -> str:
    return guard.account_key(user_pk=user.pk, identity="", device=None)


def _let_the_delay_pass(user) -> None:
    """What the gate's expiry does after its interval (tests do not sleep)."""
    ratelimit.release(scope="signin-gate", key=_account(user))


def _api(identity: str, password: str, address: str, **cookies):
    client = Client(REMOTE_ADDR=address)
    for name, value in cookies.items():
        client.cookies[name] = value
    return client.post(
        TOKEN_URL, {"username": identity, "password": password}, content_type="application/json"
    )


def _fail_from_many_addresses(identity: str, times: int) -> None:
    for i in range(times):
        assert _api(identity, "wrong", f"10.1.{i // 250}.{i % 250}").status_code == 400


def test_admin_sign_in_is_guarded_per_address(owner, settings):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    settings.LOGIN_RATE_LIMIT = 10
    admin = Client()
    for _ in range(10):
        admin.post("/admin/login/", {"username": "alice", "password": "wrong"})
    response = admin.post("/admin/login/?next=/admin/", {"username": "alice", "password": PASSWORD})
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in admin.session


def test_admin_sign_in_shares_the_account_delay_with_every_door(owner):
    owner.is_staff = owner.is_superuser = True
    owner.save()
    _fail_from_many_addresses("alice", guard.FREE_ATTEMPTS + 1)  # the last one closes the gate
    admin = Client(REMOTE_ADDR="10.9.9.9")
    response = admin.post("/admin/login/", {"username": "alice", "password": PASSWORD})
    assert "Try again in 15 seconds" in response.content.decode()
    assert "_auth_user_id" not in admin.session


@pytest.mark.parametrize(
    "look_alike",
    [FULL_WIDTH, MATHEMATICAL, " alice ", "alice@example.com", "ALICE@EXAMPLE.COM"],
    ids=["full-width", "mathematical", "spaces", "email", "email-upper"],
)
def test_look_alikes_and_the_email_share_the_accounts_count(owner, look_alike):
    _fail_from_many_addresses("alice", guard.FREE_ATTEMPTS + 1)
    response = _api(look_alike, PASSWORD, "10.8.0.1")
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) == guard.FIRST_DELAY_SECONDS


def test_sign_in_normalises_like_django_and_accepts_the_email(owner):
    for identity in (FULL_WIDTH, "alice@example.com", "Alice@Example.COM"):
        assert _api(identity, PASSWORD, "10.7.0.1").status_code == 200, identity
    page = Client()
    response = page.post(
        "/accounts/login/", {"username": "alice@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert page.session["_auth_user_id"] == str(owner.pk)


def test_delay_doubles_and_a_refused_attempt_does_not_lengthen_it(owner):
    _fail_from_many_addresses("alice", guard.FREE_ATTEMPTS)
    assert _api("alice", "wrong", "10.6.0.1").status_code == 400  # first past the free ones
    waits = []
    for step in range(4):
        for _ in range(3):  # hammering while the gate is closed changes nothing
            refused = _api("alice", PASSWORD, f"10.6.1.{step}")
            assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        _let_the_delay_pass(owner)
        assert _api("alice", "wrong", f"10.6.2.{step}").status_code == 400
    assert waits == [15, 30, 60, 120]
    assert guard.delay_after(100) == guard.MAX_DELAY_SECONDS


def test_a_stranger_cannot_keep_the_owner_out_of_their_own_browser(owner):
    browser = Client(REMOTE_ADDR="192.0.2.10")
    assert (
        browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD}).status_code
        == 302
    )
    device = browser.cookies[COOKIE].value
    browser.post("/accounts/logout/")
    _fail_from_many_addresses("alice", guard.FREE_ATTEMPTS + 1)
    assert _api("alice", PASSWORD, "10.5.0.1").status_code == 429  # a stranger waits
    # The owner's browser (its cookie), through every door:
    response = browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    browser.post("/accounts/logout/")
    assert _api("alice", PASSWORD, "192.0.2.10", **{COOKIE: device}).status_code == 200


def test_a_device_cookie_of_another_account_or_forged_is_no_key(owner):
    other = UserFactory(username="bob")
    browser = Client()
    browser.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    bobs_device = browser.cookies[COOKIE].value
    _fail_from_many_addresses("alice", guard.FREE_ATTEMPTS + 1)
    for cookie in (bobs_device, bobs_device[:-2] + "xx", "garbage\x00"):
        assert _api("alice", PASSWORD, "10.4.0.1", **{COOKIE: cookie}).status_code == 429
    assert other.pk != owner.pk


def test_the_owner_unlocks_their_browser_by_email(owner, mailoutbox):
    _fail_from_many_addresses("alice", guard.FREE_ATTEMPTS + 1)
    browser = Client(REMOTE_ADDR="192.0.2.20")
    page = browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert page.status_code == 429
    assert "Email me a sign-in link" in page.content.decode()
    browser.post("/accounts/login/unlock/", {"identity": "alice"})
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["alice@example.com"]
    link = re.search(r"http://testserver(/accounts/login/unlock/\S+/)", mailoutbox[0].body)[1]
    assert browser.get(link).status_code == 302
    response = browser.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(owner.pk)


def test_unlock_mail_goes_only_to_a_verified_address_and_says_the_same_either_way(
    owner, mailoutbox
):
    unverified = UserFactory(username="carol", email="carol@example.com")
    answers = set()
    for identity in ("carol", "nobody", "alice", "alice"):
        response = Client().post("/accounts/login/unlock/", {"identity": identity}, follow=True)
        answers.add(re.search(r'<p class="message[^>]*>(.*?)</p>', response.content.decode())[1])
    assert len(answers) == 1  # nobody learns which accounts exist or have an address
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]  # once per 15 minutes
    assert unverified.email_verified is False


def test_forged_or_expired_unlock_links_change_nothing(owner):
    browser = Client()
    for token in ("garbage", "a" * 300, "e30:1tX:abc"):
        response = browser.get(f"/accounts/login/unlock/{token}/")
        assert response.status_code == 302
        assert COOKIE not in browser.cookies


def test_password_change_and_account_deletion_check_through_the_guard(owner):
    client = Client(REMOTE_ADDR="10.3.0.1")
    client.force_login(owner)
    _fail_from_many_addresses("alice", guard.FREE_ATTEMPTS + 1)
    change = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "n3w-long-phrase!",
            "new_password2": "n3w-long-phrase!",
        },
    )
    assert "Try again in" in change.content.decode()
    delete = client.post("/accounts/delete/", {"password": PASSWORD})
    assert "Try again in" in delete.content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_a_successful_sign_in_gives_the_address_its_attempt_back(owner, settings):
    settings.LOGIN_RATE_LIMIT = 2
    for _ in range(6):
        assert _api("alice", PASSWORD, "10.2.0.1").status_code == 200
    assert _api("nobody", "x", "10.2.0.1").status_code == 400


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database has "
    "table locks, not concurrent writers; CI runs this on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_checks_no_more_passwords_than_the_limits_allow(settings):
    """40 guesses at once from one address: the count comes before the check, atomically."""
    UserFactory(username="target")
    settings.LOGIN_RATE_LIMIT = 10
    factory, results = RequestFactory(), []

    def guess():
        try:
            request = factory.post(TOKEN_URL, REMOTE_ADDR="10.0.0.1")
            results.append(authenticate(request, username="target", password="wrong"))
        except guard.SignInThrottled:
            results.append("refused")
        except Exception as error:  # reported by the assertion below
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    checked = [r for r in results if r != "refused"]
    assert len(results) == 40
    assert not [r for r in results if isinstance(r, Exception)], results
    # The account lets FREE_ATTEMPTS + 1 through (the last opens the first interval).
    assert len(checked) <= guard.FREE_ATTEMPTS + 1


def test_the_guard_counts_in_redis_when_cache_url_says_so(owner, settings):
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
    }
    from django.core.cache import cache

    cache.clear()
    try:
        _fail_from_many_addresses("alice", guard.FREE_ATTEMPTS + 1)
        assert _api("alice", PASSWORD, "10.0.9.1").status_code == 429
    finally:
        cache.clear()
