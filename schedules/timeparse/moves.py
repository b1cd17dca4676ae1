"""Where an event moves to: 'an hour later', 'same time Friday', 'push it to tomorrow', 'to 4'."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext as _

from schedules import speech
from schedules.timeparse import zones
from schedules.timeparse.errors import HINT_TIME, TimeParseError, more_than_one, which_of
from schedules.timeparse.grammar import AMOUNT, amount_minutes
from schedules.timeparse.lexicon.base import Lexicon
from schedules.timeparse.points import Frame, resolve
from schedules.timeparse.scanner import scan

LONGEST_MOVE = timedelta(days=366)
_LATER = {"later", "back", "out", "after"}
_EARLIER = {"earlier", "sooner", "before", "up"}
_EITHER = {"forward", "ahead"}  # "move it forward an hour": earlier to some, later to others
_WAY = "later|earlier|back|out|forward|ahead|up|sooner|before|after"
RELATIVE = re.compile(rf"^(?:({_WAY}) )?(?:by )?({AMOUNT})(?: ({_WAY}))?$", re.ASCII)
_LONE = re.compile(rf"^(?:a (?:bit|little) )?({_WAY})$", re.ASCII)
_TO = re.compile(r"^(?:to|till|until|for|at) (?=[0-9a-z])", re.ASCII)
_SAME_TIME = re.compile(r"\b(?:at )?(?:the )?same time\b", re.ASCII)
_EVENT_DAYS = {"next week": 7, "the week after": 7, "the following week": 7, "the day after": 1,
               "the next day": 1, "the following day": 1, "the day before": -1}  # fmt: skip


def move(c: str, lexicon: Lexicon, f: Frame, text: str) -> datetime:
    """The new start a canonical phrase names for an event starting at `f.near`."""
    start = f.near
    c = _TO.sub("", c)
    if m := RELATIVE.fullmatch(c):
        return _relative(m, start, f, text)
    if m := _LONE.fullmatch(c):
        raise TimeParseError(_how_much(m[1]), hint="Send an amount, e.g. 'an hour later'.")
    same_time = bool(_SAME_TIME.search(c))
    c = _SAME_TIME.sub(" ", c).strip()
    if c in _EVENT_DAYS:
        return _shift_days(start, _EVENT_DAYS[c], f)
    p = scan(c, f.today, text, day_first=lexicon.day_first)
    if same_time and p.clock is not None:
        raise more_than_one(text)
    return resolve(p, f, text)


def _how_much(way: str) -> str:
    if way in _EARLIER:
        return _("How much earlier?")
    if way in _LATER:
        return _("How much later?")
    return _("How much earlier, or how much later?")


def _relative(m: re.Match[str], start: datetime, f: Frame, text: str) -> datetime:
    ways = {w for w in (m[1], m[3]) if w}
    if len(ways) != 1:
        raise TimeParseError(
            _("Earlier or later, and by how much?"), hint="Send e.g. '30 minutes later'."
        )
    minutes, whole_days = amount_minutes(m[2])
    if not 0 < minutes <= LONGEST_MOVE.total_seconds() / 60:
        raise TimeParseError(_("That's too far to move it."), hint=HINT_TIME)
    way = ways.pop()
    if way in _EITHER:
        early, late = (_by(start, minutes, whole_days, sign, f) for sign in (-1, 1))
        raise which_of(_say(early, start, f), _say(late, start, f), (early, late))
    return _by(start, minutes, whole_days, 1 if way in _LATER else -1, f)


def _by(start: datetime, minutes: float, whole_days: bool, sign: int, f: Frame) -> datetime:
    """Days move the wall clock (same time, another day); hours and minutes are elapsed time."""
    if whole_days and minutes % 1440 == 0:
        return _shift_days(start, sign * int(minutes // 1440), f)
    return (start.astimezone(UTC) + sign * timedelta(minutes=minutes)).astimezone(f.tz)


def _shift_days(start: datetime, count: int, f: Frame) -> datetime:
    wall = start.astimezone(f.tz).replace(tzinfo=None) + timedelta(days=count)
    return zones.localize(wall, f.tz)


def _say(moment: datetime, start: datetime, f: Frame) -> str:
    if moment.date() == start.date():
        return speech.short_clock(moment)
    return speech.describe(moment, tz=f.tz, now=f.now)
