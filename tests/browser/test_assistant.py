"""The assistant in a real browser: talk, tool calls through Daily's data channel, confirm, end."""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from conversations import services
from conversations.assistant.calls import ToolRequest, arguments_parse, tool_call_execute
from conversations.models import Conversation, ToolCall
from schedules.models import Event
from tests.browser.conftest import (
    TIME_ZONE,
    context_result,
    of_type,
    recorded,
    tool_call,
    utterance,
)
from tests.factories import PASSWORD, EventFactory, UserFactory
from tests.tasks import run_queued_tasks

BERLIN = ZoneInfo(TIME_ZONE)
# The arguments exactly as docs/tavus.md §1.4 shows them (sent as a JSON string).
DENTIST = {
    "title": "Dentist",
    "start_time": "tomorrow at 3pm",
    "end_time": "",
    "location": "",
    "notes": "",
}


def _local_now() -> datetime:
    return timezone.now().astimezone(BERLIN)


def test_talk_propose_confirm_and_find_it_in_the_schedule(web, tavus, persona):
    user = UserFactory(username="berta", time_zone=TIME_ZONE)
    web.sign_in_with_form("berta", PASSWORD)
    conversation = web.talk(user)
    # The room is private: the page joins with the conversation's meeting token.
    assert conversation.meeting_token
    assert web.page.evaluate("window.__joined") == {
        "url": conversation.conversation_url,
        "token": conversation.meeting_token,
    }
    web.emit(utterance(conversation, "user", "Put the dentist in for tomorrow at three."))
    web.emit(tool_call(conversation, "add_schedule_event", DENTIST))

    card = web.page.locator("#proposals .proposal").filter(has_text="Dentist")
    expect(card).to_be_visible()
    expect(card.get_by_role("button", name="Discard")).to_be_visible()
    web.screenshot("live")
    context, echo = web.wait_sent(2)
    result = context_result(context)
    assert context["event_type"] == "conversation.append_llm_context"
    assert result["state"] == "proposed"
    assert result == ToolCall.objects.get(conversation=conversation).result
    assert echo == {
        "message_type": "conversation",
        "event_type": "conversation.echo",
        "conversation_id": conversation.tavus_conversation_id,
        "properties": {"modality": "text", "text": result["say"], "done": True},
    }

    card.get_by_role("button", name="Confirm").click()
    expect(card.get_by_role("button", name="Undo")).to_be_visible()
    done = of_type(web.wait_sent(4)[2:], "conversation.echo")
    confirmed = ToolCall.objects.get(conversation=conversation, name="confirm_change").result
    assert [m["properties"]["text"] for m in done] == [confirmed["say"]]
    assert confirmed["say"].startswith("Done: ") and confirmed["state"] == "applied"

    # Something later today shows up in the Today panel once it is confirmed.
    today = _local_now()
    start = min(
        today.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1),
        today.replace(hour=23, minute=0, second=0, microsecond=0),
    )
    plumber = {"title": "Call the plumber", "start_time": start.strftime("%Y-%m-%dT%H:%M")}
    web.emit(tool_call(conversation, "add_schedule_event", plumber))
    second = web.page.locator("#proposals .proposal").filter(has_text="Call the plumber")
    second.get_by_role("button", name="Confirm").click()
    today_item = web.page.locator("#today-events .today-item").filter(has_text="Call the plumber")
    # The browser says en-US, so the panel reads like the grid: "8:00 - 9:00 AM".
    expect(today_item).to_contain_text(f"{start.hour % 12 or 12}:{start:%M}")
    expect(today_item).to_contain_text("AM" if start.hour < 12 else "PM")

    tomorrow = today.date() + timedelta(days=1)
    dentist = Event.objects.get(owner=user, title="Dentist")
    assert dentist.start == datetime.combine(tomorrow, time(15), tzinfo=BERLIN)
    web.goto(f"{reverse('schedules:schedule')}?view=week&date={tomorrow:%Y-%m-%d}")
    block = web.page.locator(f".event[data-event-id='{dentist.pk}']")
    expect(block).to_contain_text("Dentist")
    expect(block).to_contain_text("3:00 \N{EN DASH} 4:00 PM")


def test_tool_call_with_an_id_is_answered_with_one_tool_result(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    conversation = web.talk(user)
    web.emit(tool_call(conversation, "add_schedule_event", DENTIST, tool_call_id="call_7Qx2"))

    expect(web.page.locator("#proposals .proposal")).to_contain_text("Dentist")
    sent = web.wait_sent(1)
    assert len(sent) == 1
    (message,) = sent
    assert message["event_type"] == "conversation.tool_result"
    assert message["conversation_id"] == conversation.tavus_conversation_id
    assert message["properties"]["tool_call_id"] == "call_7Qx2"
    assert message["properties"]["status"] == "success"
    output = message["properties"]["output"]
    assert output == ToolCall.objects.get(tool_call_id="call_7Qx2").result
    assert output["state"] == "proposed"
    assert web.page.evaluate("window.__sentTo") == ["*"]


def test_captions_and_typed_words(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    conversation = web.talk(user)
    web.emit(utterance(conversation, "user", "What's on tomorrow?"))
    web.emit(utterance(conversation, "replica", "Tomorrow is free. Want to add something?"))
    captions = web.page.locator("#captions")
    expect(captions.locator(".caption-user")).to_have_text("What's on tomorrow?")
    expect(captions.locator(".caption-replica")).to_have_text(
        "Tomorrow is free. Want to add something?"
    )

    box = web.page.get_by_placeholder("Type instead of speaking…")
    box.fill("Lunch with Sam on Friday at noon")
    web.page.get_by_role("button", name="Send").click()
    expect(box).to_have_value("")
    expect(captions.locator(".caption-user").last).to_have_text("Lunch with Sam on Friday at noon")
    assert web.wait_sent(1) == [
        {
            "message_type": "conversation",
            "event_type": "conversation.respond",
            "conversation_id": conversation.tavus_conversation_id,
            "properties": {"text": "Lunch with Sam on Friday at noon"},
        }
    ]


def test_end_button_ends_the_call_and_shows_the_record(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    web.sign_in(user)
    conversation = web.talk(user)
    web.page.get_by_role("button", name="End conversation").click()

    expect(web.page.get_by_role("heading", name="Conversation with DRAKO")).to_be_visible()
    assert web.page.url == web.url(reverse("conversations:detail", args=[conversation.pk]))
    expect(web.page.locator(".facts")).to_contain_text("Ended")
    end_path = f"/v2/conversations/{conversation.tavus_conversation_id}/end"
    # Once: the leave beacon that follows finds the conversation already ended.
    assert [r.path for r in tavus.requests if r.method == "POST"].count(end_path) == 1
    conversation.refresh_from_db()
    assert conversation.status == "ended"


def test_week_view_shows_the_weeks_events(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE, display_name="Berta")
    monday = _local_now().date() - timedelta(days=_local_now().weekday())
    plan = [  # day of the week, start, minutes, title, location
        (0, time(9, 30), 30, "Team standup", ""),
        (1, time(12, 30), 60, "Lunch with Sam", "Café Einstein"),
        (2, time(15, 0), 60, "Dentist", "Kastanienallee 12"),
        (3, time(10, 0), 90, "Quarterly planning", "Room Spree"),
        (3, time(14, 0), 30, "1:1 with Priya", ""),
        (4, time(18, 0), 90, "Climbing with Jonas", "Berta Block"),
    ]
    events = []
    for day, start, minutes, title, location in plan:
        begin = datetime.combine(monday + timedelta(days=day), start, tzinfo=BERLIN)
        end = begin + timedelta(minutes=minutes)
        events.append(
            EventFactory(owner=user, title=title, start=begin, end=end, location=location)
        )
    web.sign_in(user)
    web.goto(reverse("schedules:schedule"))

    for event in events:
        block = web.page.locator(f".event[data-event-id='{event.pk}']")
        expect(block).to_be_visible()
        expect(block).to_contain_text(event.title)
    expect(web.page.locator(f".event[data-event-id='{events[2].pk}']")).to_contain_text(
        "3:00 \N{EN DASH} 4:00 PM"
    )
    expect(web.page.get_by_role("button", name="Talk to DRAKO")).to_be_visible()
    web.screenshot("week")


def _card_day(moment: datetime) -> str:
    """'Thu Dec 3', as a change card writes a day (with the year when it isn't this one)."""
    day = moment.astimezone(BERLIN)
    year = "" if day.year == _local_now().year else f", {day.year}"
    return f"{day:%a %b} {day.day}{year}"


def test_record_page_shows_transcript_and_tool_calls(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    tomorrow = _local_now().date() + timedelta(days=1)
    begin = datetime.combine(tomorrow, time(10), tzinfo=BERLIN)
    dentist = EventFactory(owner=user, title="Dentist", start=begin, end=begin + timedelta(hours=1))
    conversation = services.conversation_start(user=user, persona=persona).conversation
    move = {"event_id": dentist.pk, "start_time": "Thursday at 3pm"}
    for name, arguments, said in [
        ("update_schedule_event", move, "Move my dentist to Thursday at three."),
        ("confirm_change", {"change_id": 0}, "Yes."),
    ]:
        request = ToolRequest(
            name=name, arguments=arguments_parse(json.dumps(arguments)), utterance=said
        )
        assert tool_call_execute(conversation=conversation, request=request)["ok"]
    # A call of a few minutes, as a real one would be (the screenshot shows its length).
    Conversation.objects.filter(pk=conversation.pk).update(
        started_at=timezone.now() - timedelta(minutes=3, seconds=12)
    )
    services.conversation_end(conversation=conversation)
    payload = recorded("application.transcription_ready__2026", conversation)
    url = reverse("api:tavus-callback", args=[conversation.callback_token])
    assert Client().post(url, payload, content_type="application/json").status_code == 200
    assert run_queued_tasks() == 1  # the worker applies the acknowledged webhook

    web.sign_in(user)
    web.goto(reverse("conversations:detail", args=[conversation.pk]))
    expect(web.page.locator(".transcript")).to_contain_text("Move my dentist to Thursday at three.")
    expect(web.page.locator(".transcript .turn")).to_have_count(4)
    # What changed comes first, then the transcript with each tool call after the words that
    # led to it, then the details.
    expect(web.page.locator("main h2")).to_have_text(["What changed", "Transcript", "Details"])
    steps = web.page.locator(".transcript > li")
    expect(steps).to_have_count(6)
    kinds = steps.evaluate_all(
        "items => items.map(li => li.classList.contains('tool-call') ? "
        "li.querySelector('code').textContent : li.querySelector('.words').textContent)"
    )
    assert kinds == [
        "Move my dentist to Thursday at three.",
        "update_schedule_event",
        "I can move Dentist to Thursday, November 26 at 3:00 PM. Shall I?",
        "Yes.",
        "confirm_change",
        "Done. Dentist is now Thursday at 3:00 PM.",
    ]
    change = web.page.locator(".record-changes .proposal")
    expect(change).to_have_count(1)
    dentist.refresh_from_db()
    expect(change.locator(".proposal-line")).to_have_text(
        f"Move Dentist · {_card_day(dentist.start)} · 3\N{EN DASH}4 PM"
    )
    expect(change.locator(".state-badge")).to_have_text("Done")
    expect(change.get_by_role("button", name="Undo")).to_be_visible()
    web.screenshot("record", full_page=True)
