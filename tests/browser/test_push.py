"""Web Push in a real browser: the service worker covers every page and shows what is pushed to
it, and the profile says in words what happened when a browser can't subscribe.

The push itself is delivered by Chromium's DevTools (ServiceWorker.deliverPushMessage), as the
browser's push service would hand it over; the encrypted path to a push service is tested
server-side (tests/schedules/test_push.py)."""

import json
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from schedules.models import PushSubscription
from tests.browser.conftest import VIEWPORT, Web
from tests.factories import UserFactory
from tests.push_receiver import vapid_keys


@pytest.fixture
def push_web(browser, live_server, transactional_db, settings):
    """A browser context that lets service workers run and may show notifications."""
    public, private = vapid_keys()
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = public, private
    settings.VAPID_SUBJECT = "mailto:admin@drako.example.com"
    base_url = live_server.url
    context = browser.new_context(
        viewport=VIEWPORT, locale="en-US", service_workers="allow", permissions=["notifications"]
    )
    web = Web(context=context, page=None, base_url=base_url)
    context.route(
        lambda url: not url.startswith(base_url + "/"),
        lambda route: (web.aborted.append(route.request.url), route.abort())[-1],
    )
    web.page = context.new_page()
    web.page.on("pageerror", lambda error: web.errors.append(f"page error: {error}"))
    yield web
    context.close()
    assert web.aborted == [], f"the page tried to leave the live server: {web.aborted}"
    assert web.errors == [], f"the page logged errors: {web.errors}"


def _registration_id(cdp, scope: str) -> str:
    found = {}
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: found.update(
            {r["scopeURL"]: r["registrationId"] for r in event["registrations"]}
        ),
    )
    cdp.send("ServiceWorker.enable")
    for _ in range(100):  # DevTools reports the registrations a moment after enable: poll
        if scope in found:
            return found[scope]
        cdp.send("Runtime.evaluate", {"expression": "1"})  # a round trip delivers pending events
    raise AssertionError(f"no service worker registration for {scope}: {found}")


# Resolves once the page's service worker is activated.
_WORKER_ACTIVATED = """async () => {
    const worker = (await navigator.serviceWorker.ready).active;
    while (worker.state !== "activated") {
        await new Promise((resolve) => worker.addEventListener("statechange", resolve));
    }
    return worker.state;
}"""

# The notifications shown, as soon as there is one or once `ms` have passed.
_SHOWN_WITHIN = """async (ms) => {
    const registration = await navigator.serviceWorker.ready;
    const deadline = Date.now() + ms;
    for (;;) {
        const shown = await registration.getNotifications();
        if (shown.length || Date.now() > deadline) {
            return shown.map((n) => [n.title, n.body, n.tag, n.data.url]);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}"""


def test_the_service_worker_covers_every_page_and_shows_a_pushed_reminder(push_web):
    push_web.sign_in(UserFactory())
    push_web.goto(reverse("profile"))
    page = push_web.page
    expect(page.locator(".push-status")).to_have_text(
        "This browser gets no notifications from DRAKO."
    )
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == push_web.url("/")  # served at /sw.js, so it covers /schedule/ and the rest

    # The worker must be active (not still activating) before a push can be handed to it.
    assert page.evaluate(_WORKER_ACTIVATED) == "activated"

    cdp = push_web.context.new_cdp_session(page)
    worker_errors = []
    cdp.on("ServiceWorker.workerErrorReported", lambda event: worker_errors.append(event))
    registration_id = _registration_id(cdp, scope)
    message = {
        "title": "Dentist in 10 minutes",
        "body": "Tue 3 Mar, 15:00",
        "url": push_web.url("/conversations/start/?greet=today"),
        "tag": "reminder-7",
    }
    # DevTools hands the push over and answers at once, whether or not it reached the worker
    # (Chromium drops its delivery callback), and a loaded CI machine has lost one. So a push not
    # shown within its deadline is delivered again, as a push service redelivers; the tag keeps
    # a redelivered reminder to one notification, which the assertion below checks.
    for _ in range(3):
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": push_web.base_url,
                "registrationId": registration_id,
                "data": json.dumps(message),
            },
        )
        shown = page.evaluate(_SHOWN_WITHIN, 10_000)
        if shown:
            break
    assert worker_errors == []
    assert shown == [[message["title"], message["body"], message["tag"], message["url"]]]


def test_turning_notifications_on_says_what_happened_in_words(push_web):
    push_web.sign_in(UserFactory())
    push_web.goto(reverse("profile"))
    page = push_web.page
    page.get_by_role("button", name="Turn on notifications in this browser").click()
    # Headless Chromium has no push service, so its subscribe() is refused, as a browser
    # without Google's services or in a private window refuses it: said in words, nothing kept.
    expect(page.locator(".push-status")).to_have_text(
        re.compile(
            r"^This browser couldn't sign up for notifications \(.+\)\. "
            r"Reminders keep coming by email\.$"
        )
    )
    assert not PushSubscription.objects.exists()
