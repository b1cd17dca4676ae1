"""What the parser says: questions that name their options, refusals in words, hints apart."""

import ast
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from schedules import speech
from schedules.timeparse import (
    AmbiguousTimeError,
    TimeParseError,
    parse_datetime,
    parse_end,
    parse_move,
)

NY = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
WED = datetime(2026, 3, 4, 10, 0, tzinfo=NY)  # a Wednesday
PACKAGE = Path(__file__).resolve().parents[2] / "schedules" / "timeparse"


def _ny(*parts):
    return datetime(*parts, tzinfo=NY)


def _raised(call) -> TimeParseError:
    with pytest.raises(TimeParseError) as err:
        call()
    return err.value


def test_an_hour_from_7_to_11_asks_morning_or_evening_with_both_instants():
    err = _raised(lambda: parse_datetime("at 7", tz=NY, now=WED))
    assert isinstance(err, AmbiguousTimeError)
    assert err.message == "Do you mean 7 in the morning, or 7 in the evening?"
    assert err.options == (_ny(2026, 3, 5, 7, 0), _ny(2026, 3, 4, 19, 0))
    assert err.hint == "Put this question to the user and send their answer."


def test_a_clock_that_contradicts_its_part_of_the_day_asks():
    err = _raised(lambda: parse_datetime("tonight at 9am", tz=NY, now=WED))
    assert err.message == "Do you mean 9 in the morning, or 9 at night?"
    assert err.options == (_ny(2026, 3, 4, 9, 0), _ny(2026, 3, 4, 21, 0))
    err = _raised(lambda: parse_datetime("3 pm in the morning", tz=NY, now=WED))
    assert err.message == "Do you mean 3 in the morning, or 3 in the afternoon?"


def test_the_weekday_said_on_that_weekday_asks_today_or_next_week():
    monday = _ny(2026, 3, 9, 8, 0)
    err = _raised(lambda: parse_datetime("Monday at 3pm", tz=NY, now=monday))
    assert err.message == "Do you mean today, or next Monday, March 16?"
    assert err.options == (date(2026, 3, 9), date(2026, 3, 16))
    over = parse_datetime("Monday at 7am", tz=NY, now=monday)  # 7 am is over: next week
    assert over == _ny(2026, 3, 16, 7, 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-3pm", "A time can't be negative, and I heard a minus sign in '-3pm'. Which time do "
                 "you mean?"),
        ("0", "0 isn't a time of day. Which time do you mean?"),
        ("25:00", "25:00 isn't a time of day. Which time do you mean?"),
        ("tomorrow at 13pm", "13 PM isn't a time of day. Which time do you mean?"),
        ("Feb 29 at 3pm", "There's no February 29 in 2027. Which day do you mean?"),
        ("February 29 2027 at 3pm", "February 29, 2027 isn't a real date. Which day do you mean?"),
        ("the 32nd at 3pm", "No month has a day 32. Which day do you mean?"),
        ("April 31 at 3pm", "April has no day 31. Which day do you mean?"),
        ("in 3", "In 3 what: minutes, hours or days?"),
        ("Friday", "What time on Friday, March 6?"),
    ],
)  # fmt: skip
def test_nonsense_is_refused_in_words_a_person_can_hear(text, message):
    err = _raised(lambda: parse_datetime(text, tz=NY, now=WED))
    assert not isinstance(err, AmbiguousTimeError)
    assert err.message == message


def test_an_offset_other_than_the_users_own_is_refused_with_the_wall_time_to_send():
    err = _raised(lambda: parse_datetime("2026-03-06T15:00Z", tz=KOLKATA, now=WED))
    assert err.message == (
        "That time was given in UTC+00:00, but your times are in Asia/Kolkata. Which time do "
        "you mean, in your own time?"
    )
    assert err.hint == (
        "Times are in Asia/Kolkata (UTC+05:30); send 2026-03-06T15:00 without Z or an offset "
        "(the user's own wall time)."
    )
    own = parse_datetime("2026-03-06T15:00+05:30", tz=KOLKATA, now=WED)
    assert own == datetime(2026, 3, 6, 15, 0, tzinfo=KOLKATA)


def test_an_end_before_its_start_is_refused_with_both_times():
    start = _ny(2026, 3, 5, 15, 0)
    err = _raised(lambda: parse_end("till 2pm", start=start, tz=NY, now=WED))
    assert err.message == "It can't end at 2 PM when it starts at 3 PM. When does it end?"
    assert "duration_minutes" in err.hint


def test_moving_forward_asks_which_way_it_goes():
    start = _ny(2026, 3, 11, 14, 0)
    err = _raised(
        lambda: parse_move("move it forward an hour", start=start, end=start, tz=NY, now=WED)
    )
    assert err.message == "Do you mean 1 PM, or 3 PM?"
    assert err.options == (_ny(2026, 3, 11, 13, 0), _ny(2026, 3, 11, 15, 0))
    err = _raised(lambda: parse_move("push it back", start=start, end=start, tz=NY, now=WED))
    assert err.message == "How much later?"


def test_two_languages_reading_a_phrase_differently_ask_which():
    err = _raised(lambda: parse_datetime("3/6 at 2pm", tz=NY, now=WED, language="multilingual"))
    assert isinstance(err, AmbiguousTimeError)
    assert err.message == "Do you mean Friday, March 6, or Wednesday, June 3?"


def test_a_language_without_tables_reads_english_and_iso():
    result = parse_datetime("tomorrow at 3pm", tz=NY, now=WED, language="dutch")
    assert result == _ny(2026, 3, 5, 15, 0)


def test_spoken_clock_helpers():
    assert speech.short_clock(datetime(2026, 3, 4, 19, 0)) == "7 PM"
    assert speech.short_clock(datetime(2026, 3, 4, 9, 30)) == "9:30 AM"
    assert [speech.clock_in_part(datetime(2026, 3, 4, h, m)) for h, m in
            ((0, 0), (12, 0), (0, 30), (3, 0), (7, 15), (12, 30), (19, 0), (22, 0))] == [
        "midnight", "noon", "12:30 at night", "3 in the morning", "7:15 in the morning",
        "12:30 in the afternoon", "7 in the evening", "10 at night",
    ]  # fmt: skip


# ---------------------------------------------------------------- every message is translatable

ERRORS = {"TimeParseError", "NotATimeError", "AmbiguousTimeError", "NonexistentTimeError"}
SOURCES = sorted(PACKAGE.rglob("*.py"))


def _calls(tree: ast.AST, names: set[str]):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") in names:
            yield node


def _is_literal_text(node: ast.expr) -> bool:
    """A string written in place: a constant, an f-string, or strings glued together."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return True
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_message_for_a_person_goes_through_gettext(path):
    tree = ast.parse(path.read_text())
    for call in _calls(tree, ERRORS):
        if call.args:
            assert not _is_literal_text(call.args[0]), f"{path.name}:{call.lineno}: use _()"
    for call in _calls(tree, {"_"}):  # makemessages extracts only a plain string
        assert len(call.args) == 1 and isinstance(call.args[0], ast.Constant), (
            f"{path.name}:{call.lineno}: _() needs one plain string with %(named)s placeholders"
        )
