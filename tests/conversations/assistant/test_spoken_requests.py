"""Spoken requests as a production LLM passes them through: the tool and its raw arguments, in
four zones (one :30, one southern), both DST transitions and three languages, each with the
schedule it must end with after the person says yes — or the question it must ask instead.

The clock is fixed at Monday, November 30, 2026, 15:00 UTC: New York 10:00, Berlin 16:00,
Kolkata 20:30, Sydney (already Tuesday, December 1) 02:00.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from conversations.assistant.calls import ToolRequest, arguments_parse, tool_call_execute
from conversations.assistant.playground import playground_conversation_get
from schedules import speech
from schedules.models import Event
from tests.conversations.assistant.speakable import speakable_problem
from tests.factories import UserFactory, add_event

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
NY, BERLIN, KOLKATA, SYDNEY = (
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Australia/Sydney",
)


@dataclass(frozen=True)
class Case:
    name: str
    zone: str
    steps: tuple  # (tool, arguments) said in order; the last answer is judged
    schedule: dict | None = None  # title -> (start, end) local "YYYY-MM-DD HH:MM", after a yes
    asks: tuple[str, ...] = ()  # words the question must contain (nothing changes)
    language: str = "english"
    setup: tuple = ()  # (title, local start, minutes)
    extra: dict = field(default_factory=dict)


def add(title, start, **more):
    return ("add_schedule_event", {"title": title, "start_time": start, **more})


def move(title, start="", **more):
    return ("update_schedule_event", {"event": title, "start_time": start, **more})


DENTIST = (("Dentist", "2026-12-02 14:00", 60),)  # Wednesday
CASES = [
    # --- adding, in the person's words -------------------------------------------------------
    Case(
        "tomorrow at 3pm",
        BERLIN,
        (add("Call", "tomorrow at 3pm"),),
        {"Call": ("2026-12-01 15:00", "2026-12-01 16:00")},
    ),
    Case(
        "uh, tomorrow at like 3pm please",
        NY,
        (add("Call", "uh, tomorrow at like 3pm please"),),
        {"Call": ("2026-12-01 15:00", "2026-12-01 16:00")},
    ),
    Case(
        "ISO without offset",
        KOLKATA,
        (add("Call", "2026-12-03T09:30"),),
        {"Call": ("2026-12-03 09:30", "2026-12-03 10:30")},
    ),
    Case(
        "ISO with the user's own offset",
        KOLKATA,
        (add("Call", "2026-12-03T09:30+05:30"),),
        {"Call": ("2026-12-03 09:30", "2026-12-03 10:30")},
    ),
    Case(
        "Z is refused with the fix",
        KOLKATA,
        (add("Call", "2026-12-03T09:30Z"),),
        asks=("your own time",),
    ),
    Case(
        "another offset is refused",
        NY,
        (add("Call", "2026-12-03T09:30+01:00"),),
        asks=("your own time",),
    ),
    Case(
        "till 3:30",
        BERLIN,
        (add("Review", "tomorrow at 3pm", end_time="till 3:30"),),
        {"Review": ("2026-12-01 15:00", "2026-12-01 15:30")},
    ),
    Case(
        "for 90 minutes",
        NY,
        (add("Workshop", "2026-12-02T09:00", end_time="for 90 minutes"),),
        {"Workshop": ("2026-12-02 09:00", "2026-12-02 10:30")},
    ),
    Case(
        "duration an hour and a half",
        SYDNEY,
        (add("Workshop", "2026-12-02T09:00", duration_minutes="an hour and a half"),),
        {"Workshop": ("2026-12-02 09:00", "2026-12-02 10:30")},
    ),
    Case(
        "1.5 hours",
        KOLKATA,
        (add("Class", "2026-12-02T18:00", duration_minutes="1.5 hours"),),
        {"Class": ("2026-12-02 18:00", "2026-12-02 19:30")},
    ),
    Case(
        "11 pm to 1 am",
        BERLIN,
        (add("Party", "2026-12-04T23:00", end_time="1 am"),),
        {"Party": ("2026-12-04 23:00", "2026-12-05 01:00")},
    ),
    Case(
        "end of day",
        NY,
        (add("Focus", "2026-12-02T14:00", end_time="end of day"),),
        {"Focus": ("2026-12-02 14:00", "2026-12-02 18:00")},
    ),
    Case(
        "twenty past six pm",
        SYDNEY,
        (add("Dinner", "tomorrow at twenty past six pm"),),
        {"Dinner": ("2026-12-02 18:20", "2026-12-02 19:20")},
    ),
    Case(
        "quarter to five",
        BERLIN,
        (add("Call", "tomorrow at quarter to five"),),
        {"Call": ("2026-12-01 16:45", "2026-12-01 17:45")},
    ),
    Case(
        "12 noon",
        KOLKATA,
        (add("Lunch", "tomorrow at 12 noon"),),
        {"Lunch": ("2026-12-01 12:00", "2026-12-01 13:00")},
    ),
    Case(
        "1500 hours",
        NY,
        (add("Call", "tomorrow 1500 hours"),),
        {"Call": ("2026-12-01 15:00", "2026-12-01 16:00")},
    ),
    Case(
        "seconds",
        BERLIN,
        (add("Call", "2026-12-02T15:30:00"),),
        {"Call": ("2026-12-02 15:30", "2026-12-02 16:30")},
    ),
    Case(
        "3 sharp",
        NY,
        (add("Call", "tomorrow at 3 sharp"),),
        {"Call": ("2026-12-01 15:00", "2026-12-01 16:00")},
    ),
    Case(
        "a week from Tuesday",
        BERLIN,
        (add("Call", "a week from Tuesday at 10am"),),
        {"Call": ("2026-12-08 10:00", "2026-12-08 11:00")},
    ),
    Case(
        "Friday next week",
        KOLKATA,
        (add("Call", "Friday next week at 4pm"),),
        {"Call": ("2026-12-11 16:00", "2026-12-11 17:00")},
    ),
    Case(
        "the day after tomorrow",
        SYDNEY,
        (add("Call", "the day after tomorrow at 9am"),),
        {"Call": ("2026-12-03 09:00", "2026-12-03 10:00")},
    ),
    Case(
        "in 2 hours",
        NY,
        (add("Call", "in 2 hours"),),
        {"Call": ("2026-11-30 12:00", "2026-11-30 13:00")},
    ),
    Case(
        "a day off",
        BERLIN,
        (add("Day off", "2026-12-04", all_day=True),),
        {"Day off": ("2026-12-04 00:00", "2026-12-05 00:00")},
    ),
    # --- asking, never guessing --------------------------------------------------------------
    Case("at 7", SYDNEY, (add("Call", "tomorrow at 7"),), asks=("morning", "evening")),
    Case("tonight at 9am", KOLKATA, (add("Call", "tonight at 9am"),), asks=("9",)),
    Case("3 pm in the morning", NY, (add("Call", "tomorrow 3 pm in the morning"),), asks=("3",)),
    Case(
        "Monday said on a Monday",
        BERLIN,
        (add("Call", "Monday at 5pm"),),
        asks=("today", "next Monday"),
    ),
    Case("-3pm", NY, (add("Call", "-3pm"),), asks=("negative",)),
    Case("0", BERLIN, (add("Call", "0"),), asks=("?",)),
    Case("Feb 29 2027", KOLKATA, (add("Call", "February 29, 2027 at 10am"),), asks=("2027",)),
    Case("3/6 in English", NY, (add("Call", "3/6 at 10am"),), asks=("March", "June")),
    Case(
        "an end before the start",
        BERLIN,
        (add("Call", "2026-12-02T10:00", end_time="2026-12-02T09:00"),),
        asks=("?",),
    ),
    Case("in 3", NY, (add("Call", "in 3"),), asks=("minutes", "hours")),
    Case(
        "a repeat: its first occurrence is the one on the schedule's row",
        BERLIN,
        (add("Standup", "tomorrow at 9am", repeat="every weekday"),),
        {"Standup": ("2026-12-01 09:00", "2026-12-01 10:00")},
    ),
    Case(
        "a repeat DRAKO can't read",
        BERLIN,
        (add("Standup", "tomorrow at 9am", repeat="whenever the moon is full"),),
        asks=("repeats",),
    ),
    # --- DST: New York, Berlin, Sydney; both transitions ------------------------------------
    Case(
        "NY spring forward gap",
        NY,
        (add("Call", "2027-03-14T02:30"),),
        asks=("doesn't exist", "3:00 AM"),
    ),
    Case("NY fall back twice", NY, (add("Call", "2027-11-07T01:30"),), asks=("twice", "EDT")),
    Case(
        "NY 9:00 across the jump",
        NY,
        (add("Call", "2027-03-15T09:00"),),
        {"Call": ("2027-03-15 09:00", "2027-03-15 10:00")},
    ),
    Case("Berlin spring gap", BERLIN, (add("Call", "2027-03-28T02:30"),), asks=("doesn't exist",)),
    Case("Berlin autumn twice", BERLIN, (add("Call", "2027-10-31T02:30"),), asks=("twice",)),
    Case("Sydney October gap", SYDNEY, (add("Call", "2027-10-03T02:30"),), asks=("doesn't exist",)),
    Case("Sydney April twice", SYDNEY, (add("Call", "2027-04-04T02:30"),), asks=("twice",)),
    Case(
        "a night across the fall-back",
        NY,
        (add("Shift", "2027-11-06T23:00", end_time="2027-11-07T03:00"),),
        {"Shift": ("2027-11-06 23:00", "2027-11-07 03:00")},
    ),
    # --- moving: anchored to the event, relative moves -----------------------------------------
    Case(
        "ok move it to 4",
        BERLIN,
        (move("Dentist", "ok move it to 4"),),
        {"Dentist": ("2026-12-02 16:00", "2026-12-02 17:00")},
        setup=DENTIST,
    ),
    Case(
        "an hour later",
        NY,
        (move("Dentist", "an hour later"),),
        {"Dentist": ("2026-12-02 15:00", "2026-12-02 16:00")},
        setup=DENTIST,
    ),
    Case(
        "30 minutes earlier",
        KOLKATA,
        (move("Dentist", "30 minutes earlier"),),
        {"Dentist": ("2026-12-02 13:30", "2026-12-02 14:30")},
        setup=DENTIST,
    ),
    Case(
        "same time on Friday",
        SYDNEY,
        (move("Dentist", "same time on Friday"),),
        {"Dentist": ("2026-12-04 14:00", "2026-12-04 15:00")},
        setup=DENTIST,
    ),
    Case(
        "push it to tomorrow",
        BERLIN,
        (move("Dentist", "push it to tomorrow"),),
        {"Dentist": ("2026-12-01 14:00", "2026-12-01 15:00")},
        setup=DENTIST,
    ),
    Case(
        "till 3:30 on an update",
        NY,
        (move("Dentist", end_time="till 3:30"),),
        {"Dentist": ("2026-12-02 14:00", "2026-12-02 15:30")},
        setup=DENTIST,
    ),
    Case(
        "a longer meeting",
        KOLKATA,
        (move("Dentist", duration_minutes="90 minutes"),),
        {"Dentist": ("2026-12-02 14:00", "2026-12-02 15:30")},
        setup=DENTIST,
    ),
    Case(
        "move it forward an hour",
        BERLIN,
        (move("Dentist", "move it forward an hour"),),
        asks=("1 PM", "3 PM"),
        setup=DENTIST,
    ),
    # --- proposals people steer -----------------------------------------------------------
    Case(
        "no, then yes to the other",
        NY,
        (add("Gym", "tomorrow at 6pm"), ("discard_change", {}), add("Gym", "tomorrow at 5pm")),
        {"Gym": ("2026-12-01 17:00", "2026-12-01 18:00")},
    ),
    Case(
        "a declined proposal stays declined",
        BERLIN,
        (add("Gym", "tomorrow at 6pm"), ("discard_change", {}), ("confirm_change", {})),
        asks=("discarded",),
    ),
    Case(
        "the newer proposal for one event wins",
        KOLKATA,
        (move("Dentist", "4pm"), move("Dentist", "5pm")),
        {"Dentist": ("2026-12-02 17:00", "2026-12-02 18:00")},
        setup=DENTIST,
    ),
    # --- Spanish -------------------------------------------------------------------------------
    Case(
        "mañana a las tres",
        BERLIN,
        (add("Dentista", "mañana a las tres"),),
        {"Dentista": ("2026-12-01 15:00", "2026-12-01 16:00")},
        language="spanish",
    ),
    Case(
        "el viernes a las 15:30",
        NY,
        (add("Llamada", "el viernes a las 15:30"),),
        {"Llamada": ("2026-12-04 15:30", "2026-12-04 16:30")},
        language="spanish",
    ),
    Case(
        "pasado mañana a las 9",
        KOLKATA,
        (add("Clase", "pasado mañana a las 9 de la mañana"),),
        {"Clase": ("2026-12-02 09:00", "2026-12-02 10:00")},
        language="spanish",
    ),
    Case(
        "una hora más tarde",
        SYDNEY,
        (move("Dentist", "una hora más tarde"),),
        {"Dentist": ("2026-12-02 15:00", "2026-12-02 16:00")},
        setup=DENTIST,
        language="spanish",
    ),
    Case(
        "a las 7, en español",
        BERLIN,
        (add("Cena", "mañana a las 7"),),
        asks=("7",),
        language="spanish",
    ),
    Case(
        "por hora y media",
        NY,
        (add("Taller", "2026-12-02T10:00", duration_minutes="una hora y media"),),
        {"Taller": ("2026-12-02 10:00", "2026-12-02 11:30")},
        language="spanish",
    ),
    # --- German ------------------------------------------------------------------------------
    Case(
        "morgen um 15 Uhr",
        BERLIN,
        (add("Termin", "morgen um 15 Uhr"),),
        {"Termin": ("2026-12-01 15:00", "2026-12-01 16:00")},
        language="german",
    ),
    Case(
        "halb drei",
        KOLKATA,
        (add("Termin", "morgen um halb drei"),),
        {"Termin": ("2026-12-01 14:30", "2026-12-01 15:30")},
        language="german",
    ),
    Case(
        "Viertel nach drei",
        NY,
        (add("Termin", "übermorgen um Viertel nach drei"),),
        {"Termin": ("2026-12-02 15:15", "2026-12-02 16:15")},
        language="german",
    ),
    Case(
        "eine Stunde später",
        BERLIN,
        (move("Dentist", "eine Stunde später"),),
        {"Dentist": ("2026-12-02 15:00", "2026-12-02 16:00")},
        setup=DENTIST,
        language="german",
    ),
    Case(
        "anderthalb Stunden",
        SYDNEY,
        (add("Kurs", "2026-12-03T10:00", duration_minutes="anderthalb Stunden"),),
        {"Kurs": ("2026-12-03 10:00", "2026-12-03 11:30")},
        language="german",
    ),
    Case(
        "German DST gap",
        BERLIN,
        (add("Termin", "2027-03-28T02:30"),),
        asks=("2",),
        language="german",
    ),
]


def _local(text: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _say(conversation, name: str, arguments: dict, events: dict) -> dict:
    if "event" in arguments:  # the LLM passes the id it read from the context
        arguments = {**arguments, "event_id": events[arguments.pop("event")].pk}
    request = ToolRequest(name=name, arguments=arguments_parse(arguments))
    return tool_call_execute(conversation=conversation, request=request)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_spoken_request_ends_in_the_right_schedule_or_a_question(case, frozen):
    tz = ZoneInfo(case.zone)
    user = UserFactory(time_zone=case.zone, language=case.language)
    events = {
        title: add_event(user, title, _local(start, tz), _local(start, tz) + timedelta(minutes=m))
        for title, start, m in case.setup
    }
    before = {e.title: (e.start, e.end) for e in Event.objects.filter(owner=user)}
    conversation = playground_conversation_get(user=user)
    answers = [_say(conversation, name, dict(args), events) for name, args in case.steps]
    last = answers[-1]
    for answer in answers:
        assert speakable_problem(answer["say"]) is None, answer
        assert len(answer["say"].split()) <= 30, answer["say"]
    if case.asks:
        assert last["ok"] is False and last["say"].rstrip().endswith("?"), last
        for words in case.asks:
            assert words.lower() in last["say"].lower(), (words, last["say"])
        mine = {e.title: (e.start, e.end) for e in Event.objects.filter(owner=user)}
        assert mine == before
        return
    assert last["ok"] and last["state"] == "proposed", last
    # The read-back names the weekday and the date of what it writes, in the user's language.
    expected_now = {t: (_local(s, tz), _local(e, tz)) for t, (s, e) in case.schedule.items()}
    with translation.override(user.speech_language):
        for title, (start, _end) in expected_now.items():
            if before.get(title, (None,))[0] == start:
                continue  # not moved by this request
            day = start.astimezone(tz)
            said = last["say"].lower()
            assert speech.weekday_name(day.weekday()).lower() in said, (title, last["say"])
            assert str(day.day) in said, (title, last["say"])
    confirmed = _say(conversation, "confirm_change", {}, events)
    assert confirmed["ok"] and confirmed["state"] == "applied", confirmed
    mine = {e.title: (e.start, e.end) for e in Event.objects.filter(owner=user, status="confirmed")}
    expected = {t: (_local(s, tz), _local(e, tz)) for t, (s, e) in case.schedule.items()}
    assert mine == expected


def test_the_suite_spans_what_the_issue_asks():
    zones = {case.zone for case in CASES}
    assert {NY, BERLIN, KOLKATA, SYDNEY} <= zones and len(CASES) >= 60
    assert {case.language for case in CASES} >= {"english", "spanish", "german"}
    dst = [
        c for c in CASES if c.steps[0][1].get("start_time", "").startswith(("2027-03", "2027-1"))
    ]
    assert {c.zone for c in dst} >= {NY, BERLIN, SYDNEY}
