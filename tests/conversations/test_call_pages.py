"""The call's pages on the server side (issue 14): change cards as pages write them, the record's
timeline, the Connecting page, the card fragment and what the live page is given."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations import cards, record
from conversations.live import live_page_config
from conversations.models import Conversation, Proposal, ToolCall
from schedules.models import Event
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2030, 11, 30, 9, 0, tzinfo=BERLIN)  # a Saturday
EN_DASH = "\N{EN DASH}"


def _times(hour12: bool = True, now: datetime = NOW) -> cards.Times:
    return cards.Times(tz=BERLIN, hour12=hour12, now=now)


def _at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2030, month, day, hour, minute, tzinfo=BERLIN)


def _proposal(kind: str, *, data: dict, before: dict | None = None, **fields) -> Proposal:
    encoded = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in data.items()}
    if before:
        before = {k: v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v
                  for k, v in before.items()}  # fmt: skip
    values = {"state": "proposed", "expires_at": NOW + timedelta(minutes=5), "summary": "…"}
    return Proposal(kind=kind, data=encoded, before=before, **(values | fields))


# ---- One line that says it all ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hour12", "day", "time"),
    [
        (_at(3, 15), _at(3, 16), True, "Tue Dec 3", f"3{EN_DASH}4 PM"),
        (_at(3, 10, 30), _at(3, 12), True, "Tue Dec 3", f"10:30 AM{EN_DASH}12 PM"),
        (_at(3, 15, 15), _at(3, 16), True, "Tue Dec 3", f"3:15{EN_DASH}4 PM"),
        (_at(3, 15), _at(3, 16), False, "Tue Dec 3", f"15:00{EN_DASH}16:00"),
        (_at(3, 23), _at(4, 1), True, "Tue Dec 3", f"11 PM {EN_DASH} Wed 1 AM"),
        # Berlin springs forward at 2:00: a span over the gap is written as the clocks show it.
        (_at(31, 1, 30, 3), _at(31, 3, 30, 3), True, "Sun Mar 31", f"1:30{EN_DASH}3:30 AM"),
    ],
)  # fmt: skip
def test_an_add_is_one_line_on_the_readers_clock(start, end, hour12, day, time):
    proposal = _proposal("create", data={"title": "Haircut", "start": start, "end": end})
    card = cards.change_card(proposal, clock=_times(hour12))
    assert (card.verb, card.title, card.day, card.time) == ("Add", "Haircut", day, time)
    assert card.diff == [] and card.new_title == ""


def test_a_day_of_another_year_says_its_year():
    start = datetime(2031, 1, 7, 9, tzinfo=BERLIN)
    proposal = _proposal(
        "create", data={"title": "Dentist", "start": start, "end": start + timedelta(hours=1)}
    )
    assert cards.change_card(proposal, clock=_times()).day == "Tue Jan 7, 2031"


@pytest.mark.parametrize(
    ("first", "last_midnight", "day"),
    [(_at(3, 0), _at(4, 0), "Tue Dec 3"), (_at(3, 0), _at(6, 0), f"Tue Dec 3 {EN_DASH} Thu Dec 5")],
)
def test_all_day_is_the_days_and_never_midnight(first, last_midnight, day):
    data = {"title": "Holiday", "start": first, "end": last_midnight, "all_day": True}
    card = cards.change_card(_proposal("create", data=data), clock=_times())
    assert (card.day, card.time) == (day, "all day")
    assert "12" not in card.time


def test_a_move_diffs_only_the_time_and_a_rename_only_the_title():
    before = {"id": 7, "title": "Dentist", "start": _at(3, 10), "end": _at(3, 11), "all_day": False}
    moved = cards.change_card(
        _proposal("update", data={"start": _at(5, 15), "end": _at(5, 16)}, before=before),
        clock=_times(),
    )
    assert (moved.verb, moved.title, moved.day, moved.time) == (
        "Move",
        "Dentist",
        "Thu Dec 5",
        f"3{EN_DASH}4 PM",
    )
    assert moved.diff == [
        cards.Row("When", f"Tue Dec 3 · 10{EN_DASH}11 AM", f"Thu Dec 5 · 3{EN_DASH}4 PM")
    ]

    renamed = cards.change_card(
        _proposal("update", data={"title": "Dr. Öz"}, before=before), clock=_times()
    )
    assert (renamed.verb, renamed.title, renamed.new_title) == ("Rename", "Dentist", "Dr. Öz")
    assert renamed.diff == [cards.Row("Title", "Dentist", "Dr. Öz")]
    assert renamed.time == f"10{EN_DASH}11 AM"  # where it stays

    both = {"title": "Dr. Öz", "start": _at(5, 15), "end": _at(5, 16)}
    changed = cards.change_card(_proposal("update", data=both, before=before), clock=_times())
    assert changed.verb == "Change" and [row.label for row in changed.diff] == ["Title", "When"]


def test_a_cancel_names_the_event_and_when_it_was():
    before = {"id": 7, "title": "Dentist", "start": _at(3, 10), "end": _at(3, 11), "all_day": False}
    card = cards.change_card(_proposal("cancel", data={}, before=before), clock=_times())
    assert (card.verb, card.title, card.day, card.time, card.diff) == (
        "Cancel", "Dentist", "Tue Dec 3", f"10{EN_DASH}11 AM", []
    )  # fmt: skip


def test_a_repeating_change_says_how_it_repeats_and_which_occurrences():
    data = {"title": "Standup", "start": _at(2, 9), "end": _at(2, 9, 30),
            "recurrence": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"}  # fmt: skip
    added = cards.change_card(_proposal("create", data=data), clock=_times())
    assert (added.day, added.time) == ("Mon Dec 2", f"9{EN_DASH}9:30 AM")
    assert added.details == [cards.Row("Repeats", "", "every weekday")]

    series = {"id": 9, "title": "Standup", "start": _at(2, 9), "end": _at(2, 9, 30),
              "all_day": False, "recurrence": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"}  # fmt: skip
    one = {"start": _at(4, 10), "end": _at(4, 10, 30), "occurrence": _at(4, 9).isoformat(),
           "scope": "this"}  # fmt: skip
    moved = cards.change_card(_proposal("update", data=one, before=series), clock=_times())
    # The occurrence that moves, not the series' first one.
    assert moved.diff == [
        cards.Row("When", f"Wed Dec 4 · 9{EN_DASH}9:30 AM", f"Wed Dec 4 · 10{EN_DASH}10:30 AM")
    ]
    assert moved.details == [cards.Row("Which", "", "This one only")]

    until = {"recurrence": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10"}
    ending = cards.change_card(_proposal("update", data=until, before=series), clock=_times())
    assert ending.verb == "Repeat"
    assert ending.diff == [cards.Row("Repeats", "every weekday", "every weekday, 10 times")]

    days = [_at(d, 9).isoformat() for d in (3, 4, 5)]
    cancelled = cards.change_card(
        _proposal("cancel", data={"occurrences": days, "scope": "this"}, before=series),
        clock=_times(),
    )
    assert (cancelled.verb, cancelled.day, cancelled.time) == (
        "Cancel",
        "Tue Dec 3",
        f"9{EN_DASH}9:30 AM",
    )
    assert cancelled.details == [cards.Row("Which", "", "These 3: Tue Dec 3, Wed Dec 4, Thu Dec 5")]


def test_an_add_shows_where_and_notes_as_details():
    data = {
        "title": "Lunch",
        "start": _at(3, 12),
        "end": _at(3, 13),
        "location": "Café Einstein",
        "notes": "",
    }
    card = cards.change_card(_proposal("create", data=data), clock=_times())
    assert card.details == [cards.Row("Where", "", "Café Einstein")]


def test_time_left_to_say_yes_only_while_it_waits():
    data = {"title": "Yoga", "start": _at(3, 7), "end": _at(3, 8)}
    waiting = cards.change_card(
        _proposal("create", data=data, expires_at=NOW + timedelta(seconds=287)), clock=_times()
    )
    assert (waiting.expires_in, waiting.expires_clock, waiting.pending) == (287, "4:47", True)
    done = cards.change_card(_proposal("create", data=data, state="applied"), clock=_times())
    assert done.expires_in is None and done.state_label == "Done"
    late = cards.change_card(
        _proposal("create", data=data, expires_at=NOW - timedelta(seconds=3)), clock=_times()
    )
    assert late.expires_in == 0


def test_overlaps_are_short_chips_as_they_are_now(user):
    day = 3
    EventFactory(owner=user, title="Workshop", start=_at(day, 14), end=_at(day, 15, 30))
    EventFactory(owner=user, title="Conference", start=_at(day, 0), end=_at(day + 1, 0),
                 all_day=True, show_as=Event.ShowAs.BUSY)  # fmt: skip
    EventFactory(owner=user, title="Holiday", start=_at(day, 0), end=_at(day + 1, 0),
                 all_day=True, show_as=Event.ShowAs.FREE)  # fmt: skip
    EventFactory(owner=user, title="Night shift", start=_at(day - 1, 22), end=_at(day, 16))
    data = {"title": "Haircut", "start": _at(day, 15), "end": _at(day, 16), "show_as": "busy"}
    proposal = _proposal("create", data=data, conflicts=["Workshop, 2 to 3:30 PM"])
    card = cards.change_card(proposal, clock=_times(), user=user)
    assert card.conflicts == [  # by start; another day's named
        f"Night shift Mon Dec 2 10 PM {EN_DASH} Tue 4 PM",
        "Conference · all day",
        f"Workshop 2{EN_DASH}3:30 PM",
    ]
    assert not any("12:00 AM" in chip or "12 AM" in chip for chip in card.conflicts)
    # Decided, or without the owner: as they were said when it was proposed.
    assert cards.change_card(proposal, clock=_times()).conflicts == ["Workshop, 2 to 3:30 PM"]


# ---- The record's timeline ----------------------------------------------------------------------


def _call(name: str, utterance: str) -> dict:
    return {"call": ToolCall(name=name, utterance=utterance), "arguments": "{}", "change": None}


def test_each_tool_call_follows_the_words_that_led_to_it():
    transcript = [
        {"role": "user", "content": "Move my dentist to Thursday at three."},
        {"role": "assistant", "content": "I can move Dentist to Thursday. Shall I?"},
        {"role": "user", "content": "Yes."},
        {"role": "assistant", "content": "Done."},
        {"role": "user", "content": "And yes, lunch with Sam on Friday."},
        {"role": "assistant", "content": "Lunch with Sam, Friday at noon?"},
    ]
    items = [
        _call("list_schedule_events", "move my dentist to Thursday at three"),
        _call("update_schedule_event", "Move my dentist to Thursday at three."),
        _call("confirm_change", "Yes."),
        _call("confirm_change", "(clicked Confirm)"),  # a click: no words of its own
        _call("add_schedule_event", "lunch with Sam on Friday"),  # the caption, a word short
    ]
    steps = record.timeline(transcript, items)
    placed = [(step.turn["content"][:12], [i["call"].name for i in step.calls]) for step in steps]
    assert placed == [
        ("Move my dent", ["list_schedule_events", "update_schedule_event"]),
        ("I can move D", []),
        ("Yes.", ["confirm_change", "confirm_change"]),
        ("Done.", []),
        ("And yes, lun", ["add_schedule_event"]),
        ("Lunch with S", []),
    ]


def test_calls_before_any_matching_words_come_first_and_keep_their_order():
    transcript = [{"role": "user", "content": "Yes."}, {"role": "assistant", "content": "Done."}]
    items = [_call("list_schedule_events", ""), _call("find_free_slots", "something else entirely")]
    steps = record.timeline(transcript, items)
    assert steps[0].turn is None
    assert [i["call"].name for i in steps[0].calls] == ["list_schedule_events", "find_free_slots"]
    assert record.timeline([], []) == []


# ---- Pages --------------------------------------------------------------------------------------


def test_a_start_under_way_shows_a_connecting_page_that_moves_on_by_itself(
    user_client, user, persona
):
    starting = Conversation.objects.create(user=user, persona=persona)
    page = user_client.get(reverse("conversations:detail", args=[starting.pk]))
    html = page.content.decode()
    assert "Connecting to DRAKO…" in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html  # no JavaScript
    assert f'data-connecting="{reverse("api:conversation-detail", args=[starting.pk])}"' in html
    assert "daily-js" not in html and "Why it failed" not in html


def test_pressing_again_while_starting_leads_to_the_connecting_page_without_a_warning(
    user_client, user, persona, tavus_on
):
    starting = Conversation.objects.create(user=user, persona=persona)
    response = user_client.post(reverse("conversations:start"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("conversations:detail", args=[starting.pk])
    html = response.content.decode()
    assert "Connecting to DRAKO…" in html and "already have a conversation" not in html
    assert Conversation.objects.filter(user=user).count() == 1


def test_a_failed_start_record_says_why_and_offers_to_try_again(user_client, user, persona):
    busy = "All of DRAKO's video lines are busy right now. Please try again in a minute."
    failed = Conversation.objects.create(
        user=user, persona=persona, status="failed", failure_reason=busy
    )
    html = user_client.get(reverse("conversations:detail", args=[failed.pk])).content.decode()
    assert "The call didn't start" in html and "video lines are busy" in html
    assert reverse("conversations:start") in html and "Try again" in html


def _gym(user_api, conversation) -> dict:
    gym = {"title": "Gym", "start_time": "2030-01-08T18:00"}
    body = {"name": "add_schedule_event", "arguments": gym}
    url = f"/api/conversations/{conversation.pk}/tool-calls/"
    return user_api.post(url, body, format="json").json()


def test_the_card_fragment_is_the_owners_alone(
    client, user_client, user_api, live_conversation, other_user, persona
):
    answer = _gym(user_api, live_conversation)
    url = reverse("conversations:change-card", args=[live_conversation.pk, answer["change_id"]])
    page = user_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "no-cache" in page.headers["Cache-Control"]
    assert 'data-state="proposed"' in html and "Add <strong>Gym</strong>" in html
    assert "Tue Jan 8, 2030" in html and f"6{EN_DASH}7 PM" in html
    assert 'data-action="confirm"' in html and "data-expires-in=" in html

    theirs = Conversation.objects.create(user=other_user, persona=persona, status="ended")
    elsewhere = reverse("conversations:change-card", args=[theirs.pk, answer["change_id"]])
    assert user_client.get(elsewhere).status_code == 404  # not a change of that conversation
    client.force_login(other_user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to sign in


def test_the_card_writes_times_on_the_readers_clock(user_client, user_api, live_conversation):
    answer = _gym(user_api, live_conversation)
    url = reverse("conversations:change-card", args=[live_conversation.pk, answer["change_id"]])
    html = user_client.get(url, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert f"18:00{EN_DASH}19:00" in html


def test_the_live_page_knows_the_calls_limit_and_what_to_say_before_it(live_conversation):
    live_conversation.started_at = timezone.now() - timedelta(seconds=75)
    config = live_page_config(conversation=live_conversation, now=timezone.now())
    assert config["maxCallSeconds"] == live_conversation.max_call_seconds == 240
    assert config["elapsedSeconds"] == 75
    assert config["warnBeforeEnd"] == 30
    assert config["hangUpWarning"]["say"] == "Just so you know: I'll hang up in 30 seconds."
    assert "Say yes now" in config["hangUpWarning"]["sayPending"]
    assert config["cardUrl"] == reverse("conversations:change-card", args=[live_conversation.pk, 0])
    json.dumps(config)  # it goes into the page as JSON


def test_the_record_and_a_card_cost_the_same_queries_however_many_changes(
    user_client, user_api, live_conversation
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert user_client.get(url).status_code == 200
        return len(queries)

    record_url = reverse("conversations:detail", args=[live_conversation.pk])

    def card(answer: dict) -> str:
        return reverse(
            "conversations:change-card", args=[live_conversation.pk, answer["change_id"]]
        )

    one_card = cost(card(_gym(user_api, live_conversation)))  # a waiting card: its overlaps too
    Conversation.objects.filter(pk=live_conversation.pk).update(status="ended")
    one = cost(record_url)
    Conversation.objects.filter(pk=live_conversation.pk).update(status="active")
    for _ in range(4):
        last = _gym(user_api, live_conversation)
    assert cost(card(last)) == one_card
    Conversation.objects.filter(pk=live_conversation.pk).update(status="ended")
    assert cost(record_url) == one
