"""schedules.timeparse: spoken and ISO times in the user's zone, DST-correct. No Django needed."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules.speech import describe
from schedules.timeparse import (
    AmbiguousTimeError,
    NonexistentTimeError,
    TimeParseError,
    parse_datetime,
    parse_duration,
    parse_range,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")
LA = ZoneInfo("America/Los_Angeles")

# Wednesday, March 4 2026, 10:00 in New York (four days before the US spring-forward).
WED = datetime(2026, 3, 4, 10, 0, tzinfo=NY)


def _ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


def _same_wall_and_instant(result: datetime, expected: datetime) -> None:
    assert result.tzinfo is not None and result.utcoffset() is not None
    assert result == expected
    assert result.replace(tzinfo=None) == expected.replace(tzinfo=None)
    assert result.utcoffset() == expected.utcoffset()


def _utc_length(start: datetime, end: datetime) -> timedelta:
    # Subtracting two datetimes with the same tzinfo ignores DST; compare real instants.
    return end.astimezone(UTC) - start.astimezone(UTC)


# ---------------------------------------------------------------- phrases

PHRASES = [
    ("now", _ny(2026, 3, 4, 10, 0)),
    ("right now", _ny(2026, 3, 4, 10, 0)),
    ("today at 5", _ny(2026, 3, 4, 17, 0)),
    ("today 5pm", _ny(2026, 3, 4, 17, 0)),
    ("tonight at 8", _ny(2026, 3, 4, 20, 0)),
    ("tonight", _ny(2026, 3, 4, 20, 0)),
    ("tomorrow 3pm", _ny(2026, 3, 5, 15, 0)),
    ("tomorrow at 3:30 pm", _ny(2026, 3, 5, 15, 30)),
    ("TOMORROW,  at 3 P.M.", _ny(2026, 3, 5, 15, 0)),
    ("Friday at noon", _ny(2026, 3, 6, 12, 0)),
    ("on Friday, at noon", _ny(2026, 3, 6, 12, 0)),
    ("this Friday at 10:30am", _ny(2026, 3, 6, 10, 30)),
    ("Monday morning", _ny(2026, 3, 9, 9, 0)),
    ("tomorrow afternoon", _ny(2026, 3, 5, 14, 0)),
    ("this evening", _ny(2026, 3, 4, 18, 0)),
    ("this morning at 8", _ny(2026, 3, 4, 8, 0)),
    ("in two hours", _ny(2026, 3, 4, 12, 0)),
    ("in 45 minutes", _ny(2026, 3, 4, 10, 45)),
    ("in an hour", _ny(2026, 3, 4, 11, 0)),
    ("in half an hour", _ny(2026, 3, 4, 10, 30)),
    ("in an hour and a half", _ny(2026, 3, 4, 11, 30)),
    ("2 hours from now", _ny(2026, 3, 4, 12, 0)),
    ("in 3 days at 9am", _ny(2026, 3, 7, 9, 0)),
    ("in a week at noon", _ny(2026, 3, 11, 12, 0)),
    ("noon", _ny(2026, 3, 4, 12, 0)),
    ("midnight", _ny(2026, 3, 5, 0, 0)),
    ("Friday at midnight", _ny(2026, 3, 7, 0, 0)),
    ("at 3pm", _ny(2026, 3, 4, 15, 0)),
    ("at 9am", _ny(2026, 3, 5, 9, 0)),  # already past today and no day word: tomorrow
    ("March 6 at 3pm", _ny(2026, 3, 6, 15, 0)),
    ("6 March 15:00", _ny(2026, 3, 6, 15, 0)),
    ("on the 6th of March, at 3 PM", _ny(2026, 3, 6, 15, 0)),
    ("March 6th 2027 at 3pm", datetime(2027, 3, 6, 15, 0, tzinfo=NY)),
    ("March 2 at 3pm", datetime(2027, 3, 2, 15, 0, tzinfo=NY)),  # already past: next year
    ("the 15th at 2", _ny(2026, 3, 15, 14, 0)),
    ("13/6 at 2pm", _ny(2026, 6, 13, 14, 0)),  # only one reading is a real date
    ("6/13 at 2pm", _ny(2026, 6, 13, 14, 0)),
    ("the day after tomorrow at 9am", _ny(2026, 3, 6, 9, 0)),
    ("Friday next week at 3", _ny(2026, 3, 13, 15, 0)),
    ("2026-03-06 at 4pm", _ny(2026, 3, 6, 16, 0)),
    ("half past three tomorrow", _ny(2026, 3, 5, 15, 30)),
    ("quarter to five", _ny(2026, 3, 4, 16, 45)),
    ("a quarter past 11am tomorrow", _ny(2026, 3, 5, 11, 15)),
    ("tomorrow at three", _ny(2026, 3, 5, 15, 0)),
    ("tomorrow at three thirty", _ny(2026, 3, 5, 15, 30)),
    ("tomorrow at 3 o'clock", _ny(2026, 3, 5, 15, 0)),
    ("tomorrow at 3.30pm", _ny(2026, 3, 5, 15, 30)),
    ("@ 4pm tomorrow", _ny(2026, 3, 5, 16, 0)),
    ("Thursday, March 5 at 3:00 PM", _ny(2026, 3, 5, 15, 0)),  # describe()'s own output
    ("tomorrow, Thursday, March 5 at 3:00 PM", _ny(2026, 3, 5, 15, 0)),
]


@pytest.mark.parametrize(("text", "expected"), PHRASES)
def test_phrase_resolves_to_exact_local_datetime(text, expected):
    _same_wall_and_instant(parse_datetime(text, tz=NY, now=WED), expected)


BARE_HOURS = [
    ("tomorrow at 1", 13, 0),
    ("tomorrow at 5", 17, 0),
    ("tomorrow at 6:45", 18, 45),
    ("tomorrow at 12", 12, 0),
    ("tomorrow at 12:30", 12, 30),
    ("tomorrow at 12am", 0, 0),
    ("tomorrow at 12pm", 12, 0),
    ("tomorrow at 0:30", 0, 30),
    ("tomorrow 05:00", 5, 0),  # leading zero = 24-hour clock
    ("tomorrow 09:00", 9, 0),
    ("tomorrow 17:15", 17, 15),
    ("tomorrow morning at 6", 6, 0),
    ("tomorrow at 8 in the evening", 20, 0),
    ("tomorrow afternoon at 2", 14, 0),
    ("tomorrow at 9 at night", 21, 0),
    ("tomorrow at 7am", 7, 0),
    ("tomorrow at 7 pm", 19, 0),
]


@pytest.mark.parametrize(("text", "hour", "minute"), BARE_HOURS)
def test_bare_hours_follow_the_documented_am_pm_rule(text, hour, minute):
    result = parse_datetime(text, tz=NY, now=WED)
    assert (result.date(), result.hour, result.minute) == (date(2026, 3, 5), hour, minute)


# Issue 12: 7-11 without am/pm or a part of the day were guessed as morning; now they ask.
@pytest.mark.parametrize(
    ("text", "morning"),
    [
        ("tomorrow at 7", _ny(2026, 3, 5, 7, 0)),
        ("tomorrow at 10:30", _ny(2026, 3, 5, 10, 30)),
        ("tomorrow at 11", _ny(2026, 3, 5, 11, 0)),
        ("this Friday at 10:30", _ny(2026, 3, 6, 10, 30)),
        ("a quarter past 11 tomorrow", _ny(2026, 3, 5, 11, 15)),
    ],
)
def test_seven_to_eleven_without_am_or_pm_asks_which(text, morning):
    with pytest.raises(AmbiguousTimeError) as err:
        parse_datetime(text, tz=NY, now=WED)
    hour = morning.hour
    said = f"{hour}:{morning.minute:02d}" if morning.minute else str(hour)
    assert err.value.message == f"Do you mean {said} in the morning, or {said} at night?" or (
        err.value.message == f"Do you mean {said} in the morning, or {said} in the evening?"
    )
    assert err.value.options == (morning, morning + timedelta(hours=12))


def test_tonight_at_12_is_the_midnight_ending_today():
    _same_wall_and_instant(parse_datetime("tonight at 12", tz=NY, now=WED), _ny(2026, 3, 5, 0, 0))


def test_time_without_day_word_rolls_to_tomorrow_only_when_past():
    late = _ny(2026, 3, 4, 16, 0)
    _same_wall_and_instant(parse_datetime("at 3pm", tz=NY, now=late), _ny(2026, 3, 5, 15, 0))
    _same_wall_and_instant(parse_datetime("at 5pm", tz=NY, now=late), _ny(2026, 3, 4, 17, 0))
    _same_wall_and_instant(parse_datetime("morning", tz=NY, now=late), _ny(2026, 3, 5, 9, 0))


def test_named_day_in_the_past_is_returned_as_said():
    late = _ny(2026, 3, 4, 16, 0)
    _same_wall_and_instant(parse_datetime("today at 9am", tz=NY, now=late), _ny(2026, 3, 4, 9, 0))


def test_naive_now_is_taken_as_local_time():
    naive = datetime(2026, 3, 4, 10, 0)
    _same_wall_and_instant(parse_datetime("tomorrow 3pm", tz=NY, now=naive), _ny(2026, 3, 5, 15, 0))


def test_now_given_in_utc_is_converted_to_the_users_day():
    # 02:00 UTC on March 5 is still the evening of March 4 in New York.
    now = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)
    _same_wall_and_instant(parse_datetime("tomorrow 3pm", tz=NY, now=now), _ny(2026, 3, 5, 15, 0))


def test_day_without_time_uses_default_hour():
    result = parse_datetime("Friday", tz=NY, now=WED, default_hour=9)
    _same_wall_and_instant(result, _ny(2026, 3, 6, 9, 0))


def test_day_without_time_and_no_default_asks_for_the_time():
    with pytest.raises(TimeParseError) as err:
        parse_datetime("Friday", tz=NY, now=WED)
    assert err.value.message.startswith("What time on Friday, March 6?")


# ---------------------------------------------------------------- weekdays and "next"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (_ny(2026, 3, 6, 16, 0), _ny(2026, 3, 13, 15, 0)),  # Friday, 3pm gone: next week
        (_ny(2026, 3, 7, 10, 0), _ny(2026, 3, 13, 15, 0)),  # Saturday
    ],
)
def test_plain_weekday_is_next_occurrence(now, expected):
    for text in ("Friday at 3pm", "this Friday at 3pm", "coming friday at 3pm"):
        _same_wall_and_instant(parse_datetime(text, tz=NY, now=now), expected)


def test_this_weekday_said_that_day_with_the_time_ahead_is_today():
    result = parse_datetime("this Friday at 3pm", tz=NY, now=_ny(2026, 3, 6, 10, 0))
    _same_wall_and_instant(result, _ny(2026, 3, 6, 15, 0))


# Issue 12: "Friday" said on a Friday, with the time still ahead, was taken as today; now it asks.
@pytest.mark.parametrize("text", ["Friday at 3pm", "coming friday at 3pm"])
def test_weekday_said_that_day_with_the_time_ahead_asks_today_or_next_week(text):
    with pytest.raises(AmbiguousTimeError) as err:
        parse_datetime(text, tz=NY, now=_ny(2026, 3, 6, 10, 0))
    assert err.value.message == "Do you mean today, or next Friday, March 13?"
    assert err.value.options == (date(2026, 3, 6), date(2026, 3, 13))


@pytest.mark.parametrize("day", [2, 3, 4, 5])  # Monday to Thursday, March 2-5 2026
def test_next_friday_said_early_in_the_week_asks_which_one(day):
    now = _ny(2026, 3, day, 10, 0)
    with pytest.raises(AmbiguousTimeError) as err:
        parse_datetime("next Friday at 10:30", tz=NY, now=now)
    assert err.value.message == "Do you mean this Friday, March 6, or Friday, March 13?"
    assert err.value.options == (date(2026, 3, 6), date(2026, 3, 13))


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (_ny(2026, 3, 6, 9, 0), _ny(2026, 3, 13, 10, 30)),  # said on Friday: a week later
        (_ny(2026, 3, 7, 9, 0), _ny(2026, 3, 13, 10, 30)),  # Saturday: the coming one
        (_ny(2026, 3, 8, 9, 0), _ny(2026, 3, 13, 10, 30)),  # Sunday: the coming one
    ],
)
def test_next_friday_said_late_in_the_week_is_the_coming_one(now, expected):
    for text in ("next Friday at 10:30am", "next Friday 10:30 am"):
        _same_wall_and_instant(parse_datetime(text, tz=NY, now=now), expected)


def test_next_monday_said_on_friday_is_three_days_away():
    result = parse_datetime("next Monday at 9am", tz=NY, now=_ny(2026, 3, 6, 12, 0))
    _same_wall_and_instant(result, _ny(2026, 3, 9, 9, 0))


def test_ambiguous_slash_date_asks_both_readings():
    with pytest.raises(AmbiguousTimeError) as err:
        parse_datetime("3/6 at 2pm", tz=NY, now=WED)
    assert err.value.message == "Do you mean Friday, March 6, or Wednesday, June 3?"
    assert err.value.options == (date(2026, 3, 6), date(2026, 6, 3))


# ---------------------------------------------------------------- ISO 8601 and zones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-06T15:00", _ny(2026, 3, 6, 15, 0)),
        ("2026-03-06 15:00", _ny(2026, 3, 6, 15, 0)),
        ("2026-03-06t15:00:30", _ny(2026, 3, 6, 15, 0, 30)),
        ("2026-03-06T15:00:00-05:00", _ny(2026, 3, 6, 15, 0)),
        ("  2026-03-06T15:00  ", _ny(2026, 3, 6, 15, 0)),
    ],
)
def test_iso_with_and_without_offset(text, expected):
    _same_wall_and_instant(parse_datetime(text, tz=NY, now=WED), expected)


def test_iso_with_the_users_own_offset_is_expressed_in_the_users_zone():
    result = parse_datetime("2026-03-06T15:00+05:30", tz=KOLKATA, now=WED)
    assert result.tzinfo == KOLKATA
    assert (result.hour, result.minute) == (15, 0)


# Issue 12: a Z or offset other than the user's own was silently converted; now it is refused
# with the wall time to send instead, so a model that tacks on "Z" can't move a meeting.
@pytest.mark.parametrize(
    ("tz", "text", "fix"),
    [
        (NY, "2026-03-06T15:00+05:30", "America/New_York (UTC-05:00); send 2026-03-06T15:00 "),
        (NY, "2026-03-06T15:00Z", "America/New_York (UTC-05:00); send 2026-03-06T15:00 "),
        (KOLKATA, "2026-03-06T15:00Z", "Asia/Kolkata (UTC+05:30); send 2026-03-06T15:00 "),
        (NY, "2026-11-01T06:30Z", "America/New_York (UTC-05:00); send 2026-11-01T06:30 "),
    ],
)
def test_iso_with_another_offset_is_refused_with_the_fix_in_the_hint(tz, text, fix):
    with pytest.raises(TimeParseError) as err:
        parse_datetime(text, tz=tz, now=WED)
    assert not isinstance(err.value, AmbiguousTimeError)
    assert err.value.message == (
        f"That time was given in UTC{text[-6:] if text[-1] != 'Z' else '+00:00'}, but your "
        f"times are in {tz.key}. Which time do you mean, in your own time?"
    )
    assert err.value.hint.startswith(f"Times are in {fix}without Z")


def test_iso_date_only_uses_default_hour_or_asks():
    result = parse_datetime("2026-03-06", tz=NY, now=WED, default_hour=9)
    _same_wall_and_instant(result, _ny(2026, 3, 6, 9, 0))
    with pytest.raises(TimeParseError, match="What time on Friday, March 6"):
        parse_datetime("2026-03-06", tz=NY, now=WED)


def test_same_phrase_in_kolkata_and_los_angeles_is_a_different_instant():
    now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # 17:30 in Kolkata, 04:00 in Los Angeles
    kolkata = parse_datetime("tomorrow at 9am", tz=KOLKATA, now=now)
    los_angeles = parse_datetime("tomorrow at 9am", tz=LA, now=now)
    assert kolkata.astimezone(UTC) == datetime(2026, 1, 16, 3, 30, tzinfo=UTC)
    assert los_angeles.astimezone(UTC) == datetime(2026, 1, 16, 17, 0, tzinfo=UTC)
    assert (kolkata.hour, los_angeles.hour) == (9, 9)


def test_the_local_day_decides_what_tomorrow_means():
    now = datetime(2026, 1, 15, 20, 0, tzinfo=UTC)  # already Jan 16 in Kolkata
    assert parse_datetime("tomorrow at 9am", tz=KOLKATA, now=now).date() == date(2026, 1, 17)
    assert parse_datetime("tomorrow at 9am", tz=LA, now=now).date() == date(2026, 1, 16)


# ---------------------------------------------------------------- DST


@pytest.mark.parametrize(
    ("tz", "text", "gap_end"),
    [
        (NY, "March 8 at 2:30am", datetime(2026, 3, 8, 3, 0, tzinfo=NY)),
        (NY, "2026-03-08T02:30", datetime(2026, 3, 8, 3, 0, tzinfo=NY)),
        (BERLIN, "2026-03-29T02:30", datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)),
        (BERLIN, "29 March at 2:30 in the morning", datetime(2026, 3, 29, 3, 0, tzinfo=BERLIN)),
        (SYDNEY, "2026-10-04 02:30", datetime(2026, 10, 4, 3, 0, tzinfo=SYDNEY)),
    ],
)
def test_time_skipped_by_spring_forward_names_the_nearest_valid_time(tz, text, gap_end):
    with pytest.raises(NonexistentTimeError) as err:
        parse_datetime(text, tz=tz, now=datetime(2026, 3, 1, 12, 0, tzinfo=tz))
    assert "2:30 AM doesn't exist" in err.value.message
    assert "the clocks jump from 2:00 AM to 3:00 AM" in err.value.message
    assert err.value.message.endswith("Shall I make it 3:00 AM?")
    _same_wall_and_instant(err.value.suggestion, gap_end)


def test_skipped_midnight_suggests_first_valid_time():
    santiago = ZoneInfo("America/Santiago")  # Chile springs forward at midnight
    with pytest.raises(NonexistentTimeError) as err:
        parse_datetime("2026-09-06T00:30", tz=santiago, now=datetime(2026, 9, 1, tzinfo=santiago))
    assert err.value.message.endswith("Shall I make it 1:00 AM?")


@pytest.mark.parametrize(
    ("tz", "text", "first", "second"),
    [
        (NY, "November 1 at 1:30am", "EDT, UTC-04:00", "EST, UTC-05:00"),
        (NY, "2026-11-01T01:30", "EDT, UTC-04:00", "EST, UTC-05:00"),
        (BERLIN, "2026-10-25T02:30", "CEST, UTC+02:00", "CET, UTC+01:00"),
        (SYDNEY, "2026-04-05 02:30", "AEDT, UTC+11:00", "AEST, UTC+10:00"),
    ],
)
def test_time_repeated_by_fall_back_asks_which(tz, text, first, second):
    with pytest.raises(AmbiguousTimeError) as err:
        parse_datetime(text, tz=tz, now=datetime(2026, 3, 1, 12, 0, tzinfo=tz))
    message = err.value.message
    assert "happens twice on Sunday" in message and "because the clocks go back" in message
    zone_first, offset_first = first.split(", ")
    zone_second, offset_second = second.split(", ")
    assert f"Before the change ({zone_first}), or after it ({zone_second})?" in message
    # The offsets, for the LLM to send back with the person's choice.
    assert f"({offset_first})" in err.value.hint and f"({offset_second})" in err.value.hint
    early, late = err.value.options
    assert early.replace(tzinfo=None) == late.replace(tzinfo=None)
    assert early.astimezone(UTC) + timedelta(hours=1) == late.astimezone(UTC)


def test_fall_back_question_for_new_york_reads_naturally():
    with pytest.raises(AmbiguousTimeError) as err:
        parse_datetime("2026-11-01T01:30", tz=NY, now=WED)
    assert err.value.message == (
        "1:30 AM happens twice on Sunday, November 1, 2026, because the clocks go back. "
        "Before the change (EDT), or after it (EST)?"
    )


@pytest.mark.parametrize(
    ("tz", "text", "offset_hours"),
    [
        (NY, "2026-11-01T01:30-04:00", -4),
        (NY, "2026-11-01T01:30-05:00", -5),
        (BERLIN, "2026-10-25T02:30+02:00", 2),
        (BERLIN, "2026-10-25T02:30+01:00", 1),
        (SYDNEY, "2026-04-05T02:30+11:00", 11),
        (SYDNEY, "2026-04-05T02:30+10:00", 10),
    ],
)
def test_explicit_offset_settles_a_repeated_time(tz, text, offset_hours):
    result = parse_datetime(text, tz=tz, now=WED)
    assert result.replace(tzinfo=None).time().isoformat() in ("01:30:00", "02:30:00")
    assert result.utcoffset() == timedelta(hours=offset_hours)
    assert result.tzinfo == tz


def test_zone_abbreviation_settles_a_repeated_time():
    first = parse_datetime("Nov 1 at 1:30am EDT", tz=NY, now=WED)
    second = parse_datetime("Nov 1 at 1:30am est", tz=NY, now=WED)
    assert (first.utcoffset(), second.utcoffset()) == (timedelta(hours=-4), timedelta(hours=-5))
    with pytest.raises(TimeParseError):
        parse_datetime("Nov 1 at 1:30am CET", tz=NY, now=WED)


def test_relative_time_counts_real_elapsed_hours_across_spring_forward():
    now = datetime(2026, 3, 8, 1, 30, tzinfo=NY)  # 30 minutes before clocks jump
    result = parse_datetime("in an hour", tz=NY, now=now)
    _same_wall_and_instant(result, datetime(2026, 3, 8, 3, 30, tzinfo=NY))


def test_wall_clock_time_after_a_dst_change_has_the_new_offset():
    result = parse_datetime("tomorrow at 9am", tz=NY, now=datetime(2026, 3, 7, 12, tzinfo=NY))
    assert result.utcoffset() == timedelta(hours=-4)
    assert result.astimezone(UTC) == datetime(2026, 3, 8, 13, 0, tzinfo=UTC)


# ---------------------------------------------------------------- garbage


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "blorp",
        "25:00",
        "tomorrow at 25:00",
        "tomorrow at 13pm",
        "tomorrow at 3:75",
        "February 30 at 3pm",
        "2026-02-30T10:00",
        "2026-13-01",
        "10000-01-01T10:00",
        "March 6 10000 at 3pm",
        "March 6 3026 at 3pm",
        "tomorrow at 3pm" * 20,
        "x" * 201,
        "tomorrow yesterday at 3pm",
        "tomorrow at 3pm and 4pm",
        "Friday, March 5 at 3pm",
        "March 6 3/7 at 3pm",
        "2026-03-06 March 7 at 3pm",
        "tomorrow blorp at 3pm",
        "in 2 hours tomorrow",
        "half to five",
        "next week",
        "3/6/2026 4/6",
        "0000-01-01",
        "9999-12-31T23:59-12:00",
        "\x00\x01",
        "٣ pm",
        None,
        42,
    ],
)
def test_garbage_raises_time_parse_error_with_a_spoken_message(text):
    with pytest.raises(TimeParseError) as err:
        parse_datetime(text, tz=NY, now=WED)
    assert isinstance(err.value.message, str) and err.value.message
    assert str(err.value) == err.value.message


def test_unknown_text_message_tells_how_to_say_a_time():
    with pytest.raises(TimeParseError) as err:
        parse_datetime("blorp", tz=NY, now=WED)
    assert err.value.message == "I couldn't understand 'blorp' as a time."
    assert err.value.hint == (
        "Send a day and a time such as 'tomorrow at 3pm', or ISO 8601 without an offset such "
        "as 2026-03-06T15:00 (read in the user's own time zone)."
    )


def test_errors_are_value_errors():
    assert issubclass(AmbiguousTimeError, TimeParseError)
    assert issubclass(NonexistentTimeError, TimeParseError)
    assert issubclass(TimeParseError, ValueError)


# ---------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("30 minutes", 30),
        ("an hour", 60),
        ("1.5 hours", 90),
        ("90", 90),
        (90, 90),
        (45.5, 45.5),
        ("1h30", 90),
        ("1h 30m", 90),
        ("2h", 120),
        ("45 min", 45),
        ("half an hour", 30),
        ("an hour and a half", 90),
        ("2 and a half hours", 150),
        ("a quarter of an hour", 15),
        ("two hours", 120),
        ("ninety minutes", 90),
        ("1 hour and 15 minutes", 75),
        ("PT45M", 45),
        ("pt1h30m", 90),
        ("PT24H", 24 * 60),
        ("1 day", 24 * 60),
    ],
)
def test_parse_duration(text, minutes):
    assert parse_duration(text) == timedelta(minutes=minutes)


# fmt: off
BAD_DURATIONS = ["0", 0, -5, "-5 minutes", "25 hours", "2 days", "PT0M", "", "blah", "soon", True,
                 float("nan"), float("inf"), "1" * 300, None, "30 minutes blah"]
# fmt: on


@pytest.mark.parametrize("text", BAD_DURATIONS)
def test_parse_duration_rejects_bad_values(text):
    with pytest.raises(TimeParseError) as err:
        parse_duration(text)
    assert err.value.message


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("today", date(2026, 3, 4), date(2026, 3, 4)),
        ("tomorrow", date(2026, 3, 5), date(2026, 3, 5)),
        ("this week", date(2026, 3, 2), date(2026, 3, 8)),
        ("next week", date(2026, 3, 9), date(2026, 3, 15)),
        ("Friday", date(2026, 3, 6), date(2026, 3, 6)),
        ("this Wednesday", date(2026, 3, 4), date(2026, 3, 4)),
        ("this weekend", date(2026, 3, 7), date(2026, 3, 8)),
        ("March 6", date(2026, 3, 6), date(2026, 3, 6)),
        ("2026-03-06", date(2026, 3, 6), date(2026, 3, 6)),
        ("2026-03-06 to 2026-03-08", date(2026, 3, 6), date(2026, 3, 8)),
        ("from Friday to Monday", date(2026, 3, 6), date(2026, 3, 9)),
        ("this month", date(2026, 3, 1), date(2026, 3, 31)),
    ],
)
def test_parse_range_returns_local_midnights(text, first, last):
    start, end = parse_range(text, tz=NY, now=WED)
    assert start == datetime(first.year, first.month, first.day, tzinfo=NY)
    end_day = last + timedelta(days=1)
    assert end == datetime(end_day.year, end_day.month, end_day.day, tzinfo=NY)
    assert start.tzinfo == NY and end.tzinfo == NY


@pytest.mark.parametrize(
    ("tz", "day", "hours"),
    [
        (NY, "2026-03-08", 23),
        (NY, "2026-11-01", 25),
        (BERLIN, "2026-03-29", 23),
        (BERLIN, "2026-10-25", 25),
        (SYDNEY, "2026-10-04", 23),
        (SYDNEY, "2026-04-05", 25),
        (KOLKATA, "2026-03-08", 24),
    ],
)
def test_day_range_across_dst_change_is_23_or_25_hours(tz, day, hours):
    start, end = parse_range(day, tz=tz, now=datetime(2026, 3, 1, tzinfo=tz))
    assert start.replace(tzinfo=None).time().isoformat() == "00:00:00"
    assert end.replace(tzinfo=None).time().isoformat() == "00:00:00"
    assert _utc_length(start, end) == timedelta(hours=hours)


def test_week_containing_spring_forward_is_167_hours():
    start, end = parse_range("this week", tz=NY, now=WED)
    assert _utc_length(start, end) == timedelta(hours=167)


def test_range_day_with_skipped_midnight_starts_at_first_valid_instant():
    santiago = ZoneInfo("America/Santiago")
    start, end = parse_range("2026-09-06", tz=santiago, now=datetime(2026, 9, 1, tzinfo=santiago))
    assert start.replace(tzinfo=None) == datetime(2026, 9, 6, 1, 0)
    assert _utc_length(start, end) == timedelta(hours=23)


def test_range_weekday_said_that_day_asks_today_or_next_week():
    with pytest.raises(AmbiguousTimeError, match=r"^Do you mean today, or next Wednesday"):
        parse_range("Wednesday", tz=NY, now=WED)


def test_range_next_friday_asks_when_ambiguous():
    with pytest.raises(AmbiguousTimeError, match=r"Do you mean this Friday, March 6"):
        parse_range("next Friday", tz=NY, now=WED)


@pytest.mark.parametrize(
    "text", ["", "blorp", "tomorrow at 3pm", "in 2 hours", "2026-03-08 to 2026-03-06", "x" * 300]
)
def test_parse_range_rejects_garbage(text):
    with pytest.raises(TimeParseError):
        parse_range(text, tz=NY, now=WED)


# ---------------------------------------------------------------- describe


@pytest.mark.parametrize(
    ("dt", "now", "spoken"),
    [
        (_ny(2026, 3, 6, 15, 0), WED, "Friday, March 6 at 3:00 PM"),
        (_ny(2026, 3, 5, 15, 0), WED, "tomorrow, Thursday, March 5 at 3:00 PM"),
        (_ny(2026, 3, 4, 9, 5), WED, "today, Wednesday, March 4 at 9:05 AM"),
        (_ny(2027, 1, 2, 0, 0), WED, "Saturday, January 2, 2027 at 12:00 AM"),
        (_ny(2026, 3, 6, 12, 0), None, "Friday, March 6, 2026 at 12:00 PM"),
        (datetime(2026, 3, 6, 20, 0, tzinfo=UTC), WED, "Friday, March 6 at 3:00 PM"),
        (datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY), WED, "Sunday, November 1 at 1:30 AM EST"),
    ],
)
def test_describe(dt, now, spoken):
    assert describe(dt, tz=NY, now=now) == spoken


def test_describe_uses_the_users_own_day():
    instant = datetime(2026, 3, 6, 20, 0, tzinfo=UTC)
    assert describe(instant, tz=KOLKATA, now=WED) == "Saturday, March 7 at 1:30 AM"


# ---------------------------------------------------------------- properties

ALL_ZONES = []
for _key in sorted(zoneinfo.available_timezones()):
    try:
        ALL_ZONES.append(ZoneInfo(_key))
    except (ValueError, OSError):  # a platform may list a key it cannot load
        continue

DST_ZONES = [NY, BERLIN, SYDNEY, KOLKATA, LA, ZoneInfo("UTC"), ZoneInfo("America/Santiago")]
# fmt: off
VOCABULARY = [
    "tomorrow", "today", "tonight", "next", "this", "friday", "monday", "march", "feb", "6", "6th",
    "the", "of", "at", "on", "in", "3", "2", "12", "0", "99", "31", "30", "15:00", "02:30", "1:30",
    "3:30", "pm", "am", "noon", "midnight", "morning", "evening", "half", "past", "quarter", "to",
    "hours", "minutes", "days", "an", "a", "and", "from", "now", "3/6", "13/6", "2026-03-08",
    "2026-11-01", ",", "est", "edt", "week", "o'clock", "february", "29", "2028", "10000", "day",
    "after", "yesterday", "2026-03-08T02:30", "2026-11-01T01:30-04:00", "PT", "P1DT1H", "h",
]
# fmt: on
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
nows = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
)
phrases = st.one_of(
    st.text(max_size=250), st.lists(st.sampled_from(VOCABULARY), max_size=8).map(" ".join)
)


@PROPERTY
@given(text=phrases, tz=st.sampled_from(DST_ZONES), now=nows)
def test_parse_datetime_only_ever_raises_time_parse_error(text, tz, now):
    try:
        result = parse_datetime(text, tz=tz, now=now)
    except TimeParseError as err:
        assert isinstance(err.message, str) and err.message
        return
    assert result.utcoffset() is not None
    assert result.tzinfo == tz


@PROPERTY
@given(text=phrases, tz=st.sampled_from(DST_ZONES), now=nows)
def test_parse_range_only_ever_raises_time_parse_error(text, tz, now):
    try:
        start, end = parse_range(text, tz=tz, now=now)
    except TimeParseError:
        return
    assert start.utcoffset() is not None and start.astimezone(UTC) < end.astimezone(UTC)


@PROPERTY
@given(text=st.one_of(phrases, st.integers(), st.floats(), st.sampled_from(VOCABULARY)))
def test_parse_duration_only_ever_raises_time_parse_error(text):
    try:
        result = parse_duration(text)
    except TimeParseError:
        return
    assert timedelta(0) < result <= timedelta(hours=24)


@PROPERTY
@given(tz=st.sampled_from(ALL_ZONES), now=nows)
def test_tomorrow_at_3pm_is_15_00_on_the_next_local_day_in_any_zone(tz, now):
    expected_day = now.astimezone(tz).date() + timedelta(days=1)
    try:
        result = parse_datetime("tomorrow at 3pm", tz=tz, now=now)
    except NonexistentTimeError as err:  # e.g. Pacific/Apia skipped 2011-12-30 entirely
        assert err.suggestion is not None and err.suggestion > now
        return
    # No zone in tzdata repeats 15:00 between 1971 and 2099, so AmbiguousTimeError is a bug here.
    assert result.utcoffset() is not None and result.tzinfo == tz
    assert result.date() == expected_day
    assert (result.hour, result.minute, result.second) == (15, 0, 0)


def test_tomorrow_at_3pm_on_a_skipped_day_is_nonexistent():
    apia = ZoneInfo("Pacific/Apia")  # Samoa jumped from Dec 29 to Dec 31, 2011
    with pytest.raises(NonexistentTimeError) as err:
        parse_datetime("tomorrow at 3pm", tz=apia, now=datetime(2011, 12, 29, 12, tzinfo=apia))
    assert err.value.suggestion == datetime(2011, 12, 31, 0, 0, tzinfo=apia)


@PROPERTY
@given(tz=st.sampled_from(ALL_ZONES), now=nows)
def test_today_range_contains_now_in_any_zone(tz, now):
    start, end = parse_range("today", tz=tz, now=now)
    assert start.astimezone(UTC) <= now < end.astimezone(UTC)
    assert start.date() == now.astimezone(tz).date()


@PROPERTY
@given(
    dt=st.datetimes(timezones=st.sampled_from(ALL_ZONES)),
    tz=st.sampled_from(ALL_ZONES),
    now=st.one_of(st.none(), st.datetimes(timezones=st.sampled_from(ALL_ZONES))),
)
def test_describe_never_raises(dt, tz, now):
    spoken = describe(dt, tz=tz, now=now)
    assert isinstance(spoken, str) and " at " in spoken


@PROPERTY
@given(
    tz=st.sampled_from([NY, BERLIN, SYDNEY, KOLKATA, LA, ZoneInfo("UTC")]),
    now=nows,
    minutes_ahead=st.integers(min_value=2, max_value=300 * 24 * 60),
)
def test_describe_output_parses_back_to_the_same_instant(tz, now, minutes_ahead):
    dt = (now + timedelta(minutes=minutes_ahead)).astimezone(tz).replace(second=0, microsecond=0)
    assert dt > now
    parsed = parse_datetime(describe(dt, tz=tz, now=now), tz=tz, now=now)
    assert parsed == dt and parsed.utcoffset() == dt.utcoffset()
