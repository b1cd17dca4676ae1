"""Property tests: generated phrases resolve to the instant their pieces mean, or are asked
about or refused; never a different instant. And no text at all raises anything else."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedules.timeparse import (
    AmbiguousTimeError,
    TimeParseError,
    parse_datetime,
    parse_duration,
    parse_end,
    parse_move,
    parse_window,
)
from tests.schedules.timeparse_grammar import (
    DAY_WORDS,
    LANGUAGES,
    MUST_ASK,
    ZONES,
    Phrase,
    phrases,
    relative_phrases,
    wall_state,
)

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOWS = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


def _check(phrase: Phrase) -> None:
    try:
        result = parse_datetime(phrase.text, tz=phrase.tz, now=phrase.now, language=phrase.language)
    except AmbiguousTimeError:
        assert not phrase.definite, f"asked about {phrase.text!r}"
        return
    except TimeParseError as err:
        assert phrase.expected != MUST_ASK, f"{phrase.text!r}: {err.message} (should ask)"
        assert not phrase.definite, f"refused {phrase.text!r}: {err.message}"
        return
    assert phrase.expected != MUST_ASK, f"{phrase.text!r} guessed {result}"
    assert result == phrase.expected, f"{phrase.text!r}: {result} != {phrase.expected}"
    assert result.utcoffset() == phrase.expected.utcoffset() and result.tzinfo == phrase.tz


@PROPERTY
@given(phrase=phrases())
def test_generated_phrase_is_its_instant_or_a_question_never_another_instant(phrase):
    _check(phrase)


@PROPERTY
@given(phrase=phrases())
def test_generated_phrase_in_multilingual_mode_is_never_another_instant(phrase):
    try:
        result = parse_datetime(phrase.text, tz=phrase.tz, now=phrase.now, language="multilingual")
    except TimeParseError:
        return
    assert phrase.expected != MUST_ASK and result == phrase.expected


@PROPERTY
@given(phrase=relative_phrases())
def test_in_n_hours_is_elapsed_time_in_every_language(phrase):
    _check(phrase)


@PROPERTY
@given(
    tz=st.sampled_from(ZONES),
    now=NOWS,
    language=st.sampled_from(LANGUAGES),
    ahead=st.integers(0, 2),
)
def test_a_day_word_as_a_window_is_that_whole_local_day(tz, now, language, ahead):
    day = now.astimezone(tz).date() + timedelta(days=ahead)
    start, end = parse_window(DAY_WORDS[language][ahead], tz=tz, now=now, language=language)
    assert start == _first_instant(day, tz)
    assert end == _first_instant(day + timedelta(days=1), tz)


def _first_instant(day, tz: ZoneInfo) -> datetime:
    """Local midnight, or the first instant after it when DST skips midnight (zoneinfo only)."""
    naive = datetime(day.year, day.month, day.day)
    if wall_state(naive, tz) != "gap":
        return naive.replace(tzinfo=tz)
    probe = naive.replace(tzinfo=tz, fold=0).astimezone(UTC).replace(minute=0, second=0)
    while probe.astimezone(tz).date() < day:
        probe += timedelta(minutes=15)
    return probe.astimezone(tz)


@PROPERTY
@given(tz=st.sampled_from(ZONES), now=NOWS, minutes=st.integers(1, 24 * 60))
def test_an_end_said_as_a_length_is_start_plus_that_length(tz, now, minutes):
    start = now.astimezone(tz) + timedelta(days=1)
    result = parse_end(f"for {minutes} minutes", start=start, tz=tz, now=now)
    assert result.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=minutes)
    assert result.tzinfo == tz


@PROPERTY
@given(
    tz=st.sampled_from(ZONES),
    now=NOWS,
    hour=st.sampled_from([*range(10), *range(13, 24)]),  # 10-12 without am/pm read both ways
    minute=st.integers(0, 59),
)
def test_an_end_clock_is_on_the_starts_day_or_the_next_or_refused(tz, now, hour, minute):
    start = now.astimezone(tz).replace(second=0, microsecond=0) + timedelta(days=1)
    try:
        result = parse_end(f"till {hour:02d}:{minute:02d}", start=start, tz=tz, now=now)
    except TimeParseError:
        return
    assert result > start and (result.hour, result.minute) == (hour, minute)
    assert result.date() in (start.date(), start.date() + timedelta(days=1))
    if result.date() != start.date():
        assert result.replace(tzinfo=None) - start.replace(tzinfo=None) <= timedelta(hours=12)


@PROPERTY
@given(
    tz=st.sampled_from(ZONES),
    now=NOWS,
    minutes=st.integers(1, 600),
    way=st.sampled_from(["later", "earlier"]),
)
def test_a_relative_move_shifts_the_start_by_exactly_that_much(tz, now, minutes, way):
    start = now.astimezone(tz) + timedelta(days=3)
    result = parse_move(
        f"{minutes} minutes {way}", start=start, end=start + timedelta(hours=1), tz=tz, now=now
    )
    sign = 1 if way == "later" else -1
    assert result.astimezone(UTC) - start.astimezone(UTC) == sign * timedelta(minutes=minutes)


# ---------------------------------------------------------------- any text at all

VOCABULARY = [
    "tomorrow", "today", "tonight", "next", "this", "friday", "monday", "march", "feb", "6",
    "6th", "the", "of", "at", "on", "in", "3", "2", "12", "0", "99", "31", "30", "15:00",
    "02:30", "1:30", "3:30", "pm", "am", "noon", "midnight", "morning", "evening", "half",
    "past", "quarter", "to", "hours", "minutes", "days", "an", "a", "and", "from", "now", "3/6",
    "13/6", "2026-03-08", "2026-11-01", ",", "est", "edt", "week", "o'clock", "february", "29",
    "2028", "10000", "day", "after", "yesterday", "2026-03-08T02:30", "2026-11-01T01:30-04:00",
    "PT", "P1DT1H", "h", "-", "+05:30", "Z", "utc", "till", "for", "later", "earlier", "same",
    "time", "push", "move", "it", "back", "forward", "between", "end", "of", "day", "eod",
    "mañana", "a las", "tres", "y media", "de la tarde", "morgen", "um", "Uhr", "halb", "drei",
    "Viertel", "nach", "vor", "demain", "à", "15h", "heures", "et demie", "amanhã", "às",
    "da tarde", "domani", "alle", "e mezza", "dopodomani", "1500", "hours", "sharp", "uh",
    "ish", "twenty", "fortnight", "week", "working hours", "next 3 days", "-3pm", "٣", "\x00",
]  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=250), st.lists(st.sampled_from(VOCABULARY), max_size=8).map(" ".join)
)
ANY_LANGUAGE = st.sampled_from([*LANGUAGES, "multilingual", "dutch", "", "en"])


@PROPERTY
@given(text=TEXTS, tz=st.sampled_from(ZONES), now=NOWS, language=ANY_LANGUAGE)
def test_any_text_gives_an_aware_point_or_a_time_parse_error(text, tz, now, language):
    start = now.astimezone(tz) + timedelta(days=1)
    calls = [
        lambda: parse_datetime(text, tz=tz, now=now, language=language),
        lambda: parse_datetime(text, tz=tz, now=now, anchor=start.date(), language=language),
        lambda: parse_end(text, start=start, tz=tz, now=now, language=language),
        lambda: parse_move(text, start=start, end=start, tz=tz, now=now, language=language),
    ]
    for call in calls:
        try:
            result = call()
        except TimeParseError as err:
            assert isinstance(err.message, str) and err.message
            continue
        assert result.tzinfo == tz and result.utcoffset() is not None


@PROPERTY
@given(text=TEXTS, tz=st.sampled_from(ZONES), now=NOWS, language=ANY_LANGUAGE)
def test_any_text_gives_a_forward_window_or_a_time_parse_error(text, tz, now, language):
    try:
        start, end = parse_window(text, tz=tz, now=now, language=language)
    except TimeParseError:
        return
    assert start.tzinfo == tz and end.tzinfo == tz and start < end


@PROPERTY
@given(text=st.one_of(TEXTS, st.integers(), st.floats()), language=ANY_LANGUAGE)
def test_any_text_gives_a_bounded_length_or_a_time_parse_error(text, language):
    try:
        result = parse_duration(text, language=language)
    except TimeParseError:
        return
    assert timedelta(0) < result <= timedelta(hours=24)
