"""The call as a person sees it (issue 14): starting, the step before joining, the state bar,
microphone and camera, the call's clock, and the change cards — on a laptop and on phones.

Time is Playwright's clock, installed in the page: nothing here sleeps or measures durations.
With DRAKO_SCREENSHOTS=1 it saves the README's talk-flow screenshots in docs/screenshots/.
"""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conversations.models import Conversation, Proposal
from schedules.models import Event
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    PHONE_390,
    TIME_ZONE,
    of_type,
    speaking,
    streaming,
    tool_call,
    utterance,
)
from tests.factories import EventFactory, UserFactory
from tests.fake_tavus import CONCURRENCY_MESSAGE

BERLIN = ZoneInfo(TIME_ZONE)
SCHEDULE = reverse("schedules:schedule")
SIZES = pytest.mark.parametrize(
    "size", [DESKTOP, PHONE, PHONE_390], ids=["desktop", "phone-360", "phone-390"]
)
TWO_SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
CREATE = "/v2/conversations"


def _creates(tavus) -> int:
    return sum(1 for r in tavus.requests if r.method == "POST" and r.path == CREATE)


def _tomorrow():
    return timezone.now().astimezone(BERLIN).date() + timedelta(days=1)


def _at(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def _card_day(day) -> str:
    """A day as a card writes it: 'Tue Dec 1' (with the year when it isn't this one)."""
    year = "" if day.year == timezone.now().astimezone(BERLIN).year else f", {day.year}"
    return f"{day:%a %b} {day.day}{year}"


def _freeze(page) -> None:
    """From now on the page's clock moves only when the test moves it (clock.run_for)."""
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # seconds, in Python


def _seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + int(seconds)


def _propose(web, conversation, title: str, start: str, **more):
    """The replica asks to add an event; returns its card once DRAKO has rendered it (one tool
    call at a time, as the LLM makes them: it waits for each answer)."""
    arguments = {"title": title, "start_time": start, **more}
    web.emit(tool_call(conversation, "add_schedule_event", arguments))
    card = web.page.locator("#proposals .proposal").filter(has_text=title)
    expect(card.locator(".say-yes")).to_be_visible()
    return card


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= size["width"]
        and box["y"] + box["height"] <= size["height"]
    )


# ---- Starting ----------------------------------------------------------------------------------


@SIZES
def test_a_slow_start_is_busy_at_once_and_starts_one_call(web, tavus, persona, settings, size):
    settings.TAVUS_READ_TIMEOUT = 30  # Tavus takes its time; DRAKO waits as in production
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    web.resize(size)
    web.goto(SCHEDULE)
    starts = []
    web.page.on(
        "request",
        lambda r: starts.append(r.url) if r.method == "POST" and "conversations" in r.url else None,
    )
    tavus.hang(path_prefix="/conversations")
    try:
        web.page.get_by_role("button", name="Talk to DRAKO").click()
        busy = web.page.get_by_role("button", name="Calling DRAKO…")
        expect(busy).to_have_attribute("aria-disabled", "true")
        panel = web.page.locator(".talk-panel")
        expect(panel.get_by_role("status")).to_have_text(
            "Calling DRAKO… this can take a few seconds."
        )
        if size == DESKTOP:
            web.screenshot("talk-starting")
        busy.click(force=True)  # pressed again while Tavus answers
        web.page.keyboard.press("Enter")  # and again, from the keyboard
        tavus.wait_for_requests(1)
        conversation = Conversation.objects.get(user=user)
        assert conversation.status == "starting"

        # Meanwhile, the same call from another tab: a page that moves on by itself.
        other = web.context.new_page()
        other.clock.install()
        other.goto(web.url(reverse("conversations:detail", args=[conversation.pk])))
        expect(other.get_by_role("heading", name="Connecting to DRAKO…")).to_be_visible()
        expect(other.locator("#call-frame")).to_have_count(0)
    finally:
        tavus.release()

    web.page.wait_for_url(web.url(reverse("conversations:detail", args=[conversation.pk])))
    expect(web.page.locator("#call-frame")).to_have_attribute("data-state", "joined")
    other.clock.run_for(2000)
    expect(other.locator("#call-frame")).to_have_attribute("data-state", "joined")
    assert starts == [web.url(reverse("api:conversation-list"))]
    assert _creates(tavus) == 1
    assert Conversation.objects.filter(user=user).count() == 1


@pytest.mark.parametrize(
    ("status", "body", "answered", "words"),
    [
        (
            400,
            {"message": CONCURRENCY_MESSAGE},
            429,
            "All of DRAKO's video lines are busy right now.",
        ),
        (
            504,
            b"<html>Gateway Time-out</html>",
            502,
            "DRAKO's video service isn't answering right now.",
        ),
    ],
    ids=["lines-busy", "tavus-504"],
)
@TWO_SIZES
def test_a_refused_start_says_why_in_the_panel_and_tries_again(
    web, tavus, persona, size, status, body, answered, words
):
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    web.resize(size)
    web.goto(SCHEDULE)
    tavus.fail_next(status, body, path_prefix="/conversations", method="POST")
    web.page.get_by_role("button", name="Talk to DRAKO").click()

    panel = web.page.locator(".talk-panel")
    expect(panel.get_by_role("alert")).to_contain_text(words)
    expect(panel).not_to_contain_text("HTTP")
    if size == PHONE and status == 400:
        web.screenshot("phone-talk-refused")
    failed = Conversation.objects.get(user=user)
    assert failed.status == "failed" and words in failed.failure_reason
    assert "HTTP" not in failed.failure_reason  # a reload reads the same words
    assert web.page.url == web.url(SCHEDULE)
    # Chromium logs the refusal's status on the console: here it is the point.
    logged = f"the server responded with a status of {answered}"
    assert sum(logged in e for e in web.errors) == 1
    web.errors[:] = [e for e in web.errors if logged not in e]

    panel.get_by_role("button", name="Try again").click()
    web.page.wait_for_url("**/conversations/*/")
    expect(web.page.locator("#call-frame")).to_have_attribute("data-state", "joined")

    web.goto(reverse("conversations:detail", args=[failed.pk]))
    expect(web.page.locator(".record-failed")).to_contain_text(words)
    expect(web.page.locator("main")).not_to_contain_text("HTTP")


def test_the_connecting_page_moves_on_to_the_reason_a_start_failed(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    starting = Conversation.objects.create(user=user, persona=persona)
    web.sign_in(user)
    web.page.clock.install()
    web.goto(reverse("conversations:detail", args=[starting.pk]))
    expect(web.page.get_by_role("heading", name="Connecting to DRAKO…")).to_be_visible()
    web.page.clock.run_for(2000)
    expect(web.page.get_by_role("heading", name="Connecting to DRAKO…")).to_be_visible()

    Conversation.objects.filter(pk=starting.pk).update(
        status="failed", failure_reason="The call never finished starting."
    )
    web.page.clock.run_for(2000)
    failed = web.page.locator(".record-failed")
    expect(failed).to_contain_text("The call never finished starting.")
    expect(failed.get_by_role("button", name="Try again")).to_be_visible()


# ---- Before joining -----------------------------------------------------------------------------


@TWO_SIZES
def test_the_step_before_joining_asks_for_the_microphone_and_helps_when_it_is_blocked(
    web, tavus, persona, size
):
    user = UserFactory(time_zone=TIME_ZONE)
    web.context.clear_permissions()  # a first call: the browser hasn't been asked yet
    web.sign_in(user)
    web.resize(size)
    web.goto(SCHEDULE)
    web.page.get_by_role("button", name="Talk to DRAKO").click()
    step = web.page.get_by_role("group", name="Before you start")
    expect(step).to_be_visible()
    expect(step).to_contain_text("DRAKO listens through your microphone")
    assert web.page.evaluate("window.__joined") is None
    if size == PHONE:
        web.screenshot("phone-before-joining")

    step.get_by_role("button", name="Allow microphone and join").click()  # the browser says no
    expect(step.get_by_role("alert")).to_contain_text("Your browser blocked the microphone.")
    assert web.page.evaluate("window.__joined") is None

    web.context.grant_permissions(["microphone", "camera"])  # allowed from the address bar
    step.get_by_role("button", name="Try again").click()
    expect(web.page.locator("#call-frame")).to_have_attribute("data-state", "joined")
    conversation = Conversation.objects.get(user=user)
    assert web.page.evaluate("window.__joined") == {
        "url": conversation.conversation_url,
        "token": conversation.meeting_token,
    }
    expect(step).to_be_hidden()


def test_someone_without_a_microphone_joins_and_types(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    web.context.clear_permissions()
    web.sign_in(user)
    web.goto(SCHEDULE)
    web.page.get_by_role("button", name="Talk to DRAKO").click()
    web.page.get_by_role("button", name="Join and type instead").click()

    expect(web.page.locator("#call-frame")).to_have_attribute("data-state", "joined")
    joined = web.page.evaluate("window.__joined")
    assert joined["startAudioOff"] is True and joined["startVideoOff"] is True
    expect(web.page.get_by_role("button", name="Unmute")).to_be_visible()
    expect(web.page.locator("#device-note")).to_have_text(
        "Your microphone is off: DRAKO can't hear you until you unmute."
    )
    web.page.get_by_placeholder("Type instead of speaking…").fill("What's on tomorrow?")
    web.page.get_by_role("button", name="Send").click()
    assert web.wait_sent(1)[0]["event_type"] == "conversation.respond"


# ---- In the call --------------------------------------------------------------------------------


@TWO_SIZES
def test_the_state_bar_follows_daily_and_tavus_events(web, tavus, persona, size):
    user = UserFactory(time_zone=TIME_ZONE)
    web.context.add_init_script("window.__standIn = {replicaWaits: true}")
    web.page.clock.install()
    web.sign_in(user)
    web.resize(size)
    web.goto(SCHEDULE)
    web.page.get_by_role("button", name="Talk to DRAKO").click()
    frame = web.page.locator("#call-frame")
    expect(frame).to_have_attribute("data-state", "joined")
    conversation = Conversation.objects.get(user=user)
    bar = web.page.locator("#call-bar")
    state = web.page.locator("#call-state")

    def shows(phase: str, words: str) -> None:
        expect(bar).to_have_attribute("data-phase", phase)
        expect(state).to_have_text(words)

    def event(event_type: str, seq: int, role: str | None = None) -> None:
        web.emit(speaking(conversation, event_type, seq=seq, role=role))

    shows("waiting", "Waiting for DRAKO to join…")  # in the room; Tavus's replica isn't yet
    web.page.evaluate("window.__addParticipant(window.__replica)")
    shows("listening", "DRAKO is listening")
    # Unified and legacy events come side by side; either moves the bar, once.
    event("conversation.replica.started_speaking", 40)
    event("conversation.started_speaking", 41, role="replica")
    shows("speaking", "DRAKO is speaking")
    if size == DESKTOP:  # with the captions of both sides, as the README shows it
        web.emit(utterance(conversation, "user", "What's on tomorrow afternoon?"))
        words = "You have a workshop at two, then you're free from half past three."
        web.emit(streaming(conversation, "pal", words, seq=42, inference_id="turn-2"))
        expect(web.page.locator("#captions .caption")).to_have_count(2)
        web.screenshot("talk-speaking")
    event("conversation.stopped_speaking", 44, role="replica")
    shows("listening", "DRAKO is listening")
    event("conversation.user.started_speaking", 46)
    shows("listening", "DRAKO is listening")
    event("conversation.stopped_speaking", 49, role="user")
    shows("thinking", "DRAKO is thinking…")
    event("conversation.user.started_speaking", 47)  # late, and older: changes nothing
    shows("thinking", "DRAKO is thinking…")
    event("conversation.started_speaking", 52, role="pal")  # PAL turns may say "pal"
    shows("speaking", "DRAKO is speaking")
    event("conversation.replica.stopped_speaking", 55)
    # A tool call is DRAKO thinking, until it speaks again.
    web.emit(tool_call(conversation, "list_schedule_events", {"when": "tomorrow"}))
    shows("thinking", "DRAKO is thinking…")
    web.wait_sent(1)
    # A turn nobody answers (the person said "hmm") goes back to listening.
    web.page.clock.run_for(9000)
    shows("listening", "DRAKO is listening")

    web.page.evaluate(
        "id => window.__removeParticipant(id)", web.page.evaluate("__replica.session_id")
    )
    shows("gone", "DRAKO has left the call")
    expect(web.page.get_by_role("button", name="End conversation")).to_be_in_viewport()


@TWO_SIZES
def test_microphone_and_camera_show_their_state_and_toggle(web, tavus, persona, size):
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    web.resize(size)
    web.talk(user)
    mic = web.page.locator("#mic-toggle")
    cam = web.page.locator("#cam-toggle")
    note = web.page.locator("#device-note")
    expect(mic).to_have_text("Mute")
    expect(cam).to_have_text("Stop video")
    expect(note).to_be_hidden()

    mic.click()
    expect(mic).to_have_text("Unmute")
    expect(note).to_have_text("Your microphone is off: DRAKO can't hear you until you unmute.")
    cam.click()
    expect(cam).to_have_text("Start video")
    mic.click()
    expect(mic).to_have_text("Mute")
    expect(note).to_be_hidden()
    assert web.page.evaluate("window.__deviceCalls") == [
        ["audio", False],
        ["video", False],
        ["audio", True],
    ]

    # The browser takes the microphone away mid-call: Daily's camera-error says why.
    blocked = {"type": "permissions", "blockedBy": "browser", "blockedMedia": ["audio"]}
    web.page.evaluate("e => window.__cameraError(e, false, true)", blocked)
    expect(note).to_contain_text("Your browser is blocking the microphone.")
    expect(mic).to_be_disabled()
    expect(cam).to_be_enabled()  # the camera is still the person's to turn on and off


@TWO_SIZES
def test_thirty_seconds_before_the_limit_drako_says_and_writes_it_will_hang_up(
    web, tavus, persona, size
):
    persona.max_call_duration_seconds = 60
    persona.tool_delivery = "registry"
    persona.save()
    user = UserFactory(time_zone=TIME_ZONE)
    web.page.clock.install()
    web.sign_in(user)
    web.resize(size)
    conversation = web.talk(user)
    assert conversation.max_call_seconds == 60
    haircut = {"title": "Haircut", "start_time": "tomorrow at 3pm"}
    web.emit(tool_call(conversation, "add_schedule_event", haircut, tool_call_id="call_cut"))
    expect(web.page.locator('#proposals .proposal[data-state="proposed"]')).to_be_visible()
    web.wait_sent(1)
    warning = web.page.locator("#time-warning")
    expect(warning).to_be_hidden()
    _freeze(web.page)
    left = _seconds(web.page.locator("#call-remaining").text_content())
    assert 30 < left <= 60

    web.page.clock.run_for((left - 30) * 1000)
    expect(web.page.locator("#call-remaining")).to_have_text("0:30")
    expect(warning).to_have_text(
        "DRAKO will hang up in 30 seconds. Confirm the waiting change now if you want it."
    )
    expect(web.page.locator("#call-bar")).to_have_class("call-bar is-ending")
    echoes = of_type(web.wait_sent(2), "conversation.echo")
    assert [e["properties"]["text"] for e in echoes] == [
        "Just so you know: I'll hang up in 30 seconds. "
        "Say yes now if you want the change I suggested."
    ]
    if size == PHONE:
        web.screenshot("phone-talk-ending")
    web.page.clock.run_for(10_000)  # said once, not every second
    expect(web.page.locator("#call-remaining")).to_have_text("0:20")
    assert len(of_type(web.page.evaluate("window.__sent"), "conversation.echo")) == 1


# ---- The card -----------------------------------------------------------------------------------


def test_the_card_says_it_in_one_line_with_overlaps_as_chips(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    day = _tomorrow()
    EventFactory(owner=user, title="Workshop", start=_at(day, 14), end=_at(day, 15, 30))
    EventFactory(
        owner=user,
        title="Conference",
        start=_at(day, 0),
        end=_at(day + timedelta(days=1), 0),
        all_day=True,
        show_as=Event.ShowAs.BUSY,
    )
    dentist = EventFactory(owner=user, title="Dentist", start=_at(day, 10), end=_at(day, 11))
    web.page.clock.install()
    web.sign_in(user)
    conversation = web.talk(user)

    card = _propose(web, conversation, "Haircut", f"{day:%Y-%m-%d}T15:00")
    line = card.locator(".proposal-line")
    expect(line).to_have_text(f"Add Haircut · {_card_day(day)} · 3\N{EN DASH}4 PM")
    expect(line.locator("strong")).to_have_text("Haircut")
    expect(card.locator(".chip")).to_have_text(
        ["Overlaps Conference · all day", "Overlaps Workshop 2\N{EN DASH}3:30 PM"]
    )
    expect(card).not_to_contain_text("12:00 AM")
    expect(card.locator(".diff")).to_have_count(0)  # nothing changes from anything
    expect(card).to_contain_text("Say “yes” or press Confirm.")
    expect(card.locator(".state-badge")).to_have_text("Waiting for your yes")
    countdown = card.locator("[data-countdown]")
    _freeze(web.page)
    left = _seconds(countdown.text_content())
    assert 240 < left <= 300
    web.page.clock.run_for(61_000)
    assert left - 62 <= _seconds(countdown.text_content()) <= left - 60

    # A move shows before → after for the time only: the title stays.
    move = {"event_id": dentist.pk, "start_time": f"{day + timedelta(days=1):%Y-%m-%d}T09:00"}
    web.emit(tool_call(conversation, "update_schedule_event", move))
    moved = web.page.locator("#proposals .proposal").filter(has_text="Dentist")
    expect(moved.locator(".say-yes")).to_be_visible()
    after = f"{_card_day(day + timedelta(days=1))} · 9\N{EN DASH}10 AM"
    expect(moved.locator(".proposal-line")).to_have_text(f"Move Dentist · {after}")
    expect(moved.locator(".diff dt")).to_have_text(["When"])
    expect(moved.locator(".diff del")).to_have_text(f"{_card_day(day)} · 10\N{EN DASH}11 AM")
    expect(moved.locator(".diff ins")).to_have_text(after)
    web.screenshot("talk-cards")

    moved.get_by_role("button", name="Discard").click()
    expect(moved).to_have_attribute("data-state", "discarded")
    expect(moved.locator(".state-badge")).to_have_text("Discarded")
    expect(moved).to_have_class("proposal is-discarded")
    card.get_by_role("button", name="Confirm").click()
    expect(card.locator(".state-badge")).to_have_text("Done")
    expect(card).to_have_class("proposal is-applied")
    card.get_by_role("button", name="Undo").click()
    expect(card.locator(".state-badge")).to_have_text("Undone")
    expect(card).to_have_class("proposal is-undone")
    assert list(Proposal.objects.values_list("state", flat=True).order_by("pk")) == [
        "undone",
        "discarded",
    ]


def test_a_change_nobody_confirms_in_time_shows_as_expired(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    web.page.clock.install()
    web.sign_in(user)
    conversation = web.talk(user)
    card = _propose(web, conversation, "Yoga", "tomorrow at 7am")
    web.page.clock.run_for(301_000)
    expect(card.locator(".state-badge")).to_have_text("Expired")
    expect(card.get_by_role("button")).to_have_count(0)
    expect(card).to_contain_text("Nobody said yes in time, so nothing changed.")


@pytest.mark.parametrize("size", [PHONE, PHONE_390], ids=["phone-360", "phone-390"])
def test_on_a_phone_the_waiting_card_is_pinned_with_confirm_on_screen(web, tavus, persona, size):
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    web.resize(size)
    conversation = web.talk(user)
    card = _propose(web, conversation, "Haircut", "tomorrow at 3pm")
    confirm = card.get_by_role("button", name="Confirm")
    expect(card).to_have_class("proposal is-proposed is-pinned")
    for scroll in ("0", "document.documentElement.scrollHeight"):
        web.page.evaluate(f"window.scrollTo(0, {scroll})")
        assert _in_view(web.page, confirm), f"Confirm is off screen (scrolled to {scroll})"
    web.page.evaluate("window.scrollTo(0, 0)")
    if size == PHONE_390:
        web.screenshot("phone-talk-live")
    # Nothing is lost under it: the end of the page scrolls clear of the pinned card, and End
    # stays at the top.
    web.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    today = web.page.locator(".today-panel")
    assert today.bounding_box()["y"] + today.bounding_box()["height"] <= card.bounding_box()["y"]
    expect(web.page.get_by_role("button", name="End conversation")).to_be_in_viewport(ratio=1)

    newest = _propose(web, conversation, "Gym", "tomorrow at 6pm")
    expect(newest).to_have_class("proposal is-proposed is-pinned")
    expect(card).to_have_class("proposal is-proposed")
    newest.get_by_role("button", name="Confirm").click()
    expect(newest.locator(".state-badge")).to_have_text("Done")
    expect(card).to_have_class("proposal is-proposed is-pinned")  # the next one still waiting
    expect(confirm).to_be_in_viewport(ratio=1)
    assert web.page.evaluate("document.documentElement.scrollWidth") <= size["width"]


@TWO_SIZES
def test_enter_confirms_and_escape_discards_the_focused_card(web, tavus, persona, size):
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    web.resize(size)
    conversation = web.talk(user)
    haircut = _propose(web, conversation, "Haircut", "tomorrow at 3pm")
    gym = _propose(web, conversation, "Gym", "tomorrow at 6pm")

    # Enter in the message box sends the message; it confirms nothing.
    box = web.page.get_by_placeholder("Type instead of speaking…")
    box.fill("Hold on")
    box.press("Enter")
    web.wait_sent(1)
    assert not Event.objects.filter(owner=user).exists()

    haircut.focus()
    web.page.keyboard.press("Enter")
    expect(haircut.locator(".state-badge")).to_have_text("Done")
    expect(web.page.locator(".proposal:focus")).to_have_attribute(
        "data-change-id", haircut.get_attribute("data-change-id")
    )
    assert Event.objects.get(owner=user).title == "Haircut"

    gym.focus()
    web.page.keyboard.press("Escape")
    expect(gym.locator(".state-badge")).to_have_text("Discarded")
    assert list(Event.objects.filter(owner=user).values_list("title", flat=True)) == ["Haircut"]
    decided = [
        json.loads(m["properties"]["context"].split("Result: ", 1)[1])["state"]
        for m in of_type(web.page.evaluate("window.__sent"), "conversation.append_llm_context")
        if "On screen the user chose" in m["properties"]["context"]
    ]
    assert decided == ["applied", "discarded"]


def test_the_morning_summary_link_starts_a_call_that_greets_with_todays_plan(web, tavus, persona):
    """The summary's "Talk to DRAKO" link: a page with the button (nothing starts by itself);
    pressed, talk.js starts the call with greet=today, and the persona is told to open with
    today's plan."""
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    web.goto(reverse("conversations:start") + "?greet=today")
    expect(
        web.page.get_by_text("DRAKO will start by going through your plan for today.")
    ).to_be_visible()
    assert _creates(tavus) == 0
    web.page.get_by_role("button", name="Talk to DRAKO").click()
    web.page.wait_for_url("**/conversations/*/")
    expect(web.page.locator("#call-frame")).to_have_attribute("data-state", "joined")
    (create,) = [r for r in tavus.requests if r.method == "POST" and r.path == CREATE]
    assert "telling them today's plan" in create.json["conversational_context"]
