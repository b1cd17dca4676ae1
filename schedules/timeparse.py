"""Understand spoken and ISO 8601 times in the user's own IANA time zone, DST-correct.

Pure Python (no Django). Every failure raises TimeParseError (a ValueError) whose
``message`` can be read aloud to the user or acted on by the LLM.

Rules for parse_datetime phrases:

* Bare hours (no am/pm): 1-6 -> PM, 7-11 -> AM, 12 -> noon; a leading zero ("09:00",
  "05:00") or an hour of 0 or 13-23 means the 24-hour clock. "morning" keeps AM;
  "afternoon", "evening", "night" and "tonight" force PM ("tonight at 12" is midnight).
* Parts of the day alone: morning 9:00, afternoon 14:00, evening 18:00, tonight/night 20:00.
* "midnight" is the midnight that ends the named day (today when no day is named).
* Past times: a phrase with no day word ("at 3pm", "noon", "morning") means today if
  that time is still ahead, otherwise tomorrow. A phrase that names a day ("today at
  9am", an ISO time) is returned as said even if it is in the past; callers decide.
* "Friday" / "this Friday" / "coming Friday": the next Friday; today if today is Friday
  and the time is still ahead (or no time is given, e.g. for ranges).
* "next Friday": said on a Friday it is a week from today. When the coming Friday is
  still in the current Monday-Sunday week and 1-4 days away (Friday said Mon-Thu) it
  could mean this week's or next week's, so AmbiguousTimeError asks which. Otherwise it
  is the coming Friday. "Friday next week" is always the Friday of next calendar week.
* Month-day dates without a year ("March 6", "6 March", "the 6th") are the next such
  date, today included. "3/6" is ambiguous (March 6 or June 3) unless a part is > 12.
* A day with no time uses default_hour if given, else TimeParseError asks for a time.
* "in 2 hours" / "in 45 minutes" are elapsed time from now; "in 3 days" is a calendar
  day (needs a time, like any day).
* A local time skipped by DST raises NonexistentTimeError (suggestion = first valid
  time after the jump); a repeated one raises AmbiguousTimeError unless an explicit
  UTC offset or the zone abbreviation ("1:30 am EST") settles it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules import speech
from schedules.speech import MONTH_NAMES, WEEKDAY_NAMES

MAX_TEXT = 200
MAX_YEARS_AWAY = 100
MAX_DURATION_MINUTES = 24 * 60
HINT = "Say a day and time, like 'tomorrow at 3pm', or an ISO time like 2026-03-06T15:00."

WEEKDAYS = {n.lower(): i for i, n in enumerate(WEEKDAY_NAMES)} | {
    "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3,
    "fri": 4, "sat": 5, "sun": 6,
}  # fmt: skip
MONTHS = {n.lower(): i + 1 for i, n in enumerate(MONTH_NAMES)} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty five": 45, "forty-five": 45, "forty": 40,
    "fifty": 50, "sixty": 60, "ninety": 90,
}  # fmt: skip
PART_HOURS = {"morning": 9, "afternoon": 14, "evening": 18, "night": 20}
DAY_WORDS = {"today": 0, "tonight": 0, "tomorrow": 1, "tmrw": 1, "tmr": 1, "yesterday": -1}
UNIT_MINUTES = {"m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1,
                "h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60,
                "day": 1440, "days": 1440, "week": 10080, "weeks": 10080}  # fmt: skip
FILLER = frozenset({"at", "on", "the", "of", "in", "for", "by", "around", "about", "from",
                    "starting", "o'clock", "oclock", "and", "please", "sometime", "-"})  # fmt: skip

_WD = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MON = "|".join(sorted(MONTHS, key=len, reverse=True))
_QTY = r"(?:[0-9]+(?:\.[0-9]+)?|an?|a few|a couple(?: of)?)"
_UNIT = r"(?:minutes?|mins?|m|hours?|hrs?|h|days?|weeks?)"
_AMOUNT = rf"{_QTY} ?{_UNIT}\b(?:(?: and)? {_QTY} ?{_UNIT}\b)*"
_NUMBER_RE = re.compile(r"\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b")
_DURATION_PHRASES = (
    (re.compile(r"\b(?:an? )?hour and a half\b"), "90 minutes"),
    (re.compile(r"\bhalf (?:an? )?hour\b"), "30 minutes"),
    (re.compile(r"\b(?:a )?quarter (?:of )?(?:an? )?hour\b"), "15 minutes"),
    (re.compile(r"\b([0-9]+) (?:and a half hours?|hours? and a half)\b"), r"\1.5 hours"),
)
_ISO_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[t ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.,][0-9]{1,6})?)?"
    r"(?: ?(?:z|[+-][0-9]{2}(?::?[0-9]{2})?))?)?"
)
_ISO_DURATION_RE = re.compile(r"p(?:([0-9]+)d)?(?:t(?:([0-9.]+)h)?(?:([0-9.]+)m)?(?:([0-9.]+)s)?)?")
_P = {
    "now": re.compile(r"\b(?:right now|now|immediately|asap)\b"),
    "in": re.compile(rf"\bin ({_AMOUNT})"),
    "from_now": re.compile(rf"\b({_AMOUNT}) from now\b"),
    "iso_date": re.compile(r"\b([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\b"),
    "day_month": re.compile(
        rf"\b([0-9]{{1,2}})(?:st|nd|rd|th)? (?:of )?({_MON})(?: ([0-9]{{4}}))?\b"
    ),
    "month_day": re.compile(
        rf"\b({_MON}) (?:the )?([0-9]{{1,2}})(?:st|nd|rd|th)?(?![:.0-9])(?: ([0-9]{{4}}))?\b"
    ),
    "slash": re.compile(r"\b([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{4}|[0-9]{2}))?\b"),
    "dom": re.compile(r"\bthe ([0-9]{1,2})(?:st|nd|rd|th)\b"),
    "after_tomorrow": re.compile(r"\bday after tomorrow\b"),
    "day_word": re.compile(r"\b(today|tonight|tomorrow|tmrw|tmr|yesterday)\b"),
    "this_part": re.compile(r"\bthis (morning|afternoon|evening)\b"),
    "weekday": re.compile(rf"\b(?:(this|next|coming) )?({_WD})(?: (next week|after next))?\b"),
    "part": re.compile(r"\b(?:in the |at )?(morning|afternoon|evening|night)\b"),
    "noon": re.compile(r"\b(?:noon|midday)\b"),
    "midnight": re.compile(r"\bmidnight\b"),
    "half_past": re.compile(r"\b(half|(?:a )?quarter) (past|after|to) ([0-9]{1,2}) ?(am|pm)?\b"),
    "clock": re.compile(
        r"\b([0-9]{1,2})(?:(?:[:.]| (?=[0-9]{2}\b))([0-9]{2}))? ?(am|pm)?\b(?![:.][0-9])"
    ),
}


class TimeParseError(ValueError):
    """A time the user gave could not be understood; ``message`` says why and what to say."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AmbiguousTimeError(TimeParseError):
    """The input has several readings; ``message`` is a question to ask the user."""

    def __init__(self, message: str, options: tuple[date | datetime, ...] = ()) -> None:
        super().__init__(message)
        self.options = options


class NonexistentTimeError(TimeParseError):
    """The local time is skipped by a DST jump; ``suggestion`` is the first valid time after."""

    def __init__(self, message: str, suggestion: datetime | None = None) -> None:
        super().__init__(message)
        self.suggestion = suggestion


@dataclass
class _Parts:
    """What the phrase scanner found, before resolving against ``now``."""

    now: bool = False
    elapsed: timedelta | None = None
    days: list[tuple[str, date]] = field(default_factory=list)  # (words said, date): must agree
    weekday: tuple[int, str] | None = None  # (0-6, "" | this | next | next week | after next)
    part: str | None = None
    clock: tuple[int, int, str | None, bool] | None = None  # hour, minute, am/pm, zero-padded
    noon: bool = False
    midnight: bool = False
    words: list[str] = field(default_factory=list)  # leftover non-filler words

    def has_time(self) -> bool:
        """Whether any time-of-day element was found."""
        return bool(self.part or self.clock or self.noon or self.midnight)


class _Text:
    """A normalized phrase from which recognised pieces are cut out one by one."""

    def __init__(self, normalized: str, original: str) -> None:
        self.s = f" {normalized} "
        self.original = original

    def take(self, name: str, what: str = "") -> re.Match[str] | None:
        """Cut the first match of pattern ``name``; a second match is a contradiction."""
        m = _P[name].search(self.s)
        if m:
            self.s = f"{self.s[: m.start()]} {self.s[m.end() :]}"
            if what and _P[name].search(self.s):
                raise TimeParseError(
                    f"I heard more than one {what} in '{_snippet(self.original)}'. "
                    f"Which one do you mean?"
                )
        return m

    def leftover(self) -> list[str]:
        """Words nobody recognised, ignoring filler like 'at' and 'on'."""
        return [w for w in self.s.split() if w not in FILLER]


# ---------------------------------------------------------------- public API


def parse_datetime(
    text: str, *, tz: ZoneInfo, now: datetime, default_hour: int | None = None
) -> datetime:
    """Parse an ISO 8601 time or a spoken phrase into an aware datetime in ``tz`` (rules above)."""
    s = _check_text(text)
    if default_hour is not None and not 0 <= default_hour <= 23:
        raise ValueError("default_hour must be between 0 and 23")
    try:
        now_local = _as_local(now, tz)
        iso = _parse_iso(s, tz, now_local, default_hour)
        return iso if iso is not None else _parse_phrase(s, tz, now_local, default_hour)
    except TimeParseError:
        raise
    except (ValueError, OverflowError, OSError) as exc:
        raise TimeParseError(_unknown(text)) from exc


def parse_duration(text: str | int | float) -> timedelta:
    """Parse "30 minutes", "1.5 hours", "1h30", "PT45M" or bare minutes; 0 < result <= 24h."""
    if isinstance(text, bool) or not isinstance(text, (str, int, float)):
        raise TimeParseError("I need a duration like '30 minutes' or '1.5 hours'.")
    try:
        minutes = float(text) if not isinstance(text, str) else _duration_minutes(text)
    except TimeParseError:
        raise
    except (ValueError, OverflowError) as exc:
        raise TimeParseError(_unknown_duration(str(text))) from exc
    if not math.isfinite(minutes) or minutes <= 0:
        raise TimeParseError("A duration has to be more than zero, like '30 minutes'.")
    if minutes > MAX_DURATION_MINUTES:
        raise TimeParseError("That's longer than 24 hours. The longest I can book is 24 hours.")
    if round(minutes * 60) == 0:
        raise TimeParseError("That's too short. Say a duration like '30 minutes'.")
    return timedelta(seconds=round(minutes * 60))


def parse_range(text: str, *, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """Parse "today", "this week", "March 6", "X to Y"... into [start, end) local midnights."""
    s = _check_text(text)
    try:
        today = _as_local(now, tz).date()
        first, last = _range_days(_normalize(s), today, s)
        if last < first:
            raise TimeParseError(
                f"The range '{_snippet(s)}' ends before it starts. Which days do you mean?"
            )
        return _start_of_day(first, tz), _start_of_day(last + timedelta(days=1), tz)
    except TimeParseError:
        raise
    except (ValueError, OverflowError, OSError) as exc:
        raise TimeParseError(_unknown(text, ranges=True)) from exc


# ---------------------------------------------------------------- parse_datetime helpers


def _parse_iso(s: str, tz: ZoneInfo, now: datetime, default_hour: int | None) -> datetime | None:
    """Parse strict ISO 8601; None when the text is not ISO-shaped."""
    if not _ISO_RE.fullmatch(s.lower()):
        return None
    dt = datetime.fromisoformat(s.upper().replace(" Z", "Z").replace(" +", "+").replace(" -", "-"))
    _check_year(dt.date(), now.date())
    if dt.tzinfo is not None:
        return dt.astimezone(tz)
    if len(s) == 10:
        dt = dt.replace(hour=_need_hour(dt.date(), now.date(), default_hour))
    return _localize(dt, tz)


def _parse_phrase(s: str, tz: ZoneInfo, now: datetime, default_hour: int | None) -> datetime:
    """Resolve a spoken phrase against ``now`` (already in ``tz``)."""
    p = _scan(_normalize(s), now.date(), s)
    if len(p.words) > 1 or (p.words and not re.fullmatch(r"[a-z]{3,5}", p.words[0])):
        raise TimeParseError(_unknown(s))
    if p.now or p.elapsed is not None:
        if p.days or p.weekday or p.has_time() or p.words or (p.now and p.elapsed):
            raise TimeParseError(f"'{_snippet(s)}' mixes a relative time with a day or time. "
                                 "Say either 'in 2 hours' or a day and time.")  # fmt: skip
        return now if p.now else (now.astimezone(UTC) + p.elapsed).astimezone(tz)
    if not p.days and p.weekday is None and not p.has_time():
        raise TimeParseError(_unknown(s))
    clock = _clock(p)
    naive_now = now.replace(tzinfo=None)
    day = _day(p, now.date(), naive_now, clock)
    if clock is None:
        clock = (_need_hour(day, now.date(), default_hour), 0, 0)
    hour, minute, extra_days = clock
    if day is None:
        day = now.date()
        if datetime.combine(day, time(hour, minute)) + timedelta(days=extra_days) <= naive_now:
            day += timedelta(days=1)
    _check_year(day, now.date())
    naive = datetime.combine(day + timedelta(days=extra_days), time(hour, minute))
    result = _localize(naive, tz, p.words)
    if p.words and p.words[0] != str(result.tzname()).lower():
        raise TimeParseError(_unknown(s))
    return result


def _scan(s: str, today: date, original: str) -> _Parts:
    """Cut recognised pieces out of the normalized phrase, most specific first."""
    t, p = _Text(s, original), _Parts()
    if re.search(r"[0-9]{5}", s):  # no part of a date or time has five digits in a row
        raise TimeParseError(_unknown(original))
    if m := t.take("in", "relative time") or t.take("from_now", "relative time"):
        _scan_relative(m.group(1), today, p)
    p.now = t.take("now") is not None
    if m := t.take("iso_date", "date"):
        p.days.append((m[0], date(int(m[1]), int(m[2]), int(m[3]))))
    if m := t.take("day_month", "date"):
        p.days.append((m[0], _month_day(MONTHS[m[2]], int(m[1]), m[3], today)))
    if m := t.take("month_day", "date"):
        p.days.append((m[0], _month_day(MONTHS[m[1]], int(m[2]), m[3], today)))
    if m := t.take("slash", "date"):
        p.days.append((m[0], _slash_date(int(m[1]), int(m[2]), m[3], today)))
    if m := t.take("dom", "date"):
        p.days.append((m[0], _day_of_month(int(m[1]), today)))
    if m := t.take("after_tomorrow"):
        p.days.append((m[0], today + timedelta(days=2)))
    if m := t.take("day_word", "day"):
        p.days.append((m[1], today + timedelta(days=DAY_WORDS[m[1]])))
        p.part = "night" if m[1] == "tonight" else None
    if m := t.take("this_part"):
        p.days.append((m[0], today))
        p.part = m[1]
    if m := t.take("weekday", "weekday"):
        p.weekday = (WEEKDAYS[m[2]], m[3] or ("next" if m[1] == "next" else ""))
    if m := t.take("part", "part of the day"):
        p.part = m[1]
    _scan_clock(t, p)
    p.words = t.leftover()
    return p


def _scan_relative(amount: str, today: date, p: _Parts) -> None:
    """Record 'in 3 days' as a calendar day and 'in 2 hours' as elapsed time."""
    pieces = re.findall(rf"({_QTY}) ?({_UNIT})\b", amount)
    minutes = sum(_qty(q) * UNIT_MINUTES[u] for q, u in pieces)
    if all(UNIT_MINUTES[u] >= 1440 for _, u in pieces) and minutes % 1440 == 0:
        p.days.append((f"in {amount}", today + timedelta(days=int(minutes // 1440))))
    else:
        p.elapsed = timedelta(minutes=minutes)


def _scan_clock(t: _Text, p: _Parts) -> None:
    """Find at most one clock time: noon, midnight, 'half past 3', '3:30 pm', '15:00'."""
    taken = [
        (name, m) for name in ("noon", "midnight", "half_past", "clock") if (m := t.take(name))
    ]
    if len(taken) > 1 or any(_P[name].search(t.s) for name, _ in taken):
        raise TimeParseError(
            f"I heard more than one time in '{_snippet(t.original)}'. Which one do you mean?"
        )
    if not taken:
        return
    name, m = taken[0]
    p.noon, p.midnight = name == "noon", name == "midnight"
    if name == "half_past":
        if m[1] == "half" and m[2] == "to":
            raise TimeParseError(_unknown(t.original))
        hour, minute = int(m[3]), 30 if m[1] == "half" else 15
        if m[2] == "to":
            hour, minute = (hour - 1) or 12, 45
        p.clock = (hour, minute, m[4], False)
    elif name == "clock":
        p.clock = (int(m[1]), int(m[2] or 0), m[3], len(m[1]) == 2 and m[1].startswith("0"))


def _clock(p: _Parts) -> tuple[int, int, int] | None:
    """Turn the found time into (hour, minute, extra days) on the 24-hour clock."""
    if p.midnight:
        return 0, 0, 1
    if p.noon:
        return 12, 0, 0
    if p.clock is None:
        return (PART_HOURS[p.part], 0, 0) if p.part else None
    hour, minute, meridiem, padded = p.clock
    if minute > 59 or hour > 23 or (meridiem and not 1 <= hour <= 12):
        said = f"{hour}:{minute:02d}" + (f" {meridiem.upper()}" if meridiem else "")
        raise TimeParseError(
            f"{said} isn't a valid time of day. Say something like '3pm' or 15:00."
        )
    if meridiem:
        return hour % 12 + (12 if meridiem == "pm" else 0), minute, 0
    if padded or hour == 0 or hour >= 13 or p.part == "morning":
        return hour, minute, 0
    if p.part in ("evening", "night") and hour == 12:
        return 0, minute, 1
    if p.part or hour <= 6:
        return hour % 12 + 12, minute, 0
    return hour, minute, 0


def _day(
    p: _Parts, today: date, naive_now: datetime, clock: tuple[int, int, int] | None
) -> date | None:
    """Resolve the named day; all day indications in the phrase must agree."""
    day = p.days[0][1] if p.days else None
    for said, other in p.days[1:]:
        if other != day:
            raise TimeParseError(
                f"{speech.day(day, today)} isn't {said.strip()}. Which day do you mean?"
            )
    if p.weekday is None:
        return day
    if day is not None:
        if day.weekday() != p.weekday[0]:
            raise TimeParseError(
                f"{speech.day(day, today)} is not a {WEEKDAY_NAMES[p.weekday[0]]}. "
                f"Which day do you mean?"
            )
        return day
    return _weekday_date(p.weekday[0], p.weekday[1], today, naive_now, clock)


def _weekday_date(
    wd: int, mode: str, today: date, naive_now: datetime, clock: tuple[int, int, int] | None
) -> date:
    """Apply the weekday rules from the module docstring."""
    ahead = (wd - today.weekday()) % 7
    if mode == "next week":
        return today + timedelta(days=7 - today.weekday() + wd)
    if mode == "after next":
        return today + timedelta(days=(ahead or 7) + 7)
    if mode == "next":
        if ahead == 0:
            return today + timedelta(days=7)
        if wd > today.weekday() and ahead <= 4:
            near, far = today + timedelta(days=ahead), today + timedelta(days=ahead + 7)
            raise AmbiguousTimeError(
                f"Do you mean this {speech.day(near, today)}, or {speech.day(far, today)}?",
                options=(near, far),
            )
        return today + timedelta(days=ahead)
    if ahead == 0 and clock is not None:
        hour, minute, extra = clock
        if datetime.combine(today, time(hour, minute)) + timedelta(days=extra) <= naive_now:
            ahead = 7
    return today + timedelta(days=ahead)


def _month_day(month: int, day: int, year: str | None, today: date) -> date:
    """The date with an explicit year, else the next such date (today included)."""
    if year:
        return _real_date(int(year), month, day)
    for y in range(today.year, today.year + 9):  # Feb 29 may be years away
        try:
            if (d := date(y, month, day)) >= today:
                return d
        except ValueError:
            continue
    return _real_date(today.year, month, day)


def _real_date(year: int, month: int, day: int) -> date:
    """date(), with a speakable error for days like February 30."""
    try:
        return date(year, month, day)
    except ValueError:
        name = MONTH_NAMES[month - 1] if 1 <= month <= 12 else f"month {month}"
        raise TimeParseError(f"{name} {day} isn't a real date. Which day do you mean?") from None


def _slash_date(a: int, b: int, year: str | None, today: date) -> date:
    """'3/6' is March 6 (US) or June 3 (elsewhere); ask unless only one reading is valid."""
    full_year = None if year is None else str(int(year) + (2000 if len(year) == 2 else 0))
    readings = []
    for month, day in ((a, b), (b, a)):
        try:
            readings.append(_month_day(month, day, full_year, today))
        except ValueError:  # includes TimeParseError for impossible dates
            continue
    readings = sorted(set(readings))
    if not readings:
        raise TimeParseError(f"{a}/{b} isn't a date I know. Say it like 'March 6'.")
    if len(readings) > 1:
        first, second = (speech.day(d, today) for d in readings)
        raise AmbiguousTimeError(f"Do you mean {first}, or {second}?", options=tuple(readings))
    return readings[0]


def _day_of_month(day: int, today: date) -> date:
    """'the 6th': this month's if not past, else the next month that has that day."""
    y, m = today.year, today.month
    for _ in range(13):
        try:
            if (d := date(y, m, day)) >= today:
                return d
        except ValueError:
            pass
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    raise TimeParseError(f"No month has a day {day}. Which day do you mean?")


def _need_hour(day: date | None, today: date, default_hour: int | None) -> int:
    """default_hour, or a question asking for the missing time."""
    if default_hour is not None:
        return default_hour
    when = f" on {speech.day(day, today)}" if day else ""
    raise TimeParseError(f"What time{when}? Say it like 'Friday at 3pm' or 2026-03-06T15:00.")


def _check_year(day: date, today: date) -> None:
    """Reject absurdly distant dates (also keeps zone arithmetic far from datetime.max)."""
    if abs(day.year - today.year) > MAX_YEARS_AWAY:
        raise TimeParseError(f"The year {day.year} is too far away. Which date do you mean?")


# ---------------------------------------------------------------- time zones


def _localize(naive: datetime, tz: ZoneInfo, words: list[str] | None = None) -> datetime:
    """Attach ``tz`` to a wall time, refusing skipped and asking about repeated ones."""
    early, late = naive.replace(tzinfo=tz, fold=0), naive.replace(tzinfo=tz, fold=1)
    if early.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise _nonexistent(naive, tz)
    if early.utcoffset() == late.utcoffset():
        return early
    for candidate in (early, late):
        if str(candidate.tzname()).lower() in (words or ()):
            return candidate
    raise AmbiguousTimeError(
        f"{speech.clock(naive)} happens twice on {speech.day(naive.date(), None)} in "
        f"{_zone_name(tz)} because clocks go back. Do you mean the first one "
        f"({early.tzname()}, {_utc_offset(early)}) or the second one "
        f"({late.tzname()}, {_utc_offset(late)})?",
        options=(early, late),
    )


def _nonexistent(naive: datetime, tz: ZoneInfo) -> NonexistentTimeError:
    """Explain a DST gap and propose the first valid time after it."""
    after = _gap_end(naive, tz)
    before = after.astimezone(UTC).replace(tzinfo=None) + naive.replace(tzinfo=tz).utcoffset()
    on_day = "" if after.date() == naive.date() else f" on {speech.day(after.date(), None)}"
    return NonexistentTimeError(
        f"{speech.clock(naive)} doesn't exist on {speech.day(naive.date(), None)} in "
        f"{_zone_name(tz)}: clocks jump forward from {speech.clock(before)} to "
        f"{speech.clock(after)}{on_day}. The nearest valid time is {speech.clock(after)}"
        f"{on_day}. Shall I use that?",
        suggestion=after,
    )


def _gap_end(naive: datetime, tz: ZoneInfo) -> datetime:
    """First valid instant after the skipped span containing ``naive`` (binary search)."""
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


def _start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight, or the first valid instant of the day if midnight is skipped."""
    naive = datetime.combine(day, time())
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive:
        return aware
    return _gap_end(naive, tz)


def _as_local(now: datetime, tz: ZoneInfo) -> datetime:
    """``now`` in ``tz``; a naive ``now`` is taken as already local."""
    return now.astimezone(tz) if now.utcoffset() is not None else now.replace(tzinfo=tz)


def _zone_name(tz: ZoneInfo) -> str:
    return getattr(tz, "key", None) or str(tz)


def _utc_offset(dt: datetime) -> str:
    minutes = int(dt.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# ---------------------------------------------------------------- ranges and durations


def _range_days(s: str, today: date, original: str) -> tuple[date, date]:
    """Inclusive first and last day of a spoken or ISO range."""
    monday = today - timedelta(days=today.weekday())
    named = {"this week": (0, 6), "week": (0, 6), "next week": (7, 13), "last week": (-7, -1),
             "this weekend": (5, 6), "weekend": (5, 6), "next weekend": (12, 13)}  # fmt: skip
    if s in named:
        a, b = named[s]
        return monday + timedelta(days=a), monday + timedelta(days=b)
    if s in ("this month", "next month"):
        first = today.replace(day=1)
        if s == "next month":
            first = (first + timedelta(days=32)).replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    s = re.sub(r"^(?:from|between) ", "", s)
    halves = re.split(r" (?:to|through|thru|until|till|and|-|\u2013) ", s)
    if len(halves) == 2:
        first, last = _one_day(halves[0], today, original), _one_day(halves[1], today, original)
        if last < first:  # "Friday to Monday": the end is the first such day after the start
            last = max(last, _one_day(halves[1], first, original))
        return first, last
    day = _one_day(s, today, original)
    return day, day


def _one_day(s: str, today: date, original: str) -> date:
    """One calendar day named by an ISO date or a day phrase (no time of day)."""
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", s):
        day = date.fromisoformat(s)
    else:
        p = _scan(s, today, original)
        if p.words or p.now or p.elapsed is not None or p.has_time():
            raise TimeParseError(_unknown(original, ranges=True))
        day = _day(p, today, datetime.combine(today, time()), None)
        if day is None:
            raise TimeParseError(_unknown(original, ranges=True))
    _check_year(day, today)
    return day


def _duration_minutes(text: str) -> float:
    """Minutes in a duration phrase; raises TimeParseError when it isn't one."""
    s = text.strip().lower()
    if not s or len(s) > MAX_TEXT:
        raise TimeParseError(_unknown_duration(text))
    if m := _ISO_DURATION_RE.fullmatch(s):
        days, hours, minutes, seconds = (float(g or 0) for g in m.groups())
        return days * 1440 + hours * 60 + minutes + seconds / 60
    s = _normalize(s)
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?", s):
        return float(s)
    if m := re.fullmatch(r"([0-9]+) ?h ?([0-9]{1,2})(?: ?m(?:ins?|inutes?)?)?", s):
        return int(m[1]) * 60 + int(m[2])
    pieces = re.findall(rf"({_QTY}) ?({_UNIT})\b", s)
    rest = re.sub(rf"({_QTY}) ?({_UNIT})\b", " ", s).split()
    if not pieces or any(w not in ("and", "for", "about", "around", "of") for w in rest):
        raise TimeParseError(_unknown_duration(text))
    return sum(_qty(q) * UNIT_MINUTES[u] for q, u in pieces)


def _qty(word: str) -> float:
    return {"a": 1, "an": 1, "a few": 3, "a couple": 2, "a couple of": 2}.get(word) or float(word)


# ---------------------------------------------------------------- text helpers


def _check_text(text: object) -> str:
    """Stripped text, or a TimeParseError for non-text, empty or over-long input."""
    if not isinstance(text, str):
        raise TimeParseError("I need the time as text, like 'tomorrow at 3pm'.")
    s = " ".join(text.split())
    if not s:
        raise TimeParseError("I didn't get a time. " + HINT)
    if len(s) > MAX_TEXT:
        raise TimeParseError("That's too long to be a time. " + HINT)
    return s


def _normalize(s: str) -> str:
    """Lowercase, unify a.m./p.m., drop punctuation, number words to digits."""
    s = s.lower().replace("\u2019", "'").replace("@", " at ")
    s = re.sub(r"\b([ap])\.m\b\.?", r"\1m", s)
    s = re.sub(r"[,;!?()\"]|\.(?![0-9])|(?<![0-9])\.", " ", s)
    s = _NUMBER_RE.sub(lambda m: str(NUMBER_WORDS[m[1].replace("-", " ")]), s)
    s = " ".join(s.split())
    for pattern, replacement in _DURATION_PHRASES:
        s = pattern.sub(replacement, s)
    return s


def _snippet(text: str) -> str:
    """A short, printable excerpt of user input, safe to read aloud."""
    short = "".join(c if c.isprintable() else " " for c in text.strip())[:60]
    return short + ("..." if len(text.strip()) > 60 else "")


def _unknown(text: str, *, ranges: bool = False) -> str:
    hint = "Say a day or span, like 'today', 'this week' or 2026-03-06 to 2026-03-08."
    return f"I couldn't understand '{_snippet(text)}' as a time. {hint if ranges else HINT}"


def _unknown_duration(text: str) -> str:
    return (f"I couldn't understand '{_snippet(text)}' as a duration. "
            "Say it like '30 minutes' or '1.5 hours'.")  # fmt: skip
