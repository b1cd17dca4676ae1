"""When something ends: a clock time on the start's day, a length, or the end of the working day."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from django.utils.translation import gettext as _

from schedules import speech
from schedules.timeparse import durations, zones
from schedules.timeparse.errors import TimeParseError
from schedules.timeparse.lexicon.base import Lexicon
from schedules.timeparse.points import Frame, parse_iso, resolve
from schedules.timeparse.scanner import scan

DEFAULT_DAY_END = time(18, 0)  # the profile's default end of the working day
LONGEST_OVERNIGHT = timedelta(hours=12)
HINT_END = (
    "Send the end as a clock time after the start ('till 3:30'), a day and time, or a length "
    "('for 90 minutes'); or send duration_minutes."
)
EOD = re.compile(
    r"^(?:(?:till|to|by|until|at|around) )?(?:the )?(?:end of (?:the )?(?:(?:my |the )?"
    r"(?:work ?|working |business )?day)|eod|cob|eob|close of (?:business|play)"
    r"|end of business)(?: today)?$",
    re.ASCII,
)
_LENGTH_CUE = re.compile(
    r"^(?:(?:it|for|lasts?|lasting|takes?|taking|runs?|running|about|around|roughly|maybe|like"
    r"|uh|um|just|only|please) )+",
    re.ASCII,
)
_END_CUE = re.compile(
    r"^(?:(?:and|it|that|which|then|uh|um|so|ok|okay) )*(?:(?:ends?|ending|finish(?:es|ing)?"
    r"|done|over|wraps? up|stops?|goes) )?(?:(?:till|to|through|thru|by|until|at|around) )+",
    re.ASCII,
)
_COMPACT_H = re.compile(r"[0-9]{1,2}h(?:[0-9]{2})?", re.ASCII)


def end_of_day(start: datetime, day_end: time | None, tz) -> datetime:
    """The end of the working day on the start's day."""
    at = day_end or DEFAULT_DAY_END
    result = zones.wall(start.date(), at, tz)
    if result <= start:
        raise TimeParseError(
            _("It starts after your working day ends at %(clock)s. When does it end?")
            % {"clock": speech.short_clock(at)},
            hint=HINT_END,
        )
    return result


def length(canonical: str) -> float | None:
    """Minutes when the end is said as a length ('for 90 minutes', '2 hours'), else None."""
    cue = _LENGTH_CUE.match(canonical)
    rest = canonical[cue.end() :] if cue else canonical
    said_for = bool(cue and "for" in cue[0].split())
    if _COMPACT_H.fullmatch(rest) and not said_for:
        return None  # "15h" is a clock (French, German); "for 2h" is a length
    return durations.phrase_minutes(rest, bare=False)


def end(c: str, lexicon: Lexicon, f: Frame, day_end: time | None, text: str) -> datetime:
    """The end a canonical phrase names for an event starting at `f.after` (rules: package)."""
    start = f.after
    if EOD.fullmatch(c):
        return end_of_day(start, day_end, f.tz)
    minutes = length(c)
    if minutes is not None:
        return (start.astimezone(UTC) + durations.checked(minutes)).astimezone(f.tz)
    cue = _END_CUE.match(c)
    p = scan(c[cue.end() :] if cue else c, f.today, text, day_first=lexicon.day_first)
    result = resolve(p, f, text)
    return check(result, start, day_said=p.has_day() or p.now or p.elapsed is not None)


def end_point(text: str, f: Frame) -> datetime | None:
    """An ISO end, checked against the start; None when the text isn't ISO."""
    result = parse_iso(text, f)
    return None if result is None else check(result, f.after, day_said=True)


def check(result: datetime, start: datetime, *, day_said: bool) -> datetime:
    """An end must come after the start; rolled into the next day, it must stay overnight-sized."""
    rolled = not day_said and result.date() > start.date()
    if result <= start or (rolled and result - start > LONGEST_OVERNIGHT):
        raise TimeParseError(
            _("It can't end at %(end)s when it starts at %(start)s. When does it end?")
            % {"end": speech.short_clock(result), "start": speech.short_clock(start)},
            hint=HINT_END,
        )
    return result
