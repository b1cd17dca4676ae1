"""The live call as daily-js and Tavus really behave (docs/tavus.md §1.4-1.5, §3, §4, §6).

The Daily stand-in enforces daily-js's limits: a message over 4,096 characters of JSON throws,
as does a send before joining; app-messages carry the sender's session id. These tests show the
page keeps every message within the limit, listens only to the replica, speaks only what is
meant for the person, answers registry tools with `tool_result`, and says so when a send fails.
"""

import json
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversations.models import Conversation, Proposal, ToolCall
from schedules.models import Event
from tests.browser.axe import Axe
from tests.browser.conftest import (
    DESKTOP,
    PHONE,
    TIME_ZONE,
    context_result,
    of_type,
    streaming,
    tool_call,
    utterance,
)
from tests.browser.test_accessibility import SMALL_TARGETS
from tests.factories import EventFactory, UserFactory

BERLIN = ZoneInfo(TIME_ZONE)
LIMIT = 4096
# What daily-js measures (UTF-16 units of the JSON), and UTF-8 bytes, which are never fewer.
SIZES = """() => window.__sent.map(m => {
  const json = JSON.stringify(m);
  return [json.length, new TextEncoder().encode(json).length];
})"""
STRANGER = {
    "session_id": "0d7e4c55-stranger-session",
    "user_id": "0d7e4c55-stranger-session",
    "user_name": "DRAKO",  # a display name proves nothing: anyone can choose it
}


def _tomorrow():
    return timezone.now().astimezone(BERLIN).date() + timedelta(days=1)


def _long(text: str, length: int) -> str:
    """`text` repeated to exactly `length` characters (with umlauts: more bytes than characters)."""
    return (text * (length // len(text) + 1))[:length]


def _json_length(value) -> int:
    """The length daily-js would measure: JSON.stringify's output, in characters."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _talk(web, user, *, delivery: str, persona) -> Conversation:
    persona.tool_delivery = delivery
    persona.save(update_fields=["tool_delivery"])
    web.sign_in(user)
    return web.talk(user)


def _all_within_the_limit(web) -> None:
    sizes = web.page.evaluate(SIZES)
    assert sizes and all(length <= LIMIT and size <= LIMIT for length, size in sizes), sizes
    assert web.page.evaluate("window.__refused") == []


def _week_of_long_events(user) -> list[Event]:
    first = _tomorrow()
    events = []
    for i in range(12):
        start = datetime.combine(first + timedelta(days=i // 2), time(9 + 5 * (i % 2)), BERLIN)
        events.append(
            EventFactory(
                owner=user,
                title=_long(f"Überprüfung {i}: Quartalsplanung mit dem ganzen Team ", 200),
                location=_long("Großer Besprechungsraum, Kastanienallee 12 ", 200),
                notes=_long("Unterlagen mitbringen. ", 3000),
                start=start,
                end=start + timedelta(hours=1),
            )
        )
    return events


@pytest.mark.parametrize("delivery", ["registry", "inline"])
def test_a_week_of_twelve_long_events_goes_through_within_the_limit(web, tavus, persona, delivery):
    user = UserFactory(time_zone=TIME_ZONE)
    events = _week_of_long_events(user)
    conversation = _talk(web, user, delivery=delivery, persona=persona)
    first = _tomorrow()
    week = {"when": f"{first:%Y-%m-%d} to {first + timedelta(days=6):%Y-%m-%d}"}
    call_id = "call_week" if delivery == "registry" else None
    web.emit(tool_call(conversation, "list_schedule_events", week, tool_call_id=call_id))

    sent = web.wait_sent(1 if delivery == "registry" else 2)
    result = ToolCall.objects.get(conversation=conversation).result
    assert [e["id"] for e in result["events"]] == [e.pk for e in events]
    assert _json_length(result) > LIMIT  # the whole answer would have thrown in daily-js
    if delivery == "registry":
        (message,) = sent
        assert message["event_type"] == "conversation.tool_result"
        assert message["properties"]["tool_call_id"] == "call_week"
        assert message["properties"]["status"] == "success"
        answer = message["properties"]["output"]
    else:
        context, echo = sent
        answer = context_result(context)
        assert echo["properties"]["text"] == result["say"]
    _all_within_the_limit(web)
    # Nothing lost: every event, by id and time, with its title shortened, not dropped.
    assert [e["id"] for e in answer["events"]] == [e.pk for e in events]
    assert [e["start"] for e in answer["events"]] == [e["start"] for e in result["events"]]
    for sent_event, event in zip(answer["events"], result["events"], strict=True):
        assert event["title"].startswith(sent_event["title"].rstrip("…"))
        assert sent_event["title"].endswith("…")
    assert {k: answer[k] for k in ("ok", "say")} == {"ok": True, "say": result["say"]}


def test_notes_of_a_few_kb_reach_the_card_and_fit_in_every_message(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    conversation = _talk(web, user, delivery="registry", persona=persona)
    notes = _long("Bitte die Röntgenbilder vom März mitbringen und die Überweisung prüfen. ", 3500)
    dentist = {
        "title": _long("Zahnärztliche Kontrolle und professionelle Zahnreinigung ", 200),
        "start_time": "tomorrow at 3pm",
        "location": "Praxis Dr. Öztürk, Kastanienallee 12",
        "notes": notes,
    }
    web.emit(tool_call(conversation, "add_schedule_event", dentist, tool_call_id="call_notes"))

    card = web.page.locator("#proposals .proposal")
    expect(card).to_contain_text(notes.strip()[-60:])  # the card shows all of it
    (message,) = web.wait_sent(1)
    result = ToolCall.objects.get(tool_call_id="call_notes").result
    assert _json_length(result) > LIMIT
    output = message["properties"]["output"]
    assert {k: output[k] for k in ("ok", "say", "hint", "state", "change_id")} == {
        k: result[k] for k in ("ok", "say", "hint", "state", "change_id")
    }
    sent_notes = next(f for f in output["proposal"]["fields"] if f["label"] == "Notes")
    assert notes.startswith(sent_notes["after"].rstrip("…")) and len(sent_notes["after"]) < 500

    card.get_by_role("button", name="Confirm").click()
    expect(card.get_by_role("button", name="Undo")).to_be_visible()
    context, echo = web.wait_sent(3)[1:]
    confirmed = ToolCall.objects.get(conversation=conversation, name="confirm_change").result
    assert context_result(context)["state"] == "applied"
    assert echo["properties"]["text"] == confirmed["say"]
    _all_within_the_limit(web)
    assert Event.objects.get(owner=user).notes == notes.strip()


def test_a_tool_call_from_anyone_but_the_replica_changes_nothing(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    start = datetime.combine(_tomorrow(), time(10), BERLIN)
    dentist = EventFactory(owner=user, title="Dentist", start=start, end=start + timedelta(hours=1))
    conversation = _talk(web, user, delivery="inline", persona=persona)
    relayed = []
    web.page.on(
        "request",
        lambda r: relayed.append(json.loads(r.post_data)) if "/tool-calls/" in r.url else None,
    )
    warnings = []
    web.page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)

    web.page.evaluate("p => window.__addParticipant(p)", STRANGER)
    cancel = tool_call(conversation, "cancel_schedule_event", {"event_id": dentist.pk})
    web.emit(cancel, sender=STRANGER["session_id"])
    web.emit(tool_call(conversation, "confirm_change", {"change_id": 0}), sender="no-such-session")
    web.emit(utterance(conversation, "replica", "I cancelled it."), sender=STRANGER["session_id"])
    # Then the replica asks something: once that is answered, everything before it was handled.
    web.emit(tool_call(conversation, "list_schedule_events", {"when": "tomorrow"}))

    context, echo = web.wait_sent(2)
    assert [r["name"] for r in relayed] == ["list_schedule_events"]
    assert [c.name for c in ToolCall.objects.filter(conversation=conversation)] == [
        "list_schedule_events"
    ]
    assert not Proposal.objects.filter(conversation=conversation).exists()
    dentist.refresh_from_db()
    assert dentist.status == Event.Status.CONFIRMED
    assert [context["event_type"], echo["event_type"]] == [
        "conversation.append_llm_context",
        "conversation.echo",
    ]
    expect(web.page.locator("#captions")).not_to_contain_text("I cancelled it.")
    expect(web.page.locator("#proposals .proposal")).to_have_count(0)
    assert sum("not the replica" in w for w in warnings) == 3


def test_the_replica_is_known_by_its_participant_while_it_is_in_the_call(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    conversation = _talk(web, user, delivery="inline", persona=persona)
    replica = web.page.evaluate("window.__replica")
    assert replica["user_id"].startswith("tavus-replica")
    web.page.evaluate("id => window.__removeParticipant(id)", replica["session_id"])
    today = {"when": "today"}
    web.emit(tool_call(conversation, "list_schedule_events", today))  # its old session: gone

    back = {"session_id": "5a0c9e7b-replica-rejoined", "user_id": replica["user_id"]}
    web.page.evaluate("p => window.__addParticipant(p)", back)
    web.emit(
        tool_call(conversation, "find_free_slots", {"duration_minutes": "30"}),
        sender=back["session_id"],
    )
    web.wait_sent(2)
    assert [c.name for c in ToolCall.objects.filter(conversation=conversation)] == [
        "find_free_slots"
    ]


def test_a_refused_tool_call_speaks_only_the_sentence_for_the_person(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    conversation = _talk(web, user, delivery="inline", persona=persona)
    move = {"event_id": 987654, "start_time": "tomorrow at 3pm"}
    web.emit(tool_call(conversation, "update_schedule_event", move))

    context, echo = web.wait_sent(2)
    result = ToolCall.objects.get(conversation=conversation).result
    assert result["ok"] is False and result["hint"]
    assert "list_schedule_events" in result["hint"]
    # Spoken: the question for the person, verbatim, and nothing else.
    assert of_type(web.wait_sent(2), "conversation.echo") == [echo]
    assert echo["properties"] == {"modality": "text", "text": result["say"], "done": True}
    assert "list_schedule_events" not in result["say"] and result["say"].endswith("?")
    # The hint and the data went in silently, for the LLM.
    assert context["event_type"] == "conversation.append_llm_context"
    assert context_result(context) == result
    _all_within_the_limit(web)


def test_registry_tools_answer_with_a_tool_result_and_nothing_is_spoken(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    conversation = _talk(web, user, delivery="registry", persona=persona)
    move = {"event_id": 987654, "start_time": "tomorrow at 3pm"}
    refused = tool_call(conversation, "update_schedule_event", move, tool_call_id="call_refused")
    # Where the interviewer example puts the id: at the top level, not under properties.
    listed = tool_call(conversation, "list_schedule_events", {"when": "tomorrow"})
    listed["tool_call_id"] = "call_top_level"
    web.emit(refused)
    web.wait_sent(1)
    web.emit(listed)

    sent = web.wait_sent(2)
    assert of_type(sent, "conversation.echo") == []
    assert of_type(sent, "conversation.append_llm_context") == []
    results = {c.tool_call_id: c.result for c in ToolCall.objects.filter(conversation=conversation)}
    assert [m["properties"] for m in sent] == [
        {"tool_call_id": "call_refused", "output": results["call_refused"], "status": "success"},
        {
            "tool_call_id": "call_top_level",
            "output": results["call_top_level"],
            "status": "success",
        },
    ]
    # The refusal is a success with the refusal inside: on "error" Tavus would only apologise.
    assert results["call_refused"]["ok"] is False and results["call_refused"]["hint"]
    _all_within_the_limit(web)


def test_join_uses_the_meeting_token_and_omits_a_missing_one(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    conversation = _talk(web, user, delivery="registry", persona=persona)
    assert conversation.meeting_token.startswith("eyJ")
    assert web.page.evaluate("window.__joined") == {
        "url": conversation.conversation_url,
        "token": conversation.meeting_token,
    }

    Conversation.objects.filter(pk=conversation.pk).update(meeting_token="")
    web.page.evaluate("navigator.sendBeacon = () => true")  # a reload is not the end of the call
    web.page.reload()
    expect(web.page.locator("#call-frame")).to_have_attribute("data-state", "joined")
    assert web.page.evaluate("window.__joined") == {"url": conversation.conversation_url}


def test_a_message_the_call_refuses_is_shown_and_logged(web, tavus, persona):
    user = UserFactory(time_zone=TIME_ZONE)
    conversation = _talk(web, user, delivery="registry", persona=persona)
    # The call machine may set a smaller limit when the page joins (docs/tavus.md §4.1).
    web.page.evaluate("window.__setMaxAppMessageSize(150)")
    notice = web.page.get_by_role("alert")
    expect(notice).to_be_hidden()
    dentist = {"title": "Dentist", "start_time": "tomorrow at 3pm"}

    with web.page.expect_console_message(lambda m: m.type == "error") as logged:
        web.emit(tool_call(conversation, "add_schedule_event", dentist, tool_call_id="call_big"))
    assert "Message data too large. Max size is 150" in logged.value.text
    assert "conversation.tool_result" in logged.value.text
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("DRAKO didn't receive the answer to that")
    card = web.page.locator("#proposals .proposal").filter(has_text="Dentist")
    expect(card).to_be_visible()  # the page still shows what happened

    with web.page.expect_console_message(lambda m: m.type == "error"):
        card.get_by_role("button", name="Confirm").click()
    expect(notice).to_contain_text("DRAKO wasn't told about your click")
    expect(card.get_by_role("button", name="Undo")).to_be_visible()
    assert Event.objects.get(owner=user).title == "Dentist"

    box = web.page.get_by_placeholder("Type instead of speaking…")
    box.fill("Make it four instead, please, and add a reminder the evening before")
    with web.page.expect_console_message(lambda m: m.type == "error"):
        web.page.get_by_role("button", name="Send").click()
    expect(notice).to_contain_text("Your message didn't reach DRAKO")
    expect(box).to_have_value("Make it four instead, please, and add a reminder the evening before")

    assert web.page.evaluate("window.__sent") == []
    refused = web.page.evaluate("window.__refused")
    assert [r["message"]["event_type"] for r in refused] == [
        "conversation.tool_result",
        "conversation.append_llm_context",
        "conversation.echo",
        "conversation.respond",
    ]
    assert {r["error"] for r in refused} == {"too large"}
    # Each refusal was logged on the console (the fixture fails a test on unexpected ones).
    logged_errors = [e for e in web.errors if "Max size is 150" in e]
    assert len(logged_errors) == 4
    web.errors[:] = [e for e in web.errors if e not in logged_errors]


def test_captions_stream_once_per_turn_in_order_and_the_users_words_go_with_the_call(
    web, tavus, persona
):
    user = UserFactory(time_zone=TIME_ZONE)
    conversation = _talk(web, user, delivery="inline", persona=persona)
    captions = web.page.locator("#captions")

    def say(role, speech, seq, inference_id="turn-1", final=False):
        web.emit(
            streaming(conversation, role, speech, seq=seq, inference_id=inference_id, final=final)
        )

    # A PAL turn streams twice ("pal" and the legacy "replica"); the text is the turn so far.
    say("pal", "Hi Berta,", 20)
    say("replica", "Hi Berta,", 21)
    say("pal", "Hi Berta, what can I", 23)
    say("replica", "Hi Berta, what", 22)  # late: older than what is shown
    replica_lines = captions.locator(".caption-replica")
    expect(replica_lines).to_have_text(["Hi Berta, what can I"])
    expect(replica_lines.first).to_have_attribute("aria-busy", "true")
    final = utterance(conversation, "replica", "Hi Berta, what can I do for you?")
    final["inference_id"], final["seq"] = "turn-1", 24
    web.emit(final)
    expect(replica_lines).to_have_text(["Hi Berta, what can I do for you?"])
    expect(replica_lines.first).not_to_have_attribute("aria-busy", "true")

    # The user's turn: its inference id changes on the way (speculative inference).
    say("user", "Put the dentist", 30, inference_id="guess-1")
    said = utterance(conversation, "user", "Put the dentist in for tomorrow at three.")
    said["seq"] = 32
    web.emit(said)
    user_lines = captions.locator(".caption-user")
    expect(user_lines).to_have_text(["Put the dentist in for tomorrow at three."])

    # Out of order: a line sits where its turn began (its first seq), whenever it arrives.
    late = utterance(conversation, "replica", "One moment.")
    late["seq"] = 29
    web.emit(late)
    expect(captions.locator(".caption")).to_have_text(
        [
            "Hi Berta, what can I do for you?",
            "One moment.",
            "Put the dentist in for tomorrow at three.",
        ]
    )

    dentist = {"title": "Dentist", "start_time": "tomorrow at 3pm"}
    call = tool_call(conversation, "add_schedule_event", dentist)
    call["inference_id"] = said["inference_id"]
    web.emit(call)
    web.wait_sent(2)
    stored = ToolCall.objects.get(conversation=conversation)
    assert stored.utterance == "Put the dentist in for tomorrow at three."


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_live_page_with_a_card_captions_and_a_notice_passes_axe_core(
    web, axe: Axe, tavus, persona, size
):
    user = UserFactory(time_zone=TIME_ZONE)
    conversation = _talk(web, user, delivery="inline", persona=persona)
    web.resize(size)
    web.emit(utterance(conversation, "user", "Put the dentist in for tomorrow at three."))
    web.emit(streaming(conversation, "pal", "I'll add the", seq=90, inference_id="turn-9"))
    dentist = {"title": "Dentist", "start_time": "tomorrow at 3pm", "notes": "Bring the X-rays."}
    web.emit(tool_call(conversation, "add_schedule_event", dentist))
    expect(web.page.locator("#proposals .proposal")).to_contain_text("Dentist")
    web.wait_sent(2)
    web.page.evaluate("window.__setMaxAppMessageSize(10)")
    box = web.page.get_by_placeholder("Type instead of speaking…")
    box.fill("Thanks")
    with web.page.expect_console_message(lambda m: m.type == "error"):
        web.page.get_by_role("button", name="Send").click()
    expect(web.page.get_by_role("alert")).to_be_visible()
    web.errors.clear()  # that refusal was the point

    label = "1440 x 900" if size == DESKTOP else "360 x 740"
    result = axe.run(web.page, f"live call with a card and a notice ({label})")
    assert result.blocking == []
    if size == PHONE:
        assert web.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert web.page.evaluate(SMALL_TARGETS) == []
