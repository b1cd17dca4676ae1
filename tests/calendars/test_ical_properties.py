"""Whatever a feed or a file holds, reading it either works or fails in words: never a crash."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from calendars import ical
from calendars.errors import CalendarError

LINES = st.sampled_from([
    "BEGIN:VEVENT", "END:VEVENT", "UID:x", "SUMMARY:Board", "DTSTART:20261201T100000Z",
    "DTSTART;VALUE=DATE:20261201", "DTSTART;TZID=W. Europe Standard Time:20261201T100000",
    "DTSTART;TZID=Nowhere/Else:20261201T100000", "DTEND:20261201T090000Z", "DTEND:garbage",
    "DURATION:PT1H", "DURATION:-P1D", "RRULE:FREQ=DAILY;COUNT=3", "RRULE:FREQ=NEVER",
    "RRULE:FREQ=WEEKLY;UNTIL=20261201", "EXDATE:20261202T100000Z", "STATUS:CANCELLED",
    "RECURRENCE-ID:20261202T100000Z", "TRANSP:TRANSPARENT", "X-WR-TIMEZONE:Mars/Olympus",
    "BEGIN:VTIMEZONE", "END:VTIMEZONE", "TZID:W. Europe Standard Time",
])  # fmt: skip


@settings(max_examples=150, deadline=None, derandomize=True)
@given(st.lists(LINES | st.text(max_size=30), max_size=25))
def test_any_calendar_text_is_read_or_refused_in_words(lines):
    text = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", *lines, "END:VCALENDAR", ""])
    try:
        parsed = ical.calendar_parse(text.encode())
        ical.occurrences_between(
            parsed,
            tz=ZoneInfo("Europe/Berlin"),
            start=datetime(2026, 11, 1, tzinfo=UTC),
            end=datetime(2027, 1, 1, tzinfo=UTC),
        )
    except CalendarError as refusal:
        assert refusal.message
