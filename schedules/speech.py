"""How DRAKO phrases times for people: spoken answers, proposal cards, page messages.

Every sentence that names a day, a clock time or a span is built here, so the assistant, the
parser's questions and the pages all say "tomorrow, Friday, March 6 at 3:00 PM" the same way —
in the active language (the assistant activates the user's): words through gettext, weekday
and month names and date order from CLDR (Babel), the 12-hour clock in English only.
"""

from __future__ import annotations

from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, get_day_names, get_month_names
from django.utils.translation import get_language
from django.utils.translation import gettext as _

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")  # fmt: skip
DASH = "\u2013"


def language() -> str:
    """The active language's code ('en', 'es', ...): the one the words are said in."""
    return (get_language() or "en").split("-")[0].lower()


def clock(moment: datetime | time, *, hour12: bool | None = None) -> str:
    """'9:05 AM' — a wall-clock time as people say it; '09:05' on a 24-hour clock (the clock
    of every language DRAKO speaks but English, unless `hour12` says otherwise)."""
    if hour12 is None:
        hour12 = language() == "en"
    if not hour12:
        return f"{moment.hour:02d}:{moment.minute:02d}"
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def day(value: date, today: date | None) -> str:
    """'Friday, March 6' ('viernes, 6 de marzo'), with the year unless it is today's year."""
    with_year = today is None or value.year != today.year
    return _day(value, with_year, language())


@lru_cache(maxsize=4096)
def _day(value: date, with_year: bool, code: str) -> str:
    # CLDR knows each language's names and order ("6. März", "6 de marzo"); the joiner between
    # weekday and date is the catalogue's ("Friday, March 6", "vendredi 6 mars").
    dated = format_skeleton("yMMMMd" if with_year else "MMMMd", value, locale=code)
    weekday = format_date(value, "EEEE", locale=code)
    return _("%(weekday)s, %(date)s") % {"weekday": weekday, "date": dated}


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """`moment` in `tz`; a naive one is taken as already local; the far edges stay as given."""
    try:
        if moment.utcoffset() is None:
            return moment.replace(tzinfo=tz)
        return moment.astimezone(tz)
    except (OverflowError, ValueError, OSError):
        return moment  # too close to datetime.min/max to convert


def describe(
    moment: datetime, *, tz: ZoneInfo, now: datetime | None = None, hour12: bool | None = None
) -> str:
    """'tomorrow, Friday, March 6 at 3:00 PM' in `tz` (year only if not now's; relative to now),
    on the active language's clock unless `hour12` says otherwise (pages pass the reader's)."""
    when = local(moment, tz)
    today = local(now, tz).date() if now is not None else None
    said = {"day": day(when.date(), today), "clock": clock(when, hour12=hour12)}
    text = _("%(day)s at %(clock)s") % said
    if _is_repeated(when):
        text += f" {when.tzname()}"
    if today is not None and when.date() == today:
        return _("today, %(when)s") % {"when": text}
    if today is not None and (when.date() - today).days == 1:
        return _("tomorrow, %(when)s") % {"when": text}
    return text


def weekday(moment: date | datetime) -> str:
    """'Tuesday' ('martes'), in the active language."""
    return format_date(moment, "EEEE", locale=language())


def weekday_name(index: int) -> str:
    """The weekday `index` (Monday = 0) named in the active language: 'Monday', 'lunes'."""
    return get_day_names("wide", "format", locale=language())[index]


def month_name(month: int) -> str:
    """The month `month` (January = 1) named alone in the active language: 'March', 'marzo'."""
    return get_month_names("wide", "stand-alone", locale=language())[month]


def describe_day(moment: datetime, *, tz: ZoneInfo, now: datetime | None = None) -> str:
    """'tomorrow, Friday, March 6': the day alone, relative to now where that helps."""
    when = local(moment, tz).date()
    today = local(now, tz).date() if now is not None else None
    text = day(when, today)
    if today is not None and when == today:
        return _("today, %(when)s") % {"when": text}
    if today is not None and (when - today).days == 1:
        return _("tomorrow, %(when)s") % {"when": text}
    return text


def days(first: datetime, last: datetime, *, tz: ZoneInfo, now: datetime | None = None) -> str:
    """'Monday, March 2 to Sunday, March 8' (both days included)."""
    return _("%(first)s to %(last)s") % {
        "first": describe_day(first, tz=tz, now=now),
        "last": describe_day(last, tz=tz, now=now),
    }


def span(start: datetime, end: datetime, tz: ZoneInfo, *, now: datetime | None = None) -> str:
    """'tomorrow, Friday, March 6 at 3:00 PM until 4:00 PM' (the end's day too when it differs).

    Stored summaries pass no `now` ('Friday, March 6, 2026 at …'): 'tomorrow' goes stale.
    """
    same_day = local(start, tz).date() == local(end, tz).date()
    until = clock(local(end, tz)) if same_day else describe(end, tz=tz, now=now)
    return _("%(start)s until %(end)s") % {"start": describe(start, tz=tz, now=now), "end": until}


def spoken_span(
    start: datetime, end: datetime, tz: ZoneInfo, *, now: datetime | None = None
) -> str:
    """A span said briefly, the day once: 'tomorrow, Tuesday, December 1, 3 to 4 PM' (for the
    answers the persona speaks; see clock_span for the times)."""
    said = {"day": describe_day(start, tz=tz, now=now), "times": clock_span(start, end, tz)}
    return _("%(day)s, %(times)s") % said


def clock_span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """'3 to 4 PM', '10:30 AM to 12 PM', or across midnight '11 PM to Saturday, 1 AM'."""
    first, last = local(start, tz), local(end, tz)
    opening, closing = short_clock(first), short_clock(last)
    if last.date() != first.date():
        closing = _("%(weekday)s, %(clock)s") % {"weekday": weekday(last), "clock": closing}
    elif opening.endswith("M") and (first.hour < 12) == (last.hour < 12):
        opening = opening[:-3]  # "3 to 4 PM": the meridiem once
    return _("%(start)s to %(end)s") % {"start": opening, "end": closing}


def free_times(
    slots: list[tuple[datetime, datetime]], tz: ZoneInfo, *, now: datetime | None = None
) -> str:
    """Free stretches said briefly, each day named once: 'tomorrow, Tuesday, December 1, 9 to
    10 AM or 2 to 5 PM; Wednesday, December 2, 9 AM to 12 PM'."""
    by_day: dict[date, list[str]] = {}
    for start, end in slots:
        by_day.setdefault(local(start, tz).date(), []).append(clock_span(start, end, tz))
    phrases = []
    for value, ranges in by_day.items():
        noon = datetime.combine(value, time(12), tzinfo=tz)
        said = {"day": describe_day(noon, tz=tz, now=now), "times": _(" or ").join(ranges)}
        phrases.append(_("%(day)s, %(times)s") % said)
    return _("; ").join(phrases)


def time_range(
    start: datetime, end: datetime, tz: ZoneInfo, *, hour12: bool | None = None, joiner: str = DASH
) -> str:
    """'9:00 - 10:30 AM' (with an en dash; '09:00 - 10:30' on a 24-hour clock), or with the
    weekday when it ends on another day. Speech joins with 'to' instead of the dash."""
    first, last = local(start, tz), local(end, tz)
    if first.date() != last.date():
        return f"{clock(first, hour12=hour12)} {joiner} {last:%a} {clock(last, hour12=hour12)}"
    opening = clock(first, hour12=hour12)
    if opening.endswith("M") and (first.hour < 12) == (last.hour < 12):
        opening = opening[:-3]  # "9:00 - 10:30 AM": the meridiem once
    return f"{opening} {joiner} {clock(last, hour12=hour12)}"


def conflicts(events, tz: ZoneInfo, *, now: datetime | None = None) -> list[str]:
    """A clash named briefly, as people say it: 'Standup, 10:00 to 10:15 AM' (at most three).

    The day is named only when it isn't the day the clash is about (the first event's)."""
    if not events:
        return []
    first_day = local(events[0].start, tz).date()
    return [_clash(event, tz, first_day, now) for event in events[:3]]


def titled(event) -> str:
    """An event's title as said, another calendar's with it: 'Board call from your Work
    calendar'."""
    if getattr(event, "other_calendar", None) is None:
        return event.title
    said = {"title": event.title, "calendar": event.other_calendar.name}
    return _("%(title)s from your %(calendar)s calendar") % said


def _clash(event, tz: ZoneInfo, first_day: date, now: datetime | None) -> str:
    when = _("all day") if event.all_day else clock_span(event.start, event.end, tz)
    start_day = local(event.start, tz).date()
    if start_day != first_day:
        today = local(now, tz).date() if now is not None else None
        when = f"{day(start_day, today)}, {when}"
    return f"{titled(event)}, {when}"


def _is_repeated(moment: datetime) -> bool:
    """Whether this wall time occurs twice (DST fall-back)."""
    try:
        return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()
    except (OverflowError, ValueError):
        return False


def short_clock(moment: datetime | time) -> str:
    """'7 AM', '7:30 PM' — a clock time without ':00', as people say it (24-hour elsewhere)."""
    if language() != "en":
        return clock(moment)
    hour = moment.hour % 12 or 12
    said = f"{hour}:{moment.minute:02d}" if moment.minute else str(hour)
    return f"{said} {'AM' if moment.hour < 12 else 'PM'}"


def clock_in_part(moment: datetime | time) -> str:
    """'7 in the morning', '9 at night', 'noon' — a clock time that needs no AM or PM."""
    hour, minute = moment.hour, moment.minute
    if minute == 0 and hour in (0, 12):
        return _("noon") if hour == 12 else _("midnight")
    said = f"{hour % 12 or 12}:{minute:02d}" if minute else str(hour % 12 or 12)
    if 1 <= hour < 12:
        return _("%(clock)s in the morning") % {"clock": said}
    if 12 <= hour < 17:
        return _("%(clock)s in the afternoon") % {"clock": said}
    if 17 <= hour < 21:
        return _("%(clock)s in the evening") % {"clock": said}
    return _("%(clock)s at night") % {"clock": said}
