"""Wall times in the user's IANA zone: DST gaps and repeats, explicit offsets, local midnights."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from schedules import speech
from schedules.timeparse.errors import (
    AmbiguousTimeError,
    NonexistentTimeError,
    TimeParseError,
    snippet,
)

_OFFSET_RE = re.compile(r"([+-])([0-9]{1,2})(?::?([0-9]{2}))?", re.ASCII)


def as_local(now: datetime, tz: ZoneInfo) -> datetime:
    """`now` in `tz`; a naive `now` is taken as already local."""
    return now.astimezone(tz) if now.utcoffset() is not None else now.replace(tzinfo=tz)


def localize(naive: datetime, tz: ZoneInfo, zone_word: str | None = None) -> datetime:
    """Attach `tz` to a wall time, refusing skipped ones and asking about repeated ones."""
    early, late = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise nonexistent(naive, tz)
    if early.utcoffset() == late.utcoffset():
        return early
    for candidate in (early, late):
        if zone_word and str(candidate.tzname()).lower() == zone_word:
            return candidate
    raise AmbiguousTimeError(
        _("%(clock)s happens twice on %(day)s, because the clocks go back. Before the change "
          "(%(first)s), or after it (%(second)s)?")
        % {"clock": speech.clock(naive), "day": speech.day(naive.date(), None),
           "first": early.tzname(), "second": late.tzname()},
        options=(early, late),
        hint=f"{speech.clock(naive)} happens twice in {zone_name(tz)}: {early.tzname()} "
        f"({utc_offset(early)}) or {late.tzname()} ({utc_offset(late)}). Put the question to "
        "the user, then send the time with the chosen offset.",
    )  # fmt: skip


def wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A window edge: the wall time, or the first instant after a DST gap; never raises."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return aware
    return gap_end(naive, tz)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight, or the first valid instant of the day if midnight is skipped."""
    return wall(day, time(), tz)


def nonexistent(naive: datetime, tz: ZoneInfo) -> NonexistentTimeError:
    """Explain a DST gap and propose the first valid time after it."""
    after = gap_end(naive, tz)
    before = after.astimezone(UTC).replace(tzinfo=None) + naive.replace(tzinfo=tz).utcoffset()
    values = {
        "clock": speech.clock(naive),
        "day": speech.day(naive.date(), None),
        "before": speech.clock(before),
        "after": speech.clock(after),
        "after_day": speech.day(after.date(), None),
    }
    if after.date() == naive.date():
        message = _(
            "%(clock)s doesn't exist on %(day)s: the clocks jump from %(before)s to %(after)s. "
            "Shall I make it %(after)s?"
        )
    else:
        message = _(
            "%(clock)s doesn't exist on %(day)s: the clocks jump from %(before)s to %(after)s on "
            "%(after_day)s. Shall I make it %(after)s then?"
        )
    hint = f"A DST gap in {zone_name(tz)}. Put the question to the user."
    return NonexistentTimeError(message % values, suggestion=after, hint=hint)


def gap_end(naive: datetime, tz: ZoneInfo) -> datetime:
    """First valid instant after the skipped span containing `naive` (binary search)."""
    # In a gap fold=1 uses the later (larger) offset, so it lands before the transition.
    lo = int(naive.replace(tzinfo=tz, fold=1).timestamp())
    hi = int(naive.replace(tzinfo=tz, fold=0).timestamp()) + 1
    target = datetime.fromtimestamp(hi, tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == target:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, tz)


def parse_offset(said: str, original: str) -> timedelta:
    """'z', '+05:30', '-5', '+0100' as a UTC offset."""
    if said == "z":
        return timedelta(0)
    m = _OFFSET_RE.fullmatch(said)
    if not m or int(m[2]) > 14 or int(m[3] or 0) > 59:
        raise TimeParseError(
            _("I couldn't understand the time zone in '%(text)s'.") % {"text": snippet(original)},
            hint="Send times without an offset; they are read in the user's own time zone.",
        )
    value = timedelta(hours=int(m[2]), minutes=int(m[3] or 0))
    return -value if m[1] == "-" else value


def with_offset(naive: datetime, offset: timedelta, tz: ZoneInfo) -> datetime:
    """A wall time said with an explicit offset: accepted only when it is the user's own."""
    instant = naive.replace(tzinfo=UTC) - offset
    local = instant.astimezone(tz)
    if local.utcoffset() == offset:
        return local
    raise foreign_zone(naive, utc_offset_of(offset), tz, local)


def foreign_zone(naive: datetime, given: str, tz: ZoneInfo, local: datetime) -> TimeParseError:
    """A time said in another zone than the user's: refused, with the fix for the LLM."""
    wall_time = naive.isoformat(timespec="seconds" if naive.second else "minutes")
    return TimeParseError(
        _("That time was given in %(given)s, but your times are in %(zone)s. Which time do you "
          "mean, in your own time?") % {"given": given, "zone": zone_name(tz)},
        hint=f"Times are in {zone_name(tz)} ({utc_offset(local)}); send {wall_time} without Z "
        "or an offset (the user's own wall time).",
    )  # fmt: skip


def zone_name(tz: ZoneInfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def utc_offset(dt: datetime) -> str:
    return utc_offset_of(dt.utcoffset())


def utc_offset_of(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
