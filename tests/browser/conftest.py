"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

Daily's script is replaced by `daily_stand_in.js`, served at the exact pinned `DAILY_JS_URL`, so
the page's CSP stays on and still has to allow it. Every other request that would leave the live
server is aborted and reported: a test fails if its page tried to reach anything else.

Where Chromium (or, for the accessibility checks, axe-core: `npm ci`) is missing these tests skip
and say why; with DRAKO_REQUIRE_BROWSER=1 (CI) they fail instead. DRAKO_CHROMIUM points at another
Chromium binary (default /usr/bin/chromium).
With DRAKO_SCREENSHOTS=1 some tests also save the README's screenshots in docs/screenshots/.
"""

import base64
import hashlib
import itertools
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from conversations.models import Conversation
from tests.browser.axe import AXE_JS, Axe
from tests.conversations.conftest import recorded  # noqa: F401  (helper)

CHROMIUM = os.environ.get("DRAKO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    # A fake microphone and camera: getUserMedia works where the context grants them (as a
    # returning user's browser would), and is refused (NotAllowedError) where it doesn't.
    "--use-fake-device-for-media-stream",
]
VIEWPORT = {"width": 1280, "height": 860}
# The two sizes every main page is checked at: a laptop, and a small phone.
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 360, "height": 740}
PHONE_390 = {"width": 390, "height": 844}  # the phone the issue walked the call through on
TIME_ZONE = "Europe/Berlin"
HERE = Path(__file__).resolve().parent
STAND_IN = (HERE / "daily_stand_in.js").read_text()
# The live page pins daily-js with Subresource Integrity: the stand-in gets its own hash.
STAND_IN_INTEGRITY = (
    "sha384-" + base64.b64encode(hashlib.sha384(STAND_IN.encode()).digest()).decode()
)
SCREENSHOTS = HERE.parents[1] / "docs" / "screenshots"
ARTIFACTS = HERE / "artifacts"
_seq = itertools.count(17)


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (and only those)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    if os.environ.get("DRAKO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (DRAKO_REQUIRE_BROWSER=1, so this fails instead of skipping)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def _plain_http_at_start():
    """Production's HTTPS redirect off while the live server builds its handler.

    SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the live server starts: the per-test
    `settings` change in tests/conftest.py comes too late. It is turned back on right after.
    """
    override = override_settings(SECURE_SSL_REDIRECT=False)
    override.enable()
    active = [override]
    yield active
    while active:
        active.pop().disable()


@pytest.fixture(scope="session")
def live_server(_plain_http_at_start, live_server):
    """pytest-django's live server, serving plain HTTP (see _plain_http_at_start)."""
    while _plain_http_at_start:
        _plain_http_at_start.pop().disable()
    return live_server


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file():
        _unavailable(
            f"Chromium is not installed ({CHROMIUM} is missing): "
            "apt-get install chromium to run the browser tests"
        )
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    # An expectation waits up to 15 s, not Playwright's 5: a CI machine under load has been
    # slower than 5 s to show what a page shows in well under one here. A passing test waits
    # only as long as the page takes; only a failure takes longer to report.
    expect.set_options(timeout=15_000)
    # Playwright's sync API runs an event loop; Django's ORM would refuse to run beside it.
    # Only for this module: the variable must not leak into other tests (or their subprocesses).
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture(scope="session")
def axe():
    """axe-core, injected into pages by `axe.check(page, where)` (see tests/browser/axe.py).

    At the end of the session the results of every check are written to
    tests/browser/artifacts/axe.md, one row per page and size.
    """
    found = Axe.installed()
    if found is None:
        _unavailable(f"axe-core is not installed ({AXE_JS} is missing): run `npm ci`")
    yield found
    if found.results:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "axe.md").write_text(found.table())


class _Traffic:
    """Counts the requests the live server is handling, so a test ends only once it is idle.

    A page's leave beacon is invisible to Playwright, and a request still running while the
    next test flushes the (shared, in-memory) database would make that test flaky.
    """

    def __init__(self):
        self._idle = threading.Condition()
        self.active = 0

    def started(self, **kwargs):
        with self._idle:
            self.active += 1

    def finished(self, **kwargs):
        with self._idle:
            self.active -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float = 10) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self.active <= 0, timeout=timeout)


@dataclass
class Web:
    """One test's browser context and page, with the hooks into the Daily stand-in."""

    context: object
    page: object
    base_url: str
    aborted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    closing: bool = False

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str):
        return self.page.goto(self.url(path))

    def sign_in(self, user) -> None:
        """Signs in by handing the browser a session cookie, as force_login makes it."""
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": self.base_url}]
        )

    def sign_in_with_form(self, username: str, password: str) -> None:
        """Signs in through the real login form."""
        self.goto(reverse("login"))
        self.page.locator("input[name=username]").fill(username)
        self.page.locator("input[name=password]").fill(password)
        self.page.locator("main form").get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(self.url(reverse("schedules:schedule")))

    def talk(self, user) -> Conversation:
        """From /schedule/, presses "Talk to DRAKO" and waits until the stand-in joined the call."""
        from playwright.sync_api import expect

        self.goto(reverse("schedules:schedule"))
        self.page.get_by_role("button", name="Talk to DRAKO").click()
        self.page.wait_for_url("**/conversations/*/")
        expect(self.page.locator("#call-frame")).to_have_attribute("data-state", "joined")
        conversation = Conversation.objects.get(user=user, status__in=["starting", "active"])
        # The CSP stays on: the stand-in ran because the policy allows Daily's pinned script.
        csp = self.context.request.get(self.page.url).headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert settings.DAILY_JS_URL.rsplit("/dist/", 1)[0] + "/" in csp
        assert self.page.url == self.url(reverse("conversations:detail", args=[conversation.pk]))
        return conversation

    def emit(self, message: dict, *, sender: str | None = None) -> None:
        """Delivers a Tavus app-message to the page, as Daily's `app-message` event would.

        It comes from the replica's participant unless `sender` names another session id.
        """
        if sender is None:
            self.page.evaluate("m => window.__emit('app-message', m)", message)
        else:
            self.page.evaluate("([m, s]) => window.__emit('app-message', m, s)", [message, sender])

    def wait_sent(self, count: int) -> list[dict]:
        """The messages the page sent into the call, once there are at least `count`."""
        self.page.wait_for_function("n => window.__sent.length >= n", arg=count)
        return self.page.evaluate("window.__sent")

    def resize(self, size: dict) -> None:
        self.page.set_viewport_size(size)

    def screenshot(self, name: str, *, full_page: bool = False) -> None:
        if os.environ.get("DRAKO_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=full_page)


@pytest.fixture
def web(request, browser, live_server, transactional_db, settings):
    """The browser in TIME_ZONE, or in another zone: parametrize("web", [zone], indirect=True)."""
    settings.DRAKO_PUBLIC_URL = "https://drako.example.com"
    settings.DAILY_JS_INTEGRITY = STAND_IN_INTEGRITY
    base_url = live_server.url
    context = browser.new_context(
        viewport=VIEWPORT,
        locale="en-US",
        timezone_id=getattr(request, "param", TIME_ZONE),
        service_workers="block",
        # Someone who has talked to DRAKO before: the browser remembers the microphone and
        # camera were allowed. Tests of the step before joining clear these.
        permissions=["microphone", "camera"],
    )
    web = Web(context=context, page=None, base_url=base_url)

    def leaving(route):
        if not web.closing:
            web.aborted.append(route.request.url)
        route.abort("blockedbyclient")

    def daily(route):
        route.fulfill(
            status=200,
            content_type="application/javascript; charset=utf-8",
            headers={"Access-Control-Allow-Origin": "*"},
            body=STAND_IN,
        )

    # The later route wins: the pinned Daily URL gets the stand-in, nothing else leaves.
    context.route(lambda url: not url.startswith(base_url + "/"), leaving)
    context.route(lambda url: url == settings.DAILY_JS_URL, daily)
    web.page = context.new_page()
    web.page.on("pageerror", lambda error: web.errors.append(f"page error: {error}"))
    web.page.on(
        "console",
        lambda msg: web.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    traffic = _Traffic()
    request_started.connect(traffic.started)
    request_finished.connect(traffic.finished)
    try:
        yield web
        # Closing a live page would send its leave beacon (ending the call): not this test's
        # business, and it would still be running while the next test resets the database.
        web.closing = True
        for page in context.pages:
            page.evaluate("navigator.sendBeacon = () => true")
        context.close()
        assert traffic.wait_idle(), "the live server was still busy after the test"
    finally:
        request_started.disconnect(traffic.started)
        request_finished.disconnect(traffic.finished)
    assert web.aborted == [], f"the page tried to leave the live server: {web.aborted}"
    assert web.errors == [], f"the page logged errors: {web.errors}"


@pytest.fixture
def tavus(fake_tavus):
    return fake_tavus


def tool_call(conversation, name: str, arguments: dict, tool_call_id: str | None = None) -> dict:
    """A `conversation.tool_call` app-message exactly as Tavus sends it (docs/tavus.md §1.4)."""
    properties = {"name": name, "arguments": json.dumps(arguments)}
    if tool_call_id:
        properties["tool_call_id"] = tool_call_id
    return {
        "message_type": "conversation",
        "event_type": "conversation.tool_call",
        "conversation_id": conversation.tavus_conversation_id,
        "inference_id": str(uuid.uuid4()),
        "seq": next(_seq),
        "turn_idx": 4,
        "timestamp": time.time(),
        "properties": properties,
    }


def utterance(conversation, role: str, speech: str) -> dict:
    return {
        "message_type": "conversation",
        "event_type": "conversation.utterance",
        "conversation_id": conversation.tavus_conversation_id,
        "inference_id": str(uuid.uuid4()),
        "seq": next(_seq),
        "turn_idx": 3,
        "timestamp": time.time(),
        "properties": {"role": role, "speech": speech},
    }


def streaming(
    conversation, role: str, speech: str, *, seq: int, inference_id: str, final: bool = False
) -> dict:
    """A `conversation.utterance.streaming` caption: `speech` is the text so far (§6)."""
    return {
        "message_type": "conversation",
        "event_type": "conversation.utterance.streaming",
        "conversation_id": conversation.tavus_conversation_id,
        "inference_id": inference_id,
        "seq": seq,
        "turn_idx": 3,
        "timestamp": time.time(),
        "properties": {"role": role, "speech": speech, "final": final},
    }


def speaking(conversation, event_type: str, *, seq: int, role: str | None = None) -> dict:
    """A Tavus speaking event (docs/tavus.md §6): the unified `conversation.started_speaking` /
    `stopped_speaking` with `properties.role`, or a legacy per-role one
    (`conversation.replica.started_speaking`, `conversation.user.stopped_speaking`, ...)."""
    properties = {"role": role} if role else {}
    if event_type.endswith("stopped_speaking"):
        properties |= {"interrupted": False, "duration": 1.4 if role != "user" else None}
    return {
        "message_type": "conversation",
        "event_type": event_type,
        "conversation_id": conversation.tavus_conversation_id,
        "inference_id": str(uuid.uuid4()),
        "seq": seq,
        "turn_idx": 5,
        "timestamp": time.time(),
        "properties": properties,
    }


def of_type(sent: list[dict], event_type: str) -> list[dict]:
    return [m for m in sent if m.get("event_type") == event_type]


def context_result(message: dict) -> dict:
    """The tool result JSON inside an `append_llm_context` message ("Result of x: {...}")."""
    text = message["properties"]["context"]
    return json.loads(text[text.index("{") :])
