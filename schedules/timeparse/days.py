"""Which calendar day a phrase names: dates, 'the 6th', '3/6', and the weekday rules."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, timedelta

from django.utils.translation import gettext as _

from schedules import speech
from schedules.timeparse.errors import AmbiguousTimeError, TimeParseError, which_of

DAY_WORDS = {"today": 0, "tonight": 0, "tomorrow": 1, "yesterday": -1}
MAX_YEARS_AWAY = 100
_LONGEST = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # in any year


def real_date(year: int, month: int, day: int) -> date:
    """date(), with a speakable refusal for days like February 30 or February 29, 2027."""
    if not 1 <= month <= 12:
        raise TimeParseError(
            _("There's no month %(month)s. Which day do you mean?") % {"month": month}
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise TimeParseError(
            _("%(month)s %(day)s, %(year)s isn't a real date. Which day do you mean?")
            % {"month": speech.month_name(month), "day": day, "year": year}
        ) from None


def _no_such_day(month: int, day: int) -> TimeParseError | None:
    if day < 1 or day > 31:
        return TimeParseError(
            _("No month has a day %(day)s. Which day do you mean?") % {"day": day}
        )
    if day > _LONGEST[month - 1]:
        return TimeParseError(
            _("%(month)s has no day %(day)s. Which day do you mean?")
            % {"month": speech.month_name(month), "day": day}
        )
    return None


def month_day(month: int, day: int, year: str | None, today: date) -> date:
    """With a year, that date; without, this year's unless already past, then next year's."""
    if error := _no_such_day(month, day):
        raise error
    if year:
        return real_date(int(year), month, day)
    y = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    if day > calendar.monthrange(y, month)[1]:  # February 29 outside a leap year
        raise TimeParseError(
            _("There's no %(month)s %(day)s in %(year)s. Which day do you mean?")
            % {"month": speech.month_name(month), "day": day, "year": y}
        )
    return date(y, month, day)


def slash_date(a: int, b: int, year: str | None, today: date, day_first: bool) -> date:
    """'3/6': in English March 6 or June 3, so ask unless only one is a date; else day first."""
    full_year = None if year is None else str(int(year) + (2000 if len(year) == 2 else 0))
    orders = ((b, a),) if day_first else ((a, b), (b, a))
    readings = []
    for month, day in orders:
        if 1 <= month <= 12:
            try:
                readings.append(month_day(month, day, full_year, today))
            except TimeParseError:
                continue
    readings = sorted(set(readings))
    if not readings:
        raise TimeParseError(
            _("%(a)s/%(b)s isn't a date I know. Which day do you mean?") % {"a": a, "b": b}
        )
    if len(readings) > 1:
        first, second = (speech.day(d, today) for d in readings)
        raise which_of(first, second, tuple(readings))
    return readings[0]


def day_of_month(day: int, today: date) -> date:
    """'the 6th': this month's unless already past, then next month's."""
    y, m = today.year, today.month
    if day < today.day:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if day < 1 or day > calendar.monthrange(y, m)[1]:
        raise _no_such_day(m, day) or TimeParseError(
            _("%(month)s has no day %(day)s. Which day do you mean?")
            % {"month": speech.month_name(m), "day": day}
        )
    return date(y, m, day)


def weekday_day(
    wd: int, mode: str, today: date, passed: Callable[[date], bool] | None, shift: int = 0
) -> date:
    """The day a weekday names; `passed(day)` says whether the time said is over on that day.

    Plain or 'coming' Friday: the next Friday; said on a Friday, next week's if the time said
    is over, otherwise ask "today, or next Friday?". 'this Friday' on a Friday is today (next
    week's if the time is over). 'next Friday' on a Friday is a week away; said when this
    week's Friday is 1-4 days ahead, ask which. 'Friday next week' is in the next Monday-Sunday
    week; 'Friday week' is a week after the coming Friday; 'last Friday' the one before today.
    """
    ahead = (wd - today.weekday()) % 7
    monday = today - timedelta(days=today.weekday())
    step = timedelta(days=shift)
    if mode in ("next week", "this week", "after next", "last"):
        offsets = {"next week": 7 + wd, "this week": wd}
        if mode in offsets:
            return monday + timedelta(days=offsets[mode]) + step
        if mode == "after next":
            return today + timedelta(days=(ahead or 7) + 7) + step
        return today - timedelta(days=(today.weekday() - wd) % 7 or 7) + step
    if mode == "week":
        return weekday_day(wd, "", today, passed, shift + 7)
    if mode == "next":
        return _next(wd, ahead, today, step)
    if ahead:
        return today + timedelta(days=ahead) + step
    if passed is not None and passed(today):
        return today + timedelta(days=7) + step
    if mode == "this":
        return today + step
    return _ask_today_or_next(today, step)


def _next(wd: int, ahead: int, today: date, step: timedelta) -> date:
    if ahead == 0:
        return today + timedelta(days=7) + step
    if wd > today.weekday() and ahead <= 4:
        near, far = today + timedelta(days=ahead) + step, today + timedelta(days=ahead + 7) + step
        raise AmbiguousTimeError(
            _("Do you mean this %(first)s, or %(second)s?")
            % {"first": speech.day(near, today), "second": speech.day(far, today)},
            options=(near, far),
        )
    return today + timedelta(days=ahead) + step


def _ask_today_or_next(today: date, step: timedelta) -> date:
    near, far = today + step, today + timedelta(days=7) + step
    if not step:
        raise AmbiguousTimeError(
            _("Do you mean today, or next %(day)s?") % {"day": speech.day(far, today)},
            options=(near, far),
        )
    raise which_of(speech.day(near, today), speech.day(far, today), (near, far))


def agree(found: list[tuple[str, date]], weekday: int | None, today: date) -> date | None:
    """The one day all the day words name ('tomorrow, Thursday, March 5'), or a question."""
    day = found[0][1] if found else None
    for said, other in found[1:]:
        if other != day:
            raise TimeParseError(
                _("%(day)s isn't %(said)s. Which day do you mean?")
                % {"day": speech.day(day, today), "said": said.strip()}
            )
    if day is not None and weekday is not None and day.weekday() != weekday:
        raise TimeParseError(
            _("%(day)s is not a %(weekday)s. Which day do you mean?")
            % {"day": speech.day(day, today), "weekday": speech.weekday_name(weekday)}
        )
    return day


def check_year(day: date, today: date) -> None:
    """Refuse absurdly distant dates (also keeps zone arithmetic far from datetime.max)."""
    if abs(day.year - today.year) > MAX_YEARS_AWAY:
        raise TimeParseError(
            _("The year %(year)s is too far away. Which date do you mean?") % {"year": day.year}
        )
