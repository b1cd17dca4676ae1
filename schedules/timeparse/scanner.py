"""Cut the recognised pieces out of a canonical phrase, most specific first: days, a part of the
day, at most one clock time. Whatever is left must be filler, or the phrase is refused."""

from __future__ import annotations

import re
from datetime import date, timedelta

from django.utils.translation import gettext as _

from schedules.timeparse import days, zones
from schedules.timeparse.errors import (
    HINT_TIME,
    TimeParseError,
    more_than_one,
    not_a_time,
    snippet,
)
from schedules.timeparse.grammar import (
    AMOUNT,
    FILLER,
    MON,
    MONTHS,
    PART,
    PARTS,
    WD,
    WEEKDAYS,
    ZONE_WORDS,
    alternation,
    amount_minutes,
)
from schedules.timeparse.parts import Clock, Parts


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.ASCII)


_OFFSET = r"(?:z|[+-][0-9]{2}(?::?[0-9]{2})?)"
P = {
    "iso_dt": _c(r"\b([0-9]{4})-([0-9]{2})-([0-9]{2})[t ]([0-9]{2}):([0-9]{2})"
                 rf"(?::([0-9]{{2}})(?:[.,][0-9]{{1,6}})?)?(?: ?({_OFFSET}))?(?![0-9])"),
    "utc": _c(r"\b(?:utc|gmt)(?: ?([+-][0-9]{1,2}(?::?[0-9]{2})?))?\b"),
    "offset": _c(r"(?:(?<=[0-9])|(?<=\s)|^)([+-][0-9]{2}:?[0-9]{2})(?=\s|$)"),
    "negative": _c(r"(?:^|\s)(?:-|minus )(?=[0-9])"),
    "in": _c(rf"\bin ({AMOUNT})"),
    "from_now": _c(rf"\b({AMOUNT}) from now\b"),
    "shift": _c(rf"\b({AMOUNT}) (?:from|after) (?=today|tomorrow|tonight|this |next |coming "
                rf"|(?:{WD})\b|(?:{MON})\b|the [0-9]|[0-9])"),
    "week_on": _c(rf"\ba week (?:on (?=(?:{WD})\b)|(?=(?:today|tomorrow|tonight)\b))"),
    "now": _c(r"\b(?:right now|now|immediately|asap)\b"),
    "in_bare": _c(r"\bin ([0-9]+(?:\.[0-9]+)?)\b(?! ?(?:am|pm|oclock|[:.h][0-9]))"),
    "iso_date": _c(r"\b([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})\b"),
    "day_month": _c(rf"(?<![:.0-9])(?<!at )\b([0-9]{{1,2}})(?:st|nd|rd|th)? (?:of )?({MON})\b"
                    r"(?: ([0-9]{4})\b)?"),
    "month_day": _c(rf"\b({MON}) (?:the )?([0-9]{{1,2}})(?:st|nd|rd|th)?\b(?![:.][0-9])"
                    r"(?! ?(?:am|pm|oclock|h\b|hours\b))(?: ([0-9]{4})\b)?"),
    "slash": _c(r"\b([0-9]{1,2})/([0-9]{1,2})(?:/([0-9]{4}|[0-9]{2}))?\b"),
    "dom": _c(r"\bthe ([0-9]{1,2})(?:st|nd|rd|th)\b"),
    "after_tomorrow": _c(r"\b(?:the )?day after tomorrow\b"),
    "last_night": _c(r"\blast night\b"),
    "day_word": _c(r"\b(today|tonight|tomorrow|yesterday)\b"),
    "this_part": _c(r"\bthis (morning|afternoon|evening)\b"),
    "weekday": _c(rf"\b(?:(this coming|coming|this|next|last) )?({WD})\b"
                  r"(?: (next week|this week|after next|week))?"),
    "next_week_wd": _c(rf"\bnext week(?: on)? ({WD})\b"),
    "part": _c(rf"\b(?:in the |at |during the )?({PART})\b"),
    "zone": _c(rf"\b({alternation(ZONE_WORDS)})\b"),
}  # fmt: skip
CLOCKS = {
    "noon": _c(r"\b(?:12(?::00)? ?(?:pm )?)?(?:noon|midday)\b"),
    "midnight": _c(r"\b(?:12(?::00)? ?(?:am )?)?midnight\b"),
    "military": _c(r"\b([0-9]{2})([0-9]{2}) ?(?:hours|hrs|hr|h)\b"),
    "hform": _c(r"\b([0-9]{1,2})h([0-5][0-9])?\b"),
    "colon": _c(
        r"(?<![0-9:.])([0-9]{1,2})[:.]([0-9]{2})(?:[:.]([0-9]{2}))?(?![0-9:.])"
        r"(?: ?(am|pm)\b)?(?: ?oclock\b)?"
    ),
    "space": _c(r"\b([01]?[0-9]|2[0-3]) ([0-5][0-9])\b(?: ?(am|pm)\b)?"),
    "compact": _c(r"\b([0-9]{1,2})([0-5][0-9]) ?(am|pm)\b"),
    "meridiem": _c(r"\b([0-9]{1,2}) ?(am|pm)\b(?: ?oclock\b)?"),
    "oclock": _c(r"\b([0-9]{1,2}) ?oclock\b(?: ?(am|pm)\b)?"),
    "bare": _c(r"\b([0-9]{1,2})\b"),
}
# Text each pattern can't match without.
NEEDS = {
    "iso_dt": ("-",), "utc": ("utc", "gmt"), "offset": ("+", "-"), "in": ("in ",),
    "from_now": ("from now",), "shift": (" from ", " after "), "week_on": ("a week",),
    "now": ("now", "immediately", "asap"), "iso_date": ("-",), "slash": ("/",), "dom": ("the ",),
    "after_tomorrow": ("after tomorrow",), "last_night": ("last night",), "this_part": ("this ",),
    "next_week_wd": ("next week",), "in_bare": ("in ",),
}  # fmt: skip
# All clock forms in one search, earliest first; the winner is then read with its own pattern.
_ANY_CLOCK = _c("|".join(f"(?P<{name}>{pattern.pattern})" for name, pattern in CLOCKS.items()))
_FIVE_DIGITS = _c(r"[0-9]{5}")
_LEFTOVER_CLOCK = _c(r"[0-9]|\b(?:noon|midday|midnight)\b")
# Words without which a group of patterns can't match: a set test is far cheaper than searches.
_RELATIVE_WORDS = frozenset(("in", "from", "after", "week", "now", "immediately", "asap"))
_DATE_WORDS = frozenset((*MONTHS, "the"))
_DAY_WORDS = frozenset(("today", "tonight", "tomorrow", "yesterday", "night", "this"))
_WEEKDAY_WORDS = frozenset(WEEKDAYS)
_PART_WORDS = frozenset(PARTS)


class _Text:
    """A canonical phrase from which recognised pieces are cut out one by one."""

    def __init__(self, canonical: str, original: str) -> None:
        self.s = f" {canonical} "
        self.original = original

    def take(self, name: str, once: bool = False) -> re.Match[str] | None:
        """Cut the first match of P[name]; with `once`, a second one means the person said two."""
        needs = NEEDS.get(name)
        if needs is not None:
            for word in needs:
                if word in self.s:
                    break
            else:
                return None  # a substring test is far cheaper than a search that can't match
        pattern = P[name]
        m = pattern.search(self.s)
        if m:
            self.s = f"{self.s[: m.start()]} {self.s[m.end() :]}"
            if once and pattern.search(self.s):
                raise more_than_one(self.original)
        return m


def scan(canonical: str, today: date, original: str, *, day_first: bool) -> Parts:
    """Parts of a canonical phrase; raises TimeParseError for contradictions and nonsense."""
    if _FIVE_DIGITS.search(canonical):  # no part of a date or time has five digits in a row
        raise not_a_time(original)
    t, p, words = _Text(canonical, original), Parts(), frozenset(canonical.split())
    if "-" in canonical and (m := t.take("iso_dt", once=True)):
        _iso_dt(m, p, original)
    if "+" in t.s or "-" in t.s or "utc" in t.s or "gmt" in t.s:
        _scan_offsets(t, p)
    if ("-" in t.s or "minus" in t.s) and P["negative"].search(t.s):
        raise TimeParseError(
            _("A time can't be negative, and I heard a minus sign in '%(text)s'. "
              "Which time do you mean?") % {"text": snippet(original)},
            hint=HINT_TIME,
        )  # fmt: skip
    if not words.isdisjoint(_RELATIVE_WORDS):
        _scan_relative(t, p, today)
    if "/" in t.s or "-" in t.s or not words.isdisjoint(_DATE_WORDS):
        _scan_dates(t, p, today, day_first)
    if not words.isdisjoint(_DAY_WORDS):
        _scan_day_words(t, p, today)
    if not words.isdisjoint(_WEEKDAY_WORDS):
        _scan_weekday(t, p)
    if not words.isdisjoint(_PART_WORDS) and (m := t.take("part", once=True)):
        p.part = _one_part(p.part, m[1], t.original)
    if _LEFTOVER_CLOCK.search(t.s):
        _scan_clock(t, p)
    if not words.isdisjoint(ZONE_WORDS) and (m := t.take("zone", once=True)):
        p.zone = m[1]
    p.words = [w for w in t.s.split() if w not in FILLER]
    return p


def _iso_dt(m: re.Match[str], p: Parts, original: str) -> None:
    p.days.append((m[0], days.real_date(int(m[1]), int(m[2]), int(m[3]))))
    p.clock = Clock(int(m[4]), int(m[5]), int(m[6] or 0), h24=True, marked=True)
    if m[7]:
        p.offset = zones.parse_offset(m[7], original)


def _scan_offsets(t: _Text, p: Parts) -> None:
    for name in ("utc", "offset"):
        if m := t.take(name, once=True):
            if p.offset is not None:
                raise more_than_one(t.original)
            p.offset = zones.parse_offset(m[1] or "z", t.original)


def _scan_relative(t: _Text, p: Parts, today: date) -> None:
    """'in 2 hours' (elapsed), 'in 3 days' (a calendar day), 'a week from Tuesday' (a shift)."""
    if m := t.take("in", once=True) or t.take("from_now", once=True):
        minutes, whole_days = amount_minutes(m[1])
        if whole_days and minutes % 1440 == 0:
            p.days.append((m[0], today + timedelta(days=int(minutes // 1440))))
        else:
            p.elapsed = timedelta(minutes=minutes)
    if m := t.take("shift", once=True):
        minutes, whole_days = amount_minutes(m[1])
        if not whole_days or minutes % 1440:
            raise not_a_time(t.original)
        p.shift_days += int(minutes // 1440)
    if t.take("week_on", once=True):
        p.shift_days += 7
    p.now = t.take("now") is not None
    if "in " in t.s and (m := P["in_bare"].search(t.s)):
        raise TimeParseError(
            _("In %(number)s what: minutes, hours or days?") % {"number": m[1]},
            hint=HINT_TIME,
        )


def _scan_dates(t: _Text, p: Parts, today: date, day_first: bool) -> None:
    if m := t.take("iso_date", once=True):
        p.days.append((m[0], days.real_date(int(m[1]), int(m[2]), int(m[3]))))
    if m := t.take("day_month", once=True):
        p.days.append((m[0], days.month_day(MONTHS[m[2]], int(m[1]), m[3], today)))
    if m := t.take("month_day", once=True):
        p.days.append((m[0], days.month_day(MONTHS[m[1]], int(m[2]), m[3], today)))
    if m := t.take("slash", once=True):
        p.days.append((m[0], days.slash_date(int(m[1]), int(m[2]), m[3], today, day_first)))
    if m := t.take("dom", once=True):
        p.days.append((m[0], days.day_of_month(int(m[1]), today)))


def _scan_day_words(t: _Text, p: Parts, today: date) -> None:
    if m := t.take("after_tomorrow", once=True):
        p.days.append((m[0], today + timedelta(days=2)))
    if m := t.take("last_night", once=True):
        p.days.append((m[0], today - timedelta(days=1)))
        p.part = "night"
    if m := t.take("day_word", once=True):
        p.days.append((m[1], today + timedelta(days=days.DAY_WORDS[m[1]])))
        if m[1] == "tonight":
            p.part = "night"
    if m := t.take("this_part", once=True):
        p.days.append((m[0], today))
        p.part = _one_part(p.part, m[1], t.original)


def _scan_weekday(t: _Text, p: Parts) -> None:
    if m := t.take("next_week_wd", once=True) or t.take("weekday", once=True):
        if P["weekday"].search(t.s):
            raise more_than_one(t.original)
        p.weekday = _weekday(m)


def _weekday(m: re.Match[str]) -> tuple[int, str]:
    if m.re is P["next_week_wd"]:
        return WEEKDAYS[m[1]], "next week"
    return WEEKDAYS[m[2]], m[3] or m[1] or ""


def _one_part(current: str | None, new: str, original: str) -> str:
    """'tonight' and 'in the evening' agree; 'this morning ... at night' does not."""
    if current is None or current == new or {current, new} == {"night", "evening"}:
        return new if current is None else current
    raise more_than_one(original)


def _scan_clock(t: _Text, p: Parts) -> None:
    """At most one clock time: noon, midnight, '1500 hours', '15h30', '3:30 pm', '3', ..."""
    if found := _ANY_CLOCK.search(t.s):
        if p.clock is not None:
            raise more_than_one(t.original)
        m = CLOCKS[found.lastgroup].match(t.s, found.start())
        t.s = f"{t.s[: m.start()]} {t.s[m.end() :]}"
        p.clock = _clock(found.lastgroup, m)
    if _LEFTOVER_CLOCK.search(t.s):
        raise more_than_one(t.original)


def _clock(name: str, m: re.Match[str]) -> Clock:
    if name in ("noon", "midnight"):
        return Clock(12 if name == "noon" else 0, h24=True, marked=True, special=name)
    if name == "military":
        return Clock(int(m[1]), int(m[2]), h24=True, marked=True)
    if name == "hform":
        return Clock(int(m[1]), int(m[2] or 0), h24=m[1].startswith("0"), marked=True, hform=True)
    if name in ("colon", "space", "compact"):
        second = int(m[3]) if name == "colon" and m[3] else 0
        meridiem = m[4] if name == "colon" else m[3]
        padded = len(m[1]) == 2 and m[1].startswith("0")
        return Clock(int(m[1]), int(m[2]), second, meridiem, h24=padded, marked=True)
    if name in ("meridiem", "oclock"):
        return Clock(int(m[1]), meridiem=m[2], marked=name == "oclock")
    return Clock(int(m[1]), h24=len(m[1]) == 2 and m[1].startswith("0"))
