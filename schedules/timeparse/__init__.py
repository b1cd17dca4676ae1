"""Understand the times people say, and ISO 8601, in the user's own IANA time zone, DST-correct.

One understanding for every caller: points (`parse_datetime`), ends (`parse_end`), lengths
(`parse_duration`), moves of an event (`parse_move`) and spans (`parse_window`). Every failure
is a TimeParseError (a ValueError): `message` is words for the person, `hint` guidance for the
LLM. A question is an AmbiguousTimeError whose message names the `options`.

Reading a phrase:
* ISO 8601 without an offset is the user's wall time. An explicit offset or Z is accepted only
  when it is the user's own offset at that moment; otherwise it is refused, and the hint gives
  the wall time to send instead. Seconds are kept; fractions of a second are dropped.
* Clock forms: 3pm, 3:30 pm, 15:30, 15:30:00, 3.30, 330pm, 3p, 1500 hours, 15h30, 3 o'clock,
  noon, 12 noon, midnight, half past three, quarter to five, twenty past six, ten to five,
  "half three" (British: 3:30). "10 to 5" in digits is a span, not 4:50.
* Without am/pm or a part of the day: 12 is noon, 1-6 pm, and 7-11 ASK ("7 in the morning, or
  7 in the evening?"). A leading zero (09:00), 0 or 13-23 is the 24-hour clock. Parts of the
  day decide: morning am; afternoon 12-7 pm; evening 4-11 pm; night/tonight 5-11 pm, 12 =
  midnight, 1-4 = after midnight. A clock contradicting its part ("tonight at 9am", "3 pm in
  the morning") ASKS which. A part alone is a time: morning 9:00, afternoon 14:00, evening
  18:00, night 20:00. "midnight" is the one ending the day named ("Friday at midnight").
* Days: today, tonight, tomorrow, the day after tomorrow, yesterday, last night, March 6,
  6 March, the 6th, 3/6 (English asks March 6 or June 3 unless one is impossible; the other
  languages read day first), 2026-03-06, in 3 days, in a fortnight, a week from Tuesday,
  Tuesday week, a week today. Weekdays: see days.weekday_day; "Monday" said on a Monday ASKS
  "today, or next Monday?" unless the time said is already over (then next week).
* No day said: today if the time is still ahead, otherwise tomorrow; with `anchor`, that day.
* "in 2 hours" is elapsed time from now; "in 3 days" is a calendar day (and needs a time).
* Filler is ignored: uh, um, like, please, sharp, around, about, ish ("3ish" is 3), "ok move it
  to". Anything else unrecognised refuses the phrase: never a partial guess.
* Nonsense is refused in words: "-3pm", "0", "25:00", "13 pm", February 29 outside a leap year,
  "the 32nd", two different times or days in one phrase.
* A wall time skipped by DST raises NonexistentTimeError (with `suggestion`); a repeated one
  asks, unless an offset equal to one of them or the zone's abbreviation ("1:30 am EST")
  settles it.
* `language` is Tavus's full name ("english", "spanish", "german", "french", "portuguese",
  "italian"; "multilingual" tries them all and asks if two readings differ). English words and
  digits work in every language. German "halb drei" is 2:30; the language decides.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from schedules import speech
from schedules.timeparse import durations, ends, moves, windows
from schedules.timeparse.errors import (
    HINT_SPAN,
    HINT_TIME,
    AmbiguousTimeError,
    NonexistentTimeError,
    NotATimeError,
    TimeParseError,
    not_a_duration,
    not_a_span,
    not_a_time,
)
from schedules.timeparse.lexicon import understand
from schedules.timeparse.points import Frame, iso_instant, parse_iso, resolve
from schedules.timeparse.scanner import scan
from schedules.timeparse.text import check_text, fold
from schedules.timeparse.zones import as_local

# Callers written before the message/hint split strip this from messages; none carries it now.
HINT = HINT_TIME
__all__ = [
    "HINT",
    "AmbiguousTimeError",
    "NonexistentTimeError",
    "NotATimeError",
    "TimeParseError",
    "parse_datetime",
    "parse_duration",
    "parse_end",
    "parse_instant",
    "parse_move",
    "parse_range",
    "parse_window",
]


def parse_datetime(
    text: str,
    *,
    tz: ZoneInfo,
    now: datetime,
    default_hour: int | None = None,
    anchor: date | None = None,
    language: str = "english",
) -> datetime:
    """A point in time ('tomorrow at 3pm', 2026-03-06T15:00); a bare clock is on `anchor`."""
    s = check_text(text)
    if default_hour is not None and not 0 <= default_hour <= 23:
        raise ValueError("default_hour must be between 0 and 23")
    f = Frame(tz, as_local(now, tz), default_hour, anchor)

    def point(c: str, lexicon) -> datetime:
        return resolve(scan(c, f.today, s, day_first=lexicon.day_first), f, s)

    return _guarded(s, not_a_time, lambda: parse_iso(s, f) or _each(s, language, point, f))


def parse_instant(text: str, *, tz: ZoneInfo, now: datetime) -> datetime | None:
    """ISO 8601 with an explicit offset or Z as that instant (for programs, whose offsets are
    meant); None for anything else. Spoken input goes through parse_datetime instead."""
    s = check_text(text)
    return _guarded(s, not_a_time, lambda: iso_instant(s, Frame(tz, as_local(now, tz))))


def parse_end(
    text: str,
    *,
    start: datetime,
    tz: ZoneInfo,
    now: datetime,
    day_end: time | None = None,
    language: str = "english",
) -> datetime:
    """An end for an event at `start`: 'till 3:30' (the start's day, or overnight), 'for 90
    minutes', '2 hours', 'end of day' (`day_end`, the user's working-day end; 18:00 if None)."""
    s = check_text(text)
    start_local = start.astimezone(tz)
    f = Frame(tz, as_local(now, tz), anchor=start_local.date(), after=start_local)

    def end(c: str, lexicon) -> datetime:
        return ends.end(c, lexicon, f, day_end, s)

    return _guarded(s, not_a_time, lambda: ends.end_point(s, f) or _each(s, language, end, f))


def parse_duration(text: str | int | float, *, language: str = "english") -> timedelta:
    """A length: '30 minutes', 'an hour and a half', '1h30', 'PT45M' or minutes (0 < d <= 24h)."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise not_a_duration(str(text)[:60])
    if not isinstance(text, str):
        return durations.checked(float(text))
    s = check_text(text)

    def minutes(c: str, lexicon) -> float:
        if c.startswith("-") or " -" in c:
            return -1.0  # "-5 minutes": refused by checked() as not more than zero
        found = durations.phrase_minutes(c, bare=True)
        if found is None:
            raise not_a_duration(s)
        return found

    def length() -> timedelta:
        iso = durations.iso_minutes(fold(s).replace(" ", ""))
        found = iso if iso is not None else understand(s, language, minutes, _minutes_said)
        return durations.checked(found)

    return _guarded(s, not_a_duration, length)


def parse_move(
    text: str,
    *,
    start: datetime,
    end: datetime,
    tz: ZoneInfo,
    now: datetime,
    language: str = "english",
) -> datetime:
    """An event's new start: 'an hour later', 'same time Friday', 'push it to tomorrow' (same
    clock time), or a time on the event's own day ('4' moves Wednesday's 2 pm to 4 pm)."""
    s = check_text(text)
    start_local = start.astimezone(tz)
    f = Frame(tz, as_local(now, tz), anchor=start_local.date(), near=start_local,
              keep=start_local.time().replace(tzinfo=None))  # fmt: skip

    def new_start(c: str, lexicon) -> datetime:
        return moves.move(c, lexicon, f, s)

    return _guarded(s, not_a_time, lambda: parse_iso(s, f) or _each(s, language, new_start, f))


def parse_window(
    text: str,
    *,
    tz: ZoneInfo,
    now: datetime,
    day_start: time | None = None,
    day_end: time | None = None,
    language: str = "english",
) -> tuple[datetime, datetime]:
    """A span [start, end): 'today', 'this week', 'tomorrow morning', 'the next 3 days'...

    Days, weeks and months are whole local days (midnight to midnight, DST-correct). A part of
    the day is its own window, never clipped: morning 5:00-12:00, afternoon 12:00-17:00,
    evening and night (and tonight) 17:00-24:00. Clipped to the working day (`day_start`,
    `day_end`; 9:00-18:00 if None) are only what says so: 'end of day'/'close of business' (now
    until `day_end` today) and 'working hours' ('tomorrow during working hours'). A free-slot
    search applies the working day and now itself.
    """
    s = check_text(text)
    w = windows.Span(tz, as_local(now, tz), day_start or windows.DEFAULT_DAY_START,
                     day_end or ends.DEFAULT_DAY_END)  # fmt: skip

    def span(c: str, lexicon) -> tuple[datetime, datetime]:
        found = windows.window(c, lexicon, w, s)
        if found[1] <= found[0]:
            raise TimeParseError(
                _("That span of time is empty. Which days do you mean?"), hint=HINT_SPAN
            )
        return found

    def say(found: tuple[datetime, datetime]) -> str:
        return windows.describe(found, tz, w.now)

    return _guarded(s, not_a_span, lambda: understand(s, language, span, say))


def parse_range(text: str, *, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """The span a phrase names: parse_window with the default working day (kept for callers)."""
    return parse_window(text, tz=tz, now=now)


def _each(s: str, language: str, parse: Callable[[str, object], datetime], f: Frame) -> datetime:
    return understand(s, language, parse, lambda d: speech.describe(d, tz=f.tz, now=f.now))


def _guarded[T](s: str, unknown: Callable[[str], TimeParseError], parse: Callable[[], T]) -> T:
    """Run `parse`; any stray ValueError or overflow deep inside becomes a TimeParseError."""
    try:
        return parse()
    except TimeParseError:
        raise
    except (ValueError, OverflowError, OSError) as exc:
        raise unknown(s) from exc


def _minutes_said(minutes: float) -> str:
    return f"{minutes:g} minutes"
