"""Resolve what a phrase said into one aware instant, or ask."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from schedules import speech
from schedules.timeparse import zones
from schedules.timeparse.clocks import FITS, Reading, readings
from schedules.timeparse.days import agree, check_year, weekday_day
from schedules.timeparse.errors import HINT_TIME, TimeParseError, not_a_time, snippet, which_of
from schedules.timeparse.parts import Parts

NEAR_ENOUGH = timedelta(hours=4)
_ISO_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[tT ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,6})?)?"
    r"(?P<offset> ?(?:[zZ]|[+-][0-9]{2}(?::?[0-9]{2})?))?)?",
    re.ASCII,
)


class Frame:
    """What a phrase is resolved against: the user's zone and now, and the caller's context.

    A plain slotted class: it is built on every call, and a frozen dataclass costs more.
    """

    __slots__ = ("after", "anchor", "default_hour", "keep", "near", "now", "today", "tz",
                 "wall_now")  # fmt: skip

    def __init__(
        self,
        tz: ZoneInfo,
        now: datetime,  # aware, in tz
        default_hour: int | None = None,
        anchor: date | None = None,  # a clock time with no day word is on this day
        after: datetime | None = None,  # an end: a clock at or before this start: next day
        near: datetime | None = None,  # a move: am or pm, whichever is near the event's start
        keep: time | None = None,  # a move: a day said without a time keeps the event's time
    ) -> None:
        self.tz, self.now, self.default_hour, self.anchor = tz, now, default_hour, anchor
        self.after, self.near, self.keep = after, near, keep
        self.today, self.wall_now = now.date(), now.replace(tzinfo=None)


def parse_iso(s: str, f: Frame) -> datetime | None:
    """Strict ISO 8601; None when the text is not ISO-shaped. Sub-second digits are dropped."""
    m = _ISO_RE.fullmatch(s)
    if m is None:
        return None
    offset = m["offset"]
    naive = datetime.fromisoformat(s[: m.start("offset")] if offset else s)
    if naive.microsecond:
        naive = naive.replace(microsecond=0)
    check_year(naive.date(), f.today)
    if offset:
        return zones.with_offset(naive, zones.parse_offset(offset.strip().lower(), s), f.tz)
    if len(s) == 10:
        naive = naive.replace(hour=_need_hour(naive.date(), f))
    return zones.localize(naive, f.tz)


def iso_instant(s: str, f: Frame) -> datetime | None:
    """ISO 8601 with an explicit offset or Z, as that instant in `tz`; None for anything else."""
    m = _ISO_RE.fullmatch(s)
    if m is None or not m["offset"]:
        return None
    naive = datetime.fromisoformat(s[: m.start("offset")]).replace(microsecond=0)
    check_year(naive.date(), f.today)
    value = zones.parse_offset(m["offset"].strip().lower(), s)
    return (naive.replace(tzinfo=UTC) - value).astimezone(f.tz)


def resolve(p: Parts, f: Frame, text: str) -> datetime:
    """The instant a scanned phrase names, under the rules of the package docstring."""
    if p.words:
        raise not_a_time(text)
    if p.now or p.elapsed is not None:
        return _relative(p, f, text)
    if not p.has_day() and not p.has_time():
        raise not_a_time(text)
    found = readings(p.clock, p.part, both=f.after is not None)
    options, said = found.options, bool(found.options)
    keep = f.keep
    if p.clock is None and keep is not None and (p.part is None or keep.hour in FITS[p.part]):
        options, said = (Reading(keep.hour, keep.minute, keep.second),), True
    day = _day(p, f, options if said else ())
    if not options:
        options = (Reading(_need_hour(day, f)),)
    if len(options) == 1:
        naive = _place(options[0], day, f)
    else:
        naive = _choose(tuple(dict.fromkeys(_place(r, day, f) for r in options)), found.must_ask, f)
    check_year(naive.date(), f.today)
    return _aware(naive, p, f)


def _relative(p: Parts, f: Frame, text: str) -> datetime:
    if p.has_day() or p.has_time() or (p.now and p.elapsed) or p.offset or p.zone:
        raise TimeParseError(
            _("'%(text)s' mixes a relative time with a day or time. Which do you mean?")
            % {"text": snippet(text)},
            hint="Send either a relative time such as 'in 2 hours' or a day and time.",
        )
    if p.now:
        return f.now
    return (f.now.astimezone(UTC) + p.elapsed).astimezone(f.tz)


def _day(p: Parts, f: Frame, said: tuple[Reading, ...]) -> date | None:
    """The day named (None when no day was said); weekdays need the time to decide."""
    weekday = p.weekday[0] if p.weekday else None
    day = agree(p.days, weekday, f.today)
    if day is not None:
        return day + timedelta(days=p.shift_days)
    if p.weekday is None:
        return None
    now = f.wall_now

    def passed(d: date) -> bool:
        return all(r.on(d) <= now for r in said)

    return weekday_day(*p.weekday, f.today, passed if said else None, p.shift_days)


def _place(r: Reading, day: date | None, f: Frame) -> datetime:
    """A reading on its day: the day said, else the anchor, else today or (if over) tomorrow."""
    if day is not None:
        return r.on(day)
    if f.anchor is not None:
        naive = r.on(f.anchor)
        if f.after is not None and naive <= f.after.replace(tzinfo=None):
            naive += timedelta(days=1)
        return naive
    naive = r.on(f.today)
    return naive if naive > f.wall_now else r.on(f.today + timedelta(days=1))


def _choose(candidates: tuple[datetime, ...], must_ask: bool, f: Frame) -> datetime:
    """One candidate, or the one context picks, or a question naming both."""
    if len(candidates) == 1:
        return candidates[0]
    if not must_ask and f.after is not None:
        after = f.after.replace(tzinfo=None)
        return min((c for c in candidates if c > after), default=min(candidates))
    if not must_ask and f.near is not None:
        near = f.near.replace(tzinfo=None)
        gaps = sorted((abs(c - near), c) for c in candidates)
        if gaps[0][0] <= NEAR_ENOUGH and gaps[0][0] < gaps[1][0]:
            return gaps[0][1]
    first, second = candidates[:2]
    raise which_of(
        speech.clock_in_part(first),
        speech.clock_in_part(second),
        (
            zones.wall(first.date(), first.time(), f.tz),
            zones.wall(second.date(), second.time(), f.tz),
        ),
    )


def _aware(naive: datetime, p: Parts, f: Frame) -> datetime:
    if p.offset is not None:
        return zones.with_offset(naive, p.offset, f.tz)
    result = zones.localize(naive, f.tz, p.zone)
    if p.zone and str(result.tzname()).lower() != p.zone:
        raise zones.foreign_zone(naive, p.zone.upper(), f.tz, result)
    return result


def _need_hour(day: date | None, f: Frame) -> int:
    """default_hour, or a question asking for the missing time."""
    if f.default_hour is not None:
        return f.default_hour
    if day is None:
        raise TimeParseError(_("What time?"), hint=HINT_TIME)
    raise TimeParseError(
        _("What time on %(day)s?") % {"day": speech.day(day, f.today)},
        hint="Ask the user for the time, or send one such as 'Friday at 3pm'.",
    )
