"""The talk flow's pages, on a laptop and on phones: axe-core finds nothing serious or critical on
the schedule (with DRAKO ready, and refusing), the Connecting page, the live call (before
joining, and in the call with cards, a warning and a blocked microphone) and the record; on a
phone nothing scrolls sideways, everything a finger presses is at least 44 px, the way to DRAKO is
at the top of the schedule and the site's navigation fits on one row.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conversations import services
from conversations.models import Conversation
from tests.browser.axe import Axe
from tests.browser.conftest import DESKTOP, PHONE, PHONE_390, TIME_ZONE, tool_call
from tests.browser.scenes import WEEK, busy_week
from tests.browser.test_accessibility import SMALL_TARGETS
from tests.factories import UserFactory
from tests.fake_tavus import CONCURRENCY_MESSAGE

SCHEDULE = reverse("schedules:schedule")
SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])


def _label(size: dict) -> str:
    return f"{size['width']} x {size['height']}"


class Checks:
    """axe-core on each page as it is shown, and on phones the 360 px rules; all problems
    collected, so one run lists every page's."""

    def __init__(self, web, axe: Axe, size: dict):
        self.web, self.axe, self.size = web, axe, size
        self.problems: list[str] = []

    def __call__(self, where: str) -> None:
        result = self.axe.run(self.web.page, f"{where} ({_label(self.size)})")
        self.problems += [f"{result.where}: {v}" for v in result.blocking]
        if self.size != DESKTOP:
            page = self.web.page
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > self.size["width"]:
                self.problems.append(f"{where}: the page is {width} px wide")
            self.problems += [f"{where}: {small}" for small in page.evaluate(SMALL_TARGETS)]


@SIZES
def test_the_talk_flow_passes_axe_core_and_the_phone_rules(web, axe, tavus, persona, size):
    user = UserFactory(time_zone=TIME_ZONE, display_name="Berta")
    busy_week(user)
    check = Checks(web, axe, size)
    web.sign_in(user)
    web.resize(size)

    web.goto(f"{SCHEDULE}?view=week&date={WEEK}")
    check("schedule, DRAKO ready")
    tavus.fail_next(400, {"message": CONCURRENCY_MESSAGE}, path_prefix="/conversations")
    web.page.get_by_role("button", name="Talk to DRAKO").click()
    expect(web.page.locator(".talk-error")).to_be_visible()
    web.errors.clear()  # Chromium logs the 429: that refusal is the point
    check("schedule, a start refused")

    failed = Conversation.objects.get(user=user)
    web.goto(reverse("conversations:detail", args=[failed.pk]))
    check("record of a call that didn't start")

    starting = Conversation.objects.create(user=user, persona=persona)
    web.goto(reverse("conversations:detail", args=[starting.pk]))
    expect(web.page.get_by_role("heading", name="Connecting to DRAKO…")).to_be_visible()
    check("connecting")
    starting.delete()

    web.context.clear_permissions()
    web.goto(SCHEDULE)
    web.page.get_by_role("button", name="Talk to DRAKO").click()
    step = web.page.get_by_role("group", name="Before you start")
    step.get_by_role("button", name="Allow microphone and join").click()
    expect(step.get_by_role("alert")).to_be_visible()
    check("live call, before joining, the microphone blocked")

    web.context.grant_permissions(["microphone", "camera"])
    step.get_by_role("button", name="Try again").click()
    expect(web.page.locator("#call-frame")).to_have_attribute("data-state", "joined")
    conversation = Conversation.objects.get(user=user, status="active")
    for title in ("Haircut", "Gym"):
        arguments = {"title": title, "start_time": "tomorrow at 3pm"}
        web.emit(tool_call(conversation, "add_schedule_event", arguments))
        expect(
            web.page.locator(".proposal").filter(has_text=title).locator(".say-yes")
        ).to_be_visible()
    gym = web.page.locator(".proposal").filter(has_text="Gym")
    gym.get_by_role("button", name="Confirm").click()
    expect(gym.locator(".state-badge")).to_have_text("Done")
    web.page.evaluate(
        "() => window.__cameraError({type: 'permissions', blockedBy: 'browser', "
        "blockedMedia: ['audio']}, false, true)"
    )
    expect(web.page.locator("#device-note")).to_be_visible()
    web.page.evaluate(
        "() => { const w = document.getElementById('time-warning');"
        " w.textContent = 'DRAKO will hang up in 30 seconds.'; w.hidden = false;"
        " document.getElementById('call-bar').classList.add('is-ending'); }"
    )
    check("live call with cards, a warning and a blocked microphone")

    web.page.get_by_role("button", name="End conversation").click()
    expect(web.page.get_by_role("heading", name="Conversation with DRAKO")).to_be_visible()
    check("record")
    assert check.problems == [], "\n".join(check.problems)


@pytest.mark.parametrize("size", [PHONE, PHONE_390], ids=["phone-360", "phone-390"])
def test_on_a_phone_drako_is_one_tap_away_at_the_top_and_the_nav_fits_one_row(
    web, tavus, persona, size
):
    user = UserFactory(time_zone=TIME_ZONE)
    busy_week(user)
    web.sign_in(user)
    web.resize(size)
    web.goto(f"{SCHEDULE}?view=week&date={WEEK}")

    talk = web.page.get_by_role("button", name="Talk to DRAKO")
    expect(talk).to_be_in_viewport(ratio=1)
    toolbar = web.page.locator(".schedule-toolbar")
    assert talk.bounding_box()["y"] < toolbar.bounding_box()["y"]
    tops = web.page.locator(".site-nav > a, .site-nav .link-button").evaluate_all(
        "items => items.map(el => Math.round(el.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, f"the navigation wraps: {tops}"
    brand = web.page.locator(".brand").bounding_box()
    assert abs(brand["y"] - tops[0]) < 12  # one row with the brand too
    if size == PHONE:
        web.screenshot("phone-talk-start", full_page=False)

    # A call under way: the same place gets back to it.
    live = services.conversation_start(user=user, persona=persona).conversation
    web.page.reload()
    back = web.page.get_by_role("link", name="Return to the conversation")
    expect(back).to_be_in_viewport(ratio=1)
    assert back.get_attribute("href") == reverse("conversations:detail", args=[live.pk])
