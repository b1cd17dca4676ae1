"""Which wall-clock time a clock phrase means: the am/pm rules and the parts of the day.

Without am/pm, a part of the day or the 24-hour clock ("09:00", "15:30", "1500 hours"):
12 is noon, 1-6 are afternoon or evening (1 pm - 6 pm), and 7-11 could be either, so there are
two readings and the caller asks (or lets context pick: an end after its start, a move near the
event). The 'h' forms ("9h30", German "9 Uhr", French "9 heures") come from 24-hour habits,
where an evening is said 19h-23h, so there 7-11 are the morning. A part of the day decides:
morning 1-11 am; afternoon 12-7 pm; evening 4-11 pm; night 5-11 pm, 12 = midnight, 1-4 = after
midnight. A clock that doesn't fit the part said ("9am
tonight", "3 pm in the morning", "8 in the afternoon") is a contradiction: the caller asks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils.translation import gettext as _

from schedules.timeparse.errors import HINT_TIME, TimeParseError
from schedules.timeparse.parts import Clock

PART_HOURS = {"morning": 9, "afternoon": 14, "evening": 18, "night": 20}
FITS = {
    "morning": frozenset(range(0, 12)),
    "afternoon": frozenset(range(12, 20)),  # "7 de la tarde" is 19:00
    "evening": frozenset(range(16, 24)),
    "night": frozenset((*range(17, 24), *range(0, 5))),
}
ASK_HOURS = range(7, 12)


@dataclass(frozen=True, slots=True)
class Reading:
    """One wall-clock reading; `next_day` for midnight and the small hours of a night."""

    hour: int
    minute: int = 0
    second: int = 0
    next_day: bool = False

    def on(self, day: date) -> datetime:
        return datetime.combine(day + timedelta(days=self.next_day), self.time)

    @property
    def time(self) -> time:
        return time(self.hour, self.minute, self.second)


@dataclass(frozen=True, slots=True)
class Readings:
    """The possible readings; `must_ask` when they contradict what was said (no context helps)."""

    options: tuple[Reading, ...]
    must_ask: bool = False


def readings(clock: Clock | None, part: str | None, *, both: bool = False) -> Readings:
    """The readings of a clock (and part of the day) under the rules in the module docstring.

    With `both` (an end, whose start decides), any bare 1-12 has its am and pm readings.
    """
    if clock is None:
        return Readings((Reading(PART_HOURS[part]),) if part else ())
    if clock.special == "midnight":
        if part in ("morning", "afternoon"):
            return Readings((Reading(0, next_day=True), Reading(12)), must_ask=True)
        return Readings((Reading(0, next_day=True),))
    _check(clock)
    if clock.special == "noon" or clock.meridiem or clock.h24 or clock.hour in (0, *range(13, 24)):
        hour = _hour24(clock)
        return _fitting(Reading(hour, clock.minute, clock.second), part, clock)
    return _bare(clock, part, both)


def _hour24(clock: Clock) -> int:
    if clock.meridiem:
        return clock.hour % 12 + (12 if clock.meridiem == "pm" else 0)
    return clock.hour


def _fitting(reading: Reading, part: str | None, clock: Clock) -> Readings:
    """A definite hour: fine unless it contradicts the part of the day said."""
    if part is None:
        return Readings((reading,))
    if reading.hour in FITS[part]:
        late = part == "night" and reading.hour < 5
        return Readings((Reading(reading.hour, reading.minute, reading.second, late),))
    if clock.special == "noon":
        return Readings((Reading(12), Reading(0, next_day=True)), must_ask=True)
    am = reading.hour % 12
    return Readings(
        (Reading(am, reading.minute, reading.second),
         Reading(am + 12, reading.minute, reading.second)),
        must_ask=True,
    )  # fmt: skip


def _bare(clock: Clock, part: str | None, both: bool) -> Readings:
    """1-12 without am/pm: the part of the day decides, else the rule of the docstring."""
    h, m, s = clock.hour, clock.minute, clock.second
    am, pm = Reading(h % 12, m, s), Reading(h % 12 + 12, m, s)
    if part is None and both:
        return Readings(
            (Reading(12, m, s), Reading(0, m, s, next_day=True)) if h == 12 else (am, pm)
        )
    if part is None:
        if h == 12:
            return Readings((Reading(12, m, s),))
        if h in ASK_HOURS:
            return Readings((am,)) if clock.hform else Readings((am, pm))
        return Readings((pm,))
    if part == "night" and h == 12:
        return Readings((Reading(0, m, s, next_day=True),))
    if part == "night" and h <= 4:
        return Readings((Reading(h, m, s, next_day=True),))
    reading = am if part == "morning" else pm
    if h == 12 and part != "afternoon":  # "12 in the morning": noon or midnight?
        return Readings((Reading(12, m, s), Reading(0, m, s, next_day=True)), must_ask=True)
    if reading.hour in FITS[part]:
        return Readings((reading,))
    return Readings((am, pm), must_ask=True)


def _check(clock: Clock) -> None:
    """Refuse '25:00', '13 pm', '3:75' and a lone '0' in words."""
    h, m, s = clock.hour, clock.minute, clock.second
    valid = m <= 59 and s <= 59 and (1 <= h <= 12 if clock.meridiem else h <= 23)
    if valid and (h or clock.marked or clock.h24):
        return
    said = f"{h}:{m:02d}" if clock.marked or m else str(h)
    if clock.meridiem:
        said += f" {clock.meridiem.upper()}"
    raise TimeParseError(
        _("%(said)s isn't a time of day. Which time do you mean?") % {"said": said},
        hint=HINT_TIME,
    )
