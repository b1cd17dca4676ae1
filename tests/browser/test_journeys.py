"""Issue 7's journey, end to end in a real browser: sign up, set the time zone, create, move and
cancel events on the week page, talk to DRAKO (tool calls add, move and undo through the Daily
stand-in), end the call, and read the record once Tavus's transcript webhook has arrived.

With DRAKO_SCREENSHOTS=1 it saves docs/screenshots/journey-{week,live,record}.png.
"""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from conversations.models import ToolCall
from schedules.models import Event
from tests.browser.conftest import context_result, of_type, recorded, tool_call
from tests.tasks import run_queued_tasks

BROWSER_ZONE = "America/Los_Angeles"
ZONE = "Asia/Kolkata"
KOLKATA = ZoneInfo(ZONE)
PASSWORD = "Quiet-Harbor-7319"


def _day_label(day: date) -> str:
    """How the week grid names a day's column, e.g. 'Wednesday, March 4'."""
    return f"{day:%A, %B} {day.day}"


def _block(page, day: date, title: str):
    """The event block titled `title` in `day`'s column of the week grid."""
    return page.get_by_role("group", name=_day_label(day)).locator(".event", has_text=title)


def _sign_up(web) -> User:
    web.goto(reverse("signup"))
    zone = web.page.locator("input[name=time_zone]")
    # static/js/timezone.js proposed the browser's own zone instead of the form's UTC, and names
    # it as the picker labels it: "(UTC-07:00) Los Angeles — United States".
    expect(zone).to_have_value(BROWSER_ZONE)
    city = BROWSER_ZONE.rsplit("/", 1)[-1].replace("_", " ")
    expect(
        web.page.get_by_text(
            re.compile(rf"We picked \(UTC[+-]\d\d:\d\d\) {city} — .* from your browser")
        )
    ).to_be_visible()
    web.page.locator("input[name=username]").fill("priya")
    web.page.locator("input[name=display_name]").fill("Priya")
    web.page.locator("input[name=password1]").fill(PASSWORD)
    web.page.locator("input[name=password2]").fill(PASSWORD)
    web.page.locator("main form").get_by_role("button", name="Sign up").click()
    web.page.wait_for_url(web.url(reverse("schedules:schedule")))
    expect(web.page.locator(".messages")).to_contain_text("Welcome to DRAKO, Priya.")
    expect(web.page.locator(".toolbar-zone")).to_have_text(f"Times in {BROWSER_ZONE}")
    return User.objects.get(username="priya")


def _set_zone(web) -> None:
    web.goto(reverse("profile"))
    web.page.get_by_label("Time zone").fill(ZONE)  # the picker: a text box with suggestions
    web.page.get_by_role("button", name="Save profile").click()
    expect(web.page.locator(".messages")).to_have_text("Profile saved.")
    web.goto(reverse("schedules:schedule"))
    expect(web.page.locator(".toolbar-zone")).to_have_text(f"Times in {ZONE}")


def _fill_times(page, day: date, start: str, end: str) -> None:
    page.get_by_label("Starts", exact=True).fill(day.isoformat())
    page.get_by_label("Start time").fill(start)
    page.get_by_label("Ends", exact=True).fill(day.isoformat())
    page.get_by_label("End time").fill(end)


def _create(web, title: str, day: date, start: str, end: str) -> None:
    """ "+ New event" on the week page, the form filled and saved."""
    web.page.get_by_role("link", name="New event", exact=True).click()
    expect(web.page.locator(".form-zone")).to_have_text(f"Times are in {ZONE}.")
    web.page.get_by_label("Title", exact=True).fill(title)
    _fill_times(web.page, day, start, end)
    web.page.get_by_role("button", name="Add to schedule").click()
    expect(web.page.locator(".messages")).to_contain_text(f"Added '{title}'")


def _week_page(web, day: date) -> None:
    """Next week (reached by the arrow link): retro created and moved, board review cancelled."""
    page = web.page
    _create(web, "Team retro", day, "10:00", "11:00")
    page.get_by_role("link", name="Today", exact=True).click()
    expect(_block(page, day, "Team retro")).to_have_count(0)  # it's next week, not this one
    page.get_by_role("link", name="Next week", exact=True).click()
    expect(_block(page, day, "Team retro")).to_contain_text("10:00 \N{EN DASH} 11:00 AM")

    _block(page, day, "Team retro").click()
    expect(page.get_by_role("heading", name="Edit event")).to_be_visible()
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("End time").fill("15:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".messages")).to_contain_text("Moved 'Team retro'")
    expect(_block(page, day, "Team retro")).to_contain_text("2:00 \N{EN DASH} 3:00 PM")

    thursday = day + timedelta(days=1)
    _create(web, "Board review", thursday, "09:00", "10:30")
    expect(_block(page, thursday, "Board review")).to_contain_text("9:00 \N{EN DASH} 10:30 AM")
    _block(page, thursday, "Board review").click()
    page.get_by_role("button", name="Delete event").click()
    expect(page.locator(".messages")).to_contain_text("Deleted 'Board review'")
    expect(_block(page, thursday, "Board review")).to_have_count(0)
    expect(_block(page, day, "Team retro")).to_contain_text("2:00 \N{EN DASH} 3:00 PM")


def _card(web, title: str):
    return web.page.locator("#proposals .proposal").filter(has_text=title)


def _echoes(web, count: int) -> list[str]:
    """The words the persona was told to say, once the page has sent `count` messages."""
    return [m["properties"]["text"] for m in of_type(web.wait_sent(count), "conversation.echo")]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=KOLKATA)


@pytest.mark.parametrize("web", [BROWSER_ZONE], indirect=True)
def test_sign_up_plan_the_week_talk_and_read_the_record(web, tavus, persona):
    user = _sign_up(web)
    _set_zone(web)
    today = timezone.now().astimezone(KOLKATA).date()
    wednesday = today - timedelta(days=today.weekday()) + timedelta(days=7 + 2)
    _week_page(web, wednesday)
    retro = Event.objects.get(owner=user, title="Team retro", status="confirmed")
    assert (retro.start, retro.end) == (_at(wednesday, 14), _at(wednesday, 15))
    assert Event.objects.get(owner=user, title="Board review").status == "cancelled"
    web.screenshot("journey-week")

    conversation = web.talk(user)
    yoga = {"title": "Yoga", "start_time": "tomorrow at 7am"}
    web.emit(tool_call(conversation, "add_schedule_event", yoga))
    _card(web, "Yoga").get_by_role("button", name="Confirm").click()
    expect(_card(web, "Yoga").get_by_role("button", name="Undo")).to_be_visible()
    yoga_event = Event.objects.get(owner=user, title="Yoga")
    assert yoga_event.start == _at(today + timedelta(days=1), 7)

    move = {"event_id": retro.pk, "start_time": f"{wednesday:%Y-%m-%d}T16:30"}
    web.emit(tool_call(conversation, "update_schedule_event", move))
    expect(_card(web, "Team retro").get_by_role("button", name="Confirm")).to_be_visible()
    web.emit(tool_call(conversation, "confirm_change", {"change_id": 0}))
    expect(_card(web, "Team retro").get_by_role("button", name="Undo")).to_be_visible()
    retro.refresh_from_db()
    assert (retro.start, retro.end) == (_at(wednesday, 16, 30), _at(wednesday, 17, 30))
    web.screenshot("journey-live")

    web.emit(tool_call(conversation, "undo_last_change", {}))
    expect(_card(web, "Team retro").locator(".state-badge")).to_have_text("Undone")
    retro.refresh_from_db()
    assert (retro.start, retro.end) == (_at(wednesday, 14), _at(wednesday, 15))
    assert Event.objects.get(pk=yoga_event.pk).status == "confirmed"

    calls = {c.name: c.result for c in ToolCall.objects.filter(conversation=conversation)}
    added, moved = calls["add_schedule_event"], calls["update_schedule_event"]
    assert added["state"] == moved["state"] == "proposed"
    assert "Yoga" in added["say"] and "7 to 8 AM" in added["say"]
    assert "Team retro" in moved["say"] and "4:30 to 5:30 PM" in moved["say"]
    move_summary = moved["proposal"]["summary"]
    # What the persona said after each decision is the schedule as it now stands.
    said = [c.result["say"] for c in ToolCall.objects.filter(conversation=conversation)]
    assert _echoes(web, 10) == said
    assert said[1].startswith("Done: Yoga is on ") and "7 to 8 AM" in said[1]
    assert said[3].startswith("Done: Team retro is now ") and "4:30 to 5:30 PM" in said[3]
    assert said[4].startswith("Undone: Team retro is back on ") and "2 to 3 PM" in said[4]
    contexts = of_type(web.wait_sent(10), "conversation.append_llm_context")
    assert len(contexts) == 5
    assert "On screen the user chose to confirm" in contexts[1]["properties"]["context"]
    assert [context_result(contexts[i])["state"] for i in (0, 2, 3, 4)] == [
        "proposed",
        "proposed",
        "applied",
        "undone",
    ]

    _end_and_read_the_record(web, conversation, move_summary)


def _end_and_read_the_record(web, conversation, move_summary: str) -> None:
    page = web.page
    page.get_by_role("button", name="End conversation").click()
    expect(page.get_by_role("heading", name="Conversation with DRAKO")).to_be_visible()
    assert page.url == web.url(reverse("conversations:detail", args=[conversation.pk]))
    # Before Tavus's transcript arrives, the record lists what DRAKO was asked to do.
    expect(page.locator(".transcript .turn")).to_have_count(0)
    expect(page.locator(".transcript .tool-call")).to_have_count(5)
    expect(page.get_by_text("The transcript hasn't arrived from Tavus yet.")).to_be_visible()

    # Tavus posts the transcript a little after the end: the recorded webhook, replayed.
    conversation.refresh_from_db()
    payload = recorded("application.transcription_ready__2026", conversation)
    url = reverse("api:tavus-callback", args=[conversation.callback_token])
    assert Client().post(url, payload, content_type="application/json").status_code == 200
    assert run_queued_tasks() >= 1  # the worker applies the acknowledged webhook
    page.reload()

    expect(page.locator(".facts")).to_contain_text("Ended")
    turns = page.locator(".transcript .turn")
    expect(turns).to_have_count(4)
    expect(turns.first).to_contain_text("Move my dentist to Thursday at three.")
    expect(turns.last).to_contain_text("Done. Dentist is now Thursday at 3:00 PM.")
    # The click on Confirm is there too, as the tool call the person made (via the page).
    expect(page.locator(".transcript .tool-call code")).to_have_text(
        [
            "add_schedule_event",
            "confirm_change",
            "update_schedule_event",
            "confirm_change",
            "undo_last_change",
        ]
    )
    expect(page.locator(".transcript .tool-call").nth(1)).to_contain_text("a click on the page")
    changes = page.locator(".record-changes .proposal")
    expect(changes).to_have_count(2)
    expect(changes.first.locator(".proposal-line")).to_contain_text("Add Yoga")
    expect(changes.first.locator(".state-badge")).to_have_text("Done")
    expect(changes.first.get_by_role("button", name="Undo")).to_be_visible()
    expect(changes.last.locator(".proposal-line")).to_contain_text("Move Team retro")
    expect(changes.last.locator(".state-badge")).to_have_text("Undone")
    expect(page.locator(".transcript")).to_contain_text(move_summary)
    web.screenshot("journey-record", full_page=True)
