"""Spans of time for listing and free-slot search: days, weeks, months, parts of the day, ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from schedules import speech
from schedules.timeparse import ends, zones
from schedules.timeparse.days import agree, check_year, weekday_day
from schedules.timeparse.errors import (
    HINT_SPAN,
    AmbiguousTimeError,
    TimeParseError,
    not_a_span,
)
from schedules.timeparse.grammar import MON, MONTHS
from schedules.timeparse.lexicon.base import Lexicon
from schedules.timeparse.parts import Parts
from schedules.timeparse.points import Frame, resolve
from schedules.timeparse.scanner import scan

DEFAULT_DAY_START = time(9, 0)  # the profile's default working day, when the caller gives none
PARTS = {"morning": (time(5), time(12)), "afternoon": (time(12), time(17)),
         "evening": (time(17), None), "night": (time(17), None)}  # None: the day's end  # fmt: skip
_LEAD = re.compile(
    r"^(?:(?:for|during|in|over|on|within|throughout|from|uh|um|please|all|the whole|what about"
    r"|how about|anytime|any time|sometime) )+",
    re.ASCII,
)
_REST = re.compile(r"^(?:the )?rest of (?:the day|today)$", re.ASCII)
_NEXT_N = re.compile(
    r"^(?:the )?(?:next|coming|following) ([0-9]+|a few|a couple(?: of)?) (days?|hours?|weeks?)$",
    re.ASCII,
)
_MONTH = re.compile(rf"^(?:the month of )?({MON})(?: ([0-9]{{4}}))?$", re.ASCII)
_WORK = re.compile(
    r"\b(?:(?:during|in|within|for) )?(?:(?:my|the|your) )?(?:(?:working|work|business|office)"
    r" hours|work ?day|working day)\b",
    re.ASCII,
)
_BETWEEN = re.compile(r"^(?:(.*?) )?between (.+?) and (.+)$", re.ASCII)
_RANGE = re.compile(r"^(?:from )?(.+?) (?:to|till|through|thru|until|-) (.+)$", re.ASCII)
_DASH = re.compile(
    r"(?<![0-9-])([0-9]{1,2}(?::[0-9]{2})?(?: ?[ap]m)?)-([0-9]{1,2}(?::[0-9]{2})?)(?![0-9])",
    re.ASCII,
)
_EDGE = re.compile(
    r"\b(after|before|from|since|starting)(?: at)? (?=[0-9]|noon|midday|midnight)", re.ASCII
)
_NAMED = {"this week": (0, 6), "week": (0, 6), "the week": (0, 6), "next week": (7, 13),
          "last week": (-7, -1), "the week after next": (14, 20), "this weekend": (5, 6),
          "weekend": (5, 6), "the weekend": (5, 6), "next weekend": (12, 13)}  # fmt: skip
_COUNTS = {"a few": 3, "a couple": 2, "a couple of": 2}


@dataclass(frozen=True)
class Span:
    """What a window is resolved against: the user's zone, now and working day."""

    tz: ZoneInfo
    now: datetime  # aware, in tz
    day_start: time
    day_end: time

    @property
    def today(self) -> date:
        return self.now.date()


def window(c: str, lexicon: Lexicon, w: Span, text: str) -> tuple[datetime, datetime]:
    """The [start, end) a canonical phrase names (rules: the package docstring)."""
    c = _DASH.sub(r"\1 - \2", _LEAD.sub("", c).strip())
    if ends.EOD.fullmatch(c):
        return w.now, ends.end_of_day(w.now, w.day_end, w.tz)
    if _REST.fullmatch(c):
        return w.now, zones.start_of_day(w.today + timedelta(days=1), w.tz)
    for found in (_next_n(c, w), _named(c, w), _month(c, w)):
        if found is not None:
            return found
    if m := _BETWEEN.fullmatch(c):
        return _range(f"{m[1] or ''} {m[2]}".strip(), m[3], lexicon, w, text)
    if m := _RANGE.fullmatch(c):
        return _range(m[1], m[2], lexicon, w, text)
    if m := _EDGE.search(c):
        return _edge(m, c, lexicon, w, text)
    return _day_or_part(c, lexicon, w, text)


def _day_or_part(c: str, lexicon: Lexicon, w: Span, text: str) -> tuple[datetime, datetime]:
    """A whole day, a part of one ('Friday evening'), or its working hours."""
    working = bool(_WORK.search(c))
    p = scan(_WORK.sub(" ", c), w.today, text, day_first=lexicon.day_first)
    if p.clock is not None:
        raise TimeParseError(
            _("That's a time, not a span of time. Until when?"),
            hint=HINT_SPAN + " For part of a day send two times, e.g. 'tomorrow 9am to 12pm'.",
        )
    day = _day_of(p, w.today, text) or w.today
    if working:
        return zones.wall(day, w.day_start, w.tz), zones.wall(day, w.day_end, w.tz)
    if p.part is not None:
        first, last = PARTS[p.part]
        return zones.wall(day, first, w.tz), _until(day, last, w.tz)
    if not p.has_day():
        raise not_a_span(text)
    return _days(day, day, w.tz)


def _day_of(p: Parts, today: date, text: str) -> date | None:
    """The one day a scanned phrase names, with no time of day (None if it names none)."""
    if p.words or p.now or p.elapsed is not None or p.offset is not None or p.zone:
        raise not_a_span(text)
    weekday = p.weekday[0] if p.weekday else None
    day = agree(p.days, weekday, today)
    if day is not None:
        day += timedelta(days=p.shift_days)
    elif p.weekday is not None:
        day = weekday_day(*p.weekday, today, None, p.shift_days)
    if day is not None:
        check_year(day, today)
    return day


def _days(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return zones.start_of_day(first, tz), zones.start_of_day(last + timedelta(days=1), tz)


def _until(day: date, at: time | None, tz: ZoneInfo) -> datetime:
    return (
        zones.start_of_day(day + timedelta(days=1), tz) if at is None else zones.wall(day, at, tz)
    )


def _next_n(c: str, w: Span) -> tuple[datetime, datetime] | None:
    """'the next 3 days' (today and the two after), 'the next 2 hours' (from now)."""
    if c in ("the next week", "the coming week"):
        c = "next 7 days"
    m = _NEXT_N.fullmatch(c)
    if not m:
        return None
    count = _COUNTS.get(m[1]) or int(m[1])
    if not 0 < count <= 366:
        raise not_a_span(c)
    if m[2].startswith("hour"):
        return w.now, w.now + timedelta(hours=count)
    span = count * (7 if m[2].startswith("week") else 1)
    return _days(w.today, w.today + timedelta(days=span - 1), w.tz)


def _named(c: str, w: Span) -> tuple[datetime, datetime] | None:
    """This week (Monday to Sunday), next weekend, this month, ..."""
    if c in _NAMED:
        monday = w.today - timedelta(days=w.today.weekday())
        a, b = _NAMED[c]
        return _days(monday + timedelta(days=a), monday + timedelta(days=b), w.tz)
    months = {"this month": 0, "month": 0, "the month": 0, "next month": 1, "last month": -1}
    if c not in months:
        return None
    index = w.today.year * 12 + w.today.month - 1 + months[c]
    return _month_span(index // 12, index % 12 + 1, w.tz)


def _month(c: str, w: Span) -> tuple[datetime, datetime] | None:
    """'December' (this year's, or next year's once it is over), 'March 2027'."""
    m = _MONTH.fullmatch(c)
    if not m:
        return None
    month = MONTHS[m[1]]
    year = int(m[2]) if m[2] else w.today.year + (month < w.today.month)
    check_year(date(year, month, 1), w.today)
    return _month_span(year, month, w.tz)


def _month_span(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    first = date(year, month, 1)
    return _days(first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1), tz)


def _range(left: str, right: str, lexicon: Lexicon, w: Span, text: str):
    """'Friday to Monday' (whole days), or 'tomorrow 9 to 12' (a start, then an end)."""
    lp = scan(left, w.today, text, day_first=lexicon.day_first)
    rp = scan(right, w.today, text, day_first=lexicon.day_first)
    if not lp.has_time() and not rp.has_time():
        first = _day_of(lp, w.today, text)
        last = _day_of(rp, w.today, text)
        if first is None or last is None:
            raise not_a_span(text)
        if last < first:  # "Friday to Monday": the end is the first such day after the start
            last = max(last, _day_of(rp, first, text) or last)
        if last < first:
            raise TimeParseError(_("That span ends before it starts. Which days do you mean?"),
                                 hint=HINT_SPAN)  # fmt: skip
        return _days(first, last, w.tz)
    if rp.has_day() and not lp.has_day():  # "3 to 5pm tomorrow": both ends are tomorrow
        lp.days, lp.weekday, lp.shift_days = rp.days, rp.weekday, rp.shift_days
    start = _start(lp, right, lexicon, w, text)
    frame = Frame(w.tz, w.now, anchor=start.date(), after=start)
    return start, ends.end(right, lexicon, frame, w.day_end, text)


def _start(lp: Parts, right: str, lexicon: Lexicon, w: Span, text: str) -> datetime:
    """The start of a range; a bare '9' in '9 to 5' is the reading whose end is the same day."""
    frame = Frame(w.tz, w.now, default_hour=None, anchor=None)
    try:
        return resolve(lp, frame, text)
    except AmbiguousTimeError as question:
        bare = lp.clock is not None and lp.part is None and not lp.clock.meridiem
        if not bare or not all(isinstance(o, datetime) for o in question.options):
            raise
        fitting = [o for o in question.options if _same_day_end(o, right, lexicon, w, text)]
        if len(fitting) != 1:
            raise
        return fitting[0]


def _same_day_end(start: datetime, right: str, lexicon: Lexicon, w: Span, text: str) -> bool:
    try:
        frame = Frame(w.tz, w.now, anchor=start.date(), after=start)
        return ends.end(right, lexicon, frame, w.day_end, text).date() == start.date()
    except TimeParseError:
        return False


def _edge(m: re.Match[str], c: str, lexicon: Lexicon, w: Span, text: str):
    """'after 3pm' (until the day ends), 'before noon on Friday' (from the day's start)."""
    p = scan(f"{c[: m.start()]} {c[m.end() :]}", w.today, text, day_first=lexicon.day_first)
    if p.clock is None:
        raise not_a_span(text)
    moment = resolve(p, Frame(w.tz, w.now), text)
    day = moment.date()
    if m[1] == "before":
        return zones.start_of_day(day, w.tz), moment
    return moment, zones.start_of_day(day + timedelta(days=1), w.tz)


def describe(span: tuple[datetime, datetime], tz: ZoneInfo, now: datetime) -> str:
    """A span in words, for a question when two languages read a phrase differently."""
    return speech.span(span[0], span[1], tz, now=now)
