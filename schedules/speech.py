"""How DRAKO phrases times for people: spoken answers, proposal cards, page messages.

Every sentence that names a day, a clock time or a span is built here, so the assistant, the
parser's questions and the pages all say "tomorrow, Friday, March 6 at 3:00 PM" the same way.
No models; the words added for the parser's questions go through Django's gettext.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July",
               "August", "September", "October", "November", "December")  # fmt: skip
DASH = "\u2013"


def clock(moment: datetime | time) -> str:
    """'9:05 AM' — a wall-clock time as people say it."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def day(value: date, today: date | None) -> str:
    """'Friday, March 6', with the year unless it is today's year."""
    text = f"{WEEKDAY_NAMES[value.weekday()]}, {MONTH_NAMES[value.month - 1]} {value.day}"
    return text if today is not None and value.year == today.year else f"{text}, {value.year}"


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    """`moment` in `tz`; a naive one is taken as already local; the far edges stay as given."""
    try:
        if moment.utcoffset() is None:
            return moment.replace(tzinfo=tz)
        return moment.astimezone(tz)
    except (OverflowError, ValueError, OSError):
        return moment  # too close to datetime.min/max to convert


def describe(moment: datetime, *, tz: ZoneInfo, now: datetime | None = None) -> str:
    """'tomorrow, Friday, March 6 at 3:00 PM' in `tz` (year only if not now's; relative to now)."""
    when = local(moment, tz)
    today = local(now, tz).date() if now is not None else None
    text = f"{day(when.date(), today)} at {clock(when)}"
    if _is_repeated(when):
        text += f" {when.tzname()}"
    if today is not None and (when.date() - today).days in (0, 1):
        text = ("today, " if when.date() == today else "tomorrow, ") + text
    return text


def span(start: datetime, end: datetime, tz: ZoneInfo, *, now: datetime | None = None) -> str:
    """'tomorrow, Friday, March 6 at 3:00 PM until 4:00 PM' (the end's day too when it differs).

    Stored summaries pass no `now` ('Friday, March 6, 2026 at …'): 'tomorrow' goes stale.
    """
    same_day = local(start, tz).date() == local(end, tz).date()
    until = clock(local(end, tz)) if same_day else describe(end, tz=tz, now=now)
    return f"{describe(start, tz=tz, now=now)} until {until}"


def time_range(start: datetime, end: datetime, tz: ZoneInfo, *, joiner: str = DASH) -> str:
    """'9:00 - 10:30 AM' (with an en dash), or with the weekday when it ends on another day."""
    first, last = local(start, tz), local(end, tz)
    if first.date() != last.date():
        return f"{clock(first)} {joiner} {last:%a} {clock(last)}"
    opening = clock(first)
    if (first.hour < 12) == (last.hour < 12):
        opening = opening[:-3]
    return f"{opening} {joiner} {clock(last)}"


def conflicts(events, tz: ZoneInfo, *, now: datetime | None = None) -> list[str]:
    """A clash named briefly, as people say it: 'Standup, 10:00 to 10:15 AM' (at most three).

    The day is named only when it isn't the day the clash is about (the first event's)."""
    if not events:
        return []
    first_day = local(events[0].start, tz).date()
    return [_clash(event, tz, first_day, now) for event in events[:3]]


def _clash(event, tz: ZoneInfo, first_day: date, now: datetime | None) -> str:
    when = "all day" if event.all_day else time_range(event.start, event.end, tz, joiner="to")
    start_day = local(event.start, tz).date()
    if start_day != first_day:
        today = local(now, tz).date() if now is not None else None
        when = f"{day(start_day, today)}, {when}"
    return f"{event.title}, {when}"


def _is_repeated(moment: datetime) -> bool:
    """Whether this wall time occurs twice (DST fall-back)."""
    try:
        return moment.replace(fold=1 - moment.fold).utcoffset() != moment.utcoffset()
    except (OverflowError, ValueError):
        return False


def short_clock(moment: datetime | time) -> str:
    """'7 AM', '7:30 PM' — a clock time without ':00', as people say it."""
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
