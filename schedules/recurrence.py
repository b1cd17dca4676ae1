"""Recurring events: RFC 5545 rules, checked, expanded and said in words.

A series is one Event row with `recurrence` (an RRULE value such as "FREQ=WEEKLY;BYDAY=MO,WE")
and `time_zone` (IANA). Its `start` and `end` are the first occurrence; every later one starts
at the same *wall time* in that zone, so a 09:00 standup stays at 09:00 across DST. dateutil's
rrule does the calendar arithmetic on that local start (an aware datetime whose zone gives each
date its own offset); nothing here stores UTC instants of later occurrences. A wall time that
DST skips is read as RFC 5545 says: with the offset before the gap (02:30 becomes 03:30).

An occurrence moved, changed or cancelled is its own row (`series`, `recurrence_id` = the
occurrence's original start), which the selectors put in place of the occurrence.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton
from dateutil import rrule as du
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from schedules import speech
from schedules.models import RULE_MAX

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
ORDER = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "WKST", "COUNT",
         "UNTIL")  # fmt: skip
MAX_COUNT = 1000
MAX_INTERVAL = 99
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAYS = "MO,TU,WE,TH,FR"
# A series whose start lies further back than this is expanded from a later, equivalent start.
FAST_FORWARD_AFTER = timedelta(days=400)


class RecurrenceError(ValueError):
    """A repeat rule DRAKO refuses; `message` says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _parts(text: str) -> dict[str, str]:
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[len("RRULE:") :]
    parts: dict[str, str] = {}
    for piece in text.upper().split(";"):
        if not piece.strip():
            continue
        key, sep, value = (s.strip() for s in piece.partition("="))
        if not sep or not value or key in parts:
            raise RecurrenceError(
                _("A repeat rule is written like FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10.")
            )
        parts[key] = value
    return parts


def rule_parts(rule: str) -> dict[str, str]:
    """The parts of a stored rule, {"FREQ": "WEEKLY", "BYDAY": "MO,WE", ...}."""
    return _parts(rule)


def rule_join(parts: dict[str, str]) -> str:
    return ";".join(f"{key}={parts[key]}" for key in ORDER if key in parts)


def _number(parts: dict, key: str, most: int) -> None:
    if key not in parts:
        return
    value = parts[key]
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= most:
        raise RecurrenceError(
            _("%(part)s is a whole number from 1 to %(most)s.") % {"part": key, "most": most}
        )
    parts[key] = str(int(value))


def _until_utc(value: str, tz: ZoneInfo) -> datetime:
    """UNTIL as an instant: a date means the end of that day in the series' zone."""
    try:
        if len(value) == 8:
            day = date(int(value[:4]), int(value[4:6]), int(value[6:]))
            return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(
                UTC
            ) - timedelta(seconds=1)
        moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError:
        raise RecurrenceError(
            _("UNTIL is a date like 20301231 or a time like 20301231T235959Z.")
        ) from None
    if value.endswith("Z"):
        return moment.replace(tzinfo=UTC)
    return moment.replace(tzinfo=tz).astimezone(UTC)


def until_value(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def rule_normalize(text: str, *, tz: ZoneInfo) -> str:
    """`text` checked and in the form DRAKO stores: known parts in a fixed order, UNTIL in UTC.

    Refused (RecurrenceError): repeats more often than daily, times within a day (BYHOUR...),
    COUNT with UNTIL, COUNT above 1000, INTERVAL above 99, anything dateutil can't read.
    """
    if len(text or "") > RULE_MAX:
        raise RecurrenceError(_("That repeat rule is too long."))
    parts = _parts(text)
    if parts.get("FREQ") not in FREQUENCIES:
        raise RecurrenceError(_("FREQ is DAILY, WEEKLY, MONTHLY or YEARLY."))
    unknown = sorted(set(parts) - set(ORDER))
    if unknown:
        raise RecurrenceError(_("DRAKO can't repeat by %(parts)s.") % {"parts": ", ".join(unknown)})
    if "COUNT" in parts and "UNTIL" in parts:
        raise RecurrenceError(_("A series ends after a number of times or on a date, not both."))
    _number(parts, "INTERVAL", MAX_INTERVAL)
    _number(parts, "COUNT", MAX_COUNT)
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    if "UNTIL" in parts:
        parts["UNTIL"] = until_value(_until_utc(parts["UNTIL"], tz))
    rule = rule_join(parts)
    try:
        du.rrulestr(rule, dtstart=datetime(2030, 1, 1, 9, tzinfo=tz))
    except (ValueError, TypeError, KeyError, IndexError):
        raise RecurrenceError(
            _("That repeat rule isn't one DRAKO can read: %(rule)s") % {"rule": rule}
        ) from None
    return rule


def _rrule(rule: str, first: datetime) -> du.rrule:
    return du.rrulestr(rule, dtstart=first)


def first_start(rule: str, start: datetime, tz: ZoneInfo) -> datetime | None:
    """The series' first occurrence at or after `start` (RFC 5545 counts DTSTART even when it
    doesn't match the rule; DRAKO moves such a start to the first day that does), or None."""
    local = start.astimezone(tz)
    first = _rrule(rule, local).after(local, inc=True)
    return None if first is None else first.astimezone(tz)


def last_start(rule: str, first: datetime, tz: ZoneInfo) -> datetime | None:
    """The start of a series' last occurrence; None when it never ends (or has none)."""
    parts = rule_parts(rule)
    if "COUNT" not in parts and "UNTIL" not in parts:
        return None
    local = first.astimezone(tz)
    if "UNTIL" in parts:
        until = _until_utc(parts["UNTIL"], tz)
        last = _rrule(rule, local).before(until, inc=True)
    else:
        last = _rrule(rule, local)[-1]
    return None if last is None else last.astimezone(tz)


def _fast_forward(rule: str, first: datetime, after: datetime) -> datetime:
    """A later start the rule repeats exactly as from `first`: whole periods of the rule on.

    dateutil walks from DTSTART, so a daily series begun years ago would cost a step a day;
    a rule without COUNT (which counts from the real start) has the same occurrences from any
    start a whole number of its periods later, provided that start is an occurrence's date.
    """
    parts = rule_parts(rule)
    if (
        "COUNT" in parts
        or after - first < FAST_FORWARD_AFTER
        or (first.month, first.day) == (2, 29)
    ):
        return first
    interval = int(parts.get("INTERVAL", "1"))
    freq = parts["FREQ"]
    if freq in ("DAILY", "WEEKLY"):
        step = timedelta(days=interval * (7 if freq == "WEEKLY" else 1))
        periods = (after - first - timedelta(days=14)) // step
        return _same_wall(first, first.date() + periods * step)
    months = interval * (12 if freq == "YEARLY" else 1)
    whole_years = months * 12 // _gcd(months, 12)  # a multiple of both: same month, same phase
    step_years = whole_years // 12
    steps = (after.astimezone(first.tzinfo).year - first.year - 1) // step_years
    if steps <= 0:
        return first
    return _same_wall(first, first.date().replace(year=first.year + steps * step_years))


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _same_wall(first: datetime, day: date) -> datetime:
    return datetime.combine(day, first.timetz().replace(tzinfo=None), tzinfo=first.tzinfo)


def occurrence_starts(*, rule: str, first: datetime, tz: ZoneInfo, after: datetime,
                      before: datetime) -> list[datetime]:  # fmt: skip
    """The starts of a series' occurrences in [after, before), aware in `tz`."""
    local = first.astimezone(tz)
    if before <= local:
        return []
    begin = _fast_forward(rule, local, after) if after > local else local
    starts = _rrule(rule, begin).between(max(after, local), before, inc=True)
    return [s for s in starts if after <= s < before]


def is_occurrence(*, rule: str, first: datetime, tz: ZoneInfo, start: datetime) -> bool:
    """Whether a series starting at `first` has an occurrence starting at the instant `start`."""
    return start in occurrence_starts(
        rule=rule, first=first, tz=tz, after=start, before=start + timedelta(seconds=1)
    )


def occurrence_end(start: datetime, *, first: datetime, first_end: datetime, tz: ZoneInfo):
    """An occurrence's end: as long as the first by the wall clock (an all-day one stays whole
    days across DST; a 9-10 meeting stays 9-10)."""
    wall = first_end.astimezone(tz).replace(tzinfo=None) - first.astimezone(tz).replace(tzinfo=None)
    local = start.astimezone(tz).replace(tzinfo=None) + wall
    end = local.replace(tzinfo=tz).astimezone(UTC)
    return end if end > start else start + (first_end - first)


def count_before(*, rule: str, first: datetime, tz: ZoneInfo, start: datetime) -> int:
    """How many occurrences start before `start` (bounded: COUNT is at most MAX_COUNT)."""
    return len(_rrule(rule, first.astimezone(tz)).between(first, start, inc=True)) - (
        1 if is_occurrence(rule=rule, first=first, tz=tz, start=start) else 0
    )


def rule_ending(rule: str, *, until: datetime | None = None, count: int | None = None) -> str:
    """`rule` ending at the instant `until`, or after `count` times, or (neither) never."""
    parts = {k: v for k, v in rule_parts(rule).items() if k not in ("COUNT", "UNTIL")}
    if until is not None:
        parts["UNTIL"] = until_value(until)
    elif count is not None:
        parts["COUNT"] = str(count)
    return rule_join(parts)


def rule_shifted_days(rule: str, days: int) -> str | None:
    """`rule` with its weekdays (WEEKLY) or days of the month (MONTHLY) moved by `days`, for a
    whole series moved to other days; None when that can't be said in the rule."""
    parts = rule_parts(rule)
    if (not days % 7 and parts["FREQ"] != "MONTHLY") or not days:
        return rule
    if parts["FREQ"] in ("WEEKLY", "DAILY") and "BYDAY" in parts:
        codes = parts["BYDAY"].split(",")
        if any(len(c) != 2 for c in codes):
            return None
        parts["BYDAY"] = ",".join(DAYS[(DAYS.index(c) + days) % 7] for c in codes)
        return rule_join(parts)
    if parts["FREQ"] == "MONTHLY" and "BYMONTHDAY" in parts and "BYDAY" not in parts:
        moved = [int(d) + days for d in parts["BYMONTHDAY"].split(",")]
        if not all(1 <= d <= 31 for d in moved):
            return None
        parts["BYMONTHDAY"] = ",".join(map(str, moved))
        return rule_join(parts)
    if (
        "BYDAY" in parts
        or "BYMONTHDAY" in parts
        or (parts["FREQ"] == "YEARLY" and "BYMONTH" in parts)
    ):
        return None
    return rule


# --- In words ------------------------------------------------------------------------------


def _day_names() -> dict[str, str]:
    return {
        "MO": _("Monday"),
        "TU": _("Tuesday"),
        "WE": _("Wednesday"),
        "TH": _("Thursday"),
        "FR": _("Friday"),
        "SA": _("Saturday"),
        "SU": _("Sunday"),
    }


def _ordinals() -> dict[int, str]:
    return {1: _("first"), 2: _("second"), 3: _("third"), 4: _("fourth"), 5: _("fifth"),
            -1: _("last"), -2: _("second to last")}  # fmt: skip


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(most)s and %(last)s") % {"most": ", ".join(items[:-1]), "last": items[-1]}


def _split_day(token: str) -> tuple[int | None, str]:
    number, code = token[:-2], token[-2:]
    return (int(number) if number.lstrip("+-").isdigit() else None), code


def _weekly(parts: dict, first: datetime, interval: int) -> str:
    codes = parts.get("BYDAY", DAYS[first.weekday()]).split(",")
    if sorted(codes, key=DAYS.index) == WEEKDAYS.split(",") and interval == 1:
        return _("every weekday")
    names = _and(
        [_day_names()[_split_day(c)[1]] for c in sorted(codes, key=lambda c: DAYS.index(c[-2:]))]
    )
    if interval == 1:
        return _("every %(days)s") % {"days": names}
    if interval == 2:
        return _("every other week on %(days)s") % {"days": names}
    return _("every %(n)s weeks on %(days)s") % {"n": interval, "days": names}


def _monthly(parts: dict, first: datetime, interval: int) -> str:
    every = (_("monthly") if interval == 1 else
             _("every %(n)s months") % {"n": interval})  # fmt: skip
    byday = parts.get("BYDAY")
    if byday and "," not in byday:
        number, code = _split_day(byday)
        number = number or (
            int(parts["BYSETPOS"]) if parts.get("BYSETPOS", "").lstrip("-").isdigit() else None
        )
        if number in _ordinals():
            return _("%(every)s on the %(nth)s %(day)s") % {
                "every": every,
                "nth": _ordinals()[number],
                "day": _day_names()[code],
            }
    day = parts.get("BYMONTHDAY", str(first.day))
    if day == "-1":
        return _("%(every)s on the last day") % {"every": every}
    return _("%(every)s on day %(day)s") % {"every": every, "day": day}


def rule_words(rule: str, first: datetime, tz: ZoneInfo) -> str:
    """The rule as a person says it: "every weekday", "monthly on the second Tuesday, 10 times"."""
    parts = rule_parts(rule)
    local = first.astimezone(tz)
    interval = int(parts.get("INTERVAL", "1"))
    freq = parts["FREQ"]
    if freq == "DAILY" and parts.get("BYDAY") == WEEKDAYS and interval == 1:
        said = _("every weekday")
    elif freq == "DAILY":
        said = _("every day") if interval == 1 else _("every %(n)s days") % {"n": interval}
    elif freq == "WEEKLY":
        said = _weekly(parts, local, interval)
    elif freq == "MONTHLY":
        said = _monthly(parts, local, interval)
    else:
        day = format_skeleton("MMMMd", local.date(), locale=speech.language())
        said = _("every year on %(day)s") % {"day": day}
    if "COUNT" in parts:
        count = int(parts["COUNT"])
        said += ngettext(", %(count)s time", ", %(count)s times", count) % {"count": count}
    elif "UNTIL" in parts:
        last = _until_utc(parts["UNTIL"], tz).astimezone(tz)
        day = format_skeleton("yMMMMd", last.date(), locale=speech.language())
        said += _(", until %(day)s") % {"day": day}
    return said


# --- From words (English; an RRULE is taken as it is) ---------------------------------------

_WEEKDAY_WORDS = {
    "monday": "MO", "mon": "MO", "tuesday": "TU", "tue": "TU", "tues": "TU",
    "wednesday": "WE", "wed": "WE", "thursday": "TH", "thu": "TH", "thurs": "TH",
    "friday": "FR", "fri": "FR", "saturday": "SA", "sat": "SA", "sunday": "SU", "sun": "SU",
}  # fmt: skip
_ORDINAL_WORDS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3,
                  "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1}  # fmt: skip
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                 "eight": 8, "nine": 9, "ten": 10, "other": 2}  # fmt: skip
_FILLER = {"repeat", "repeats", "repeating", "on", "the", "at", "of", "and", "each", "a", "an"}
_UNITS = {"day": "DAILY", "week": "WEEKLY", "month": "MONTHLY", "year": "YEARLY"}


def _weekday_tokens(words: list[str]) -> list[tuple[int | None, str]]:
    """("second", "tuesday") -> (2, "TU"); a bare "mondays" -> (None, "MO")."""
    found = []
    for i, word in enumerate(words):
        code = _WEEKDAY_WORDS.get(word.rstrip("s")) or _WEEKDAY_WORDS.get(word)
        if code:
            nth = _ORDINAL_WORDS.get(words[i - 1]) if i else None
            found.append((nth, code))
    return found


def rule_from_words(text: str, *, start: datetime) -> str:
    """How something repeats, said in English ("every weekday", "every other Tuesday", "monthly
    on the second Tuesday", "every 3 days"), as an RRULE without an end; an RRULE is returned
    as given. `start` (local) supplies the day a bare "weekly" or "monthly" means."""
    raw = " ".join((text or "").split())
    if "FREQ=" in raw.upper():
        return rule_join(_parts(raw))
    words = [w.strip(",.;") for w in raw.lower().replace("-", " ").split()]
    words = [w for w in words if w and w not in _FILLER]
    joined = " ".join(words)
    days = _weekday_tokens(words)
    interval = 1
    for i, word in enumerate(words[:-1]):
        unit = _UNITS.get(words[i + 1].rstrip("s"))
        number = int(word) if word.isdigit() else _NUMBER_WORDS.get(word)
        if number and (unit or _weekday_tokens([words[i + 1]])):
            interval = number
    if "biweekly" in words or "fortnightly" in words:
        interval = 2
    if interval > MAX_INTERVAL:
        raise RecurrenceError(_("That repeats too rarely for DRAKO."))
    parts: dict[str, str] = {}
    if any(nth for nth, _code in days) and len(days) == 1:
        nth, code = days[0]
        parts = {"FREQ": "MONTHLY", "BYDAY": f"{nth}{code}"}
    elif "weekday" in joined or "workday" in joined or "weekdays" in words:
        parts = {"FREQ": "WEEKLY", "BYDAY": WEEKDAYS}
    elif days:
        codes = sorted({code for _nth, code in days}, key=DAYS.index)
        parts = {"FREQ": "WEEKLY", "BYDAY": ",".join(codes)}
    elif {"daily", "day", "days", "everyday", "nightly"} & set(words):
        parts = {"FREQ": "DAILY"}
    elif {"weekly", "week", "weeks", "biweekly", "fortnightly"} & set(words):
        parts = {"FREQ": "WEEKLY", "BYDAY": DAYS[start.weekday()]}
    elif {"monthly", "month", "months"} & set(words):
        parts = {"FREQ": "MONTHLY", "BYMONTHDAY": str(start.day)}
    elif {"yearly", "annually", "year", "years", "annual"} & set(words):
        parts = {"FREQ": "YEARLY"}
    if not parts:
        raise RecurrenceError(
            _("I couldn't tell how that repeats. Every day, every weekday, weekly or monthly?")
        )
    if interval > 1:
        parts["INTERVAL"] = str(interval)
    return rule_join(parts)
